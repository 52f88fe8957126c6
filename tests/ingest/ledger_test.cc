// The ledger state machine and the watermark rules (PROTOCOL §7), on a real SQLite file and on a
// real PostgreSQL server.
#include "ingest/ledger.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cmath>

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

// Issue 10 item 7: a few minutes of key-API 503s quarantined the week. Transient failures back off
// exponentially per drop and never count toward quarantine; permanent ones do.
TEST_P(LedgerTest, TransientFailuresBackOffExponentiallyAndNeverQuarantine) {
  ASSERT_TRUE(ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z")}, std::chrono::hours(1)).ok());
  std::vector<double> delays;
  for (int i = 1; i <= 8; ++i) {
    auto c = ledger_->Claim(Key(kR1), 3);
    ASSERT_TRUE(c.ok()) << i << ": " << c.status().ToString();
    auto s = ledger_->MarkFailed(Key(kR1), core::UnavailableError("key API: HTTP 503"), 3);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(*s, DropState::kFailed);
    auto e = *ledger_->Get(Key(kR1));
    EXPECT_EQ(e.transient_failures, i);
    EXPECT_EQ(e.permanent_failures, 0);
    ASSERT_FALSE(e.next_attempt_at.empty());
    auto next = *core::ParseIso8601(e.next_attempt_at);
    delays.push_back(std::chrono::duration<double>(next - clock_.Now()).count());
    // Not due before next_attempt_at: neither listed as due nor claimable.
    EXPECT_TRUE(ledger_->Due()->empty());
    EXPECT_EQ(ledger_->Claim(Key(kR1), 3).status().code(), StatusCode::kFailedPrecondition);
    clock_.Advance(std::chrono::duration_cast<std::chrono::milliseconds>(next - clock_.Now()) +
                   std::chrono::milliseconds(1));
    EXPECT_EQ(ledger_->Due()->size(), 1u);
  }
  // 30 s * 2^(n-1) with jitter in [0.5, 1.5], capped at one hour (times the jitter).
  for (size_t i = 0; i < delays.size(); ++i) {
    double nominal = std::min(3600.0, 30.0 * std::pow(2.0, static_cast<double>(i)));
    EXPECT_GE(delays[i], 0.5 * nominal - 0.01) << i;
    EXPECT_LE(delays[i], 1.5 * nominal + 0.01) << i;
  }
  EXPECT_GT(delays[4], delays[0] * 3);
  // The watermark stays behind the failing drop; permanent failures still quarantine at max.
  EXPECT_EQ(Watermark(), "");
  EXPECT_EQ(Fail(Key(kR1)), DropState::kFailed);
  EXPECT_EQ(Fail(Key(kR1)), DropState::kFailed);
  EXPECT_EQ(Fail(Key(kR1)), DropState::kQuarantined);
  EXPECT_EQ(ledger_->Get(Key(kR1))->attempts, 11);
}

// Issue 10 item 6: two processes on one database re-claimed each other's drops.
TEST_P(LedgerTest, ADropClaimedByAnotherLiveProcessIsNotTakenBeforeItsLeaseExpires) {
  ASSERT_TRUE(ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z")}, std::chrono::hours(1)).ok());
  Ledger other(*db_, LedgerOptions{.clock = &clock_, .owner = "other-host/4242/abcd1234"});
  auto mine = ledger_->Claim(Key(kR1), 3);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_EQ(mine->claim_owner, ledger_->owner());
  auto refused = other.Claim(Key(kR1), 3);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find(ledger_->owner()), std::string::npos);
  EXPECT_TRUE(other.Due()->empty());
  auto e = *ledger_->Get(Key(kR1));
  EXPECT_EQ(e.attempts, 1);
  EXPECT_EQ(e.permanent_failures, 0);
  // After the lease (30 min by default) the other process takes over: an interrupted import.
  clock_.Advance(std::chrono::minutes(31));
  auto taken = other.Claim(Key(kR1), 3);
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ(taken->permanent_failures, 1);
  // The first owner lost its claim: it can neither commit nor record a failure.
  {
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    EXPECT_EQ(ledger_->MarkDoneInTransaction(Key(kR1), 1, 1, 1).code(),
              StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(ledger_->MarkFailed(Key(kR1), core::DataLossError("x"), 3).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ledger_->Release(Key(kR1)).ok());
  EXPECT_EQ(ledger_->Get(Key(kR1))->claim_owner, other.owner());
  EXPECT_EQ(ledger_->Get(Key(kR1))->state, DropState::kProcessing);
}

TEST_P(LedgerTest, AFailureRecordedLateNeverOverwritesDone) {
  ASSERT_TRUE(ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z")}, std::chrono::hours(1)).ok());
  Ledger other(*db_, LedgerOptions{.clock = &clock_, .owner = "other-host/4242/abcd1234"});
  ASSERT_TRUE(ledger_->Claim(Key(kR1), 3).ok());
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(other.Claim(Key(kR1), 3).ok());
  {
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(other.MarkDoneInTransaction(Key(kR1), 10, 100, 5).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(ledger_->MarkFailed(Key(kR1), core::DataLossError("late"), 1).status().code(),
            StatusCode::kFailedPrecondition);
  auto e = *ledger_->Get(Key(kR1));
  EXPECT_EQ(e.state, DropState::kDone);
  EXPECT_EQ(e.rows, 10);
  EXPECT_EQ(Watermark(), "2024-01-14T00:00:00Z");
}

TEST_P(LedgerTest, AClaimOfAProcessOfThisHostThatDiedIsTakenOverAtOnce) {
  ASSERT_TRUE(ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z")}, std::chrono::hours(1)).ok());
  // A child that has exited and been reaped: its pid is free.
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof(host) - 1), 0);
  Ledger dead(*db_,
              LedgerOptions{.clock = &clock_, .owner = fmt::format("{}/{}/deadbeef", host, child)});
  ASSERT_TRUE(dead.Claim(Key(kR1), 3).ok());
  auto taken = ledger_->Claim(Key(kR1), 3);
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ(taken->attempts, 2);
  EXPECT_EQ(taken->permanent_failures, 1);
}

// Issue 10 item 3: an upper-case TenantId in the blob path was lower-cased by the ledger and the
// paths rebuilt from that were never found on case-sensitive storage.
TEST_P(LedgerTest, AnUpperCaseTenantInThePathIsKeptWhileTenantsCompareInLowerCase) {
  std::string upper = kTenantA;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_NE(upper, kTenantA);
  ASSERT_TRUE(
      ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z", upper)}, std::chrono::hours(1)).ok());
  auto e = *ledger_->Unfinished();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].key.tenant_id, kTenantA);
  EXPECT_EQ(e[0].key.path_tenant, upper);
  EXPECT_EQ(e[0].key.ref().tenant_id, upper);
  EXPECT_EQ(e[0].key.ref().metadata_path().find(upper), std::string(kR1).size() + 14);
  EXPECT_EQ(e[0].key, Key(kR1));
  EXPECT_EQ(ledger_->Unfinished(upper)->size(), 1u);
  // The same drop listed with the lower-case spelling is the same ledger row.
  auto again = ledger_->Register({Found(kR1, "2024-01-14T00:00:00Z")}, std::chrono::hours(1));
  EXPECT_EQ(again->known, 1);
  Done(e[0].key);
  EXPECT_EQ(Watermark(upper), "2024-01-14T00:00:00Z");
  EXPECT_EQ(ledger_->Tenants()->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Dialects, LedgerTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace vivalink::ingest
