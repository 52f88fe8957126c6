#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

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

TEST(JsonLinesSamples, V0HasAllRowsWithCanonicalNames) {
  Table t = MustRead(SharedText("VivaInsightsDataset_v0.jsonl"));
  // 999 newlines: the last of the 1000 rows has none.
  EXPECT_EQ(t.rows(), 1000u);
  EXPECT_EQ(t.rows_read, 1000u);
  EXPECT_EQ(t.source_columns.size(), 25u);
  EXPECT_EQ(t.columns(), 25u);
  EXPECT_EQ(t.source_columns[0], "ObjectId");
  EXPECT_EQ(t.String("PersonId", 0), "b7f16999-b812-4462-b854-bcea37e7597c");
  EXPECT_EQ(t.String("MetricDate", 1), "2022-01-16T00:00:00Z");
  EXPECT_DOUBLE_EQ(t.Number("Collaboration_hours", 1), 12.404423);
  EXPECT_DOUBLE_EQ(t.Number("After_hours_collaboration_hours", 1), 0.27358335);
  EXPECT_DOUBLE_EQ(t.Number("Chat_hours", 1), 2.4127781);
  EXPECT_EQ(t.Type("Collaboration_hours"), ColumnType::kNumber);
  EXPECT_EQ(t.Type("IsActive"), ColumnType::kBool);
  EXPECT_EQ(t.Number("IsActive", 0), 0.0);
  EXPECT_EQ(t.Type("duplicateCol"), ColumnType::kString);
  EXPECT_EQ(t.String("duplicateCol", 0), "2022-01-16");
}

TEST(JsonLinesSamples, NumbersAsStringsEqualTheNumberFile) {
  Table numbers = MustRead(SharedText("VivaInsightsDataset_v0.jsonl"));
  Table strings = MustRead(SharedText("SampleVivaInsightsMetricData.jsonl"));
  ASSERT_EQ(strings.rows(), 1000u);
  ASSERT_EQ(numbers.rows(), strings.rows());
  EXPECT_EQ(strings.Type("Collaboration_hours"), ColumnType::kNumber);
  EXPECT_EQ(strings.Type("IsActive"), ColumnType::kBool);
  EXPECT_EQ(strings.Type("DuplicateCol"), ColumnType::kString);
  int compared = 0;
  for (const Column& c : numbers.Last().columns()) {
    if (c.type() == ColumnType::kString || c.name() == "IsActive") continue;
    for (size_t r = 0; r < numbers.rows(); ++r) {
      ASSERT_EQ(numbers.Number(c.name(), r), strings.Number(c.name(), r)) << c.name() << " " << r;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 20 * 1000);
  for (size_t r = 0; r < numbers.rows(); ++r) {
    ASSERT_EQ(numbers.Number("IsActive", r), strings.Number("IsActive", r)) << r;
    ASSERT_EQ(numbers.String("PersonId", r), strings.String("PersonId", r)) << r;
  }
}

TEST(JsonLinesSamples, V1DisplayNamesBecomeAnalystNames) {
  Table t = MustRead(SharedText("VivaInsightsDataset_v1.jsonl"));
  EXPECT_EQ(t.rows(), 1000u);
  EXPECT_EQ(t.columns(), 69u);
  EXPECT_EQ(t.source_columns[2], "After-hours collaboration hours");
  EXPECT_EQ(t.String("PersonId", 0), "007cc8e6-fcfc-34f2-b3da-d800cb284b21");
  EXPECT_EQ(t.Number("Collaboration_hours", 0), 169.0);
  EXPECT_DOUBLE_EQ(t.Number("After_hours_email_hours", 0), 2.201769278401067);
  EXPECT_DOUBLE_EQ(t.Number("Small_group_meeting,_call,_and_chat_hours", 0), 4.464290180571471);
  EXPECT_EQ(t.Type("Meeting_hours_with_manager_1_1"), ColumnType::kNumber);
  EXPECT_EQ(t.Type("IsActive"), ColumnType::kBool);
  EXPECT_EQ(t.Number("IsActive", 0), 1.0);
}

TEST(JsonLinesSamples, UserExportKeepsArraysAsCompactJson) {
  Table t = MustRead(SharedText("BasicDataSet_v0.User_v1.jsonl"));
  EXPECT_EQ(t.rows(), 10u);
  EXPECT_EQ(t.source_columns.size(), 53u);
  // Three columns are null in every row and so never get a type or a batch column.
  EXPECT_EQ(t.columns(), 50u);
  for (const char* absent :
       {"consentProvidedForMinor", "onPremisesSyncEnabled", "pAdditionalInfo"}) {
    EXPECT_EQ(t.Last().Find(absent), -1) << absent;
  }
  EXPECT_EQ(t.String("mail", 0), "PattiF@M365x723843.OnMicrosoft.com");
  EXPECT_EQ(t.String("id", 0), "0409a7eb-588d-4871-b629-e33de72b8b0d");
  EXPECT_EQ(t.String("proxyAddresses", 0), "[\"SMTP:PattiF@M365x723843.OnMicrosoft.com\"]");
  EXPECT_EQ(t.String("rowinformation", 0),
            "{\"errorInformation\":null,\"userReturnedNoData\":false,\"isUserSummaryRow\":false,"
            "\"userHasCompleteData\":false}");
  EXPECT_THAT(t.String("assignedLicenses", 0),
              ::testing::StartsWith("[{\"disabledPlans\":[],\"skuId\":\"3d957427-ecdc-4df2-"));
  EXPECT_EQ(t.Type("accountEnabled"), ColumnType::kBool);
  EXPECT_EQ(t.Type("datarow"), ColumnType::kNumber);
  EXPECT_EQ(t.Type("postalCode"), ColumnType::kString);
  EXPECT_EQ(t.String("postalCode", 0), "40223");
  EXPECT_EQ(t.String("preferredName", 0), "");
  EXPECT_TRUE(t.IsNull("ageGroup", 0));
}

TEST(JsonLinesSamples, CalendarExportReadsAllRows) {
  Table t = MustRead(SharedText("BasicDataSet_v0.CalendarView_v0.jsonl"));
  EXPECT_EQ(t.rows(), 10u);
  EXPECT_EQ(t.source_columns.size(), 48u);
  EXPECT_EQ(t.columns(), 43u);  // five columns are null throughout
  EXPECT_EQ(t.String("subject", 0), "Tailspin Toys Proposal Review + Lunch");
  EXPECT_EQ(t.String("bodyPreview", 0),
            "This meeting is to review the latest Tailspin Toys project proposal.\n \nBut why "
            "not eat some sushi while we're at it? :)");
  EXPECT_EQ(t.Type("isAllDay"), ColumnType::kBool);
  EXPECT_EQ(t.Number("reminderMinutesBeforeStart", 0), 0.0);
}

TEST(JsonLinesSamples, TrickledBytesGiveTheSameRows) {
  for (const char* file : {"VivaInsightsDataset_v0.jsonl", "SampleVivaInsightsMetricData.jsonl",
                           "VivaInsightsDataset_v1.jsonl", "BasicDataSet_v0.User_v1.jsonl",
                           "BasicDataSet_v0.CalendarView_v0.jsonl"}) {
    std::string text = SharedText(file);
    Table whole = MustRead(text);
    auto trickled =
        ReadTable(std::make_unique<TrickleSource>(text), {.batch_rows = 7, .chunk_bytes = 64});
    ASSERT_TRUE(trickled.ok()) << file << ": " << trickled.status().ToString();
    EXPECT_EQ(trickled->rows(), whole.rows()) << file;
    EXPECT_EQ(trickled->Dump(), whole.Dump()) << file;
    EXPECT_EQ(trickled->source_columns, whole.source_columns) << file;
  }
}

TEST(JsonLinesSamples, KeepUnknownColumnsFalseDropsExtras) {
  Table t = MustRead(SharedText("VivaInsightsDataset_v0.jsonl"), {.keep_unknown_columns = false});
  EXPECT_EQ(t.columns(), 23u);
  EXPECT_EQ(t.Last().Find("PeopleHistoricalId"), -1);
  EXPECT_EQ(t.Last().Find("duplicateCol"), -1);
  EXPECT_EQ(t.source_columns.size(), 25u);
}

// --- Shapes and values -----------------------------------------------------------------------

TEST(JsonLinesReader, BatchesHoldBatchRowsAndTheirFirstLine) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += "{\"a\":" + std::to_string(i) + "}\n";
  text.insert(text.find("{\"a\":5}"), "\n\n");  // blank lines count as lines
  Table t = MustRead(text, {.batch_rows = 4});
  ASSERT_EQ(t.batches.size(), 3u);
  EXPECT_EQ(t.batches[0].num_rows(), 4u);
  EXPECT_EQ(t.batches[0].first_line, 1u);
  EXPECT_EQ(t.batches[1].first_line, 5u);
  EXPECT_EQ(t.batches[2].first_line, 11u);  // rows 8.. start after two blank lines
  EXPECT_EQ(t.Number("a", 9), 9.0);
}

TEST(JsonLinesReader, ReusedBatchKeepsItsSchema) {
  auto reader = OpenRowReader(core::MemorySource::Owning("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"),
                              {.batch_rows = 2});
  ASSERT_TRUE(reader.ok());
  RowBatch batch;
  auto more = (*reader)->Next(batch);
  ASSERT_TRUE(more.ok() && *more);
  EXPECT_EQ(batch.num_rows(), 2u);
  more = (*reader)->Next(batch);
  ASSERT_TRUE(more.ok() && *more);
  ASSERT_EQ(batch.num_rows(), 1u);
  EXPECT_EQ(batch.column(0).NumberAt(0), 3.0);
  more = (*reader)->Next(batch);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_EQ(batch.num_rows(), 0u);
  EXPECT_EQ((*reader)->rows_read(), 3u);
}

TEST(JsonLinesReader, NewKeyAfterFirstRowAddsColumnWithNulls) {
  Table t = MustRead("{\"a\":1}\n{\"a\":2,\"b\":\"x\"}\n{\"b\":\"y\"}\n");
  EXPECT_EQ(t.columns(), 2u);
  EXPECT_TRUE(t.IsNull("b", 0));
  EXPECT_EQ(t.String("b", 1), "x");
  EXPECT_TRUE(t.IsNull("a", 2));
}

TEST(JsonLinesReader, KeysInAnotherOrderStillMatch) {
  Table t = MustRead("{\"a\":1,\"b\":2,\"c\":3}\n{\"c\":30,\"a\":10,\"b\":20}\n{\"b\":200}\n");
  EXPECT_EQ(t.Number("a", 1), 10.0);
  EXPECT_EQ(t.Number("b", 1), 20.0);
  EXPECT_EQ(t.Number("c", 1), 30.0);
  EXPECT_EQ(t.Number("b", 2), 200.0);
  EXPECT_TRUE(t.IsNull("c", 2));
}

TEST(JsonLinesReader, LeadingNullsLeaveTypeOpen) {
  Table t = MustRead("{\"a\":null}\n{\"a\":\"\"}\n{\"a\":\"2.5\"}\n{\"a\":3}\n");
  EXPECT_EQ(t.Type("a"), ColumnType::kNumber);
  EXPECT_TRUE(t.IsNull("a", 0));
  EXPECT_TRUE(t.IsNull("a", 1));
  EXPECT_EQ(t.Number("a", 2), 2.5);
}

TEST(JsonLinesReader, BoolsFromJsonAndStrings) {
  Table t = MustRead("{\"b\":\"true\"}\n{\"b\":false}\n{\"b\":\"FALSE\"}\n{\"b\":null}\n");
  EXPECT_EQ(t.Type("b"), ColumnType::kBool);
  EXPECT_EQ(t.Number("b", 0), 1.0);
  EXPECT_EQ(t.Number("b", 1), 0.0);
  EXPECT_EQ(t.Number("b", 2), 0.0);
  EXPECT_TRUE(t.IsNull("b", 3));
}

TEST(JsonLinesReader, StringColumnKeepsNumbersAsTheirText) {
  Table t = MustRead("{\"s\":\"abc\"}\n{\"s\":1.50}\n{\"s\":true}\n{\"PersonId\":12}\n");
  EXPECT_EQ(t.String("s", 1), "1.50");
  EXPECT_EQ(t.String("s", 2), "true");
  EXPECT_EQ(t.String("PersonId", 3), "12");
}

TEST(JsonLinesReader, EscapesAreDecoded) {
  Table t = MustRead(
      "{\"k\\\"ey\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\",\"plain\":\"x\"}\n"
      "{\"k\\\"ey\":\"second\",\"plain\":\"y\"}\n");
  ASSERT_EQ(t.source_columns.size(), 2u);
  EXPECT_EQ(t.source_columns[0], "k\"ey");
  EXPECT_EQ(t.String("k_ey", 0), "a\"b\\c\n\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(t.String("k_ey", 1), "second");
}

TEST(JsonLinesReader, NestedValuesAreCompacted) {
  Table t = MustRead("{\"a\": [ 1 , \"x y\" , {\"k\" : null} ] , \"o\" : { } }\n");
  EXPECT_EQ(t.String("a", 0), "[1,\"x y\",{\"k\":null}]");
  EXPECT_EQ(t.String("o", 0), "{}");
}

TEST(JsonLinesReader, CrlfBomAndMissingFinalNewlineAreFine) {
  Table t = MustRead("\xEF\xBB\xBF{\"a\":1}\r\n{\"a\":2}\r\n  \r\n{\"a\":3}");
  EXPECT_EQ(t.rows(), 3u);
  EXPECT_EQ(t.Number("a", 2), 3.0);
}

TEST(JsonLinesReader, EmptyInputHasNoRows) {
  Table t = MustRead("");
  EXPECT_EQ(t.rows(), 0u);
  Table blank = MustRead("\n\n  \n");
  EXPECT_EQ(blank.rows(), 0u);
}

TEST(JsonLinesReader, CaseDifferentKeysAreDifferentColumns) {
  Table t = MustRead("{\"duplicateCol\":\"a\",\"DuplicateCol\":\"b\"}\n");
  EXPECT_EQ(t.String("duplicateCol", 0), "a");
  EXPECT_EQ(t.String("DuplicateCol", 0), "b");
}

TEST(JsonLinesReader, LongLineWithinLimitGrowsTheBuffer) {
  std::string big(100000, 'x');
  Table t = MustRead("{\"a\":\"" + big + "\"}\n{\"a\":\"y\"}\n", {.chunk_bytes = 4096});
  EXPECT_EQ(t.String("a", 0), big);
  EXPECT_EQ(t.String("a", 1), "y");
}

// --- Decryption --------------------------------------------------------------------------------

core::Status Unwrap(std::string_view cipher, std::string& out) {
  if (!cipher.starts_with("enc:")) return core::DataLossError("not a ciphertext");
  out.assign(cipher.substr(4));
  return core::OkStatus();
}

TEST(JsonLinesDecrypt, PiiColumnsAreDecryptedAsRead) {
  Table t = MustRead(
      "{\"ObjectId\":\"enc:p1\",\"mail\":\"enc:a@b.c\",\"displayName\":\"enc:kept\","
      "\"proxyAddresses\":[\"enc:SMTP:a@b.c\"]}\n",
      {.decrypt_column = Unwrap});
  EXPECT_EQ(t.String("PersonId", 0), "p1");
  EXPECT_EQ(t.String("mail", 0), "a@b.c");
  EXPECT_EQ(t.String("displayName", 0), "enc:kept");
  EXPECT_EQ(t.String("proxyAddresses", 0), "[\"enc:SMTP:a@b.c\"]");  // not encrypted (PROTOCOL §3)
}

TEST(JsonLinesDecrypt, ArrayInPiiColumnHasEachElementDecrypted) {
  Table t = MustRead("{\"mail\":[\"enc:a@b.c\",\"enc:say \\\"q\\\"\",null]}\n",
                     {.decrypt_column = Unwrap});
  EXPECT_EQ(t.String("mail", 0), "[\"a@b.c\",\"say \\\"q\\\"\",null]");
}

TEST(JsonLinesDecrypt, FailureKeepsTheDecryptorsCodeAndNamesTheColumn) {
  core::Status s = FirstError("{\"PersonId\":\"enc:1\"}\n{\"PersonId\":\"plain\"}\n",
                              {.source_name = "part-7", .decrypt_column = Unwrap});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("part-7: line 2"));
  EXPECT_THAT(s.message(), HasSubstr("PersonId"));
  auto denied = [](std::string_view, std::string&) {
    return core::PermissionDeniedError("wrong key");
  };
  s = FirstError("{\"mail\":\"x\"}\n", {.decrypt_column = denied});
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
}

// --- Errors ------------------------------------------------------------------------------------

TEST(JsonLinesErrors, MalformedLineNamesSourceLineAndOffset) {
  core::Status s = FirstError("{\"a\":1}\n{\"a\":2}\n{\"a\":3,}\n", {.source_name = "blob-1"});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("blob-1: line 3 (byte offset 16)"));
  EXPECT_THAT(s.message(), HasSubstr("not valid JSON"));
}

// Found by jsonl_rows_fuzz: the value read as infinity, the writer left it out, and a re-read
// gave other columns. A number no double holds is an error, not a silent infinity.
TEST(JsonLinesErrors, NumberTooLargeForADoubleIsDataLoss) {
  core::Status s = FirstError("{\"a\":\"1.5\"}\n{\"a\":\"7.6e64810442\"}\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 2"));
  EXPECT_THAT(s.message(), HasSubstr("too large for a double"));
  // Underflow is fine: it reads as zero.
  EXPECT_TRUE(FirstError("{\"a\":\"1e-400\"}\n").ok());
}

TEST(JsonLinesErrors, UnclosedStringIsDataLoss) {
  core::Status s = FirstError("{\"a\":\"1}\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 1"));
}

TEST(JsonLinesErrors, TruncatedLastLineIsDataLoss) {
  core::Status s = FirstError("{\"a\":1}\n{\"a\":");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 2"));
}

TEST(JsonLinesErrors, LineThatIsNotAnObjectIsDataLoss) {
  core::Status s = FirstError("{\"a\":1}\n[1,2]\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 2"));
  EXPECT_THAT(s.message(), HasSubstr("not a JSON object"));
}

TEST(JsonLinesErrors, TwoObjectsOnOneLineIsDataLoss) {
  core::Status s = FirstError("{\"a\":1}{\"a\":2}\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("text after its JSON object"));
}

TEST(JsonLinesErrors, BadLiteralsAreDataLoss) {
  EXPECT_EQ(FirstError("{\"a\":tru}\n").code(), StatusCode::kDataLoss);
  EXPECT_EQ(FirstError("{\"a\":nul}\n").code(), StatusCode::kDataLoss);
  EXPECT_EQ(FirstError("{\"a\":1x}\n").code(), StatusCode::kDataLoss);
  EXPECT_EQ(FirstError("{\"a\":1e999}\n").code(), StatusCode::kDataLoss);
}

TEST(JsonLinesErrors, LineTooLongIsDataLoss) {
  std::string long_line = "{\"a\":\"" + std::string(200, 'x') + "\"}\n";
  core::Status s = FirstError("{\"a\":\"1\"}\n" + long_line, {.max_line_bytes = 100});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 2"));
  EXPECT_THAT(s.message(), HasSubstr("100-byte limit"));
  // Also when the line is still incomplete in the buffer (no newline yet).
  auto r = ReadTable(std::make_unique<TrickleSource>("{\"a\":\"" + std::string(5000, 'x')),
                     {.max_line_bytes = 100, .chunk_bytes = 64});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("line 1"));
}

TEST(JsonLinesErrors, TextInNumberColumnIsDataLoss) {
  core::Status s =
      FirstError("{\"Collaboration hours\":\"1.5\"}\n\n{\"Collaboration hours\":\"n/a\"}\n",
                 {.source_name = "f.jsonl"});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("f.jsonl: line 3"));
  EXPECT_THAT(s.message(), HasSubstr("\"Collaboration_hours\" holds numbers"));
  EXPECT_THAT(s.message(), HasSubstr("\"n/a\""));
}

TEST(JsonLinesErrors, NumberInBoolColumnIsDataLoss) {
  core::Status s = FirstError("{\"IsActive\":true}\n{\"IsActive\":1}\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("holds booleans"));
}

TEST(JsonLinesErrors, BoolInNumberColumnIsDataLoss) {
  EXPECT_EQ(FirstError("{\"a\":1}\n{\"a\":false}\n").code(), StatusCode::kDataLoss);
}

TEST(JsonLinesErrors, RepeatedKeyIsDataLoss) {
  EXPECT_EQ(FirstError("{\"a\":1,\"a\":2}\n").code(), StatusCode::kDataLoss);
  // Two names of one canonical column in one row.
  core::Status s = FirstError("{\"ObjectId\":\"x\",\"PersonId\":\"y\"}\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("two values in one row"));
}

TEST(JsonLinesErrors, ErrorIsStickyAndNoPartialBatchIsReturned) {
  auto reader =
      OpenRowReader(core::MemorySource::Owning("{\"a\":1}\n{\"a\":2}\n{bad\n"), {.batch_rows = 10});
  ASSERT_TRUE(reader.ok());
  RowBatch batch;
  auto more = (*reader)->Next(batch);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(batch.num_rows(), 0u);
  std::string first = more.status().message();
  EXPECT_THAT(first, HasSubstr("input: line 3 (byte offset 16)"));
  more = (*reader)->Next(batch);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(more.status().message(), first);
}

TEST(JsonLinesErrors, SourceErrorsPassThroughWithTheSourceName) {
  class Failing final : public core::ByteSource {
   public:
    core::Result<size_t> Read(std::span<std::byte> out) override {
      if (calls_++ == 0) {
        std::memcpy(out.data(), "{\"a\":1}\n{", 9);
        return size_t{9};
      }
      return core::UnavailableError("connection reset");
    }
    int calls_ = 0;
  };
  auto r = ReadTable(std::make_unique<Failing>(), {.source_name = "blob-9"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("blob-9: connection reset"));
}

TEST(JsonLinesErrors, BadOptionsAreInvalidArgument) {
  auto r = OpenRowReader(core::MemorySource::Owning("{}"), {.batch_rows = 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::formats
