// The join on a whole simulated organisation (`vivasim init`, run as a program): match rates that
// follow from the CRM's planted mess, and the "must show": the planted drivers of Revenue
// come out on top of RankDrivers with their signs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "analysis/drivers.h"
#include "analysis/load_csv.h"
#include "core/strings.h"
#include "join/join.h"
#include "testutil.h"

namespace vivalink::join {
namespace {

namespace fs = std::filesystem;

// One organisation for the whole suite: 600 people, 12 weeks, a fixed seed (deterministic).
class SimulatedOrg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testutil::TempDir();
    auto r = testutil::RunProgram({(testutil::BuildDir() / "src/cli/vivasim").string(), "init",
                                   "--dir", dir_->path().string(), "--tenants", "1", "--people",
                                   "600", "--weeks", "12", "--seed", "20240107"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& e : fs::directory_iterator(dir_->path() / "tenants")) tenant_ = e.path();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_FALSE(tenant_.empty()) << "vivasim init wrote no tenant"; }

  struct Joined {
    IdentityIndex users;
    PartnerTable crm;
    JoinResult result;
  };
  static std::unique_ptr<Joined> JoinCrm() {
    auto users = LoadIdentityIndexFile((tenant_ / "users.jsonl").string());
    EXPECT_TRUE(users.ok()) << users.status().ToString();
    auto out = std::make_unique<Joined>(Joined{std::move(users).value(), {}, {}});
    auto crm = LoadPartnerFile(
        (tenant_ / "crm.csv").string(), &out->users,
        {.key_column = "Email",
         .date_column = "Week",
         .aggregation_of = {{"Revenue", Aggregation::kSum}, {"Deals_won", Aggregation::kSum}}});
    EXPECT_TRUE(crm.ok()) << crm.status().ToString();
    out->crm = std::move(crm).value();
    auto viva = analysis::LoadCsvFrame((tenant_ / "person_query.csv").string());
    EXPECT_TRUE(viva.ok()) << viva.status().ToString();
    const PartnerTable* tables[] = {&out->crm};
    auto joined = JoinPartners(*viva, tables, {}, &out->users);
    EXPECT_TRUE(joined.ok()) << joined.status().ToString();
    out->result = std::move(joined).value();
    return out;
  }

  static testutil::TempDir* dir_;
  static fs::path tenant_;
};
testutil::TempDir* SimulatedOrg::dir_ = nullptr;
fs::path SimulatedOrg::tenant_;

std::vector<nlohmann::json> JsonLines(const fs::path& path) {
  std::vector<nlohmann::json> out;
  std::istringstream in(testutil::ReadFile(path));
  for (std::string line; std::getline(in, line);) {
    if (!core::Trim(line).empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

TEST_F(SimulatedOrg, MatchRateFollowsTheCrmsUnknownAndUnlicensedPeople) {
  auto j = JoinCrm();
  const JoinReport& rep = j->result.report;
  // The truth, from the simulator's own list of people (not from the code under test).
  int64_t people = 0, in_directory = 0, with_viva = 0;
  std::set<std::string> directory_addresses;
  for (const auto& p : JsonLines(tenant_ / "people.jsonl")) {
    ++people;
    if (!p["inDirectory"].get<bool>()) continue;
    ++in_directory;
    if (p["licensed"].get<bool>()) ++with_viva;
    for (const char* field : {"mail", "userPrincipalName"}) {
      if (p[field].is_string())
        directory_addresses.insert(core::ToLower(p[field].get<std::string>()));
    }
    for (const auto& proxy : p["proxyAddresses"]) {
      std::string entry = proxy.get<std::string>();
      directory_addresses.insert(core::ToLower(entry.substr(entry.find(':') + 1)));
    }
  }
  // Keys of people unknown to the directory, as the CRM writes them (one person the CRM knows
  // by two addresses counts twice: nothing links them).
  std::set<std::string> unknown_keys;
  std::istringstream crm(testutil::ReadFile(tenant_ / "crm.csv"));
  std::string line;
  std::getline(crm, line);
  while (std::getline(crm, line)) {
    std::string key = core::ToLower(line.substr(0, line.find(',')));
    if (directory_addresses.count(key) == 0) unknown_keys.insert(key);
  }
  ASSERT_GE(unknown_keys.size(), static_cast<size_t>(people - in_directory));
  // Every person has CRM rows; ~3% are unknown to the directory, ~2% more have no Viva data.
  EXPECT_EQ(rep.partner_resolved_persons, in_directory);
  EXPECT_EQ(rep.partner_unresolved_persons, static_cast<int64_t>(unknown_keys.size()));
  EXPECT_EQ(rep.partner_persons, in_directory + static_cast<int64_t>(unknown_keys.size()));
  EXPECT_NEAR(rep.resolved_rate, 0.97, 0.015);
  EXPECT_NEAR(rep.match_rate, 0.95, 0.02);
  EXPECT_LE(rep.matched_persons, with_viva);
  EXPECT_GE(rep.matched_persons, with_viva - 3);  // people with no common active week at most
  EXPECT_EQ(rep.partner_unmatched_persons, rep.partner_persons - rep.matched_persons);
  EXPECT_EQ(rep.viva_unmatched_persons, rep.viva_persons - rep.matched_persons);
  EXPECT_EQ(rep.ambiguous_emails, 0);
  EXPECT_GT(rep.joined_rows, 0);
}

TEST_F(SimulatedOrg, ExactDuplicateCrmRowsAreDroppedAndCounted) {
  auto j = JoinCrm();
  // Count the exact duplicate lines of crm.csv independently.
  std::set<std::string> seen;
  int64_t duplicates = 0;
  std::istringstream in(testutil::ReadFile(tenant_ / "crm.csv"));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (!seen.insert(line).second) ++duplicates;
  }
  ASSERT_GT(duplicates, 0) << "the simulated CRM should hold a few exact duplicates";
  EXPECT_EQ(j->result.report.duplicate_rows_dropped, duplicates);
  // The joined frame has no duplicate person-week.
  const analysis::Frame& f = j->result.frame;
  const auto* person = f.Find("PersonId");
  const auto* week = f.Find("MetricDate");
  std::set<std::pair<int32_t, int32_t>> keys;
  for (size_t r = 0; r < f.num_rows(); ++r) {
    EXPECT_TRUE(keys.emplace(person->codes[r], week->codes[r]).second) << "row " << r;
  }
}

TEST_F(SimulatedOrg, PlantedRevenueDriversRankOnTopWithTheirSigns) {
  auto j = JoinCrm();
  auto truth = nlohmann::json::parse(testutil::ReadFile(dir_->path() / "ground_truth.json"));
  const auto& revenue = truth["outcomes"]["Revenue"];
  std::map<std::string, int> planted;  // column -> sign
  for (const auto& d : revenue["drivers"]) {
    planted[d["column"].get<std::string>()] = d["sign"].get<std::string>() == "+" ? 1 : -1;
  }
  std::vector<std::string> non_drivers = revenue["non_drivers"].get<std::vector<std::string>>();
  ASSERT_GE(planted.size(), 3u);
  ASSERT_GE(non_drivers.size(), 3u);

  analysis::DriverOptions options;
  for (const auto& [column, sign] : planted) options.behaviours.push_back(column);
  for (const auto& column : non_drivers) options.behaviours.push_back(column);
  auto result = analysis::RankDrivers(j->result.frame, "Revenue", options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();

  const auto& rows = result->person_week;
  ASSERT_EQ(rows.size(), planted.size() + non_drivers.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    auto it = planted.find(row.behaviour);
    if (i < planted.size()) {
      ASSERT_NE(it, planted.end()) << "rank " << row.rank << " is the non-driver " << row.behaviour;
      EXPECT_EQ(row.sign, it->second) << row.behaviour;
      EXPECT_LT(row.spearman_p, 0.001) << row.behaviour;
    } else {
      EXPECT_EQ(it, planted.end()) << "planted driver " << row.behaviour << " ranks " << row.rank;
    }
  }
  // The weakest planted driver is clearly apart from the strongest non-driver.
  EXPECT_GT(std::abs(rows[planted.size() - 1].spearman_rho),
            std::abs(rows[planted.size()].spearman_rho) + 0.02);
}

}  // namespace
}  // namespace vivalink::join
