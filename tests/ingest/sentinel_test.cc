// PROTOCOL §8.2: only configured data is stored and decrypted bytes never touch disk. A sentinel is
// planted in columns the configuration does not store; after a run, no file the run wrote or
// touched (database, WAL/journal, log file, key store, store folder, temp folder) holds the
// sentinel, a raw person id, or a raw JSON line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/log.h"
#include "ingest/commands.h"
#include "ingest_fixture.h"

namespace vivalink::ingest {
namespace {

using testing::MetricRows;
using testing::World;

constexpr char kSentinel[] = "SENTINEL-7f3a9c41e2";

// Files under root that contain needle (binary search). skip: a folder not to search.
std::vector<std::string> FilesContaining(const std::filesystem::path& root,
                                         const std::string& needle,
                                         const std::filesystem::path& skip = {}) {
  std::vector<std::string> hits;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    if (!skip.empty() && e.path().string().starts_with(skip.string() + "/")) continue;
    std::string data = testutil::ReadFile(e.path());
    if (data.find(needle) != std::string::npos) hits.push_back(e.path().string());
  }
  return hits;
}

TEST(Sentinel, UnconfiguredColumnsRawIdsAndJsonLinesReachNoFile) {
  World world;
  std::filesystem::path tmp = world.root() / "tmp";
  std::filesystem::create_directories(tmp);
  const char* old_tmp = std::getenv("TMPDIR");
  std::string saved_tmp = old_tmp != nullptr ? old_tmp : "";
  ::setenv("TMPDIR", tmp.c_str(), 1);
  core::InitLogging({.level = core::LogLevel::kDebug, .file = (world.root() / "vl.log").string()});

  Config config = world.MakeConfig(world.sqlite_url());
  config.retention_days = 0;
  config.store_metrics = {"Collaboration_hours"};
  config.store_all_metrics = false;
  config.store_attributes = {"Organization"};
  config.store_all_attributes = false;
  config.pseudonymise = true;
  world.Write({.run_id = "11111111-1111-4111-8111-111111111111",
               .rows = MetricRows(20, "2024-01-07", 0, "Secret note", kSentinel),
               .part_rows = 7});
  // A second drop that fails validation after its rows were inserted in the transaction.
  world.Write({.run_id = "22222222-2222-4222-8222-222222222222",
               .rows = MetricRows(20, "2024-01-14", 0, "Secret note", kSentinel),
               .part_rows = 7,
               .rows_delta = 3});
  auto r = RunOnce(config, {.progress = 0});
  core::InitLogging({});
  if (old_tmp != nullptr) {
    ::setenv("TMPDIR", saved_tmp.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->done, 1);
  EXPECT_EQ(r->failed, 1);

  EXPECT_TRUE(std::filesystem::exists(world.root() / "vl.log"));
  EXPECT_TRUE(std::filesystem::exists(world.root() / "db/vivalink.db"));
  EXPECT_EQ(FilesContaining(world.root(), kSentinel), std::vector<std::string>{});
  // Column names of unconfigured columns: the upstream's own metadata.json (the input, kept for
  // the failed drop's retry) names them, nothing vivalink wrote may.
  const std::filesystem::path input = world.root() / "store";
  EXPECT_EQ(FilesContaining(world.root(), "Secret note", input), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(world.root(), "Secret_note"), std::vector<std::string>{});
  // FunctionType is an attribute the configuration does not keep.
  EXPECT_EQ(FilesContaining(world.root(), "FunctionType", input), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(world.root(), "\"MetricDate\":"), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(world.root(), "{\"PersonId\""), std::vector<std::string>{});
  for (int i : {0, 7, 19}) {
    EXPECT_EQ(FilesContaining(world.root(), testing::PersonGuid(i)), std::vector<std::string>{})
        << "raw person id " << i;
  }
  // The stored metric is there, so the scan looks at the right files.
  EXPECT_FALSE(FilesContaining(world.root(), "Collaboration_hours").empty());
}

// Issue 10 item 9: parse errors put 40-byte excerpts of decrypted cells, and the full MetricDate
// value, into the ledger's last_error and the logs; the test above covered only the row-count
// path. Each drop here fails on another error path with the sentinel in the failing cell.
TEST(Sentinel, NoErrorPathQuotesADecryptedCell) {
  World world;
  core::InitLogging({.level = core::LogLevel::kDebug, .file = (world.root() / "vl.log").string()});
  Config config = world.MakeConfig(world.sqlite_url());
  auto rows_with = [](const std::string& field, const std::string& value) {
    std::string rows = MetricRows(4, "2024-01-07");
    rows += fmt::format(
        R"({{"PersonId":"{}","MetricDate":"2024-01-07","Collaboration hours":"3","After-hours email hours":1,"Organization":"Org1","FunctionType":"F1","{}":"{}"}})",
        testing::PersonGuid(9), field, value);
    rows += "\n";
    return rows;
  };
  // A numeric column holding text (type conflict).
  std::string conflict = MetricRows(4, "2024-01-07");
  conflict += fmt::format(
      R"({{"PersonId":"{}","MetricDate":"2024-01-07","Collaboration hours":"{}","After-hours email hours":1,"Organization":"Org1","FunctionType":"F1"}})",
      testing::PersonGuid(9), kSentinel);
  conflict += "\n";
  world.Write({.run_id = "11111111-1111-4111-8111-111111111111", .rows = conflict});
  // A MetricDate that is not a date.
  std::string bad_date = MetricRows(4, "2024-01-14");
  bad_date += fmt::format(
      R"({{"PersonId":"{}","MetricDate":"{}","Collaboration hours":"3","After-hours email hours":1,"Organization":"Org1","FunctionType":"F1"}})",
      testing::PersonGuid(9), kSentinel);
  bad_date += "\n";
  world.Write({.run_id = "22222222-2222-4222-8222-222222222222", .rows = bad_date});
  // A number too large for a double next to the sentinel row of another column.
  world.Write({.run_id = "33333333-3333-4333-8333-333333333333",
               .rows = rows_with("Collaboration hours", std::string(400, '9'))});
  auto r = RunOnce(config, {.progress = 0});
  core::InitLogging({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->failed, 3) << r->ToText();
  for (const DropResult& d : r->results) {
    EXPECT_EQ(d.error.code(), core::StatusCode::kDataLoss) << d.error.ToString();
    EXPECT_EQ(d.error.message().find(kSentinel), std::string::npos) << d.error.message();
    EXPECT_EQ(d.error.message().find("99999999"), std::string::npos) << d.error.message();
  }
  EXPECT_EQ(FilesContaining(world.root(), kSentinel), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(world.root(), "9999999999"), std::vector<std::string>{});
  EXPECT_TRUE(std::filesystem::exists(world.root() / "vl.log"));
}

}  // namespace
}  // namespace vivalink::ingest
