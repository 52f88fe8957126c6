// Offboarding a tenant and erasing one person (onboard/offboard.h) on a real SQLite file and a
// real PostgreSQL server: two tenants imported by the real ingestion (drops in a local store,
// the user export, pseudonymised person keys), partner data loaded by the join, a pending drop in
// storage and the tenant's key-store files from `vivalink onboard`.
#include "onboard/offboard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/strings.h"
#include "db/schema.h"
#include "identity/identity.h"
#include "ingest/commands.h"
#include "ingest_fixture.h"
#include "join/stored.h"
#include "onboard/onboard.h"
#include "postgres_server.h"
#include "testutil.h"

namespace vivalink::onboard {
namespace {

namespace fs = std::filesystem;
using ingest::testing::kTenantA;
using ingest::testing::kTenantB;
using ingest::testing::PersonGuid;

enum class Backend { kSqlite, kPostgres };
constexpr int kPeople = 4;

// Every row of a table as text, sorted (the table's content, independent of row order).
using Dump = std::map<std::string, std::vector<std::string>>;

class Offboard : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    url_ = GetParam() == Backend::kSqlite ? world_.sqlite_url()
                                          : testutil::SharedPostgresServer().CreateDatabase();
    config_ = world_.MakeConfig(url_);
    config_.pseudonymise = true;
    // Week 1 of both tenants with their user exports, imported; the same person GUIDs in both
    // tenants (tenants never see each other's people).
    for (const char* tenant : {kTenantA, kTenantB}) {
      const std::string t = tenant;
      world_.Write(
          {.run_id = Run(t, 1), .tenant = t, .rows = ingest::testing::MetricRows(kPeople)});
      world_.Write({.run_id = Run(t, 2),
                    .tenant = t,
                    .kind = "AADUser",
                    .rows = ingest::testing::UserRows(kPeople)});
    }
    auto run = ingest::RunOnce(config_, {.progress = 0});
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    ASSERT_EQ(run->done, 4) << run->ToText();
    auto db = db::OpenMigrated(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    // Partner data keyed by e-mail (one unknown address: a refused identity_map row).
    for (const char* tenant : {kTenantA, kTenantB}) {
      const fs::path csv = world_.root() / (std::string("crm-") + tenant + ".csv");
      testutil::WriteFile(
          csv,
          "Email,MetricDate,Revenue\nPerson0@Contoso.com,2024-01-07,100\n"
          "person1@contoso.com,2024-01-07,200\nstranger@contoso.com,2024-01-07,5\n");
      join::PartnerLoadRequest request;
      request.tenant_id = tenant;
      request.source = "crm";
      request.path = csv.string();
      request.options.key_column = "Email";
      request.options.date_column = "MetricDate";
      auto key = identity::LoadOrCreatePseudonymKey(config_.keystore_dir, tenant);
      ASSERT_TRUE(key.ok());
      request.pseudonym_key.assign(key->data(), key->size());
      auto loaded = join::LoadPartnerIntoDatabase(*db_, request);
      ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
      ASSERT_EQ(loaded->rows_stored, 2);
      // The meeting metrics derived from calendars share the person-week ids.
      const int64_t no = TenantNo(tenant);
      ASSERT_TRUE(db_->Execute("INSERT INTO meeting_week_packed SELECT * FROM person_week_packed "
                               "WHERE id BETWEEN ? AND ?",
                               {no << 47, ((no + 1) << 47) - 1})
                      .ok());
      // A drop delivered but not imported yet, and the files `vivalink onboard` makes.
      world_.Write({.run_id = Run(tenant, 3),
                    .tenant = tenant,
                    .rows = ingest::testing::MetricRows(kPeople, "2024-01-14")});
      OnboardOptions o;
      o.tenant = tenant;
      ASSERT_TRUE(Onboard(config_, o).ok());
    }
    ASSERT_TRUE(db_->Execute("INSERT INTO analysis_results (tenant_id, analysis, run_at, result) "
                             "VALUES (?, 'drivers', '2024-02-01T00:00:00Z', '{}')",
                             {std::string(kTenantA)})
                    .ok());
  }

  static std::string Run(const std::string& tenant, int n) {
    return core::UuidFromSeed(std::hash<std::string>{}(tenant), static_cast<uint64_t>(n));
  }

  std::vector<std::string> Tables() {
    auto rows =
        db_->Query(GetParam() == Backend::kSqlite
                       ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                         "LIKE 'sqlite_%' ORDER BY name"
                       : "SELECT table_name FROM information_schema.tables WHERE "
                         "table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> out;
    for (const auto& r : rows->rows) out.push_back(db::TextOf(r[0]));
    return out;
  }

  std::set<std::string> Columns(const std::string& table) {
    auto rows = db_->Query(GetParam() == Backend::kSqlite
                               ? "SELECT name FROM pragma_table_info(?)"
                               : "SELECT column_name FROM information_schema.columns WHERE "
                                 "table_schema = 'public' AND table_name = ?",
                           {table});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::set<std::string> out;
    for (const auto& r : rows->rows) out.insert(db::TextOf(r[0]));
    return out;
  }

  int64_t TenantNo(const char* tenant) {
    auto v = db_->QueryValue("SELECT tenant_no FROM wh_tenant WHERE tenant_id = ?",
                             {std::string(tenant)});
    return v.ok() ? db::IntOf(*v) : -1;
  }

  // The rows of `tenant` in every table that holds tenant data (tenant_no: its warehouse number,
  // found before an offboarding removed it); "" = every row of every table. A table that names
  // no tenant in any way fails the test: decide whether offboarding must cover it.
  Dump DumpRows(const std::string& tenant, int64_t tenant_no) {
    Dump out;
    for (const std::string& table : Tables()) {
      if (table == "schema_migrations") continue;
      // Kept on purpose by an offboarding: the record that the erasure happened.
      if (!tenant.empty() && table == "erasure_audit") continue;
      const auto cols = Columns(table);
      std::string sql = "SELECT * FROM " + table;
      std::vector<db::Value> params;
      if (!tenant.empty()) {
        if (cols.count("tenant_id")) {
          sql += " WHERE tenant_id = ?";
          params = {tenant};
        } else if (cols.count("tenant_no")) {
          sql += " WHERE tenant_no = ?";
          params = {tenant_no};
        } else if (cols.count("id") && table.ends_with("_packed")) {
          sql += " WHERE id BETWEEN ? AND ?";
          params = {tenant_no << 47, ((tenant_no + 1) << 47) - 1};
        } else {
          ADD_FAILURE() << "table " << table << " names no tenant: does offboarding cover it?";
          continue;
        }
      }
      auto rows = db_->Query(sql, params);
      EXPECT_TRUE(rows.ok()) << rows.status().ToString();
      auto& lines = out[table];
      for (const auto& r : rows->rows) {
        std::ostringstream line;
        for (const auto& v : r) line << v << "|";
        lines.push_back(line.str());
      }
      std::sort(lines.begin(), lines.end());
    }
    return out;
  }

  static size_t RowsIn(const Dump& d, const std::string& skip = "") {
    size_t n = 0;
    for (const auto& [table, rows] : d) n += table == skip ? 0 : rows.size();
    return n;
  }

  std::vector<std::string> Blobs(const std::string& tenant) {
    auto all = store::ListAll(world_.store(), "");
    EXPECT_TRUE(all.ok());
    std::vector<std::string> out;
    for (const auto& b : *all) {
      if (b.name.find("/" + tenant + "/") != std::string::npos) out.push_back(b.name);
    }
    return out;
  }

  fs::path KeyFolder(const char* tenant) { return fs::path(config_.keystore_dir) / tenant; }

  std::string AuditText() {
    auto rows = db_->Query("SELECT * FROM erasure_audit");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::ostringstream out;
    for (const auto& r : rows->rows) {
      for (const auto& v : r) out << v << "|";
      out << "\n";
    }
    return out.str();
  }

  int64_t Count(const std::string& sql, std::initializer_list<db::Value> params = {}) {
    auto v = db_->QueryValue(sql, params);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? db::IntOf(*v) : -1;
  }

  std::string PersonKey(const char* tenant, int i) {
    auto key = identity::LoadOrCreatePseudonymKey(config_.keystore_dir, tenant);
    EXPECT_TRUE(key.ok());
    return identity::PersonKey({key->data(), key->size()}, tenant, PersonGuid(i));
  }

  ingest::testing::World world_;
  std::string url_;
  ingest::Config config_;
  std::unique_ptr<db::Database> db_;
};

TEST_P(Offboard, RemovesEveryRowBlobAndKeyOfTheTenantAndLeavesTheOtherTenantUnchanged) {
  const int64_t a = TenantNo(kTenantA), b = TenantNo(kTenantB);
  const Dump a_before = DumpRows(kTenantA, a);
  const Dump b_before = DumpRows(kTenantB, b);
  for (const char* table : {"person_week_packed", "meeting_week_packed", "wh_person", "wh_dict",
                            "partner_rows", "identity_map", "person_identity", "drops"}) {
    EXPECT_FALSE(a_before.at(table).empty()) << table;  // the test covers every kind of row
  }
  const auto b_blobs = Blobs(kTenantB);
  ASSERT_FALSE(Blobs(kTenantA).empty());
  ASSERT_TRUE(fs::exists(KeyFolder(kTenantA) / "private.pem"));

  bool asked = false;
  OffboardOptions o;
  o.tenant = std::string(kTenantA);
  o.confirm = [&](const ErasureResult& plan) {
    asked = true;
    EXPECT_EQ(static_cast<size_t>(plan.rows_total()), RowsIn(a_before));
    return true;
  };
  auto r = onboard::Offboard(config_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(asked);
  EXPECT_EQ(static_cast<size_t>(r->rows_total()), RowsIn(a_before));
  EXPECT_FALSE(r->erasure_id.empty());

  // Nothing of A is left anywhere; B's rows are byte for byte what they were.
  EXPECT_EQ(RowsIn(DumpRows(kTenantA, a)), 0u);
  EXPECT_EQ(DumpRows(kTenantB, b), b_before);
  EXPECT_TRUE(Blobs(kTenantA).empty());
  EXPECT_EQ(Blobs(kTenantB), b_blobs);
  EXPECT_FALSE(fs::exists(KeyFolder(kTenantA)));
  EXPECT_TRUE(fs::exists(KeyFolder(kTenantB) / "private.pem"));
  EXPECT_TRUE(fs::exists(KeyFolder(kTenantB) / "pseudonym.key"));
  // The audit row: completed, with the counts.
  auto audit = db_->Query(
      "SELECT action, rows_total, blobs, key_files, completed_at, row_counts FROM erasure_audit "
      "WHERE tenant_id = ? AND erasure_id = ?",
      {std::string(kTenantA), r->erasure_id});
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(db::TextOf(audit->rows[0][0]), "offboard");
  EXPECT_EQ(static_cast<size_t>(db::IntOf(audit->rows[0][1])), RowsIn(a_before));
  EXPECT_EQ(db::IntOf(audit->rows[0][2]), r->blobs);
  EXPECT_GT(r->blobs, 0);
  EXPECT_EQ(db::IntOf(audit->rows[0][3]), static_cast<int64_t>(r->key_files.size()));
  EXPECT_FALSE(audit->rows[0][4].is_null());
  auto counts = nlohmann::json::parse(db::TextOf(audit->rows[0][5]));
  EXPECT_EQ(counts["person_week_packed"], a_before.at("person_week_packed").size());
  // Ingestion of B goes on; A's pending drop is gone, so nothing of A comes back.
  auto run = ingest::RunOnce(config_, {.progress = 0});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(RowsIn(DumpRows(kTenantA, a)), 0u);
  EXPECT_GT(Count("SELECT COUNT(*) FROM person_week WHERE tenant_id = ?", {std::string(kTenantB)}),
            static_cast<int64_t>(b_before.at("person_week_packed").size()));
}

TEST_P(Offboard, DryRunListsWhatWouldGoAndChangesNothing) {
  const Dump before = DumpRows("", 0);
  const Dump a_rows = DumpRows(kTenantA, TenantNo(kTenantA));
  const auto blobs = Blobs(kTenantA);
  OffboardOptions o;
  o.tenant = "  " + core::ToLower(kTenantA) + " ";
  o.dry_run = true;
  o.confirm = [](const ErasureResult&) {
    ADD_FAILURE() << "a dry run asks nothing";
    return true;
  };
  auto r = onboard::Offboard(config_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->dry_run);
  EXPECT_TRUE(r->erasure_id.empty());
  for (const auto& t : r->rows) {
    const auto it = a_rows.find(t.table);
    ASSERT_NE(it, a_rows.end()) << t.table;
    EXPECT_EQ(static_cast<size_t>(t.rows), it->second.size()) << t.table;
  }
  EXPECT_EQ(static_cast<size_t>(r->rows_total()), RowsIn(a_rows));
  EXPECT_EQ(static_cast<size_t>(r->blobs), blobs.size());
  const std::set<std::string> files(r->key_files.begin(), r->key_files.end());
  for (const char* f :
       {"private.pem", "public.pem", "pseudonym.key", "notification.key", "onboarding.json"}) {
    EXPECT_TRUE(files.count((KeyFolder(kTenantA) / f).string())) << f;
  }
  EXPECT_NE(r->ToText().find("dry run: nothing was changed"), std::string::npos);
  EXPECT_EQ(DumpRows("", 0), before);
  EXPECT_EQ(Blobs(kTenantA), blobs);
  EXPECT_TRUE(fs::exists(KeyFolder(kTenantA) / "private.pem"));
}

TEST_P(Offboard, DeclinedConfirmationChangesNothing) {
  const Dump before = DumpRows("", 0);
  OffboardOptions o;
  o.tenant = kTenantA;
  o.confirm = [](const ErasureResult&) { return false; };
  auto r = onboard::Offboard(config_, o);
  EXPECT_EQ(r.status().code(), core::StatusCode::kCancelled) << r.status().ToString();
  EXPECT_EQ(DumpRows("", 0), before);
  EXPECT_FALSE(Blobs(kTenantA).empty());
  EXPECT_TRUE(fs::exists(KeyFolder(kTenantA) / "private.pem"));
}

// A statement that fails half-way (after the warehouse rows were deleted): a trigger refuses to
// delete partner rows.
void FailDeletesOfPartnerRows(db::Database& db) {
  const bool sqlite = db.dialect() == db::Dialect::kSqlite;
  ASSERT_TRUE(db.ExecuteScript(sqlite ? "CREATE TRIGGER refuse BEFORE DELETE ON partner_rows "
                                        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
                                      : "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                                        "RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE "
                                        "plpgsql; CREATE TRIGGER refuse BEFORE DELETE ON "
                                        "partner_rows FOR EACH ROW EXECUTE FUNCTION refuse();")
                  .ok());
}

TEST_P(Offboard, AFailureHalfWayRollsEverythingBack) {
  FailDeletesOfPartnerRows(*db_);
  const Dump before = DumpRows("", 0);
  const auto blobs = Blobs(kTenantA);
  OffboardOptions o;
  o.tenant = kTenantA;
  auto r = onboard::Offboard(config_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nothing was changed"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(DumpRows("", 0), before);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM erasure_audit"), 0);
  EXPECT_EQ(Blobs(kTenantA), blobs);
  EXPECT_TRUE(fs::exists(KeyFolder(kTenantA) / "private.pem"));

  ForgetOptions f;
  f.tenant = kTenantA;
  f.person = PersonGuid(0);
  auto forgot = Forget(config_, f);
  ASSERT_FALSE(forgot.ok());
  EXPECT_EQ(DumpRows("", 0), before);
}

TEST_P(Offboard, ForgetByObjectIdRemovesThatPersonOnly) {
  const std::string ann = PersonKey(kTenantA, 0);
  const std::string other_tenant_ann = PersonKey(kTenantB, 0);
  const Dump b_before = DumpRows(kTenantB, TenantNo(kTenantB));
  const int64_t weeks_a =
      Count("SELECT COUNT(*) FROM person_week WHERE tenant_id = ?", {std::string(kTenantA)});
  ASSERT_EQ(Count("SELECT COUNT(*) FROM person_week WHERE person_key = ?", {ann}), 1);

  ForgetOptions f;
  f.tenant = kTenantA;
  f.person = "{" + core::ToLower(PersonGuid(0)) + "}";
  auto r = Forget(config_, f);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->matched_by, "object_id");
  std::map<std::string, int64_t> counts;
  for (const auto& t : r->rows) counts[t.table] = t.rows;
  EXPECT_EQ(counts["person_week_packed"], 1);
  EXPECT_EQ(counts["meeting_week_packed"], 1);
  EXPECT_EQ(counts["wh_person"], 1);
  EXPECT_EQ(counts["partner_rows"], 1);
  EXPECT_EQ(counts["identity_map"], 1);
  EXPECT_EQ(counts["person_identity"], 5);  // object id, mail, UPN, two proxy addresses

  for (const char* sql : {"SELECT COUNT(*) FROM person_week WHERE person_key = ?",
                          "SELECT COUNT(*) FROM meeting_week WHERE person_key = ?",
                          "SELECT COUNT(*) FROM partner_rows WHERE person_key = ?",
                          "SELECT COUNT(*) FROM identity_map WHERE person_key = ?",
                          "SELECT COUNT(*) FROM person_identity WHERE person_key = ?",
                          "SELECT COUNT(*) FROM wh_person WHERE person_key = ?"}) {
    EXPECT_EQ(Count(sql, {ann}), 0) << sql;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week WHERE tenant_id = ?", {std::string(kTenantA)}),
            weeks_a - 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM partner_rows WHERE tenant_id = ?", {std::string(kTenantA)}),
            1);
  EXPECT_EQ(DumpRows(kTenantB, TenantNo(kTenantB)), b_before);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week WHERE person_key = ?", {other_tenant_ann}), 1);
}

TEST_P(Offboard, ForgetByEmailResolvesThroughTheUserExport) {
  const std::string bob = PersonKey(kTenantA, 1);
  ForgetOptions f;
  f.tenant = kTenantA;
  f.person = "  P1@Contoso.NET ";  // Bob's proxy address, in another case
  f.dry_run = true;
  auto dry = Forget(config_, f);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->matched_by, "proxy_address");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week WHERE person_key = ?", {bob}), 1);

  f.dry_run = false;
  f.person = "PERSON1@contoso.com";
  auto r = Forget(config_, f);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->matched_by, "mail");
  EXPECT_EQ(r->rows_total(), dry->rows_total());
  for (const char* sql : {"SELECT COUNT(*) FROM person_week WHERE person_key = ?",
                          "SELECT COUNT(*) FROM partner_rows WHERE person_key = ?",
                          "SELECT COUNT(*) FROM person_identity WHERE person_key = ?"}) {
    EXPECT_EQ(Count(sql, {bob}), 0) << sql;
  }
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM person_week WHERE person_key = ?", {PersonKey(kTenantA, 0)}), 1);

  // An address nobody in the export holds: only the refused partner key equal to it goes.
  f.person = "Stranger@contoso.com";
  auto stranger = Forget(config_, f);
  ASSERT_TRUE(stranger.ok()) << stranger.status().ToString();
  EXPECT_EQ(stranger->matched_by, "");
  EXPECT_EQ(stranger->rows_total(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM identity_map WHERE tenant_id = ? AND person_key IS NULL",
                  {std::string(kTenantA)}),
            0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM identity_map WHERE tenant_id = ? AND person_key IS NULL",
                  {std::string(kTenantB)}),
            1);
}

TEST_P(Offboard, TheAuditRecordsCountsAndNeverTheIdentity) {
  ForgetOptions f;
  f.tenant = kTenantA;
  f.person = "Person2@Contoso.com";
  ASSERT_TRUE(Forget(config_, f).ok());
  f.person = PersonGuid(3);
  ASSERT_TRUE(Forget(config_, f).ok());
  auto key = identity::LoadOrCreatePseudonymKey(config_.keystore_dir, kTenantA);
  ASSERT_TRUE(key.ok());
  const std::string_view k(key->data(), key->size());
  const std::string audit = AuditText();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM erasure_audit WHERE action = 'forget'"), 2);
  const std::string lower = core::ToLower(audit);
  for (const std::string& secret :
       {std::string("person2"), std::string("contoso"), PersonGuid(2), PersonGuid(3),
        PersonKey(kTenantA, 2), PersonKey(kTenantA, 3),
        identity::IdentityHash(k, identity::IdentityKind::kMail, "person2@contoso.com"),
        identity::IdentityHash(k, identity::IdentityKind::kObjectId, PersonGuid(3)),
        identity::IdentityHash("", identity::IdentityKind::kMail, "person2@contoso.com")}) {
    EXPECT_EQ(lower.find(core::ToLower(secret)), std::string::npos) << secret << "\n" << audit;
  }
  EXPECT_NE(audit.find("person_week_packed"), std::string::npos) << audit;
}

TEST_P(Offboard, BadArgumentsAreRefusedBeforeAnythingChanges) {
  ForgetOptions f;
  f.tenant = kTenantA;
  f.person = "somebody";
  auto r = Forget(config_, f);
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().find("somebody"), std::string::npos) << r.status().ToString();
  OffboardOptions o;
  o.tenant = "../keys";
  EXPECT_EQ(onboard::Offboard(config_, o).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_TRUE(fs::exists(KeyFolder(kTenantA) / "private.pem"));
}

INSTANTIATE_TEST_SUITE_P(Backends, Offboard,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return p.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace vivalink::onboard
