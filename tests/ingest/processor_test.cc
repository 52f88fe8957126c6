// Processing drops exactly once against a real SQLite file: rows and ledger commit together,
// bad drops leave nothing, replacement drops replace, blobs are cleaned up.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "db/database.h"
#include "identity/identity.h"
#include "ingest/commands.h"
#include "ingest/ledger.h"
#include "ingest_fixture.h"

namespace vivalink::ingest {
namespace {

using identity::IdentityHash;
using identity::IdentityKind;
using identity::kAmbiguousPerson;
using identity::LoadOrCreatePseudonymKey;
using identity::PersonKey;
using testing::Count;
using testing::DropSpec;
using testing::kTenantA;
using testing::kTenantB;
using testing::MetricRows;
using testing::World;

constexpr char kRun1[] = "11111111-1111-4111-8111-111111111111";
constexpr char kRun2[] = "22222222-2222-4222-8222-222222222222";
constexpr char kRun3[] = "33333333-3333-4333-8333-333333333333";

class Processing : public ::testing::Test {
 protected:
  void SetUp() override { config_ = world_.MakeConfig(world_.sqlite_url()); }
  RunSummary Run(const CommandOptions& o = {.progress = 0}) {
    auto r = RunOnce(config_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunSummary{};
  }
  std::unique_ptr<db::Database> Db() {
    auto db = db::Database::Open(config_.database_url, {});
    EXPECT_TRUE(db.ok());
    return std::move(*db);
  }
  std::vector<LedgerEntry> Entries() {
    auto db = Db();
    Ledger l(*db);
    return *l.Entries();
  }
  World world_;
  Config config_;
};

TEST(Processing_, DropStateNamesRoundTrip) {
  for (DropState s : {DropState::kPending, DropState::kProcessing, DropState::kDone,
                      DropState::kFailed, DropState::kFailedUpstream, DropState::kQuarantined}) {
    EXPECT_EQ(*ParseDropState(DropStateName(s)), s);
  }
  EXPECT_EQ(ParseDropState("bogus").status().code(), core::StatusCode::kInternal);
}

TEST_F(Processing, ImportsADropOnceAndASecondRunDoesNothing) {
  world_.Write({.run_id = kRun1, .rows = MetricRows(25), .part_rows = 10});
  RunSummary s = Run();
  EXPECT_EQ(s.done, 1);
  EXPECT_EQ(s.rows, 25);
  EXPECT_FALSE(s.any_failed());
  auto db = Db();
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week"), 25);
  // Two numeric metrics per row.
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week_metric"), 50);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM drops WHERE state = 'done' AND rows = 25"), 1);
  auto v = db->QueryValue(
      "SELECT value FROM person_week_metric WHERE person_key = ? AND metric = "
      "'Collaboration_hours'",
      {testing::PersonGuid(3)});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_DOUBLE_EQ(*v->AsNumber(), 13.0);
  auto attrs = db->QueryValue("SELECT attrs FROM person_week WHERE person_key = ?",
                              {testing::PersonGuid(4)});
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->as_text(), R"({"FunctionType":"F0","Organization":"Org1"})");
  // Blobs deleted after success (retention 0), metadata included.
  EXPECT_TRUE(store::ListAll(world_.store(), "")->empty());

  RunSummary again = Run();
  EXPECT_EQ(again.processed, 0);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week"), 25);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM drops"), 1);
}

TEST_F(Processing, RetentionKeepsTheEncryptedBlobs) {
  config_.retention_days = 7;
  world_.Write({.run_id = kRun1, .rows = MetricRows(5)});
  EXPECT_EQ(Run().done, 1);
  EXPECT_FALSE(store::ListAll(world_.store(), "")->empty());
  EXPECT_EQ(Run().processed, 0);
}

TEST_F(Processing, CorruptLastPartRollsBackEveryRowThenQuarantinesAfterMaxAttempts) {
  world_.Write(
      {.run_id = kRun1, .rows = MetricRows(30), .part_rows = 10, .corrupt_last_part = true});
  for (int attempt = 1; attempt <= 3; ++attempt) {
    RunSummary s = Run();
    ASSERT_EQ(s.results.size(), 1u);
    EXPECT_EQ(s.results[0].state, attempt < 3 ? DropState::kFailed : DropState::kQuarantined);
    EXPECT_EQ(s.results[0].error.code(), core::StatusCode::kDataLoss)
        << s.results[0].error.ToString();
    EXPECT_TRUE(s.any_failed());
    auto db = Db();
    EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week"), 0);
    EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week_metric"), 0);
  }
  auto e = Entries();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].state, DropState::kQuarantined);
  EXPECT_EQ(e[0].attempts, 3);
  EXPECT_EQ(e[0].error_code, "DataLoss");
  EXPECT_NE(e[0].last_error.find("part-00002"), std::string::npos) << e[0].last_error;
  // Quarantined drops keep their blobs for replay; a fourth run leaves them alone.
  EXPECT_FALSE(store::ListAll(world_.store(), "")->empty());
  EXPECT_EQ(Run().processed, 0);
}

// Issue 10 item 4: a NumberOfRowsExtracted beyond int64 ended the whole run with "Internal:
// stoll" and left the other drops pending. Now only that drop fails (DataLoss); the run goes on.
TEST_F(Processing, AnOutOfRangeMetadataCountFailsOnlyThatDrop) {
  drop::DropRef bad = world_.Write({.run_id = kRun1, .rows = MetricRows(5)});
  world_.Write({.run_id = kRun2, .rows = MetricRows(5, "2024-01-14")});
  auto j = nlohmann::json::parse(*store::GetAll(world_.store(), bad.metadata_path()));
  j["NumberOfRowsExtracted"] = "99999999999999999999";
  ASSERT_TRUE(store::PutString(world_.store(), bad.metadata_path(), j.dump()).ok());
  RunSummary s = Run();
  EXPECT_EQ(s.processed, 2);
  EXPECT_EQ(s.done, 1);
  EXPECT_EQ(s.failed, 1);
  for (const DropResult& r : s.results) {
    if (r.key.run_id == kRun1) {
      EXPECT_EQ(r.state, DropState::kFailed);
      EXPECT_EQ(r.error.code(), core::StatusCode::kDataLoss) << r.error.ToString();
      EXPECT_NE(r.error.message().find("NumberOfRowsExtracted"), std::string::npos);
    } else {
      EXPECT_EQ(r.state, DropState::kDone) << r.error.ToString();
    }
  }
  auto db = Db();
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM drops WHERE state = 'processing'"), 0);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week"), 5);
}

// Issue 10 item 3: an upper-case TenantId in the blob path was lower-cased by the ledger; the
// paths rebuilt from it did not exist, so the drop was retried, quarantined and never cleaned up.
TEST_F(Processing, AnUpperCaseTenantInTheBlobPathImportsAndIsCleanedUp) {
  std::string upper = kTenantA;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  world_.Write({.run_id = kRun1, .tenant = upper, .rows = MetricRows(6), .part_rows = 4});
  ASSERT_FALSE(
      store::ListAll(world_.store(), std::string(kRun1) + "/VivaInsights/" + upper)->empty());
  RunSummary s = Run();
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].state, DropState::kDone) << s.results[0].error.ToString();
  auto db = Db();
  EXPECT_EQ(
      Count(*db, fmt::format("SELECT COUNT(*) FROM person_week WHERE tenant_id = '{}'", kTenantA)),
      6);
  EXPECT_EQ(Count(*db, fmt::format("SELECT COUNT(*) FROM drops WHERE tenant_id = '{}' AND state "
                                   "= 'done' AND cleaned_at IS NOT NULL",
                                   kTenantA)),
            1);
  EXPECT_TRUE(store::ListAll(world_.store(), "")->empty());
  EXPECT_EQ(Run().processed, 0);
}

// Issue 10 item 5: cleanup deleted by prefix, so the cleanup of a run's imported version removed
// the parts of a re-delivery of the same RunId (new ETags) that had arrived meanwhile.
TEST_F(Processing, CleanupOfAnImportedVersionKeepsTheBlobsOfANewerDelivery) {
  config_.retention_days = 7;
  world_.Write({.run_id = kRun1, .rows = MetricRows(6), .part_rows = 3});
  ASSERT_EQ(Run().done, 1);
  auto old = Entries();
  ASSERT_EQ(old.size(), 1u);
  ASSERT_EQ(old[0].imported_parts.size(), 2u);
  // The pipeline re-delivers the run: new parts (one more of them) and a new metadata.json.
  drop::DropRef ref =
      world_.Write({.run_id = kRun1, .rows = MetricRows(9, "2024-01-07", 50), .part_rows = 3});
  auto before = *store::ListAll(world_.store(), "");
  ASSERT_EQ(before.size(), 4u);  // three parts + metadata.json, all of the new version

  auto db = Db();
  Ledger ledger(*db);
  DirKeySource keys(config_.keys.keys_dir);
  Processor p(*db, world_.store(), ledger, {.config = &config_, .keys = &keys});
  ASSERT_TRUE(p.Cleanup(old[0].key).ok());
  auto after = *store::ListAll(world_.store(), "");
  ASSERT_EQ(after.size(), 4u) << "the cleanup of the old version removed the new one's blobs";
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].etag, before[i].etag);
  EXPECT_FALSE(ledger.Get(old[0].key)->cleaned_at.empty());

  // The new version imports whole, and its own cleanup removes exactly its blobs.
  config_.retention_days = 0;
  RunSummary s = Run();
  EXPECT_EQ(s.done, 1);
  EXPECT_EQ(s.rows, 9);
  EXPECT_TRUE(store::ListAll(world_.store(), "")->empty());
  EXPECT_EQ(ref.run_id, kRun1);
}

// Issue 10, hostile input: a metadata.json whose TenantId differs from its folder's tenant is
// refused (another tenant's keys are never even loaded), and the other tenants' drops import.
TEST_F(Processing, AMetadataTenantOtherThanItsFolderIsRefusedAndOthersImport) {
  drop::DropRef forged = world_.Write({.run_id = kRun1, .tenant = kTenantA, .rows = MetricRows(4)});
  world_.Write({.run_id = kRun2, .tenant = kTenantB, .rows = MetricRows(6)});
  auto j = nlohmann::json::parse(*store::GetAll(world_.store(), forged.metadata_path()));
  j["TenantId"] = kTenantB;
  ASSERT_TRUE(store::PutString(world_.store(), forged.metadata_path(), j.dump()).ok());
  RunSummary s = Run();
  ASSERT_EQ(s.results.size(), 2u);
  for (const DropResult& r : s.results) {
    if (r.key.run_id == kRun1) {
      EXPECT_EQ(r.error.code(), core::StatusCode::kPermissionDenied) << r.error.ToString();
      EXPECT_NE(r.error.message().find("not the tenant of its path"), std::string::npos);
    } else {
      EXPECT_EQ(r.state, DropState::kDone) << r.error.ToString();
    }
  }
  auto db = Db();
  EXPECT_EQ(
      Count(*db, fmt::format("SELECT COUNT(*) FROM person_week WHERE tenant_id = '{}'", kTenantA)),
      0);
  EXPECT_EQ(
      Count(*db, fmt::format("SELECT COUNT(*) FROM person_week WHERE tenant_id = '{}'", kTenantB)),
      6);
}

TEST_F(Processing, RowCountMismatchIsRejectedWhole) {
  world_.Write({.run_id = kRun1, .rows = MetricRows(12), .part_rows = 5, .rows_delta = 1});
  RunSummary s = Run();
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].state, DropState::kFailed);
  EXPECT_EQ(s.results[0].error.code(), core::StatusCode::kDataLoss);
  auto db = Db();
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week"), 0);
  EXPECT_EQ(Count(*db,
                  "SELECT COUNT(*) FROM drops WHERE state = 'failed' AND attempts = 1 AND "
                  "error_code = 'DataLoss'"),
            1);
}

TEST_F(Processing, MetadataErrorsMakeTheDropFailedUpstreamWithoutRetry) {
  world_.Write({.run_id = kRun1, .errors = "Copy activity failed: quota exceeded"});
  RunSummary s = Run();
  EXPECT_EQ(s.failed_upstream, 1);
  EXPECT_FALSE(s.any_failed());
  auto e = Entries();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].state, DropState::kFailedUpstream);
  EXPECT_EQ(e[0].error_code, "FailedUpstream");
  EXPECT_NE(e[0].last_error.find("quota exceeded"), std::string::npos);
  EXPECT_EQ(Run().processed, 0);
}

TEST_F(Processing, ReplacementDropReplacesThePersonWeeksInItsTransaction) {
  world_.Write({.run_id = kRun1, .rows = MetricRows(10)});
  EXPECT_EQ(Run().done, 1);
  config_.store_metrics = {"Collaboration_hours"};
  config_.store_all_metrics = false;
  world_.Write({.run_id = kRun2, .rows = MetricRows(10, "2024-01-07", 100)});
  EXPECT_EQ(Run().done, 1);
  auto db = Db();
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week"), 10);
  EXPECT_EQ(Count(*db, fmt::format("SELECT COUNT(*) FROM person_week WHERE run_id = '{}'", kRun2)),
            10);
  // Only the configured metric remains, with the new values.
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week_metric"), 10);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week_metric WHERE value >= 110"), 10);
}

TEST_F(Processing, AStopRequestRollsBackAndLeavesTheDropPending) {
  world_.Write({.run_id = kRun1, .rows = MetricRows(5)});
  std::atomic<bool> stop{false};
  auto db = Db();
  ASSERT_TRUE(db::MigrateToLatest(*db).ok());
  Ledger ledger(*db);
  ASSERT_TRUE(ledger.Register(*drop::ListDrops(world_.store()), config_.lookback).ok());
  DirKeySource keys(config_.keys.keys_dir);
  stop = true;
  Processor p(*db, world_.store(), ledger, {.config = &config_, .keys = &keys, .stop = &stop});
  auto e = *ledger.Unfinished();
  ASSERT_EQ(e.size(), 1u);
  DropResult r = p.Process(e[0].key);
  EXPECT_EQ(r.state, DropState::kPending);
  EXPECT_EQ(r.error.code(), core::StatusCode::kCancelled);
  auto after = *ledger.Get(e[0].key);
  EXPECT_EQ(after.state, DropState::kPending);
  EXPECT_EQ(after.attempts, 0);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week"), 0);
}

// A key API that fails the way a 503 or an unreachable host does.
class FailingKeySource final : public KeySource {
 public:
  core::Result<std::vector<drop::WrappedKey>> Fetch(std::string_view, std::string_view) override {
    ++calls;
    return core::UnavailableError("key API: HTTP 503 Service Unavailable (attempt 4 of 4)");
  }
  int calls = 0;
};

// Issue 10 item 1: with the File key inline in metadata.json and the key API failing, the drop
// was imported with the File key only: still-encrypted PersonIds were stored as person keys, the
// drop marked done and its blobs deleted. Now it fails (retryable) and keeps its blobs.
TEST_F(Processing, AKeyApiFailureNeverImportsCiphertextAsIdentities) {
  drop::DropRef ref = world_.Write({.run_id = kRun1, .rows = MetricRows(5)});
  // Move the File key of the saved answer inline, as newer pipelines write it.
  auto m = *drop::ParseMetadata(*store::GetAll(world_.store(), ref.metadata_path()), "m");
  auto answer = drop::ParseKeysResponse(testutil::ReadFile(
      std::filesystem::path(config_.keys.keys_dir) / (m.copy_activity_id + ".json")));
  ASSERT_TRUE(answer.ok());
  for (const auto& w : *answer) {
    if (w.type == "File") m.inline_key = w;
  }
  ASSERT_TRUE(m.inline_key.has_value());
  ASSERT_TRUE(drop::WriteMetadata(world_.store(), ref, m).ok());

  auto db = Db();
  ASSERT_TRUE(db::MigrateToLatest(*db).ok());
  testing::FakeClock clock;
  Ledger ledger(*db, &clock);
  ASSERT_TRUE(ledger.Register(*drop::ListDrops(world_.store()), config_.lookback).ok());
  FailingKeySource keys;
  Processor p(*db, world_.store(), ledger, {.config = &config_, .keys = &keys, .clock = &clock});
  auto e = *ledger.Unfinished();
  ASSERT_EQ(e.size(), 1u);
  DropResult r = p.Process(e[0].key);
  EXPECT_EQ(keys.calls, 1);
  EXPECT_EQ(r.state, DropState::kFailed);
  EXPECT_EQ(r.error.code(), core::StatusCode::kUnavailable) << r.error.ToString();
  EXPECT_NE(r.error.message().find("Column key"), std::string::npos) << r.error.message();
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week"), 0);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM drops WHERE state = 'done'"), 0);
  EXPECT_FALSE(store::ListAll(world_.store(), "")->empty()) << "the blobs must stay for a retry";
  // Once the key API answers (and the backoff has passed), the same drop imports with real
  // (decrypted) person keys.
  clock.Advance(std::chrono::hours(2));
  DirKeySource saved(config_.keys.keys_dir);
  Processor again(*db, world_.store(), ledger,
                  {.config = &config_, .keys = &saved, .clock = &clock});
  DropResult ok = again.Process(e[0].key);
  EXPECT_EQ(ok.state, DropState::kDone) << ok.error.ToString();
  EXPECT_EQ(Count(*db, fmt::format("SELECT COUNT(*) FROM person_week WHERE person_key = '{}'",
                                   testing::PersonGuid(2))),
            1);
}

TEST_F(Processing, KeysWrappedForAnotherTenantAreRefused) {
  world_.TenantKey(kTenantB);
  world_.Write({.run_id = kRun1, .rows = MetricRows(5), .keys_for_tenant = kTenantB});
  RunSummary s = Run();
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].error.code(), core::StatusCode::kPermissionDenied)
      << s.results[0].error.ToString();
  EXPECT_EQ(Count(*Db(), "SELECT COUNT(*) FROM person_week"), 0);
}

TEST_F(Processing, MissingKeysFailWithNotFound) {
  world_.Write({.run_id = kRun1, .rows = MetricRows(5), .save_keys = false});
  RunSummary s = Run();
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].state, DropState::kFailed);
  EXPECT_EQ(s.results[0].error.code(), core::StatusCode::kNotFound);
}

TEST_F(Processing, TenantsAreWrittenUnderTheirOwnId) {
  world_.Write({.run_id = kRun1, .tenant = kTenantA, .rows = MetricRows(4)});
  world_.Write({.run_id = kRun2, .tenant = kTenantB, .rows = MetricRows(6)});
  EXPECT_EQ(Run().done, 2);
  auto db = Db();
  EXPECT_EQ(
      Count(*db, fmt::format("SELECT COUNT(*) FROM person_week WHERE tenant_id = '{}'", kTenantA)),
      4);
  EXPECT_EQ(
      Count(*db, fmt::format("SELECT COUNT(*) FROM person_week WHERE tenant_id = '{}'", kTenantB)),
      6);
}

TEST_F(Processing, UserExportFillsHashedIdentitiesAndPseudonymsAreStable) {
  config_.pseudonymise = true;
  world_.Write({.run_id = kRun1, .rows = MetricRows(3)});
  world_.Write({.run_id = kRun1, .kind = "AADUser", .rows = testing::UserRows(3)});
  EXPECT_EQ(Run().done, 2);
  auto db = Db();
  auto key = LoadOrCreatePseudonymKey(config_.keystore_dir, kTenantA);
  ASSERT_TRUE(key.ok());
  std::string k(key->data(), key->size());
  std::string pk = PersonKey(k, kTenantA, testing::PersonGuid(1));
  EXPECT_NE(pk, testing::PersonGuid(1));
  EXPECT_EQ(Count(*db, fmt::format("SELECT COUNT(*) FROM person_week WHERE person_key = '{}'", pk)),
            1);
  // object id, mail, upn and two proxy addresses per person.
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_identity"), 15);
  auto found = db->QueryValue(
      "SELECT person_key FROM person_identity WHERE kind = 'mail' AND value_hash = ?",
      {IdentityHash(k, IdentityKind::kMail, " person1@contoso.COM ")});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->as_text(), pk);
  auto proxy = db->QueryValue(
      "SELECT person_key FROM person_identity WHERE kind = 'proxy_address' AND value_hash = ?",
      {IdentityHash(k, IdentityKind::kProxyAddress, "p1@contoso.net")});
  ASSERT_TRUE(proxy.ok());
  EXPECT_EQ(proxy->as_text(), pk);
  // Nothing stores the raw object id.
  EXPECT_EQ(Count(*db, fmt::format("SELECT COUNT(*) FROM person_week WHERE person_key = '{}'",
                                   testing::PersonGuid(1))),
            0);
}

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST_F(Processing, AnAliasTwoPersonsOfOneExportHoldIsMarkedAmbiguous) {
  // Person 0 and person 1 both list shared@contoso.com among their proxy addresses.
  std::string rows = testing::UserRows(2);
  rows = Replaced(rows, "smtp:p0@contoso.net", "smtp:shared@contoso.com");
  rows = Replaced(rows, "smtp:p1@contoso.net", "SMTP:Shared@contoso.com");
  world_.Write({.run_id = kRun1, .kind = "AADUser", .rows = rows});
  EXPECT_EQ(Run().done, 1);
  auto db = Db();
  auto shared = db->QueryValue(
      "SELECT person_key FROM person_identity WHERE kind = 'proxy_address' AND value_hash = ?",
      {IdentityHash("", IdentityKind::kProxyAddress, "shared@contoso.com")});
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  EXPECT_EQ(shared->as_text(), std::string(kAmbiguousPerson));
  // Each person's own mail still names them.
  auto own = db->QueryValue(
      "SELECT person_key FROM person_identity WHERE kind = 'mail' AND value_hash = ?",
      {IdentityHash("", IdentityKind::kMail, "person1@contoso.com")});
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->as_text(), testing::PersonGuid(1));
  // A newer export that gives the alias to one person replaces the marker.
  world_.Write({.run_id = kRun2, .kind = "AADUser", .rows = testing::UserRows(2)});
  std::string one =
      Replaced(testing::UserRows(1), "smtp:p0@contoso.net", "smtp:shared@contoso.com");
  world_.Write({.run_id = kRun3, .kind = "AADUser", .rows = one});
  EXPECT_EQ(Run().done, 2);
  shared = db->QueryValue(
      "SELECT person_key FROM person_identity WHERE kind = 'proxy_address' AND value_hash = ?",
      {IdentityHash("", IdentityKind::kProxyAddress, "shared@contoso.com")});
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(shared->as_text(), testing::PersonGuid(0));
}

TEST_F(Processing, ReplayedQuarantinedDropSucceedsOnceItsCauseIsFixed) {
  config_.max_attempts = 1;
  world_.Write({.run_id = kRun3, .rows = MetricRows(8), .save_keys = false});
  EXPECT_EQ(Run().quarantined, 1);
  // The cause (missing key answer) is fixed by re-writing the drop's keys... the same drop
  // version must be replayed, so write the key answer for its copy activity.
  auto db = Db();
  Ledger ledger(*db);
  auto e = *ledger.Entries();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(Replay(config_, "00000000-0000-4000-8000-000000000000").status().code(),
            core::StatusCode::kNotFound);
  EXPECT_EQ(*Replay(config_, kRun3), 1);
  EXPECT_EQ(ledger.Get(e[0].key)->state, DropState::kPending);
  // Still broken: fails again (attempts restarted at 0, so one attempt).
  EXPECT_EQ(Run().quarantined, 1);
}

TEST_F(Processing, StatusReportsWatermarkCountsAndLastError) {
  world_.Write({.run_id = kRun1, .rows = MetricRows(4)});
  world_.Write({.run_id = kRun2, .rows = MetricRows(4, "2024-01-14"), .save_keys = false});
  Run();
  auto report = GetStatus(config_, {.progress = 0});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->tenants.size(), 1u);
  const TenantStatus& t = report->tenants[0];
  EXPECT_EQ(t.done, 1);
  EXPECT_EQ(t.failed, 1);
  EXPECT_EQ(t.rows, 4);
  EXPECT_FALSE(t.watermark.empty());
  EXPECT_NE(t.last_error.find("no saved key answer"), std::string::npos) << t.last_error;
  EXPECT_NE(report->ToText().find("1 failed"), std::string::npos) << report->ToText();
  EXPECT_NE(report->ToJson().find("\"failed\":1"), std::string::npos);
}

}  // namespace
}  // namespace vivalink::ingest
