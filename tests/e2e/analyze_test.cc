// `vivalink analyze ...` as an operator runs it: on the shared person query sample, and on a
// simulated organisation (`vivasim init`) joined with its CRM through the user export.
// VIVALINK_ANALYZE_PROGRAM may name another program with the same commands (the join module's
// test driver, before the commands are wired into vivalink).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/strings.h"
#include "testutil.h"

namespace vivalink {
namespace {

namespace fs = std::filesystem;
using testutil::RunProgram;

std::string Vivalink() {
  const char* env = std::getenv("VIVALINK_ANALYZE_PROGRAM");
  if (env != nullptr && *env != '\0') return env;
  return (testutil::BuildDir() / "src/cli/vivalink").string();
}

std::string PqData() { return testutil::SharedData("pq_data.csv").string(); }

// Splits CSV output into rows of fields (the analyses quote only labels, which hold no quotes).
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.push_back(field);
        field.clear();
      } else {
        field.push_back(c);
      }
    }
    fields.push_back(field);
    rows.push_back(std::move(fields));
  }
  return rows;
}

size_t Index(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

TEST(AnalyzeIv, TopPredictorOfAfterHoursOnPqDataIsWorkload) {
  auto r = RunProgram({Vivalink(), "analyze", "iv", "--input", PqData(), "--outcome",
                       "After_hours_collaboration_hours>=10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = ParseCsv(r.out);
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "predictor");
  EXPECT_EQ(rows[1][Index(rows[0], "predictor")], "Workload");
  EXPECT_NEAR(std::stod(rows[1][Index(rows[0], "iv")]), 7.206091, 1e-6);
}

TEST(AnalyzeIv, JsonFormatGivesTheSameRanking) {
  auto r = RunProgram({Vivalink(), "analyze", "iv", "--input", PqData(), "--outcome",
                       "After_hours_collaboration_hours >= 10", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["predictors"][0]["name"], "Workload");
  EXPECT_NEAR(j["predictors"][0]["iv"].get<double>(), 7.206091, 1e-6);
}

TEST(AnalyzeErrors, MissingInputExitsOneWithTheReason) {
  auto r = RunProgram({Vivalink(), "analyze", "iv", "--input", "/nonexistent/pq.csv", "--outcome",
                       "Collaboration_hours>10"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
}

TEST(AnalyzeErrors, MalformedOutcomeExitsTwo) {
  auto r = RunProgram(
      {Vivalink(), "analyze", "iv", "--input", PqData(), "--outcome", "Collaboration_hours>>1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("error: InvalidArgument"), std::string::npos) << r.err;
}

TEST(AnalyzeErrors, UnknownColumnExitsTwo) {
  auto r = RunProgram(
      {Vivalink(), "analyze", "drivers", "--input", PqData(), "--outcome", "No_such_metric"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("No_such_metric"), std::string::npos) << r.err;
}

TEST(AnalyzeErrors, EmailKeyedPartnerWithoutUserExportExitsTwo) {
  auto r = RunProgram({Vivalink(), "analyze", "drivers", "--input", PqData(), "--outcome",
                       "Collaboration_hours", "--partner", PqData()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--users"), std::string::npos) << r.err;
}

TEST(AnalyzeGroups, SmallGroupsAreSuppressed) {
  auto r = RunProgram({Vivalink(), "analyze", "groups", "--input", PqData(), "--by",
                       "Organization,LevelDesignation", "--metrics",
                       "Collaboration_hours,Meeting_hours", "--min-group", "40"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = ParseCsv(r.out);
  ASSERT_GE(rows.size(), 2u);
  size_t n = Index(rows[0], "n");
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_GE(std::stoi(rows[i][n]), 40);
}

TEST(AnalyzeHygieneAndPatterns, RunOnPqData) {
  auto h = RunProgram({Vivalink(), "analyze", "hygiene", "--input", PqData()});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_EQ(h.out.substr(0, h.out.find('\n')), "kind,person,week,value,score");
  auto x = RunProgram({Vivalink(), "analyze", "hygiene", "--input", PqData(), "--exclude"});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  auto kept = ParseCsv(x.out);
  auto all = ParseCsv(testutil::ReadFile(PqData()));
  EXPECT_LT(kept.size(), all.size());
  EXPECT_GT(kept.size(), all.size() / 2);
  for (const char* kind : {"trend", "habits", "gini"}) {
    auto p = RunProgram({Vivalink(), "analyze", "patterns", "--input", PqData(), "--kind", kind,
                         "--threshold", "20", "--format", "json"});
    ASSERT_EQ(p.exit_code, 0) << kind << ": " << p.err;
    auto j = nlohmann::json::parse(p.out, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << kind;
    EXPECT_EQ(j["analysis"], kind);
  }
}

// The "must show", end to end: Viva metrics joined with the CRM through the user export;
// the planted drivers of Revenue rank first, with their signs.
TEST(AnalyzeDrivers, PlantedDriversOfASimulatedOrgRankFirstThroughTheJoin) {
  testutil::TempDir dir;
  auto init = RunProgram({(testutil::BuildDir() / "src/cli/vivasim").string(), "init", "--dir",
                          dir.path().string(), "--tenants", "1", "--people", "600", "--weeks", "12",
                          "--seed", "424242"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  fs::path tenant;
  for (const auto& e : fs::directory_iterator(dir / "tenants")) tenant = e.path();
  auto truth = nlohmann::json::parse(testutil::ReadFile(dir / "ground_truth.json"));
  const auto& revenue = truth["outcomes"]["Revenue"];
  std::map<std::string, int> planted;
  std::string behaviours;
  for (const auto& d : revenue["drivers"]) {
    planted[d["column"]] = d["sign"] == "+" ? 1 : -1;
    behaviours += d["column"].get<std::string>() + ",";
  }
  for (const auto& c : revenue["non_drivers"]) behaviours += c.get<std::string>() + ",";
  behaviours.pop_back();

  auto r = RunProgram({Vivalink(),
                       "analyze",
                       "drivers",
                       "--input",
                       (tenant / "person_query.csv").string(),
                       "--outcome",
                       "Revenue",
                       "--behaviours",
                       behaviours,
                       "--partner",
                       (tenant / "crm.csv").string(),
                       "--partner-key",
                       "Email",
                       "--partner-key-type",
                       "email",
                       "--users",
                       (tenant / "users.jsonl").string(),
                       "--partner-sum",
                       "Revenue,Deals_won",
                       "--join-report",
                       (dir / "join.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The join's counts go to stderr and the report file, never an identity.
  EXPECT_NE(r.err.find("join: "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('@'), std::string::npos) << r.err;
  auto report = nlohmann::json::parse(testutil::ReadFile(dir / "join.json"));
  EXPECT_NEAR(report["resolved_rate"].get<double>(), 0.97, 0.015);
  EXPECT_GT(report["duplicate_rows_dropped"].get<int>(), 0);

  auto rows = ParseCsv(r.out);
  ASSERT_GE(rows.size(), 2u);
  size_t level = Index(rows[0], "level"), behaviour = Index(rows[0], "behaviour"),
         sign = Index(rows[0], "sign");
  std::vector<std::vector<std::string>> person_week;
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i][level] == "person_week") person_week.push_back(rows[i]);
  }
  ASSERT_GT(person_week.size(), planted.size());
  for (size_t i = 0; i < person_week.size(); ++i) {
    auto it = planted.find(person_week[i][behaviour]);
    if (i < planted.size()) {
      ASSERT_NE(it, planted.end()) << "rank " << i + 1 << ": " << person_week[i][behaviour];
      EXPECT_EQ(std::stoi(person_week[i][sign]), it->second) << person_week[i][behaviour];
    } else {
      EXPECT_EQ(it, planted.end()) << person_week[i][behaviour] << " ranks " << i + 1;
    }
  }
}

}  // namespace
}  // namespace vivalink
