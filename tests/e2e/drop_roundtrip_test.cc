// Round trip through the two programs, as an operator would run them: `vivasim drop write`
// encrypts a rows file into a local store, `vivalink drop cat` verifies and decrypts it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/io.h"
#include "core/strings.h"
#include "formats/reader.h"
#include "testutil.h"

namespace vivalink {
namespace {

namespace fs = std::filesystem;
using testutil::RunProgram;

constexpr char kTenant[] = "3b9d2f4e-1c2a-4e5f-8a7b-6c5d4e3f2a1b";

class DropRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    vivalink_ = (testutil::BuildDir() / "src/cli/vivalink").string();
    vivasim_ = (testutil::BuildDir() / "src/cli/vivasim").string();
    auto r = RunProgram({vivalink_, "keys", "create", "--tenant", kTenant, "--keystore", Keys()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string Keys() const { return (dir_.path() / "keys").string(); }
  std::string Store() const { return "file://" + (dir_.path() / "store").string(); }

  // Writes input as a drop; returns the drop path.
  std::string Write(const fs::path& input, const std::string& kind = "VivaInsights",
                    const std::string& part_rows = "300") {
    auto r = RunProgram({vivasim_, "drop", "write", "--store", Store(), "--tenant", kTenant,
                         "--public-key", Keys() + "/" + kTenant + "/public.pem", "--input",
                         input.string(), "--keys-out", (dir_.path() / "keys.json").string(),
                         "--kind", kind, "--part-rows", part_rows});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out)["drop"].get<std::string>();
  }
  testutil::RunResult Cat(const std::string& drop, bool summary = false) {
    std::vector<std::string> argv = {vivalink_,
                                     "drop",
                                     "cat",
                                     "--store",
                                     Store(),
                                     "--drop",
                                     drop,
                                     "--keystore",
                                     Keys(),
                                     "--keys-file",
                                     (dir_.path() / "keys.json").string()};
    if (summary) argv.push_back("--summary");
    return RunProgram(argv);
  }

  testutil::TempDir dir_;
  std::string vivalink_, vivasim_;
};

std::vector<std::string> NonEmptyLines(const std::string& text) {
  std::vector<std::string> out;
  for (auto l : core::Split(text, '\n')) {
    if (!core::Trim(l).empty()) out.emplace_back(l);
  }
  return out;
}

void ExpectSameJsonLines(const fs::path& input, const std::string& output) {
  auto want = NonEmptyLines(testutil::ReadFile(input));
  auto got = NonEmptyLines(output);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(nlohmann::json::parse(got[i]), nlohmann::json::parse(want[i]))
        << input.filename() << " row " << i;
  }
}

TEST_F(DropRoundTrip, VivaInsightsV0NumbersComeBackIdentical) {
  auto in = testutil::SharedData("VivaInsightsDataset_v0.jsonl");
  auto r = Cat(Write(in));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectSameJsonLines(in, r.out);
}

TEST_F(DropRoundTrip, VivaInsightsV0StringNumbersComeBackIdentical) {
  auto in = testutil::SharedData("SampleVivaInsightsMetricData.jsonl");
  auto r = Cat(Write(in));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectSameJsonLines(in, r.out);
}

TEST_F(DropRoundTrip, VivaInsightsV1DisplayNamesComeBackIdentical) {
  auto in = testutil::SharedData("VivaInsightsDataset_v1.jsonl");
  std::string drop = Write(in);
  auto r = Cat(drop);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectSameJsonLines(in, r.out);
  auto s = Cat(drop, /*summary=*/true);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("rows: 1000\n"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("columns: 69\n"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("validation: ok"), std::string::npos) << s.out;
}

TEST_F(DropRoundTrip, UserExportComesBackIdentical) {
  auto in = testutil::SharedData("BasicDataSet_v0.User_v1.jsonl");
  auto r = Cat(Write(in, "AADUser"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectSameJsonLines(in, r.out);
}

TEST_F(DropRoundTrip, CalendarViewDatasetComesBackIdentical) {
  // An MGDC dataset without person-week keys travels like the user export.
  auto in = testutil::SharedData("BasicDataSet_v0.CalendarView_v0.jsonl");
  auto r = Cat(Write(in, "AADUser"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectSameJsonLines(in, r.out);
}

// Reads a file through the formats readers into (column name -> values as text).
std::map<std::string, std::vector<std::string>> Table(std::string data, formats::Format format) {
  formats::ReaderOptions ro;
  ro.format = format;
  auto reader = formats::OpenRowReader(core::MemorySource::Owning(std::move(data)), ro);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  std::map<std::string, std::vector<std::string>> out;
  formats::RowBatch batch;
  while (true) {
    auto more = (*reader)->Next(batch);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      const auto& col = batch.column(c);
      auto& vals = out[col.name()];
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        if (col.IsNull(r)) {
          vals.push_back("<null>");
        } else if (col.type() == formats::ColumnType::kString) {
          vals.emplace_back(col.StringAt(r));
        } else {
          vals.push_back(fmt::format("{}", col.NumberAt(r)));
        }
      }
    }
  }
  return out;
}

TEST_F(DropRoundTrip, PersonQueryCsvComesBackWithTheSameValues) {
  auto in = testutil::SharedData("pq_data.csv");
  auto r = Cat(Write(in, "VivaInsights", "2000"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto want = Table(testutil::ReadFile(in), formats::Format::kCsv);
  auto got = Table(r.out, formats::Format::kJsonLines);
  ASSERT_EQ(want.size(), 73u);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, values] : want) {
    ASSERT_TRUE(got.count(name)) << name;
    ASSERT_EQ(got[name].size(), 6900u) << name;
    EXPECT_EQ(got[name], values) << name;
  }
}

TEST_F(DropRoundTrip, CorruptPartPrintsNothingAndNamesTheBlob) {
  std::string drop = Write(testutil::SharedData("VivaInsightsDataset_v1.jsonl"));
  fs::path part = dir_.path() / "store" / drop / "part-00001.json.gz";
  std::string bytes = testutil::ReadFile(part);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x20);
  testutil::WriteFile(part, bytes);
  auto r = Cat(drop);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty()) << "partial output of " << r.out.size() << " bytes";
  EXPECT_NE(r.err.find("part-00001.json.gz"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("DataLoss"), std::string::npos) << r.err;
}

TEST_F(DropRoundTrip, AnotherTenantsKeyCannotOpenTheDrop) {
  std::string drop = Write(testutil::SharedData("VivaInsightsDataset_v1.jsonl"));
  // Replace this tenant's key pair with a fresh one: the keys were wrapped for the old one.
  fs::remove_all(dir_.path() / "keys" / kTenant);
  ASSERT_EQ(RunProgram({vivalink_, "keys", "create", "--tenant", kTenant, "--keystore", Keys()})
                .exit_code,
            0);
  auto r = Cat(drop);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("PermissionDenied"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vivalink
