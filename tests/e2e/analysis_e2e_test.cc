// End to end: the main job finds the planted behaviours by itself (issue 14, docs/ANALYSIS.md).
//
// For each world: `vivasim init` (one tenant, planted ground truth), `vivasim serve` (the key API,
// a child process on 127.0.0.1 stopped by PID), `vivasim pipeline run` for every week into a
// file:// store, then the `vivalink` program: keys register -> run -> partner load (the CRM
// export and the static HR extract) -> report --json, WITHOUT --outcome, --behaviours or
// --rank-by. The checks read the truth from the world's ground_truth.json, never from constants
// here: every planted linear driver of Revenue, Deals_won and Attrition in the discovery's top 8
// with its planted sign, non-drivers not called drivers, the inverted U of Meeting_hours and the
// Sales-only Chat_hours effect of Revenue.
//
// AnalysisE2E (default suite): one small world, Revenue's drivers. AnalysisE2ESlow (label slow):
// three worlds of 600 people and 8 weeks, every outcome.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "testutil.h"

namespace vivalink {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testutil::RunProgram;

std::string Vivasim() { return (testutil::BuildDir() / "src/cli/vivasim").string(); }
std::string Vivalink() { return (testutil::BuildDir() / "src/cli/vivalink").string(); }

struct World {
  json truth;   // ground_truth.json
  json report;  // report --json
};

// Runs the main job on a fresh world; fills *world or fails the test.
void RunMainJob(const fs::path& dir, int people, int weeks, int seed, World* world) {
  const fs::path w = dir / "world";
  auto init = RunProgram({Vivasim(), "init", "--dir", w.string(), "--tenants", "1", "--people",
                          std::to_string(people), "--weeks", std::to_string(weeks), "--seed",
                          std::to_string(seed), "--first-week", "2024-01-07"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  auto partner = json::parse(testutil::ReadFile(w / "partner.json"));
  const std::string tenant = partner.at("tenants").at(0).get<std::string>();
  const std::string secret =
      "VIVALINK_CLIENT_SECRET=" + partner.at("client_secret").get<std::string>();

  testutil::ChildProcess server;
  ASSERT_TRUE(
      server.Start({Vivasim(), "serve", "--dir", w.string(), "--port", "0"}, dir / "serve"));
  std::string base, authority;
  for (int i = 0; i < 3000 && base.empty(); ++i) {
    const std::string out = server.stdout_text();
    if (auto nl = out.find('\n'); nl != std::string::npos) {
      auto j = json::parse(out.substr(0, nl));
      base = j.at("baseUrl").get<std::string>();
      authority = j.at("authority").get<std::string>();
    } else {
      ASSERT_TRUE(server.Running()) << "vivasim serve exited: " << server.stderr_text();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ASSERT_FALSE(base.empty()) << "vivasim serve printed nothing";
  const fs::path config = dir / "vivalink.toml";
  testutil::WriteFile(
      config, "data_dir = \"" + (dir / "data").string() + "\"\n[storage]\nurl = \"file://" +
                  (dir / "drops").string() + "\"\n[keys]\nkeystore = \"" + (dir / "keys").string() +
                  "\"\napi_base_url = \"" + base + "\"\nauthority = \"" + authority +
                  "\"\nclient_id = \"" + partner.at("client_id").get<std::string>() +
                  "\"\n[database]\nurl = \"sqlite://" + (dir / "vivalink.db").string() +
                  "\"\n[log]\nlevel = \"warn\"\n");
  fs::create_directories(dir / "data");
  auto vl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {Vivalink(), "--config", config.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProgram(argv, {secret});
  };
  auto reg = vl({"keys", "register", "--tenant", tenant, "--create"});
  ASSERT_EQ(reg.exit_code, 0) << reg.err;
  for (int week = 0; week < weeks; ++week) {
    const std::chrono::year_month_day day{
        std::chrono::sys_days{std::chrono::year{2024} / std::chrono::January / 7} +
        std::chrono::days{7 * week}};
    char start[16];
    std::snprintf(start, sizeof start, "%04d-%02u-%02u", static_cast<int>(day.year()),
                  static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
    auto p = RunProgram({Vivasim(), "pipeline", "run", "--dir", w.string(), "--store",
                         "file://" + (dir / "drops").string(), "--week", start});
    ASSERT_EQ(p.exit_code, 0) << p.err;
  }
  auto run = vl({"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  server.Stop();  // the key API is needed by `run` only
  const fs::path tdir = w / "tenants" / tenant;
  auto crm = vl({"partner", "load", "--tenant", tenant, "--file", (tdir / "crm.csv").string(),
                 "--key", "Email", "--sum", "Revenue,Deals_won"});
  ASSERT_EQ(crm.exit_code, 0) << crm.err;
  auto hr = vl({"partner", "load", "--tenant", tenant, "--file", (tdir / "crm_static.csv").string(),
                "--key", "Email", "--date", "none"});
  ASSERT_EQ(hr.exit_code, 0) << hr.err;
  const fs::path out = dir / "report.json";
  auto report = vl({"report", "--output", (dir / "report.html").string(), "--json", out.string()});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  world->truth = json::parse(testutil::ReadFile(w / "ground_truth.json"));
  world->report = json::parse(testutil::ReadFile(out));
}

const json* Discovery(const World& world, const std::string& outcome) {
  for (const auto& d : world.report.at("discovery")) {
    if (d.at("outcome") == outcome) return &d;
  }
  return nullptr;
}

// Every planted linear driver of `outcome` in the top 8 with its sign; non-drivers not drivers.
void ExpectPlantedDrivers(const World& world, const std::string& outcome, int seed) {
  const json* d = Discovery(world, outcome);
  ASSERT_NE(d, nullptr) << outcome << " was not analysed (seed " << seed << ")";
  std::map<std::string, json> rows;
  for (const auto& b : d->at("behaviours")) rows[b.at("behaviour").get<std::string>()] = b;
  const json& truth = world.truth.at("outcomes").at(outcome);
  for (const auto& planted : truth.at("drivers")) {
    const std::string column = planted.at("column").get<std::string>();
    ASSERT_TRUE(rows.count(column)) << column << " missing (seed " << seed << ")";
    const json& row = rows.at(column);
    EXPECT_LE(row.at("rank").get<int>(), 8) << outcome << ": " << column << ", seed " << seed;
    EXPECT_EQ(row.at("sign").get<int>(), planted.at("sign") == "+" ? 1 : -1)
        << outcome << ": " << column << ", seed " << seed;
  }
  if (truth.contains("non_drivers")) {
    for (const auto& column : truth.at("non_drivers")) {
      const auto it = rows.find(column.get<std::string>());
      if (it == rows.end()) continue;
      EXPECT_FALSE(it->second.at("is_driver").get<bool>())
          << outcome << ": the non-driver " << column << " is called a driver, seed " << seed;
    }
  }
}

TEST(AnalysisE2E, TheMainJobRanksRevenuesPlantedDriversWithoutHints) {
  testutil::TempDir dir;
  World world;
  ASSERT_NO_FATAL_FAILURE(RunMainJob(dir.path(), 500, 8, 3, &world));
  const auto outcomes = world.report.at("outcomes").get<std::vector<std::string>>();
  // The partner's key metrics, Tenure_years being a person attribute (a candidate driver).
  EXPECT_EQ(outcomes, (std::vector<std::string>{"Deals_won", "Revenue", "Customer_satisfaction",
                                                "Attrition"}));
  ExpectPlantedDrivers(world, "Revenue", 3);
  // Every statement carries its uncertainty.
  for (const auto& b : Discovery(world, "Revenue")->at("behaviours")) {
    if (!b.at("is_driver").get<bool>()) continue;
    EXPECT_LT(b.at("ci_low").get<double>(), b.at("effect").get<double>());
    EXPECT_GT(b.at("ci_high").get<double>(), b.at("effect").get<double>());
  }
  const std::string html = testutil::ReadFile(dir.path() / "report.html");
  EXPECT_NE(html.find("What was found"), std::string::npos);
}

TEST(AnalysisE2ESlow, ThreeWorldsEveryOutcomeShapeAndGroupEffect) {
  for (int seed : {7, 11, 23}) {
    testutil::TempDir dir;
    World world;
    ASSERT_NO_FATAL_FAILURE(RunMainJob(dir.path(), 600, 8, seed, &world));
    for (const char* outcome : {"Revenue", "Deals_won", "Attrition"}) {
      ExpectPlantedDrivers(world, outcome, seed);
    }
    const json& revenue = world.truth.at("outcomes").at("Revenue");
    const json* d = Discovery(world, "Revenue");
    ASSERT_NE(d, nullptr);
    // The inverted U, reported for its metric with a CI that holds the planted peak.
    for (const auto& planted : revenue.at("nonlinear")) {
      bool found = false;
      for (const auto& s : d->at("shapes")) {
        if (s.at("behaviour") != planted.at("column")) continue;
        found = true;
        EXPECT_EQ(s.at("shape"), planted.at("shape")) << seed;
        const double peak = planted.at("peak").get<double>();
        EXPECT_LE(s.at("ci_low").get<double>(), peak) << seed;
        EXPECT_GE(s.at("ci_high").get<double>(), peak) << seed;
      }
      EXPECT_TRUE(found) << planted.at("column") << " has no shape, seed " << seed;
    }
    // The conditional effect, said of its group.
    for (const auto& planted : revenue.at("conditional")) {
      const auto when = planted.at("only_when").begin();
      const std::string attribute = when.key();
      const json group = when.value();
      bool found = false;
      for (const auto& c : d->at("conditional")) {
        found = found || (c.at("behaviour") == planted.at("column") &&
                          c.at("attribute") == attribute && c.at("group") == group);
      }
      EXPECT_TRUE(found) << planted.at("column") << " in " << group << ", seed " << seed
                         << "; reported: " << d->at("conditional").dump();
    }
  }
}

}  // namespace
}  // namespace vivalink
