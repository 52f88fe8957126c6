// Column projection (ReaderOptions::columns) and the two-part parallel read of CSV files
// (OpenRowFileReader): unasked columns are never converted; a parallel read gives exactly what a
// sequential read gives, rows, schema, line numbers and errors, wherever the split falls.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "formats/reader.h"
#include "formats/writer.h"
#include "formats_testing.h"
#include "testutil.h"

namespace vivalink::formats {
namespace {

using core::StatusCode;
using testing::FirstError;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadText;
using testing::Table;

// --- Projection ----------------------------------------------------------------------------

// Score is a number column that turns to text on line 4: only an error when Score is read.
const char kGarbageScore[] =
    "PersonId,MetricDate,Collaboration_hours,Score\n"
    "p1,2024-01-07,1.5,10\n"
    "p2,2024-01-07,2.5,20\n"
    "p3,2024-01-07,3.5,secret-garbage\n";

TEST(CsvProjection, UnaskedColumnWithGarbageNumbersIsNeverConverted) {
  // Without projection the file is refused: the test below can fail.
  EXPECT_EQ(FirstError(kGarbageScore).code(), StatusCode::kDataLoss);
  auto t = ReadText(kGarbageScore, {.columns = {"PersonId", "Collaboration_hours"}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->rows(), 3u);
  EXPECT_DOUBLE_EQ(t->Number("Collaboration_hours", 2), 3.5);
}

TEST(CsvProjection, AskedColumnWithGarbageNamesFileAndRowWithoutQuotingIt) {
  core::Status s = FirstError(
      kGarbageScore,
      {.source_name = "pq.csv", .quote_values_in_errors = false, .columns = {"PersonId", "Score"}});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("pq.csv: line 4"));
  EXPECT_THAT(s.message(), HasSubstr("Score"));
  EXPECT_THAT(s.message(), Not(HasSubstr("secret-garbage")));
}

TEST(CsvProjection, BatchesHoldOnlyAskedColumnsAndSourceColumnsListsAll) {
  auto t = ReadText(kGarbageScore, {.columns = {"MetricDate", "PersonId", "NotInTheFile"}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->columns(), 2u);
  EXPECT_EQ(t->Last().column(0).name(), "PersonId");  // file order, not the asked order
  EXPECT_EQ(t->Last().column(1).name(), "MetricDate");
  EXPECT_EQ(t->source_columns.size(), 4u);
  EXPECT_EQ(t->String("MetricDate", 1), "2024-01-07");
}

TEST(CsvProjection, MalformedRecordInUnaskedColumnsIsStillAnError) {
  core::Status short_row = FirstError("PersonId,A,B\np1,1,2\np2,1\n", {.columns = {"PersonId"}});
  EXPECT_EQ(short_row.code(), StatusCode::kDataLoss);
  EXPECT_THAT(short_row.message(), HasSubstr("line 3"));
  core::Status bad_utf8 =
      FirstError("PersonId,A\np1,\xff\xfe\n", {.source_name = "x.csv", .columns = {"PersonId"}});
  EXPECT_EQ(bad_utf8.code(), StatusCode::kDataLoss);
  EXPECT_THAT(bad_utf8.message(), HasSubstr("x.csv: line 2"));
  core::Status open_quote =
      FirstError("PersonId,A\np1,\"never closed\n", {.columns = {"PersonId"}});
  EXPECT_EQ(open_quote.code(), StatusCode::kDataLoss);
}

TEST(CsvProjection, JsonLinesSkipUnaskedKeysToo) {
  auto t = ReadText("{\"PersonId\":\"p1\",\"Score\":1}\n{\"PersonId\":\"p2\",\"Score\":\"x\"}\n",
                    {.columns = {"PersonId"}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->rows(), 2u);
  EXPECT_EQ(t->columns(), 1u);
}

// --- Parallel read of a file ---------------------------------------------------------------

// Everything a read produced, comparable between a sequential and a parallel read (their batch
// boundaries differ): the rows (each with its batch's first line when with_lines: exact per row
// with one-row batches), the final schema, or the error.
struct Outcome {
  std::string rows;
  std::string schema;
  std::string error;
  uint64_t rows_read = 0;
};

Outcome ReadFileWith(const std::string& path, ReaderOptions options, bool with_lines) {
  Outcome out;
  auto reader = OpenRowFileReader(path, options);
  if (!reader.ok()) {
    out.error = reader.status().ToString();
    return out;
  }
  RowBatch batch;
  while (true) {
    auto more = (*reader)->Next(batch);
    if (!more.ok()) {
      out.error = more.status().ToString();
      // Sticky: the same error again.
      auto again = (*reader)->Next(batch);
      EXPECT_FALSE(again.ok());
      if (!again.ok()) {
        EXPECT_EQ(again.status().ToString(), out.error);
      }
      break;
    }
    if (!*more) break;
    if (with_lines) out.rows += "line " + std::to_string(batch.first_line) + ": ";
    out.rows += ToJsonLines(batch, {.skip_nulls = true});
    out.schema.clear();
    for (const auto& c : batch.columns()) {
      out.schema += c.name() + ":" + std::to_string(static_cast<int>(c.type())) + " ";
    }
  }
  out.rows_read = (*reader)->rows_read();
  return out;
}

// Reads path sequentially and in two parts (the split forced on small files, small chunks so
// that every boundary is crossed) and expects the same outcome: once with 7-row batches, once
// with 1-row batches comparing every row's line number. Returns the sequential outcome of the
// first.
Outcome ExpectParallelEqualsSequential(const std::string& path, ReaderOptions options = {}) {
  options.source_name = "pq.csv";
  options.chunk_bytes = 256;
  Outcome first;
  for (size_t batch_rows : {size_t{7}, size_t{1}}) {
    SCOPED_TRACE("batch_rows " + std::to_string(batch_rows));
    options.batch_rows = batch_rows;
    options.threads = 1;
    Outcome sequential = ReadFileWith(path, options, batch_rows == 1);
    options.threads = 2;
    options.parallel_min_bytes = 0;
    Outcome parallel = ReadFileWith(path, options, batch_rows == 1);
    EXPECT_EQ(parallel.error, sequential.error);
    // No partial batch comes with an error, so with several rows a batch the rows before an
    // error depend on where batches start; with one row a batch they must agree too.
    if (sequential.error.empty() || batch_rows == 1) {
      EXPECT_EQ(parallel.schema, sequential.schema);
      EXPECT_EQ(parallel.rows, sequential.rows);
      EXPECT_EQ(parallel.rows_read, sequential.rows_read);
    }
    if (batch_rows == 7) first = sequential;
  }
  return first;
}

// A person query of n rows; row(i) may override a row's text.
std::string PersonQuery(int n, const std::function<std::string(int)>& row = nullptr) {
  std::string text = "PersonId,MetricDate,Collaboration_hours,Note,Organization\n";
  for (int i = 0; i < n; ++i) {
    std::string r = row ? row(i) : "";
    if (r.empty()) {
      r = "p" + std::to_string(i) + ",2024-01-07," + std::to_string(i % 17) + ".25,\"a, b\",Org" +
          std::to_string(i % 3) + "\n";
    }
    text += r;
  }
  return text;
}

TEST(CsvParallel, SameRowsSchemaAndLinesAsSequential) {
  testutil::TempDir dir;
  // Organization is null in the first half and typed in the second; CRLF and quoted commas.
  std::string text = PersonQuery(120, [](int i) -> std::string {
    if (i < 60) return "p" + std::to_string(i) + ",2024-01-07," + std::to_string(i) + ",x,\r\n";
    return "";
  });
  testutil::WriteFile(dir / "pq.csv", text);
  Outcome o = ExpectParallelEqualsSequential((dir / "pq.csv").string());
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.rows_read, 120u);
  EXPECT_THAT(o.schema, HasSubstr("Organization"));
  // Projected too.
  ExpectParallelEqualsSequential((dir / "pq.csv").string(),
                                 {.columns = {"PersonId", "Organization"}});
}

TEST(CsvParallel, QuotedNewlinesAcrossTheSplitGiveTheSequentialRows) {
  testutil::TempDir dir;
  // The middle of the file falls inside a quoted field whose lines look like records (same field
  // count): the second thread's guess parses them as rows, and must be thrown away.
  std::string fake_rows;
  for (int k = 0; k < 60; ++k) fake_rows += "fake" + std::to_string(k) + ",2024-01-14,9,y,OrgX\n";
  std::string text = PersonQuery(101, [&](int i) -> std::string {
    if (i == 50) return "p50,2024-01-07,1,\"" + fake_rows + "\",Org1\n";
    return "";
  });
  testutil::WriteFile(dir / "pq.csv", text);
  Outcome o = ExpectParallelEqualsSequential((dir / "pq.csv").string());
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.rows_read, 101u);
  EXPECT_THAT(o.rows, Not(HasSubstr("\"PersonId\":\"fake")));
}

TEST(CsvParallel, SplitAtEveryOffsetOfAQuotedNewlineFileGivesTheSequentialRows) {
  testutil::TempDir dir;
  // Short files with newlines in quotes everywhere: over many sizes the middle lands on every
  // kind of byte (inside quotes, on a doubled quote, a CR, a blank line).
  for (int n = 1; n < 24; ++n) {
    std::string text = PersonQuery(n, [](int i) -> std::string {
      switch (i % 4) {
        case 0:
          return "p" + std::to_string(i) + ",2024-01-07,1,\"line\nbreak \"\"q\"\"\r\n\",O\r\n";
        case 1:
          return "\n";
        default:
          return "";
      }
    });
    testutil::WriteFile(dir / "pq.csv", text);
    SCOPED_TRACE("rows " + std::to_string(n));
    ExpectParallelEqualsSequential((dir / "pq.csv").string());
  }
}

TEST(CsvParallel, ColumnTypedOtherwiseInTheSecondPartReadsAsSequential) {
  testutil::TempDir dir;
  // Text first, numbers in the second part: a sequential read keeps the numbers as text.
  std::string text = PersonQuery(100, [](int i) -> std::string {
    return "p" + std::to_string(i) + ",2024-01-07,1,x," + (i < 5 ? "abc" : "12") + "\n";
  });
  testutil::WriteFile(dir / "pq.csv", text);
  Outcome o = ExpectParallelEqualsSequential((dir / "pq.csv").string());
  EXPECT_EQ(o.error, "");
  EXPECT_THAT(o.rows, HasSubstr("\"Organization\":\"12\""));
}

// Found by the fuzz target: a quoted "" in a column the first part had made text is the empty
// text; read by the second part before it typed the column, it was null.
TEST(CsvParallel, QuotedEmptyTextInTheSecondPartStaysText) {
  testutil::TempDir dir;
  std::string text = "PersonId,Custom\n";
  for (int i = 0; i < 100; ++i) text += "p" + std::to_string(i) + (i < 10 ? ",abc\n" : ",\"\"\n");
  testutil::WriteFile(dir / "pq.csv", text);
  Outcome o = ExpectParallelEqualsSequential((dir / "pq.csv").string());
  EXPECT_THAT(o.rows, HasSubstr("{\"PersonId\":\"p99\",\"Custom\":\"\"}"));
}

TEST(CsvParallel, ErrorInTheSecondPartIsTheSequentialError) {
  testutil::TempDir dir;
  // A number column with text at row 70 (line 72), then a short row later.
  std::string text = PersonQuery(100, [](int i) -> std::string {
    if (i == 70) return "p70,2024-01-07,not-a-number,x,O\n";
    if (i == 85) return "p85,2024-01-07\n";
    return "";
  });
  testutil::WriteFile(dir / "pq.csv", text);
  Outcome o =
      ExpectParallelEqualsSequential((dir / "pq.csv").string(), {.quote_values_in_errors = false});
  EXPECT_THAT(o.error, HasSubstr("pq.csv: line 72"));
  // Projected away, the bad number is no error and the short row is.
  Outcome p = ExpectParallelEqualsSequential((dir / "pq.csv").string(), {.columns = {"PersonId"}});
  EXPECT_THAT(p.error, HasSubstr("pq.csv: line 87"));
}

TEST(CsvParallel, BufferCapHandsTheRestToTheCallersThread) {
  testutil::TempDir dir;
  testutil::WriteFile(dir / "pq.csv", PersonQuery(100));
  Outcome o =
      ExpectParallelEqualsSequential((dir / "pq.csv").string(), {.parallel_buffer_bytes = 1});
  EXPECT_EQ(o.rows_read, 100u);
}

TEST(CsvParallel, ReaderDestroyedEarlyStopsItsThread) {
  testutil::TempDir dir;
  testutil::WriteFile(dir / "pq.csv", PersonQuery(200));
  auto reader = OpenRowFileReader((dir / "pq.csv").string(),
                                  {.batch_rows = 10, .threads = 2, .parallel_min_bytes = 0});
  ASSERT_TRUE(reader.ok());
  RowBatch batch;
  auto more = (*reader)->Next(batch);
  ASSERT_TRUE(more.ok() && *more);
  reader->reset();  // joins the second thread (ASan/TSan builds would see a leak or a race)
}

TEST(CsvParallel, MissingFileIsNotFound) {
  auto reader = OpenRowFileReader("/nonexistent/pq.csv", {.threads = 2});
  EXPECT_EQ(reader.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vivalink::formats
