#include "db/migrate.h"

#include <cmath>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "db/packed_vector.h"
#include "db/schema.h"
#include "db_fixture.h"

namespace vivalink::db {
namespace {

using core::StatusCode;

std::vector<Migration> TwoMigrations() {
  return {
      {.version = 1,
       .name = "one",
       .sqlite_sql = "CREATE TABLE one (x TEXT); CREATE TABLE one_b (y TEXT);",
       .postgres_sql = ""},
      {.version = 2,
       .name = "two",
       .sqlite_sql = "CREATE TABLE two (b BLOB)",
       .postgres_sql = "CREATE TABLE two (b BYTEA)"},
  };
}

class MigrateBehaviour : public BothBackends {
 protected:
  bool TableExists(const std::string& table) {
    auto r = db_->Query("SELECT COUNT(*) FROM " + table);
    return r.ok();
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, MigrateBehaviour,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

TEST_P(MigrateBehaviour, FreshDatabaseHasVersionZero) {
  auto v = SchemaVersion(*db_);
  ASSERT_OK(v.status());
  EXPECT_EQ(*v, 0);
}

TEST_P(MigrateBehaviour, AppliesEveryMigrationInOrderAndRecordsIt) {
  auto ms = TwoMigrations();
  auto n = Migrate(*db_, ms);
  ASSERT_OK(n.status());
  EXPECT_EQ(*n, 2);
  EXPECT_TRUE(TableExists("one"));
  EXPECT_TRUE(TableExists("one_b"));
  EXPECT_TRUE(TableExists("two"));
  auto r = db_->Query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->rows[0][0], Value(1));
  EXPECT_EQ(r->rows[0][1], Value("one"));
  EXPECT_EQ(r->rows[1][0], Value(2));
  ASSERT_NE(r->rows[1][2].GetText(), nullptr);
  EXPECT_EQ(r->rows[1][2].GetText()->back(), 'Z');  // ISO 8601 UTC
  auto v = SchemaVersion(*db_);
  ASSERT_OK(v.status());
  EXPECT_EQ(*v, 2);
}

TEST_P(MigrateBehaviour, RerunningIsANoOp) {
  auto ms = TwoMigrations();
  ASSERT_OK(Migrate(*db_, ms).status());
  auto again = Migrate(*db_, ms);
  ASSERT_OK(again.status());
  EXPECT_EQ(*again, 0);
  auto rows = db_->QueryValue("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_OK(rows.status());
  EXPECT_EQ(*rows, Value(2));
}

TEST_P(MigrateBehaviour, AppliesOnlyTheNewMigrations) {
  auto ms = TwoMigrations();
  auto first = Migrate(*db_, std::span<const Migration>(ms).first(1));
  ASSERT_OK(first.status());
  EXPECT_EQ(*first, 1);
  EXPECT_FALSE(TableExists("two"));
  auto second = Migrate(*db_, ms);
  ASSERT_OK(second.status());
  EXPECT_EQ(*second, 1);
  EXPECT_TRUE(TableExists("two"));
}

TEST_P(MigrateBehaviour, RefusesADatabaseWithANewerSchema) {
  auto ms = TwoMigrations();
  ASSERT_OK(Migrate(*db_, ms).status());
  auto older = Migrate(*db_, std::span<const Migration>(ms).first(1));
  EXPECT_EQ(older.status().code(), StatusCode::kFailedPrecondition) << older.status().ToString();
  EXPECT_NE(older.status().message().find("schema version 2"), std::string::npos)
      << older.status().message();
  EXPECT_NE(older.status().message().find("up to 1"), std::string::npos);
}

TEST_P(MigrateBehaviour, AFailingMigrationIsRolledBackAloneAndNamed) {
  auto ms = TwoMigrations();
  ms.push_back({.version = 3,
                .name = "broken",
                .sqlite_sql = "CREATE TABLE three (x TEXT); CREATE TABLE three (x TEXT);",
                .postgres_sql = ""});
  auto n = Migrate(*db_, ms);
  EXPECT_EQ(n.status().code(), StatusCode::kInternal) << n.status().ToString();
  EXPECT_NE(n.status().message().find("migration 3 (broken)"), std::string::npos)
      << n.status().message();
  EXPECT_FALSE(TableExists("three"));
  EXPECT_TRUE(TableExists("two"));
  auto v = SchemaVersion(*db_);
  ASSERT_OK(v.status());
  EXPECT_EQ(*v, 2);
  EXPECT_FALSE(db_->in_transaction());
}

TEST_P(MigrateBehaviour, ConcurrentMigrationsApplyEachVersionOnce) {
  auto ms = TwoMigrations();
  auto other = OpenOrDie();
  ASSERT_NE(other, nullptr);
  Result<int> a = 0, b = 0;
  std::thread t([&] { b = Migrate(*other, ms); });
  a = Migrate(*db_, ms);
  t.join();
  ASSERT_OK(a.status());
  ASSERT_OK(b.status());
  EXPECT_EQ(*a + *b, 2);
  auto rows = db_->QueryValue("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_OK(rows.status());
  EXPECT_EQ(*rows, Value(2));
}

TEST_P(MigrateBehaviour, RejectsVersionsThatDoNotIncrease) {
  std::vector<Migration> ms = {
      {.version = 2, .name = "b", .sqlite_sql = "SELECT 1", .postgres_sql = ""},
      {.version = 2, .name = "c", .sqlite_sql = "SELECT 1", .postgres_sql = ""}};
  EXPECT_CODE(Migrate(*db_, ms).status(), StatusCode::kInvalidArgument);
  std::vector<Migration> zero = {
      {.version = 0, .name = "z", .sqlite_sql = "SELECT 1", .postgres_sql = ""}};
  EXPECT_CODE(Migrate(*db_, zero).status(), StatusCode::kInvalidArgument);
  std::vector<Migration> empty_sql = {
      {.version = 1, .name = "e", .sqlite_sql = "", .postgres_sql = ""}};
  EXPECT_CODE(Migrate(*db_, empty_sql).status(), StatusCode::kInvalidArgument);
}

TEST_P(MigrateBehaviour, RefusesToRunInsideATransaction) {
  auto tx = db_->Begin();
  ASSERT_OK(tx.status());
  EXPECT_CODE(Migrate(*db_, TwoMigrations()).status(), StatusCode::kFailedPrecondition);
}

TEST_P(MigrateBehaviour, ProductSchemaAppliesAndHoldsALedgerAndMetrics) {
  auto n = MigrateToLatest(*db_);
  ASSERT_OK(n.status());
  EXPECT_EQ(*n, static_cast<int>(ProductMigrations().size()));
  auto again = MigrateToLatest(*db_);
  ASSERT_OK(again.status());
  EXPECT_EQ(*again, 0);

  ASSERT_OK(db_->Execute(
      "INSERT INTO drops (tenant_id, run_id, metadata_etag, kind, state, rows, discovered_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {"t1", "run-1", "\"0x8D\"", "VivaInsights", "pending", 12, "2026-01-16T00:00:00Z"}));
  auto claimed = db_->ExecuteUpdate(
      "UPDATE drops SET state = 'processing', attempts = attempts + 1 "
      "WHERE tenant_id = ? AND run_id = ? AND state = 'pending'",
      {"t1", "run-1"});
  ASSERT_OK(claimed.status());
  EXPECT_EQ(*claimed, 1);
  EXPECT_CODE(db_->Execute("UPDATE drops SET state = ? WHERE tenant_id = ?", {"lost", "t1"}),
              StatusCode::kFailedPrecondition);  // CHECK on state
  EXPECT_CODE(db_->Execute("INSERT INTO drops (tenant_id, run_id, metadata_etag, kind, "
                           "discovered_at) VALUES (?, ?, ?, ?, ?)",
                           {"t1", "run-2", "e", "Other", "2026-01-16T00:00:00Z"}),
              StatusCode::kFailedPrecondition);  // CHECK on kind

  ASSERT_OK(
      db_->Execute("INSERT INTO tenants (tenant_id, watermark, updated_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (tenant_id) DO UPDATE SET watermark = excluded.watermark",
                   {"t1", "2026-01-09T00:00:00Z", "2026-01-16T00:00:00Z"}));
  ASSERT_OK(
      db_->Execute("INSERT INTO tenants (tenant_id, watermark, updated_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (tenant_id) DO UPDATE SET watermark = excluded.watermark",
                   {"t1", "2026-01-16T00:00:00Z", "2026-01-16T00:00:00Z"}));
  auto wm = db_->QueryValue("SELECT watermark FROM tenants WHERE tenant_id = ?", {"t1"});
  ASSERT_OK(wm.status());
  EXPECT_EQ(*wm, Value("2026-01-16T00:00:00Z"));

  {
    auto tx = db_->Begin();
    ASSERT_OK(tx.status());
    // Migration 4's layout (what src/warehouse writes): tenant, person and dictionaries by
    // number, the metrics of the person-week as one vector in the order of its layout.
    ASSERT_OK(db_->Execute("INSERT INTO wh_tenant (tenant_id) VALUES (?)", {"t1"}));
    auto tenant_no = db_->QueryValue("SELECT tenant_no FROM wh_tenant WHERE tenant_id = 't1'");
    ASSERT_OK(tenant_no.status());
    const Value t = *tenant_no;
    ASSERT_OK(db_->Execute(
        "INSERT INTO wh_person (tenant_no, person_key, person_no) VALUES (?, ?, 1)", {t, "pk-1"}));
    for (const auto& [kind, value] : {std::pair<const char*, const char*>{"run", "run-1"},
                                      {"attrs", R"({"Organization":"Sales"})"},
                                      {"layout", R"(["Collaboration_hours","Meeting_hours"])"}}) {
      ASSERT_OK(
          db_->Execute("INSERT INTO wh_dict (tenant_no, kind, dict_no, value) VALUES (?, ?, 1, ?)",
                       {t, kind, value}));
    }
    Value metrics;
    if (db_->dialect() == Dialect::kSqlite) {
      std::string packed;
      PackDoubles(std::vector<double>{12.5, std::nan("")}, packed);
      Blob blob(packed.size());
      std::memcpy(blob.data(), packed.data(), packed.size());
      metrics = std::move(blob);
    } else {
      metrics = "{12.5,NULL}";
    }
    ASSERT_OK(db_->Execute(
        "INSERT INTO person_week_packed (id, run_no, attrs_no, layout_no, metrics) VALUES "
        "((CAST(? AS BIGINT) << 47) | (CAST(20464 AS BIGINT) << 27) | 1, 1, 1, 1, ?)",
        {t, metrics}));
    auto attrs = db_->QueryValue(
        "SELECT attrs FROM person_week WHERE tenant_id = 't1' AND metric_date = '2026-01-11'");
    ASSERT_OK(attrs.status());
    EXPECT_EQ(*attrs, Value(R"({"Organization":"Sales"})"));
    ASSERT_OK(db_->Execute("UPDATE drops SET state = 'done' WHERE run_id = ?", {"run-1"}));
    ASSERT_OK(tx->Commit());
  }
  auto sum = db_->QueryValue(
      "SELECT SUM(value) FROM person_week_metric WHERE tenant_id = ? AND metric_date = ?",
      {"t1", "2026-01-11"});
  ASSERT_OK(sum.status());
  EXPECT_EQ(*sum, Value(12.5));
  auto missing = db_->QueryValue(
      "SELECT COUNT(*) FROM person_week_metric WHERE metric = 'Meeting_hours' AND value IS NULL");
  ASSERT_OK(missing.status());
  EXPECT_EQ(missing->AsNumber().value_or(-1), 1);
  for (const char* table : {"partner_rows", "identity_map", "analysis_results"}) {
    auto c = db_->QueryValue(std::string("SELECT COUNT(*) FROM ") + table);
    EXPECT_TRUE(c.ok()) << table << ": " << c.status().ToString();
  }
}

}  // namespace
}  // namespace vivalink::db

namespace vivalink::db {
namespace {

class PartnerSchema : public BothBackends {};

INSTANTIATE_TEST_SUITE_P(Backends, PartnerSchema,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

// Migration 3 on a database at version 2 (as deployed before it): the never-written partner
// tables of migration 1 are replaced, partner_source added, and their constraints hold.
TEST_P(PartnerSchema, Migration3UpgradesAVersion2DatabaseAndChecksItsValues) {
  ASSERT_OK(Migrate(*db_, ProductMigrations().first(2)).status());
  auto applied = MigrateToLatest(*db_);
  ASSERT_OK(applied.status());
  EXPECT_EQ(*applied, static_cast<int>(ProductMigrations().size()) - 2);
  auto version = SchemaVersion(*db_);
  ASSERT_OK(version.status());
  EXPECT_GE(*version, 3);

  ASSERT_OK(db_->Execute(
      "INSERT INTO partner_rows (tenant_id, source, person_key, metric_date, data) VALUES (?, ?, "
      "?, ?, ?)",
      {"t1", "crm", "pk-1", "", R"({"Attrition":1})"}));
  ASSERT_OK(db_->Execute(
      "INSERT INTO identity_map (tenant_id, source, person_ref, person_key, matched_by) VALUES "
      "(?, ?, ?, ?, ?)",
      {"t1", "crm", "ab12", nullptr, "unknown"}));
  EXPECT_CODE(db_->Execute("INSERT INTO identity_map (tenant_id, source, person_ref, person_key, "
                           "matched_by) VALUES (?, ?, ?, ?, ?)",
                           {"t1", "crm", "cd34", "pk-1", "guessed"}),
              StatusCode::kFailedPrecondition);  // CHECK on matched_by
  const std::string insert_source =
      "INSERT INTO partner_source (tenant_id, source, file_name, file_sha256, key_column, "
      "key_type, date_column, value_columns, rows_read, rows_refused, duplicates_dropped, "
      "rows_merged, entries, partner_persons, resolved_persons, matched_persons, match_rate, "
      "report, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  ASSERT_OK(
      db_->Execute(insert_source, {"t1", "crm", "crm.csv", "00", "Email", "email", nullptr, "[]", 1,
                                   0, 0, 0, 1, 1, 1, 1, 1.0, "{}", "2024-01-21T00:00:00Z"}));
  EXPECT_CODE(
      db_->Execute(insert_source, {"t1", "hr", "hr.csv", "00", "Name", "name", nullptr, "[]", 1, 0,
                                   0, 0, 1, 1, 1, 1, nullptr, "{}", "2024-01-21T00:00:00Z"}),
      StatusCode::kFailedPrecondition);  // CHECK on key_type
  EXPECT_CODE(
      db_->Execute(insert_source, {"t1", "crm", "crm.csv", "00", "Email", "email", nullptr, "[]", 1,
                                   0, 0, 0, 1, 1, 1, 1, 1.0, "{}", "2024-01-21T00:00:00Z"}),
      StatusCode::kFailedPrecondition);  // one row per (tenant, source)
}

}  // namespace
}  // namespace vivalink::db
