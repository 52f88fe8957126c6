// Partner data stored in the database (join/stored.h), on a real SQLite file and a real PostgreSQL
// server: identities resolved against person_identity as ingestion writes it (hashes only), the
// load replacing its previous version in one transaction, tenants kept apart, the joined frame.
#include "join/stored.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "core/strings.h"
#include "db/migrate.h"
#include "db/schema.h"
#include "identity/identity.h"
#include "postgres_server.h"
#include "testutil.h"
#include "warehouse/person_weeks.h"

namespace vivalink::join {
namespace {

using identity::IdentityHash;
using identity::IdentityKind;

constexpr char kT1[] = "11111111-1111-4111-8111-111111111111";
constexpr char kT2[] = "22222222-2222-4222-8222-222222222222";
constexpr char kAnn[] = "8b1f2c3d-0000-4000-8000-00000000000a";
constexpr char kBob[] = "8b1f2c3d-0000-4000-8000-00000000000b";
constexpr char kCid[] = "8b1f2c3d-0000-4000-8000-00000000000c";
constexpr char kDan[] = "8b1f2c3d-0000-4000-8000-00000000000d";  // tenant 2
constexpr char kEve[] = "8b1f2c3d-0000-4000-8000-00000000000e";  // tenant 1, shares an address

enum class Backend { kSqlite, kPostgres };

std::string Text(const db::Value& v) { return v.GetText() != nullptr ? *v.GetText() : ""; }
int64_t Int(const db::Value& v) { return v.GetInt() != nullptr ? *v.GetInt() : -1; }

class Stored : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    url_ = GetParam() == Backend::kSqlite ? "sqlite://" + (tmp_.path() / "vivalink.db").string()
                                          : testutil::SharedPostgresServer().CreateDatabase();
    auto db = db::Database::Open(url_, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto migrated = db::MigrateToLatest(*db_);
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    // Tenant 1: Ann (mail, UPN, an alias), Bob, Cid, Eve (whose alias is Bob's mail: ambiguous).
    // Tenant 2: Dan, whose mail is Ann's address of tenant 1 (tenants never see each other).
    Identity(kT1, IdentityKind::kObjectId, kAnn, kAnn);
    Identity(kT1, IdentityKind::kMail, "Ann@Contoso.com", kAnn);
    Identity(kT1, IdentityKind::kUpn, "ann@contoso.com", kAnn);
    Identity(kT1, IdentityKind::kProxyAddress, "smtp:alee@contoso.com", kAnn);
    Identity(kT1, IdentityKind::kObjectId, kBob, kBob);
    Identity(kT1, IdentityKind::kMail, "bob@contoso.com", kBob);
    Identity(kT1, IdentityKind::kObjectId, kCid, kCid);
    Identity(kT1, IdentityKind::kUpn, "cid@contoso.com", kCid);
    Identity(kT1, IdentityKind::kObjectId, kEve, kEve);
    Identity(kT1, IdentityKind::kMail, "eve@contoso.com", kEve);
    Identity(kT1, IdentityKind::kProxyAddress, "SMTP:team@contoso.com", kEve);
    Identity(kT1, IdentityKind::kMail, "team@contoso.com", kBob);
    Identity(kT2, IdentityKind::kObjectId, kDan, kDan);
    Identity(kT2, IdentityKind::kMail, "ann@contoso.com", kDan);
    for (const char* week : {"2024-01-07", "2024-01-14"}) {
      PersonWeek(kT1, kAnn, week, 10);
      PersonWeek(kT1, kBob, week, 20);
      PersonWeek(kT1, kCid, week, 30);
      PersonWeek(kT2, kDan, week, 40);
    }
  }

  void Identity(const char* tenant, IdentityKind kind, const std::string& value, const char* person,
                const std::string& key = "") {
    auto st = db_->Execute(
        "INSERT INTO person_identity (tenant_id, kind, value_hash, person_key, run_id, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        {tenant, identity::IdentityKindName(kind), IdentityHash(key, kind, value),
         identity::PersonKey(key, tenant, person), "run-1", "2024-01-20T00:00:00Z"});
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  // One stored person-week, written as ingestion writes it (warehouse::PersonWeekWriter).
  void StorePersonWeek(const char* tenant, const std::string& person_id, const char* week,
                       std::optional<double> hours, const std::string& pseudonym_key = "") {
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status().ToString();
    warehouse::WriteRequest request;
    request.tenant_id = tenant;
    request.run_id = "run-1";
    request.drop_name = "test drop";
    request.pseudonym_key = core::SecureString(pseudonym_key.begin(), pseudonym_key.end());
    auto writer = warehouse::PersonWeekWriter::Open(*db_, std::move(request));
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    formats::RowBatch batch;
    batch.AddColumn("PersonId", formats::ColumnType::kString);
    batch.AddColumn("MetricDate", formats::ColumnType::kString);
    if (hours.has_value()) batch.AddColumn("Collaboration_hours", formats::ColumnType::kNumber);
    batch.mutable_column(0).AppendString(person_id);
    batch.mutable_column(1).AppendString(week);
    if (hours.has_value()) batch.mutable_column(2).AppendNumber(*hours);
    batch.FinishRow();
    auto st = (*writer)->Add(batch);
    ASSERT_TRUE(st.ok()) << st.ToString();
    st = (*writer)->Finish();
    ASSERT_TRUE(st.ok()) << st.ToString();
    st = tx->Commit();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  void PersonWeek(const char* tenant, const char* person, const char* week, double hours) {
    StorePersonWeek(tenant, person, week, hours);
  }

  std::string File(const std::string& name, const std::string& text) {
    auto path = tmp_.path() / name;
    testutil::WriteFile(path, text);
    return path.string();
  }

  PartnerLoadRequest Request(const char* tenant, const std::string& path) {
    PartnerLoadRequest r;
    r.tenant_id = tenant;
    r.path = path;
    r.options.key_column = "Email";
    r.options.detect_date_column = true;
    r.options.aggregation_of = {{"Revenue", Aggregation::kSum}};
    r.loaded_at = "2024-01-21T00:00:00Z";
    return r;
  }

  int64_t Count(const std::string& sql, std::initializer_list<db::Value> params = {}) {
    auto v = db_->QueryValue(sql, params);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? Int(*v) : -1;
  }

  // partner_rows of (tenant, source): "person/week" -> data JSON.
  std::map<std::string, std::string> Rows(const char* tenant, const char* source) {
    std::map<std::string, std::string> out;
    auto q = db_->Query(
        "SELECT person_key, metric_date, data FROM partner_rows WHERE tenant_id = ? AND source = ?",
        {tenant, source});
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    if (!q.ok()) return out;
    for (const auto& r : q->rows) out[Text(r[0]) + "/" + Text(r[1])] = Text(r[2]);
    return out;
  }

  testutil::TempDir tmp_;
  std::string url_;
  std::unique_ptr<db::Database> db_;
};

// Daily rows, an alias, case differences, an exact duplicate, an ambiguous, an unknown and an
// empty key, and a week Viva Insights has no data for.
constexpr char kCrm[] =
    "Email,Date,Revenue,Region\n"
    "ANN@contoso.com,2024-01-08,100,US\n"
    "alee@CONTOSO.com,2024-01-09,50,US\n"
    "bob@contoso.com,2024-01-14,70,EMEA\n"
    "bob@contoso.com,2024-01-14,70,EMEA\n"
    "team@contoso.com,2024-01-07,5,US\n"
    "nobody@contoso.com,2024-01-07,9,US\n"
    ",2024-01-07,1,US\n"
    "cid@contoso.com,2024-02-25,30,APAC\n";

TEST_P(Stored, LoadResolvesAddressesCaseInsensitivelyAndRefusesAmbiguousOnes) {
  auto s = LoadPartnerIntoDatabase(*db_, Request(kT1, File("crm.csv", kCrm)));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->source, "crm");  // the file's stem
  EXPECT_EQ(s->date_column, "Date");
  EXPECT_EQ(s->stats.rows_read, 8);
  EXPECT_EQ(s->stats.exact_duplicates_dropped, 1);
  EXPECT_EQ(s->stats.rows_without_key, 1);
  EXPECT_EQ(s->stats.rows_unknown_key, 1);
  EXPECT_EQ(s->stats.rows_ambiguous_key, 1);
  EXPECT_EQ(s->stats.rows_merged, 1);  // Ann's alias row falls on her week
  EXPECT_EQ(s->rows_stored, 3);
  EXPECT_EQ(s->ambiguous_addresses, 1);
  // Ann, Bob, Cid resolved + two refused keys; Ann and Bob have Viva weeks, Cid's is outside.
  EXPECT_EQ(s->match.partner_persons, 5);
  EXPECT_EQ(s->match.partner_resolved_persons, 3);
  EXPECT_EQ(s->match.matched_persons, 2);
  EXPECT_DOUBLE_EQ(s->match.match_rate, 0.4);
  EXPECT_EQ(s->match.viva_unmatched_persons, 1);  // Cid

  auto rows = Rows(kT1, "crm");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[std::string(kAnn) + "/2024-01-07"], R"({"Region":"US","Revenue":150.0})");
  EXPECT_EQ(rows[std::string(kBob) + "/2024-01-14"], R"({"Region":"EMEA","Revenue":70.0})");
  EXPECT_EQ(rows[std::string(kCid) + "/2024-02-25"], R"({"Region":"APAC","Revenue":30.0})");

  // identity_map: hashes of the keys, how each matched, refused ones without a person.
  std::map<std::string, std::pair<std::string, std::string>> map;
  auto q = db_->Query(
      "SELECT person_ref, person_key, matched_by FROM identity_map WHERE tenant_id = ?", {kT1});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  for (const auto& r : q->rows) map[Text(r[0])] = {Text(r[1]), Text(r[2])};
  auto ref = [](const char* email) { return IdentityHash("", IdentityKind::kMail, email); };
  EXPECT_EQ(map.size(), 6u);
  EXPECT_EQ(map[ref("ann@contoso.com")], std::make_pair(std::string(kAnn), std::string("mail")));
  EXPECT_EQ(map[ref("alee@contoso.com")],
            std::make_pair(std::string(kAnn), std::string("proxy_address")));
  EXPECT_EQ(map[ref("cid@contoso.com")], std::make_pair(std::string(kCid), std::string("upn")));
  EXPECT_EQ(map[ref("team@contoso.com")], std::make_pair(std::string(), std::string("ambiguous")));
  EXPECT_EQ(map[ref("nobody@contoso.com")], std::make_pair(std::string(), std::string("unknown")));

  // No address is stored anywhere in plaintext.
  for (const char* table : {"identity_map", "partner_rows", "partner_source"}) {
    auto all = db_->Query(std::string("SELECT * FROM ") + table);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    for (const auto& r : all->rows) {
      for (const auto& v : r) EXPECT_EQ(Text(v).find('@'), std::string::npos) << table;
    }
  }
  // The source row records the counts.
  auto src = ListPartnerSources(*db_, kT1);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  ASSERT_EQ(src->size(), 1u);
  EXPECT_EQ((*src)[0].date_column, "Date");
  EXPECT_EQ((*src)[0].rows_read, 8);
  EXPECT_EQ((*src)[0].rows_refused, 3);
  EXPECT_EQ((*src)[0].partner_persons, 5);
  EXPECT_EQ((*src)[0].matched_persons, 2);
  ASSERT_EQ((*src)[0].columns.size(), 2u);
  EXPECT_EQ((*src)[0].loaded_at, "2024-01-21T00:00:00Z");
}

TEST_P(Stored, AnAddressIngestMarkedAmbiguousIsRefused) {
  // What ingest stores when two persons of one user export hold the same alias.
  auto st = db_->Execute(
      "INSERT INTO person_identity (tenant_id, kind, value_hash, person_key, run_id, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {kT1, identity::IdentityKindName(IdentityKind::kProxyAddress),
       IdentityHash("", IdentityKind::kProxyAddress, "smtp:shared@contoso.com"),
       std::string(identity::kAmbiguousPerson), "run-1", "2024-01-20T00:00:00Z"});
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto ids = StoredIdentities::Load(*db_, kT1, "");
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(ids->Resolve("Shared@Contoso.com", KeyType::kEmail).outcome,
            ResolveOutcome::kAmbiguous);
  EXPECT_EQ(ids->Resolve("ann@contoso.com", KeyType::kEmail).outcome, ResolveOutcome::kResolved);
}

TEST_P(Stored, ALoadReplacesThePreviousLoadOfTheSameSourceOnly) {
  ASSERT_TRUE(LoadPartnerIntoDatabase(*db_, Request(kT1, File("crm.csv", kCrm))).ok());
  auto other = Request(kT1, File("hr.csv", "Email,Tenure\nbob@contoso.com,3\n"));
  other.options.detect_date_column = false;  // static
  ASSERT_TRUE(LoadPartnerIntoDatabase(*db_, other).ok());
  auto t2 = Request(kT2, File("t2.csv", "Email,Week,Revenue\nann@contoso.com,2024-01-07,4\n"));
  t2.source = "crm";
  ASSERT_TRUE(LoadPartnerIntoDatabase(*db_, t2).ok());

  auto again = Request(kT1, File("crm.csv", "Email,Week,Revenue\nbob@contoso.com,2024-01-07,1\n"));
  auto s = LoadPartnerIntoDatabase(*db_, again);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows_replaced, 3);
  EXPECT_EQ(s->rows_stored, 1);
  auto rows = Rows(kT1, "crm");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.begin()->first, std::string(kBob) + "/2024-01-07");
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM identity_map WHERE tenant_id = ? AND source = 'crm'", {kT1}), 1);
  EXPECT_EQ(
      Count("SELECT rows_read FROM partner_source WHERE tenant_id = ? AND source = 'crm'", {kT1}),
      1);
  // The other source of the tenant, and the same source of the other tenant, are untouched.
  EXPECT_EQ(Rows(kT1, "hr").size(), 1u);
  auto t2_rows = Rows(kT2, "crm");
  ASSERT_EQ(t2_rows.size(), 1u);
  EXPECT_EQ(t2_rows.begin()->first, std::string(kDan) + "/2024-01-07");
}

TEST_P(Stored, AFailedLoadLeavesThePreviousLoadIntactAndNamesTheLine) {
  ASSERT_TRUE(LoadPartnerIntoDatabase(*db_, Request(kT1, File("crm.csv", kCrm))).ok());
  auto bad = Request(kT1, File("crm.csv",
                               "Email,Week,Revenue\n"
                               "bob@contoso.com,2024-01-07,1\n"
                               "ann@contoso.com,next week,2\n"));
  auto s = LoadPartnerIntoDatabase(*db_, bad);
  ASSERT_EQ(s.status().code(), core::StatusCode::kDataLoss) << s.status().ToString();
  EXPECT_NE(s.status().message().find("crm.csv"), std::string::npos) << s.status().ToString();
  EXPECT_NE(s.status().message().find("line 3"), std::string::npos) << s.status().ToString();
  EXPECT_EQ(Rows(kT1, "crm").size(), 3u);
  EXPECT_EQ(Count("SELECT rows_read FROM partner_source WHERE tenant_id = ?", {kT1}), 8);
}

TEST_P(Stored, EmailKeysNeedTheTenantsStoredUserExport) {
  auto s = LoadPartnerIntoDatabase(
      *db_, Request("33333333-3333-4333-8333-333333333333", File("crm.csv", kCrm)));
  EXPECT_EQ(s.status().code(), core::StatusCode::kFailedPrecondition) << s.status().ToString();
  EXPECT_NE(s.status().message().find("vivalink run"), std::string::npos);
}

TEST_P(Stored, ObjectIdKeysResolveInAnyCaseAndWithBraces) {
  auto r = Request(kT1, File("by_id.csv",
                             "ObjectId,Week,Revenue\n"
                             "{8B1F2C3D-0000-4000-8000-00000000000A},2024-01-07,5\n"
                             "8b1f2c3d-0000-4000-8000-00000000000b,2024-01-14,6\n"
                             "8b1f2c3d-0000-4000-8000-0000000000ff,2024-01-14,7\n"));
  r.options.key_column = "ObjectId";
  r.options.key_type = KeyType::kObjectId;
  auto s = LoadPartnerIntoDatabase(*db_, r);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->key_type, "object_id");
  EXPECT_EQ(s->stats.persons, 3);          // an object id needs no export entry...
  EXPECT_EQ(s->match.matched_persons, 2);  // ...but only persons with Viva data match
  auto rows = Rows(kT1, "by_id");
  EXPECT_EQ(rows.count(std::string(kAnn) + "/2024-01-07"), 1u);
  EXPECT_EQ(rows.count(std::string(kBob) + "/2024-01-14"), 1u);
}

TEST_P(Stored, PseudonymisedIdentitiesResolveOnlyWithTheTenantsKey) {
  const std::string key(64, 'a');
  const char* t3 = "33333333-3333-4333-8333-333333333333";
  Identity(t3, IdentityKind::kMail, "zoe@contoso.com", kAnn, key);
  const std::string zoe = identity::PersonKey(key, t3, kAnn);
  StorePersonWeek(t3, kAnn, "2024-01-07", std::nullopt, key);
  auto file = File("crm.csv", "Email,Week,Revenue\nZoe@contoso.com,2024-01-07,3\n");
  auto without = LoadPartnerIntoDatabase(*db_, Request(t3, file));
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  EXPECT_EQ(without->stats.rows_unknown_key, 1);
  auto with = Request(t3, file);
  with.pseudonym_key = key;
  auto s = LoadPartnerIntoDatabase(*db_, with);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->match.matched_persons, 1);
  EXPECT_EQ(Rows(t3, "crm").count(zoe + "/2024-01-07"), 1u);
}

TEST_P(Stored, BadSourceNamesAndOldSchemasAreRefused) {
  auto r = Request(kT1, File("crm.csv", kCrm));
  r.source = "crm; DROP TABLE x";
  EXPECT_EQ(LoadPartnerIntoDatabase(*db_, r).status().code(), core::StatusCode::kInvalidArgument);
  r.source = "";
  r.tenant_id = " ";
  EXPECT_EQ(LoadPartnerIntoDatabase(*db_, r).status().code(), core::StatusCode::kInvalidArgument);

  testutil::TempDir other;
  auto old = db::Database::Open("sqlite://" + (other.path() / "old.db").string(), {});
  ASSERT_TRUE(old.ok());
  auto two = db::ProductMigrations().first(2);
  ASSERT_TRUE(db::Migrate(**old, two).ok());
  auto s = LoadPartnerIntoDatabase(**old, Request(kT1, File("crm.csv", kCrm)));
  EXPECT_EQ(s.status().code(), core::StatusCode::kFailedPrecondition) << s.status().ToString();
}

TEST_P(Stored, TheJoinedFrameMatchesEachTenantWithItsOwnPartnerRows) {
  ASSERT_TRUE(LoadPartnerIntoDatabase(*db_, Request(kT1, File("crm.csv", kCrm))).ok());
  // Tenant 2's CRM knows Dan by the address that is Ann's in tenant 1.
  auto t2 = Request(kT2, File("t2.csv", "Email,Week,Revenue\nann@contoso.com,2024-01-14,4\n"));
  t2.source = "crm";
  ASSERT_TRUE(LoadPartnerIntoDatabase(*db_, t2).ok());
  auto st = Request(kT1, File("static.csv", "Email,Tenure\nann@contoso.com,2.5\n"));
  st.options.detect_date_column = false;
  ASSERT_TRUE(LoadPartnerIntoDatabase(*db_, st).ok());

  auto j = LoadJoinedPersonWeeks(*db_, "");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  const analysis::Frame& f = j->frame;
  ASSERT_EQ(f.num_rows(), 8u);  // a left join: every person-week stays
  EXPECT_EQ(j->sources.size(), 3u);
  EXPECT_EQ(j->partner_columns, (std::vector<std::string>{"Region", "Revenue", "Tenure"}));
  const auto* person = f.Find("PersonId");
  const auto* week = f.Find("MetricDate");
  const auto* revenue = f.Find("Revenue");
  const auto* tenure = f.Find("Tenure");
  ASSERT_TRUE(person && week && revenue && tenure);
  std::map<std::string, double> revenue_of, tenure_of;
  for (size_t r = 0; r < f.num_rows(); ++r) {
    std::string k = std::string(person->StringAt(r)) + "/" + std::string(week->StringAt(r));
    revenue_of[k] = revenue->numbers[r];
    tenure_of[k] = tenure->numbers[r];
  }
  EXPECT_DOUBLE_EQ(revenue_of[std::string(kAnn) + "/2024-01-07"], 150);
  EXPECT_TRUE(std::isnan(revenue_of[std::string(kAnn) + "/2024-01-14"]));
  EXPECT_DOUBLE_EQ(revenue_of[std::string(kDan) + "/2024-01-14"], 4);
  EXPECT_TRUE(std::isnan(revenue_of[std::string(kDan) + "/2024-01-07"]));
  EXPECT_DOUBLE_EQ(tenure_of[std::string(kAnn) + "/2024-01-14"], 2.5);  // static: every week
  EXPECT_TRUE(std::isnan(tenure_of[std::string(kDan) + "/2024-01-14"]));
  // Persons: tenant 1's Ann, Bob, Cid and tenant 2's Dan resolved; two keys refused. A person
  // matches when every table has an entry for one of the person's weeks: only Ann has static
  // data, and a weekly row in 2024-01-07.
  const JoinReport& r = j->report;
  EXPECT_EQ(r.partner_unresolved_persons, 2);
  EXPECT_EQ(r.partner_resolved_persons, 4);
  EXPECT_EQ(r.partner_persons, 6);
  EXPECT_EQ(r.matched_persons, 1);  // Ann (both tables in 2024-01-07)
  EXPECT_EQ(r.viva_persons, 4);
  EXPECT_EQ(r.partner_rows, 8 + 1 + 1);
  EXPECT_EQ(r.ambiguous_emails, 1);  // team@ in tenant 1's export
  EXPECT_EQ((*ListPartnerSources(*db_, kT1))[0].ambiguous_addresses, 1);

  // One tenant only: tenant 2's rows and sources are not read.
  auto only = LoadJoinedPersonWeeks(*db_, kT2);
  ASSERT_TRUE(only.ok()) << only.status().ToString();
  EXPECT_EQ(only->frame.num_rows(), 2u);
  EXPECT_EQ(only->sources.size(), 1u);
  EXPECT_EQ(only->report.partner_unresolved_persons, 0);
  EXPECT_EQ(only->report.matched_persons, 1);
}

TEST_P(Stored, WithoutPartnerDataThePersonWeeksComeBackUnjoined) {
  auto j = LoadJoinedPersonWeeks(*db_, kT1);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(j->frame.num_rows(), 6u);
  EXPECT_TRUE(j->sources.empty());
  EXPECT_TRUE(j->partner_columns.empty());
  EXPECT_NE(j->frame.Find("Collaboration_hours"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Backends, Stored, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& param_info) {
                           return param_info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace vivalink::join
