#include "formats/writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "formats/reader.h"
#include "formats_testing.h"

namespace vivalink::formats {
namespace {

using core::StatusCode;
using testing::ReadText;
using testing::SharedText;
using testing::Table;

Table MustRead(std::string text, ReaderOptions options = {}) {
  auto t = ReadText(std::move(text), std::move(options));
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : Table{};
}

std::string WriteJson(const Table& t, WriterOptions options = {}) {
  core::StringSink sink;
  JsonLinesWriter writer(sink, std::move(options));
  for (const auto& b : t.batches) EXPECT_TRUE(writer.Write(b).ok());
  EXPECT_TRUE(writer.Flush().ok());
  EXPECT_EQ(writer.rows_written(), t.rows());
  return sink.data();
}

std::string WriteCsv(const Table& t, WriterOptions options = {}) {
  core::StringSink sink;
  CsvWriter writer(sink, std::move(options));
  for (const auto& b : t.batches) EXPECT_TRUE(writer.Write(b).ok());
  EXPECT_TRUE(writer.Flush().ok());
  return sink.data();
}

RowBatch SmallBatch() {
  RowBatch b;
  size_t s = b.AddColumn("Subject", ColumnType::kString);
  size_t n = b.AddColumn("Collaboration_hours", ColumnType::kNumber);
  size_t f = b.AddColumn("IsActive", ColumnType::kBool);
  b.mutable_column(s).AppendString("say \"hi\", \\ \n\t\x01 caf\xC3\xA9");
  b.mutable_column(n).AppendNumber(0.1);
  b.mutable_column(f).AppendNumber(1);
  b.FinishRow();
  b.mutable_column(s).AppendNull();
  b.mutable_column(n).AppendNumber(169);
  b.mutable_column(f).AppendNumber(0);
  b.FinishRow();
  b.mutable_column(s).AppendString("NA");
  b.mutable_column(n).AppendNumber(std::numeric_limits<double>::infinity());
  b.mutable_column(f).AppendNull();
  b.FinishRow();
  return b;
}

TEST(JsonLinesWriter, EscapesStringsAndPrintsShortestNumbers) {
  std::string out = ToJsonLines(SmallBatch());
  EXPECT_EQ(out,
            "{\"Subject\":\"say \\\"hi\\\", \\\\ \\n\\t\\u0001 caf\xC3\xA9\","
            "\"Collaboration_hours\":0.1,\"IsActive\":true}\n"
            "{\"Subject\":null,\"Collaboration_hours\":169,\"IsActive\":false}\n"
            "{\"Subject\":\"NA\",\"Collaboration_hours\":null,\"IsActive\":null}\n");
}

TEST(JsonLinesWriter, SkipNullsAndOutputNames) {
  std::string out = ToJsonLines(
      SmallBatch(),
      {.output_names = {{"Collaboration_hours", "Collaboration hours"}}, .skip_nulls = true});
  EXPECT_THAT(out, ::testing::HasSubstr("{\"Collaboration hours\":169,\"IsActive\":false}\n"));
  EXPECT_THAT(out, ::testing::EndsWith("{\"Subject\":\"NA\"}\n"));
}

TEST(JsonLinesWriter, NumbersRoundTripExactly) {
  RowBatch b;
  b.AddColumn("x", ColumnType::kNumber);
  const double values[] = {0.1, 1.0 / 3, 2.201769278401067, 1e300, -5e-324, 123456789012345678.0};
  for (double v : values) {
    b.mutable_column(0).AppendNumber(v);
    b.FinishRow();
  }
  Table t = MustRead(ToJsonLines(b));
  for (size_t i = 0; i < std::size(values); ++i) EXPECT_EQ(t.Number("x", i), values[i]) << i;
}

TEST(JsonLinesWriter, SamplesRoundTripThroughTheReader) {
  for (const char* file : {"VivaInsightsDataset_v0.jsonl", "VivaInsightsDataset_v1.jsonl",
                           "BasicDataSet_v0.CalendarView_v0.jsonl"}) {
    Table original = MustRead(SharedText(file));
    std::string json = WriteJson(original, {.output_names = SourceNames(original.source_columns)});
    Table again = MustRead(json);
    EXPECT_EQ(again.Dump(), original.Dump()) << file;
    // Columns null throughout never reach a batch, so they are not written.
    if (original.columns() == original.source_columns.size()) {
      EXPECT_EQ(again.source_columns, original.source_columns) << file;
    }
  }
}

TEST(JsonLinesWriter, V1WrittenUnderSourceNamesKeepsDisplayNames) {
  Table t = MustRead(SharedText("VivaInsightsDataset_v1.jsonl"));
  std::string json = WriteJson(t, {.output_names = SourceNames(t.source_columns)});
  EXPECT_THAT(json,
              ::testing::StartsWith("{\"PersonId\":\"007cc8e6-fcfc-34f2-b3da-d800cb284b21\","
                                    "\"MetricDate\":\"2022-01-01T00:00:00Z\","
                                    "\"After-hours collaboration hours\":126.00418432003623,"));
}

TEST(CsvWriter, QuotesWhatNeedsQuotingAndWritesNa) {
  core::StringSink sink;
  CsvWriter writer(sink);
  ASSERT_TRUE(writer.Write(SmallBatch()).ok());
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(sink.data(),
            "Subject,Collaboration_hours,IsActive\n"
            "\"say \"\"hi\"\", \\ \n\t\x01 caf\xC3\xA9\",0.1,TRUE\n"
            "NA,169,FALSE\n"
            "\"NA\",NA,NA\n");
  Table t = MustRead(sink.data());
  EXPECT_EQ(t.String("Subject", 0), "say \"hi\", \\ \n\t\x01 caf\xC3\xA9");
  EXPECT_TRUE(t.IsNull("Subject", 1));
  EXPECT_EQ(t.String("Subject", 2), "NA");
}

TEST(CsvWriter, SamplesRoundTripThroughTheReader) {
  for (const char* file : {"pq_data.csv", "wpa_sq_data.csv", "VivaInsightsDataset_v1.jsonl"}) {
    Table original = MustRead(SharedText(file));
    Table again = MustRead(WriteCsv(original));
    EXPECT_EQ(again.Dump(), original.Dump()) << file;
  }
}

TEST(CsvWriter, ColumnAfterHeaderIsFailedPrecondition) {
  core::StringSink sink;
  CsvWriter writer(sink);
  RowBatch one;
  one.AddColumn("a", ColumnType::kNumber);
  ASSERT_TRUE(writer.Write(one).ok());
  RowBatch two;
  two.AddColumn("a", ColumnType::kNumber);
  two.AddColumn("b", ColumnType::kNumber);
  core::Status s = writer.Write(two);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("\"b\""));
}

TEST(CsvWriter, FixedColumnsFillMissingWithNulls) {
  core::StringSink sink;
  CsvWriter writer(sink, {.csv_columns = {"a", "b"}});
  RowBatch one;
  one.AddColumn("b", ColumnType::kNumber);
  one.mutable_column(0).AppendNumber(2);
  one.FinishRow();
  ASSERT_TRUE(writer.Write(one).ok());
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(sink.data(), "a,b\nNA,2\n");
}

}  // namespace
}  // namespace vivalink::formats
