#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/writers.h"
#include "sim_test_util.h"
#include "testutil.h"

namespace vivalink::sim {
namespace {

namespace fs = std::filesystem;
using testing::Lines;
using testing::MustGenerate;
using testing::SmallOptions;

// Relative path -> bytes of every file under dir.
std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) {
      files[fs::relative(e.path(), dir).string()] = testutil::ReadFile(e.path());
    }
  }
  return files;
}

TEST(Simulator, SameSeedWritesByteIdenticalWorldsAndAnotherSeedDoesNot) {
  testutil::TempDir a, b, c;
  const OrgOptions o = SmallOptions(150, 5, 77, 2);
  ASSERT_TRUE(WriteOrganization(a.path(), MustGenerate(o)).ok());
  ASSERT_TRUE(WriteOrganization(b.path(), MustGenerate(o)).ok());
  OrgOptions other = o;
  other.seed = 78;
  ASSERT_TRUE(WriteOrganization(c.path(), MustGenerate(other)).ok());
  const auto sa = Snapshot(a.path()), sb = Snapshot(b.path()), sc = Snapshot(c.path());
  EXPECT_EQ(sa.size(), 3u + 2u * 7u);
  ASSERT_EQ(sa.size(), sb.size());
  for (const auto& [name, bytes] : sa) {
    ASSERT_TRUE(sb.count(name)) << name;
    EXPECT_TRUE(sb.at(name) == bytes) << name << " differs between two runs with one seed";
  }
  // Different seed: different tenant ids, so no metric file in common at all.
  int common = 0;
  for (const auto& [name, bytes] : sc) common += sa.count(name) && sa.at(name) == bytes;
  EXPECT_EQ(common, 0);
}

TEST(Simulator, WritesEveryFileOfTheLayout) {
  testutil::TempDir dir;
  const Organization org = MustGenerate(SmallOptions(60, 3, 5));
  ASSERT_TRUE(WriteOrganization(dir.path(), org).ok());
  for (const char* f : {"options.json", "partner.json", "ground_truth.json"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  const fs::path td = dir.path() / "tenants" / org.tenants[0].id;
  for (const char* f : {"people.jsonl", "users.jsonl", "metrics_v1.jsonl", "metrics_v0.jsonl",
                        "person_query.csv", "crm.csv", "crm_static.csv"}) {
    EXPECT_GT(fs::file_size(td / f), 0u) << f;
  }
  const nlohmann::json partner = nlohmann::json::parse(testutil::ReadFile(dir / "partner.json"));
  EXPECT_EQ(partner["client_id"], org.partner_client_id);
  EXPECT_EQ(partner["client_secret"], "test-secret");
  EXPECT_EQ(partner["tenants"][0], org.tenants[0].id);
  EXPECT_EQ(partner["api_url"], "");
  EXPECT_EQ(partner["token_url"], "");
  // people.jsonl: one line per person, manager ids resolve.
  EXPECT_EQ(Lines(testutil::ReadFile(td / "people.jsonl")).size(), org.tenants[0].people.size());
}

TEST(Simulator, MetricFilesAreTheWeeklyRowsConcatenated) {
  testutil::TempDir dir;
  const Organization org = MustGenerate(SmallOptions(80, 4, 5));
  ASSERT_TRUE(WriteOrganization(dir.path(), org).ok());
  const fs::path td = dir.path() / "tenants" / org.tenants[0].id;
  std::string v1, csv;
  for (int w = 0; w < 4; ++w) {
    core::Result<std::vector<MetricRow>> rows = MetricsForWeek(org, 0, w);
    ASSERT_TRUE(rows.ok());
    v1 += FormatRows(RowShape::kV1, *rows);
    csv += FormatRows(RowShape::kPersonQuery, *rows, /*csv_header=*/w == 0);
  }
  EXPECT_TRUE(testutil::ReadFile(td / "metrics_v1.jsonl") == v1);
  EXPECT_TRUE(testutil::ReadFile(td / "person_query.csv") == csv);
}

TEST(Simulator, LoadOrganizationRegeneratesTheSameWorld) {
  testutil::TempDir dir;
  OrgOptions o = SmallOptions(120, 6, 9);
  o.crm_key = CrmKey::kObjectId;
  o.weekly_leave_rate = 0.01;
  const Organization org = MustGenerate(o);
  ASSERT_TRUE(WriteOrganization(dir.path(), org).ok());
  core::Result<Organization> loaded = LoadOrganization(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->partner_secret, "test-secret");
  EXPECT_EQ(loaded->options.crm_key, CrmKey::kObjectId);
  EXPECT_EQ(loaded->options.weekly_leave_rate, 0.01);
  core::Result<std::vector<MetricRow>> a = MetricsForWeek(org, 0, 5);
  core::Result<std::vector<MetricRow>> b = MetricsForWeek(*loaded, 0, 5);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(FormatRows(RowShape::kV0, *a), FormatRows(RowShape::kV0, *b));
}

TEST(Simulator, LoadOrganizationOfAnEmptyFolderIsNotFound) {
  testutil::TempDir dir;
  EXPECT_EQ(LoadOrganization(dir.path()).status().code(), core::StatusCode::kNotFound);
}

TEST(Simulator, MalformedOptionsJsonIsInvalidArgument) {
  EXPECT_EQ(OptionsFromJson("[1,2]").status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(OptionsFromJson("{\"people\":\"many\"}").status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(OptionsFromJson("{\"crm_key\":\"phone\"}").status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(OptionsFromJson("{\"weeks\":0}").status().code(), core::StatusCode::kInvalidArgument);
  core::Result<OrgOptions> o = OptionsFromJson(OptionsToJson(SmallOptions(33, 4, 123456789)));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->people, 33);
  EXPECT_EQ(o->seed, 123456789u);
}

TEST(Simulator, InitCommandWritesAWorldAndRefusesToOverwriteIt) {
  testutil::TempDir dir;
  InitArgs args;
  args.dir = dir.path() / "world";
  args.tenants = 2;
  args.people = 40;
  args.weeks = 3;
  args.seed = 5;
  std::ostringstream out, err;
  EXPECT_EQ(InitCommand(args, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("2 tenant(s)"), std::string::npos);
  EXPECT_TRUE(fs::exists(args.dir / "ground_truth.json"));
  const nlohmann::json partner =
      nlohmann::json::parse(testutil::ReadFile(args.dir / "partner.json"));
  EXPECT_GE(partner["client_secret"].get<std::string>().size(), 32u);  // random, not the seed's

  std::ostringstream out2, err2;
  EXPECT_EQ(InitCommand(args, out2, err2), 2);
  EXPECT_NE(err2.str().find("--force"), std::string::npos);
  args.force = true;
  EXPECT_EQ(InitCommand(args, out2, err2), 0);
}

TEST(Simulator, InitCommandRejectsBadArguments) {
  testutil::TempDir dir;
  std::ostringstream out, err;
  InitArgs args;
  args.dir = dir.path();
  args.people = 0;
  EXPECT_EQ(InitCommand(args, out, err), 2);
  args.people = 10;
  args.first_week = "2024-01-08";  // a Monday
  EXPECT_EQ(InitCommand(args, out, err), 2);
  EXPECT_NE(err.str().find("Sunday"), std::string::npos);
  args.first_week = "";
  args.crm_key = "phone";
  EXPECT_EQ(InitCommand(args, out, err), 2);
  args.crm_key = "email";
  args.dir.clear();
  EXPECT_EQ(InitCommand(args, out, err), 2);
}

}  // namespace
}  // namespace vivalink::sim
