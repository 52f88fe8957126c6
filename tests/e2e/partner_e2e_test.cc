// End to end: the partner's key metric explained from the database, as a partner runs it.
//
// vivasim plays Microsoft and the partner's CRM: `vivasim init` makes a customer with planted
// ground truth (2 tenants, 300 people, 4 weeks, fixed seed), `vivasim serve` (a child process on
// 127.0.0.1, stopped by PID) is the token endpoint and key API, `vivasim pipeline run` delivers the
// weeks into a file:// store. Then the `vivalink` program, configured by a TOML file:
//   keys register  ->  run (imports the drops and the user exports into SQLite)
//   partner load   (each tenant's CRM export, resolved against its stored user export)
//   report         (the person-weeks joined with the stored CRM data; drivers as JSON too).
// The checks read the truth from vivasim's own output (people.jsonl, crm.csv, ground_truth.json),
// never from constants in this file. One test repeats the whole chain on PostgreSQL.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "core/strings.h"
#include "db/database.h"
#include "postgres_server.h"
#include "testutil.h"

namespace vivalink {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testutil::RunProgram;

constexpr int kWeeks = 4;
const char* const kWeekStarts[kWeeks] = {"2024-01-07", "2024-01-14", "2024-01-21", "2024-01-28"};

std::vector<json> JsonLines(const fs::path& path) {
  std::vector<json> out;
  std::istringstream in(testutil::ReadFile(path));
  for (std::string line; std::getline(in, line);) {
    if (!core::Trim(line).empty()) out.push_back(json::parse(line));
  }
  return out;
}

std::string Text(const db::Value& v) { return v.GetText() != nullptr ? *v.GetText() : ""; }

class PartnerE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testutil::TempDir();
    server_ = new testutil::ChildProcess();
    vivasim_ = (testutil::BuildDir() / "src/cli/vivasim").string();
    vivalink_ = (testutil::BuildDir() / "src/cli/vivalink").string();
    world_ = dir_->path() / "world";
    auto r = RunProgram({vivasim_, "init", "--dir", world_.string(), "--tenants", "2", "--people",
                         "300", "--weeks", std::to_string(kWeeks), "--seed", "20240107",
                         "--first-week", kWeekStarts[0]});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto partner = json::parse(testutil::ReadFile(world_ / "partner.json"));
    client_id_ = partner.at("client_id").get<std::string>();
    secret_env_ = "VIVALINK_CLIENT_SECRET=" + partner.at("client_secret").get<std::string>();
    for (const auto& t : partner.at("tenants")) tenants_.push_back(t.get<std::string>());
    ASSERT_EQ(tenants_.size(), 2u);

    ASSERT_TRUE(server_->Start({vivasim_, "serve", "--dir", world_.string(), "--port", "0"},
                               dir_->path() / "serve"));
    for (int i = 0; i < 3000 && base_url_.empty(); ++i) {
      std::string out = server_->stdout_text();
      if (auto nl = out.find('\n'); nl != std::string::npos) {
        auto j = json::parse(out.substr(0, nl));
        base_url_ = j.at("baseUrl").get<std::string>();
        authority_ = j.at("authority").get<std::string>();
      } else {
        ASSERT_TRUE(server_->Running()) << "vivasim serve exited: " << server_->stderr_text();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    ASSERT_FALSE(base_url_.empty()) << "vivasim serve printed nothing";

    const fs::path config = WriteConfig("main", "sqlite://" + (dir_->path() / "main.db").string());
    for (const auto& t : tenants_) {
      auto reg = Vivalink(config, {"keys", "register", "--tenant", t, "--create"});
      ASSERT_EQ(reg.exit_code, 0) << reg.err;
    }
    for (const char* week : kWeekStarts) {
      auto p = RunProgram({vivasim_, "pipeline", "run", "--dir", world_.string(), "--store",
                           "file://" + (dir_->path() / "drops").string(), "--week", week});
      ASSERT_EQ(p.exit_code, 0) << p.err;
    }
    ASSERT_NO_FATAL_FAILURE(ImportAndLoad(config, &loads_));
  }

  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override { ASSERT_EQ(loads_.size(), 2u) << "the suite's setup failed"; }

  // A configuration on the suite's world and store with its own database (and key store copy
  // rules: the keys folder is shared). Blobs are kept a day, so another database can import the
  // same drops again.
  static fs::path WriteConfig(const std::string& name, const std::string& database_url,
                              bool pseudonymise = false) {
    const fs::path path = dir_->path() / (name + ".toml");
    testutil::WriteFile(
        path, "data_dir = \"" + (dir_->path() / name).string() + "\"\n" +
                  "[storage]\nurl = \"file://" + (dir_->path() / "drops").string() + "\"\n" +
                  "[keys]\nkeystore = \"" + (dir_->path() / "keys").string() +
                  "\"\napi_base_url = \"" + base_url_ + "\"\nauthority = \"" + authority_ +
                  "\"\nclient_id = \"" + client_id_ + "\"\n" + "[database]\nurl = \"" +
                  database_url + "\"\n" + "[ingest]\nretention_days = 1\npseudonymise = " +
                  (pseudonymise ? "true" : "false") + "\n[log]\nlevel = \"warn\"\n");
    fs::create_directories(dir_->path() / name);
    return path;
  }

  static testutil::RunResult Vivalink(const fs::path& config, std::vector<std::string> args) {
    std::vector<std::string> argv = {vivalink_, "--config", config.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProgram(argv, {secret_env_});
  }

  static fs::path TenantDir(const std::string& tenant) { return world_ / "tenants" / tenant; }

  // `vivalink run`, then `partner load` of each tenant's CRM; the loads' JSON by tenant.
  static void ImportAndLoad(const fs::path& config, std::map<std::string, json>* loads) {
    auto run = Vivalink(config, {"run"});
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    for (const auto& t : tenants_) {
      auto load = Vivalink(
          config, {"partner", "load", "--tenant", t, "--file", (TenantDir(t) / "crm.csv").string(),
                   "--key", "Email", "--sum", "Revenue,Deals_won", "--json"});
      ASSERT_EQ(load.exit_code, 0) << load.err;
      (*loads)[t] = json::parse(load.out);
    }
  }

  static std::unique_ptr<db::Database> Open(const std::string& url) {
    auto db = db::Database::Open(url, {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  static testutil::TempDir* dir_;
  static testutil::ChildProcess* server_;
  static std::string vivasim_, vivalink_, client_id_, secret_env_, base_url_, authority_;
  static fs::path world_;
  static std::vector<std::string> tenants_;
  static std::map<std::string, json> loads_;
};

testutil::TempDir* PartnerE2E::dir_ = nullptr;
testutil::ChildProcess* PartnerE2E::server_ = nullptr;
std::string PartnerE2E::vivasim_, PartnerE2E::vivalink_, PartnerE2E::client_id_,
    PartnerE2E::secret_env_, PartnerE2E::base_url_, PartnerE2E::authority_;
fs::path PartnerE2E::world_;
std::vector<std::string> PartnerE2E::tenants_;
std::map<std::string, json> PartnerE2E::loads_;

TEST_F(PartnerE2E, PartnerLoadCountsFollowTheSimulatedPeopleOfEachTenant) {
  auto db = Open("sqlite://" + (dir_->path() / "main.db").string());
  ASSERT_NE(db, nullptr);
  for (const auto& tenant : tenants_) {
    const json& load = loads_.at(tenant);
    // The truth: vivasim's list of the tenant's people, and its CRM file read line by line.
    int64_t in_directory = 0;
    for (const auto& p : JsonLines(TenantDir(tenant) / "people.jsonl")) {
      if (p.at("inDirectory").get<bool>()) ++in_directory;
    }
    std::set<std::string> lines;
    int64_t rows = 0, duplicates = 0;
    std::istringstream crm(testutil::ReadFile(TenantDir(tenant) / "crm.csv"));
    std::string line;
    std::getline(crm, line);  // header
    while (std::getline(crm, line)) {
      ++rows;
      if (!lines.insert(line).second) ++duplicates;
    }
    ASSERT_GT(duplicates, 0) << "the simulated CRM should hold exact duplicates";
    EXPECT_EQ(load.at("rows_read").get<int64_t>(), rows) << tenant;
    EXPECT_EQ(load.at("exact_duplicates_dropped").get<int64_t>(), duplicates) << tenant;
    EXPECT_EQ(load.at("persons").get<int64_t>(), in_directory) << tenant;
    const json& match = load.at("match");
    EXPECT_EQ(match.at("partner_resolved_persons").get<int64_t>(), in_directory) << tenant;
    EXPECT_NEAR(match.at("match_rate").get<double>(), 0.95, 0.03) << tenant;
    EXPECT_EQ(match.at("ambiguous_emails").get<int64_t>(), 0) << tenant;

    // Stored per tenant: every stored person is a person of this tenant's user export, and the
    // stored person-weeks that match are this tenant's.
    auto foreign = db->QueryValue(
        "SELECT COUNT(*) FROM partner_rows r WHERE r.tenant_id = ? AND NOT EXISTS (SELECT 1 FROM "
        "person_identity i WHERE i.tenant_id = r.tenant_id AND i.kind = 'object_id' AND "
        "i.person_key = r.person_key)",
        {tenant});
    ASSERT_TRUE(foreign.ok()) << foreign.status().ToString();
    EXPECT_EQ(*foreign, db::Value(0)) << tenant;
    auto joined = db->QueryValue(
        "SELECT COUNT(*) FROM partner_rows r JOIN person_week w ON w.tenant_id = r.tenant_id AND "
        "w.person_key = r.person_key AND w.metric_date = r.metric_date WHERE r.tenant_id = ?",
        {tenant});
    ASSERT_TRUE(joined.ok());
    EXPECT_EQ(*joined, db::Value(match.at("matched_person_weeks").get<int64_t>())) << tenant;
    // No e-mail address anywhere in what the load stored.
    auto leaked = db->QueryValue(
        "SELECT COUNT(*) FROM partner_rows WHERE tenant_id = ? AND data LIKE '%@%'", {tenant});
    ASSERT_TRUE(leaked.ok());
    EXPECT_EQ(*leaked, db::Value(0));
  }
  auto addresses = db->QueryValue("SELECT COUNT(*) FROM identity_map WHERE person_ref LIKE '%@%'");
  ASSERT_TRUE(addresses.ok());
  EXPECT_EQ(*addresses, db::Value(0));
}

TEST_F(PartnerE2E, ReportRanksThePlantedRevenueDriversFirstWithTheirSigns) {
  auto truth = json::parse(testutil::ReadFile(world_ / "ground_truth.json"));
  const json& revenue = truth.at("outcomes").at("Revenue");
  std::map<std::string, int> planted;  // column -> sign
  for (const auto& d : revenue.at("drivers")) {
    planted[d.at("column").get<std::string>()] = d.at("sign").get<std::string>() == "+" ? 1 : -1;
  }
  auto non_drivers = revenue.at("non_drivers").get<std::vector<std::string>>();
  ASSERT_GE(planted.size(), 3u);
  ASSERT_GE(non_drivers.size(), 3u);
  std::string behaviours;
  for (const auto& [column, sign] : planted) behaviours += column + ",";
  for (const auto& column : non_drivers) behaviours += column + ",";
  behaviours.pop_back();

  const fs::path config = dir_->path() / "main.toml";
  const fs::path html = dir_->path() / "report.html", drivers = dir_->path() / "report.json";
  // No --outcome: the key metrics are the stored partner metrics.
  auto r = Vivalink(config, {"report", "--output", html.string(), "--json", drivers.string(),
                             "--behaviours", behaviours, "--rank-by", "partial"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(testutil::ReadFile(drivers));
  auto outcomes = j.at("outcomes").get<std::vector<std::string>>();
  EXPECT_EQ(outcomes, (std::vector<std::string>{"Deals_won", "Revenue", "Customer_satisfaction"}));
  // The join of both tenants: the loads' counts added up.
  int64_t partner_persons = 0, matched = 0;
  for (const auto& [tenant, load] : loads_) {
    partner_persons += load.at("match").at("partner_persons").get<int64_t>();
    matched += load.at("match").at("matched_persons").get<int64_t>();
  }
  EXPECT_EQ(j.at("join").at("partner_persons").get<int64_t>(), partner_persons);
  EXPECT_EQ(j.at("join").at("matched_persons").get<int64_t>(), matched);

  const json* rev = nullptr;
  for (const auto& d : j.at("drivers")) {
    if (d.at("outcome") == "Revenue") rev = &d;
  }
  ASSERT_NE(rev, nullptr);
  EXPECT_EQ(rev->at("rank_by"), "partial");
  for (const char* level : {"person_week", "person"}) {
    const json& rows = rev->at(level);
    ASSERT_EQ(rows.size(), planted.size() + non_drivers.size()) << level;
    for (size_t i = 0; i < rows.size(); ++i) {
      const std::string behaviour = rows[i].at("behaviour").get<std::string>();
      auto it = planted.find(behaviour);
      if (i < planted.size()) {
        ASSERT_NE(it, planted.end())
            << level << ": rank " << i + 1 << " is the non-driver " << behaviour;
        EXPECT_EQ(rows[i].at("sign").get<int>(), it->second) << level << ": " << behaviour;
        EXPECT_LT(rows[i].at("partial_p").get<double>(), 1e-3) << level << ": " << behaviour;
      } else {
        EXPECT_EQ(it, planted.end())
            << level << ": the planted driver " << behaviour << " ranks " << i + 1;
      }
    }
  }
  const std::string page = testutil::ReadFile(html);
  EXPECT_NE(page.find("Revenue"), std::string::npos);
  EXPECT_NE(page.find("Match rate of the partner join"), std::string::npos);
  EXPECT_NE(page.find("Ranked by |partial r|"), std::string::npos);

  // The default report (every metric, Spearman ranking) explains the same key metrics.
  auto plain = Vivalink(config, {"report", "--output", (dir_->path() / "plain.html").string()});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("key metrics: Deals_won, Revenue, Customer_satisfaction"),
            std::string::npos)
      << plain.out;
}

TEST_F(PartnerE2E, ALoadReplacesThePreviousLoadOfItsSource) {
  const fs::path config = dir_->path() / "main.toml";
  const std::string& tenant = tenants_.front();
  // The first two weeks of the CRM only.
  std::istringstream crm(testutil::ReadFile(TenantDir(tenant) / "crm.csv"));
  std::string header, line, half;
  std::getline(crm, header);
  half = header + "\n";
  int64_t kept = 0;
  while (std::getline(crm, line)) {
    if (line.find(kWeekStarts[0]) != std::string::npos ||
        line.find(kWeekStarts[1]) != std::string::npos) {
      half += line + "\n";
      ++kept;
    }
  }
  const fs::path file = dir_->path() / "crm_half.csv";
  testutil::WriteFile(file, half);
  auto load = Vivalink(config, {"partner", "load", "--tenant", tenant, "--file", file.string(),
                                "--source", "crm", "--sum", "Revenue,Deals_won", "--json"});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  auto j = json::parse(load.out);
  EXPECT_EQ(j.at("rows_read").get<int64_t>(), kept);
  EXPECT_EQ(j.at("rows_replaced"), loads_.at(tenant).at("rows_stored"));
  auto db = Open("sqlite://" + (dir_->path() / "main.db").string());
  ASSERT_NE(db, nullptr);
  auto weeks = db->Query(
      "SELECT DISTINCT metric_date FROM partner_rows WHERE tenant_id = ? AND source = 'crm' ORDER "
      "BY 1",
      {tenant});
  ASSERT_TRUE(weeks.ok());
  ASSERT_EQ(weeks->size(), 2u);
  EXPECT_EQ(Text(weeks->rows[0][0]), kWeekStarts[0]);
  EXPECT_EQ(Text(weeks->rows[1][0]), kWeekStarts[1]);
  // The other tenant's load is untouched; `partner list` shows both.
  auto other = db->QueryValue(
      "SELECT COUNT(*) FROM partner_rows WHERE tenant_id = ? AND source = 'crm'", {tenants_[1]});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, db::Value(loads_.at(tenants_[1]).at("rows_stored").get<int64_t>()));
  auto list = Vivalink(config, {"partner", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(json::parse(list.out).size(), 2u);

  // Restore the full load for the other tests.
  auto back = Vivalink(
      config, {"partner", "load", "--tenant", tenant, "--file",
               (TenantDir(tenant) / "crm.csv").string(), "--sum", "Revenue,Deals_won", "--json"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(json::parse(back.out).at("rows_stored"), loads_.at(tenant).at("rows_stored"));
}

TEST_F(PartnerE2E, TenantsAreKeptApartAndPseudonymisedKeysStillMatch) {
  // A second database with pseudonymised person keys, imported from the same (retained) drops.
  const fs::path config = WriteConfig("pseudo", "sqlite://" + (dir_->path() / "pseudo.db").string(),
                                      /*pseudonymise=*/true);
  std::map<std::string, json> loads;
  ASSERT_NO_FATAL_FAILURE(ImportAndLoad(config, &loads));
  for (const auto& t : tenants_) {
    EXPECT_EQ(loads.at(t).at("match"), loads_.at(t).at("match")) << t;
  }
  auto db = Open("sqlite://" + (dir_->path() / "pseudo.db").string());
  ASSERT_NE(db, nullptr);
  auto keys = db->Query("SELECT DISTINCT person_key FROM partner_rows");
  ASSERT_TRUE(keys.ok());
  for (const auto& r : keys->rows) {
    EXPECT_EQ(Text(r[0]).size(), 64u) << "not a pseudonym (hex HMAC-SHA256)";
  }
  // One tenant's CRM loaded for the other tenant resolves nobody: each tenant's identities are
  // its own.
  auto wrong = Vivalink(config, {"partner", "load", "--tenant", tenants_[1], "--file",
                                 (TenantDir(tenants_[0]) / "crm.csv").string(), "--source",
                                 "crm_of_other_tenant", "--json"});
  ASSERT_EQ(wrong.exit_code, 0) << wrong.err;
  auto j = json::parse(wrong.out);
  EXPECT_EQ(j.at("persons").get<int64_t>(), 0);
  EXPECT_EQ(j.at("rows_stored").get<int64_t>(), 0);
  EXPECT_EQ(j.at("match").at("matched_persons").get<int64_t>(), 0);
  // Without --tenant, a database of two tenants asks which one.
  auto ambiguous = Vivalink(
      config, {"partner", "load", "--file", (TenantDir(tenants_[0]) / "crm.csv").string()});
  EXPECT_EQ(ambiguous.exit_code, 2) << ambiguous.err;
  EXPECT_NE(ambiguous.err.find("--tenant"), std::string::npos) << ambiguous.err;
}

TEST_F(PartnerE2E, TheSameChainOnPostgreSQLGivesTheSameCounts) {
  const fs::path config = WriteConfig("pg", testutil::SharedPostgresServer().CreateDatabase());
  std::map<std::string, json> loads;
  ASSERT_NO_FATAL_FAILURE(ImportAndLoad(config, &loads));
  for (const auto& t : tenants_) {
    json a = loads.at(t), b = loads_.at(t);
    EXPECT_EQ(a, b) << t;
  }
  const fs::path out = dir_->path() / "pg.json";
  auto r = Vivalink(
      config, {"report", "--output", (dir_->path() / "pg.html").string(), "--json", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(testutil::ReadFile(out));
  EXPECT_EQ(j.at("outcomes").get<std::vector<std::string>>(),
            (std::vector<std::string>{"Deals_won", "Revenue", "Customer_satisfaction"}));
  EXPECT_GT(j.at("join").at("matched_persons").get<int64_t>(), 0);
}

}  // namespace
}  // namespace vivalink
