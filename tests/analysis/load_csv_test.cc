#include "analysis/load_csv.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/io.h"
#include "testutil.h"

namespace vivalink::analysis {
namespace {

TEST(LoadCsvFrame, MissingFileIsNotFound) {
  auto r = LoadCsvFrame("/nonexistent/pq.csv");
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
}

TEST(LoadCsvFrame, KeepsOnlyWantedColumnsOfThePersonQuery) {
  auto r = LoadCsvFrame(testutil::SharedData("pq_data.csv").string(),
                        {"PersonId", "MetricDate", "Collaboration_hours"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->num_columns(), 3u);
  EXPECT_EQ(r->num_rows(), 6900u);
  EXPECT_TRUE(r->Find("Collaboration_hours")->is_numeric());
}

// Regression: formats::Column's constructor once left a stray leading offset (the first batch's
// strings came out shifted by one row: row 0 read "" and 300 persons became 301).
TEST(LoadCsvFrame, ReadsStringsOfThePersonQueryIntact) {
  auto r = LoadCsvFrame(testutil::SharedData("pq_data.csv").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const FrameColumn* person = r->Find("PersonId");
  ASSERT_NE(person, nullptr);
  EXPECT_EQ(person->levels.size(), 300u);
  EXPECT_EQ(person->StringAt(0), "7d99f98f-c0a6-4df9-b2c3-ec9507caf781");
  EXPECT_EQ(LevelOrder(*r->Find("MetricDate")).size(), 23u);
}

TEST(LoadCsvFrame, WantedColumnsTheFileLacksAreSkippedOnlyWhenAllowed) {
  const std::string path = testutil::SharedData("pq_data.csv").string();
  auto strict = LoadCsvFrame(path, {"PersonId", "Revenue"});
  EXPECT_EQ(strict.status().code(), core::StatusCode::kNotFound);
  auto lenient = LoadCsvFrame(path, {"PersonId", "Revenue"}, /*missing_wanted_ok=*/true);
  ASSERT_TRUE(lenient.ok()) << lenient.status().ToString();
  EXPECT_EQ(lenient->num_columns(), 1u);
  EXPECT_EQ(lenient->Find("Revenue"), nullptr);
}

TEST(LoadCsvFrame, StreamingTheFileGivesTheFrameOfTheWholeFileInMemory) {
  // pq_data.csv is several MiB: the streamed read crosses many read and batch boundaries.
  const std::string path = testutil::SharedData("pq_data.csv").string();
  const std::string text = testutil::ReadFile(path);
  ASSERT_GT(text.size(), 2u << 20);
  auto streamed = LoadCsvFrame(path);
  auto whole = LoadFrame(core::MemorySource::Owning(text), {.source_name = path});
  ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_EQ(streamed->num_rows(), whole->num_rows());
  ASSERT_EQ(streamed->num_columns(), whole->num_columns());
  for (size_t c = 0; c < whole->num_columns(); ++c) {
    const FrameColumn& a = streamed->columns()[c];
    const FrameColumn& b = whole->columns()[c];
    ASSERT_EQ(a.name, b.name);
    for (size_t r = 0; r < whole->num_rows(); ++r) {
      if (b.is_numeric()) {
        ASSERT_TRUE(a.numbers[r] == b.numbers[r] ||
                    (std::isnan(a.numbers[r]) && std::isnan(b.numbers[r])))
            << a.name << " row " << r;
      } else {
        ASSERT_EQ(a.StringAt(r), b.StringAt(r)) << a.name << " row " << r;
      }
    }
  }
}

}  // namespace
}  // namespace vivalink::analysis
