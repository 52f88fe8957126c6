// The ledger state machine and the watermark rules (DESIGN §7), on a real SQLite file and on a
// real PostgreSQL server.
#include "ingest/ledger.h"

#include <gtest/gtest.h>

#include "db/database.h"
#include "db/schema.h"
#include "ingest_fixture.h"
#include "postgres_server.h"

namespace vivalink::ingest {
namespace {

using core::StatusCode;
using testing::FakeClock;
using testing::kTenantA;
using testing::kTenantB;

core::TimePoint T(const char* iso) { return *core::ParseIso8601(iso); }

drop::FoundDrop Found(const std::string& run, const char* created,
                      const std::string& tenant = kTenantA, const std::string& etag = "\"e1\"") {
  drop::FoundDrop f;
  f.ref = {run, "VivaInsights", tenant};
  f.metadata.etag = etag;
  f.metadata.created = T(created);
  return f;
}

LedgerKey Key(const std::string& run, const std::string& tenant = kTenantA,
              const std::string& etag = "\"e1\"") {
  return {tenant, run, etag, "VivaInsights"};
}

constexpr char kR1[] = "11111111-1111-4111-8111-111111111111";
constexpr char kR2[] = "22222222-2222-4222-8222-222222222222";
constexpr char kR3[] = "33333333-3333-4333-8333-333333333333";

class LedgerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string url = GetParam() == "postgres" ? testutil::SharedPostgresServer().CreateDatabase()
                                               : "sqlite://" + (dir_.path() / "ledger.db").string();
    auto db = db::Database::Open(url, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(db::MigrateToLatest(*db_).ok());
    ledger_ = std::make_unique<Ledger>(*db_, &clock_);
  }
  std::string Watermark(const std::string& tenant = kTenantA) {
    auto w = ledger_->Watermark(tenant);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() && w->has_value() ? core::FormatIso8601(**w) : "";
  }
  void Done(const LedgerKey& k) {
    ASSERT_TRUE(ledger_->Claim(k, 3).ok());
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(ledger_->MarkDoneInTransaction(k, 10, 100, 5).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  DropState Fail(const LedgerKey& k, int max_attempts = 3) {
    auto c = ledger_->Claim(k, max_attempts);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    auto s = ledger_->MarkFailed(k, core::DataLossError("bad padding in part-00000"), max_attempts);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : DropState::kPending;
  }

  testutil::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_P(LedgerTest, NewDropsArePendingAndRelistingIsHarmless) {
  std::vector<drop::FoundDrop> found = {Found(kR1, "2024-01-14T00:00:00Z"),
                                        Found(kR2, "2024-01-21T00:00:00Z")};
  auto r = ledger_->Register(found, std::chrono::hours(24));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->new_drops, 2);
  auto again = ledger_->Register(found, std::chrono::hours(24));
  EXPECT_EQ(again->new_drops, 0);
  EXPECT_EQ(again->known, 2);
  auto e = *ledger_->Entries();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].state, DropState::kPending);
  EXPECT_EQ(e[0].key.run_id, kR1);
  EXPECT_EQ(Watermark(), "");
}

TEST_P(LedgerTest, ANewMetadataEtagIsANewDropVersion) {
  ASSERT_TRUE(ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z")}, std::chrono::hours(1)).ok());
  auto r = ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z", kTenantA, "\"e2\"")},
                             std::chrono::hours(1));
  EXPECT_EQ(r->new_drops, 1);
}

TEST_P(LedgerTest, WatermarkFollowsTheNewestDropWithNoUnfinishedOlderOne) {
  ASSERT_TRUE(
      ledger_
          ->Register({Found(kR1, "2024-01-14T00:00:00Z"), Found(kR2, "2024-01-21T00:00:00Z"),
                      Found(kR3, "2024-01-28T00:00:00Z")},
                     std::chrono::hours(24))
          .ok());
  Done(Key(kR1));
  EXPECT_EQ(Watermark(), "2024-01-14T00:00:00Z");
  // R2 fails: it holds the watermark although R3 is done.
  EXPECT_EQ(Fail(Key(kR2)), DropState::kFailed);
  Done(Key(kR3));
  EXPECT_EQ(Watermark(), "2024-01-14T00:00:00Z");
  // Still unfinished drops are retried: R2 is in the work list.
  auto todo = *ledger_->Unfinished(kTenantA);
  ASSERT_EQ(todo.size(), 1u);
  EXPECT_EQ(todo[0].key.run_id, kR2);
  // Second and third failures quarantine it; the watermark moves past it to R3.
  EXPECT_EQ(Fail(Key(kR2)), DropState::kFailed);
  EXPECT_EQ(Watermark(), "2024-01-14T00:00:00Z");
  EXPECT_EQ(Fail(Key(kR2)), DropState::kQuarantined);
  EXPECT_EQ(Watermark(), "2024-01-28T00:00:00Z");
  auto q = *ledger_->Get(Key(kR2));
  EXPECT_EQ(q.attempts, 3);
  EXPECT_EQ(q.error_code, "DataLoss");
  EXPECT_EQ(q.last_error, "bad padding in part-00000");
  EXPECT_TRUE(ledger_->Unfinished(kTenantA)->empty());
}

TEST_P(LedgerTest, WatermarksArePerTenant) {
  ASSERT_TRUE(ledger_
                  ->Register({Found(kR1, "2024-01-14T00:00:00Z", kTenantA),
                              Found(kR2, "2024-01-21T00:00:00Z", kTenantB)},
                             std::chrono::hours(24))
                  .ok());
  Done(Key(kR2, kTenantB));
  EXPECT_EQ(Watermark(kTenantA), "");
  EXPECT_EQ(Watermark(kTenantB), "2024-01-21T00:00:00Z");
}

TEST_P(LedgerTest, LookbackWindowIgnoresOlderUnknownDropsButRegistersLateOnesInside) {
  ASSERT_TRUE(ledger_->Register({Found(kR3, "2024-01-28T00:00:00Z")}, std::chrono::hours(48)).ok());
  Done(Key(kR3));
  auto r =
      ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z"), Found(kR2, "2024-01-27T00:00:00Z"),
                         Found(kR3, "2024-01-28T00:00:00Z")},
                        std::chrono::hours(48));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->before_window, 1);  // R1: two weeks behind the watermark
  EXPECT_EQ(r->new_drops, 1);      // R2: a late copy inside the window
  EXPECT_EQ(r->known, 1);
  // The watermark never moves backwards.
  Done(Key(kR2));
  EXPECT_EQ(Watermark(), "2024-01-28T00:00:00Z");
}

TEST_P(LedgerTest, DoneAndQuarantinedDropsCannotBeClaimed) {
  ASSERT_TRUE(ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z")}, std::chrono::hours(1)).ok());
  Done(Key(kR1));
  EXPECT_EQ(ledger_->Claim(Key(kR1), 3).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ledger_->Claim(Key(kR2), 3).status().code(), StatusCode::kNotFound);
}

TEST_P(LedgerTest, MarkDoneRefusesARowThatIsNotProcessing) {
  ASSERT_TRUE(ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z")}, std::chrono::hours(1)).ok());
  auto tx = db_->Begin();
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(ledger_->MarkDoneInTransaction(Key(kR1), 1, 1, 1).code(),
            StatusCode::kFailedPrecondition);
}

TEST_P(LedgerTest, CrashLeftoversAreReclaimedThenQuarantinedAtMaxAttempts) {
  ASSERT_TRUE(ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z")}, std::chrono::hours(1)).ok());
  // Three claims that never finish (the process died each time).
  for (int i = 1; i <= 3; ++i) {
    auto c = ledger_->Claim(Key(kR1), 3);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->attempts, i);
  }
  auto c = ledger_->Claim(Key(kR1), 3);
  EXPECT_EQ(c.status().code(), StatusCode::kFailedPrecondition);
  auto e = *ledger_->Get(Key(kR1));
  EXPECT_EQ(e.state, DropState::kQuarantined);
  EXPECT_EQ(e.error_code, "Aborted");
  EXPECT_EQ(Watermark(), "2024-01-14T00:00:00Z");
}

TEST_P(LedgerTest, ReleaseReturnsAStoppedDropToPendingWithoutCountingTheAttempt) {
  ASSERT_TRUE(ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z")}, std::chrono::hours(1)).ok());
  ASSERT_TRUE(ledger_->Claim(Key(kR1), 3).ok());
  ASSERT_TRUE(ledger_->Release(Key(kR1)).ok());
  auto e = *ledger_->Get(Key(kR1));
  EXPECT_EQ(e.state, DropState::kPending);
  EXPECT_EQ(e.attempts, 0);
}

TEST_P(LedgerTest, ReplayResetsQuarantinedDropsOfTheRun) {
  ASSERT_TRUE(
      ledger_
          ->Register({Found(kR1, "2024-01-14T00:00:00Z"), Found(kR2, "2024-01-21T00:00:00Z")},
                     std::chrono::hours(1))
          .ok());
  EXPECT_EQ(Fail(Key(kR1), 1), DropState::kQuarantined);
  Done(Key(kR2));
  EXPECT_EQ(ledger_->Replay(kR2).status().code(), StatusCode::kNotFound);
  auto n = ledger_->Replay(kR1);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  auto e = *ledger_->Get(Key(kR1));
  EXPECT_EQ(e.state, DropState::kPending);
  EXPECT_EQ(e.attempts, 0);
  Done(Key(kR1));
  EXPECT_EQ(ledger_->Get(Key(kR1))->state, DropState::kDone);
}

TEST_P(LedgerTest, CleanupIsDueAfterTheRetentionPeriod) {
  ASSERT_TRUE(ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z")}, std::chrono::hours(1)).ok());
  Done(Key(kR1));
  EXPECT_EQ(ledger_->DueForCleanup(0)->size(), 1u);
  EXPECT_EQ(ledger_->DueForCleanup(2)->size(), 0u);
  clock_.Advance(std::chrono::days(3));
  EXPECT_EQ(ledger_->DueForCleanup(2)->size(), 1u);
  ASSERT_TRUE(ledger_->MarkCleaned(Key(kR1)).ok());
  EXPECT_EQ(ledger_->DueForCleanup(0)->size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Dialects, LedgerTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace vivalink::ingest
