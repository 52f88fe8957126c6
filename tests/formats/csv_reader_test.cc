#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "formats/reader.h"
#include "formats_testing.h"

namespace vivalink::formats {
namespace {

using core::StatusCode;
using testing::FirstError;
using ::testing::HasSubstr;
using testing::ReadTable;
using testing::ReadText;
using testing::SharedText;
using testing::Table;
using testing::TrickleSource;

Table MustRead(std::string text, ReaderOptions options = {}) {
  auto t = ReadText(std::move(text), std::move(options));
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : Table{};
}

// --- The Microsoft samples -----------------------------------------------------------------

TEST(CsvSamples, PersonQueryHasAllRowsAndColumns) {
  Table t = MustRead(SharedText("pq_data.csv"));
  EXPECT_EQ(t.rows(), 6900u);
  EXPECT_EQ(t.columns(), 73u);
  EXPECT_EQ(t.source_columns.size(), 73u);
  EXPECT_EQ(t.String("PersonId", 0), "7d99f98f-c0a6-4df9-b2c3-ec9507caf781");
  EXPECT_EQ(t.String("MetricDate", 0), "2024-04-28");
  EXPECT_DOUBLE_EQ(t.Number("Collaboration_hours", 0), 14.1287550730288);
  EXPECT_EQ(t.Number("Internal_network_size", 0), 63.0);
  EXPECT_EQ(t.String("LevelDesignation", 0), "Senior IC");
  EXPECT_EQ(t.String("PersonId", 6899), "e2dd4147-e39e-441b-a060-c86022e8eb3b");
  EXPECT_DOUBLE_EQ(t.Number("Email_hours", 6899), 9.44536008398982);
  EXPECT_EQ(t.Type("FunctionType"), ColumnType::kString);
  EXPECT_EQ(t.Type("Copilot_actions_taken_in_Copilot_chat__work_"), ColumnType::kNumber);
}

TEST(CsvSamples, WorkplaceAnalyticsQueryReadsBoolsAndDates) {
  Table t = MustRead(SharedText("wpa_sq_data.csv"));
  EXPECT_EQ(t.rows(), 4403u);
  EXPECT_EQ(t.source_columns.size(), 66u);
  EXPECT_EQ(t.columns(), 65u);  // attainment is empty throughout
  EXPECT_EQ(t.Last().Find("attainment"), -1);
  EXPECT_EQ(t.Type("IsActive"), ColumnType::kBool);
  EXPECT_EQ(t.Number("IsActive", 0), 1.0);
  EXPECT_EQ(t.String("Date", 4402), "1/26/2020");
  EXPECT_EQ(t.Type("Layer"), ColumnType::kString);  // an HR attribute, though it looks numeric
  EXPECT_DOUBLE_EQ(t.Number("Workweek_span", 0), 44.08445277777777);
}

TEST(CsvSamples, MeetingQueryDropsTheByteOrderMark) {
  Table t = MustRead(SharedText("mt_data.csv"));
  EXPECT_EQ(t.rows(), 612u);
  EXPECT_EQ(t.source_columns.size(), 41u);
  EXPECT_EQ(t.source_columns[0], "MeetingId");
  EXPECT_EQ(t.columns(), 40u);  // attainment is NA throughout
  EXPECT_EQ(t.String("Subject", 611), "Catch up on messages");
  EXPECT_EQ(t.Number("Duration", 611), 0.5);
  EXPECT_EQ(t.Type("Cancelled"), ColumnType::kBool);
  EXPECT_EQ(t.String("HireDate", 0), "20/04/2015");
}

TEST(CsvSamples, TrickledBytesGiveTheSameRows) {
  for (const char* file : {"pq_data.csv", "wpa_sq_data.csv", "mt_data.csv"}) {
    std::string text = SharedText(file);
    Table whole = MustRead(text);
    auto trickled =
        ReadTable(std::make_unique<TrickleSource>(text), {.batch_rows = 100, .chunk_bytes = 256});
    ASSERT_TRUE(trickled.ok()) << file << ": " << trickled.status().ToString();
    EXPECT_EQ(trickled->rows(), whole.rows()) << file;
    EXPECT_EQ(trickled->Dump(), whole.Dump()) << file;
  }
}

// --- RFC 4180 ----------------------------------------------------------------------------------

TEST(CsvReader, QuotedFieldsDoubledQuotesAndEmbeddedNewlines) {
  Table t = MustRead(
      "id,Subject,n\r\n"
      "a,\"x, y\",1\r\n"
      "b,\"say \"\"hi\"\"\",2\r\n"
      "c,\"two\r\nlines\",3\r\n"
      "d,plain,4\r\n");
  ASSERT_EQ(t.rows(), 4u);
  EXPECT_EQ(t.String("Subject", 0), "x, y");
  EXPECT_EQ(t.String("Subject", 1), "say \"hi\"");
  EXPECT_EQ(t.String("Subject", 2), "two\r\nlines");
  EXPECT_EQ(t.String("Subject", 3), "plain");
  EXPECT_EQ(t.Number("n", 3), 4.0);
}

TEST(CsvReader, LineNumbersCountNewlinesInsideQuotes) {
  core::Status s = FirstError("a,b\n1,\"x\ny\nz\"\n2,w\nthree,v\n", {.source_name = "q.csv"});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("q.csv: line 6"));  // record 3 starts on line 6
}

TEST(CsvReader, NullsAreUnquotedNaOrEmpty) {
  Table t = MustRead("s,n\n\"NA\",1\nNA,NA\n,\n\"\",\"\"\n");
  EXPECT_EQ(t.String("s", 0), "NA");
  EXPECT_TRUE(t.IsNull("s", 1));
  EXPECT_TRUE(t.IsNull("n", 1));
  EXPECT_TRUE(t.IsNull("s", 2));
  EXPECT_TRUE(t.IsNull("n", 2));
  EXPECT_EQ(t.String("s", 3), "");  // quoted empty text
  EXPECT_TRUE(t.IsNull("n", 3));    // ... is null in a number column
}

TEST(CsvReader, TrueFalseAreBools) {
  Table t = MustRead("IsInternal\nTRUE\nFALSE\nNA\n");
  EXPECT_EQ(t.Type("IsInternal"), ColumnType::kBool);
  EXPECT_EQ(t.Number("IsInternal", 0), 1.0);
  EXPECT_EQ(t.Number("IsInternal", 1), 0.0);
  EXPECT_TRUE(t.IsNull("IsInternal", 2));
}

TEST(CsvReader, HeaderNamesBecomeCanonical) {
  Table t = MustRead("PersonId,Collaboration hours,CollaborationHours2,,Emails sent\np,1,2,3,4\n");
  EXPECT_EQ(t.source_columns[1], "Collaboration hours");
  EXPECT_EQ(t.Number("Collaboration_hours", 0), 1.0);
  EXPECT_EQ(t.Number("CollaborationHours2", 0), 2.0);
  EXPECT_EQ(t.Number("column_4", 0), 3.0);  // an unnamed (pandas index) column
  EXPECT_EQ(t.Number("Emails_sent", 0), 4.0);
}

TEST(CsvReader, LastRecordWithoutNewlineAndTrailingEmptyField) {
  Table t = MustRead("a,b\n1,\n2,3");
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_TRUE(t.IsNull("b", 0));
  EXPECT_EQ(t.Number("b", 1), 3.0);
}

TEST(CsvReader, BlankLinesAreSkipped) {
  Table t = MustRead("\r\na\n1\n\n2\r\n\r\n");
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.Number("a", 1), 2.0);
}

TEST(CsvReader, HeaderOnlyHasNoRows) {
  Table t = MustRead("PersonId,MetricDate\n");
  EXPECT_EQ(t.rows(), 0u);
  EXPECT_EQ(t.source_columns.size(), 2u);
}

TEST(CsvReader, ForcedCsvFormatReadsBraceStartingText) {
  Table t = MustRead("{a}\n1\n", {.format = Format::kCsv});
  EXPECT_EQ(t.Number("_a_", 0), 1.0);
}

TEST(CsvReader, PiiColumnsAreDecryptedAsRead) {
  auto unwrap = [](std::string_view cipher, std::string& out) {
    if (!cipher.starts_with("enc:")) return core::DataLossError("not a ciphertext");
    out.assign(cipher.substr(4));
    return core::OkStatus();
  };
  Table t =
      MustRead("PersonId,Organization,n\nenc:p1,enc:Sales,1\nNA,x,2\n", {.decrypt_column = unwrap});
  EXPECT_EQ(t.String("PersonId", 0), "p1");
  EXPECT_EQ(t.String("Organization", 0), "enc:Sales");  // not PII: left alone
  EXPECT_TRUE(t.IsNull("PersonId", 1));                 // nulls are not decrypted
}

// --- Errors ------------------------------------------------------------------------------------

TEST(CsvErrors, UnterminatedQuoteIsDataLoss) {
  core::Status s = FirstError("a,b\n1,2\n3,\"open\n4,5\n", {.source_name = "x.csv"});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("x.csv: line 3 (byte offset 8)"));
  EXPECT_THAT(s.message(), HasSubstr("quoted field is not closed"));
}

TEST(CsvErrors, TextAfterClosingQuoteIsDataLoss) {
  core::Status s = FirstError("a\n\"x\"y\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 2"));
}

TEST(CsvErrors, WrongFieldCountIsDataLoss) {
  core::Status s = FirstError("a,b\n1,2\n1,2,3\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 3"));
  EXPECT_THAT(s.message(), HasSubstr("has 3 fields but the header has 2"));
  EXPECT_EQ(FirstError("a,b\n1\n").code(), StatusCode::kDataLoss);
}

TEST(CsvErrors, TextInNumberColumnIsDataLoss) {
  core::Status s = FirstError("Meeting_hours\n1.5\n2\nn/a\n", {.source_name = "pq.csv"});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("pq.csv: line 4"));
  EXPECT_THAT(s.message(), HasSubstr("\"Meeting_hours\" holds numbers"));
}

TEST(CsvErrors, DuplicateCanonicalHeaderIsDataLoss) {
  core::Status s = FirstError("Email hours,Email_hours\n1,2\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("both have the canonical name \"Email_hours\""));
}

TEST(CsvErrors, InvalidUtf8IsDataLoss) {
  core::Status s = FirstError("a\nok\ncaf\xE9\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 3"));
  EXPECT_THAT(s.message(), HasSubstr("UTF-8"));
}

TEST(CsvErrors, RecordTooLongIsDataLoss) {
  std::string text = "a\n\"" + std::string(10000, 'x') + "\"\n";
  auto r = ReadTable(std::make_unique<TrickleSource>(text),
                     {.max_line_bytes = 1000, .chunk_bytes = 128});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("line 2"));
  EXPECT_THAT(r.status().message(), HasSubstr("1000-byte limit"));
}

}  // namespace
}  // namespace vivalink::formats
