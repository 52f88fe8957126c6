#include "analysis/frame.h"

#include <gtest/gtest.h>

#include "test_frames.h"

namespace vivalink::analysis {
namespace {

using formats::ColumnType;
using testing::kNaN;

formats::RowBatch Batch(const std::vector<std::string>& persons, const std::vector<double>& hours) {
  formats::RowBatch b;
  b.AddColumn("PersonId", ColumnType::kString);
  b.AddColumn("Collaboration_hours", ColumnType::kNumber);
  for (size_t i = 0; i < persons.size(); ++i) {
    if (persons[i].empty()) {
      b.mutable_column(0).AppendNull();
    } else {
      b.mutable_column(0).AppendString(persons[i]);
    }
    b.mutable_column(1).AppendNumber(hours[i]);
    b.FinishRow();
  }
  return b;
}

TEST(FrameBuilder, DictionaryEncodesStringsAcrossBatches) {
  FrameBuilder builder;
  ASSERT_TRUE(builder.Append(Batch({"a", "b"}, {1, 2})).ok());
  ASSERT_TRUE(builder.Append(Batch({"b", "", "c"}, {3, kNaN, 5})).ok());
  auto frame = std::move(builder).Finish();
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  EXPECT_EQ(frame->num_rows(), 5u);
  const FrameColumn* p = frame->Find("PersonId");
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->is_numeric());
  EXPECT_EQ(p->levels, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(p->codes, (std::vector<int32_t>{0, 1, 1, kMissingCode, 2}));
  const FrameColumn* h = frame->Find("Collaboration_hours");
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(h->IsMissing(3));
  EXPECT_EQ(h->numbers[4], 5);
}

TEST(FrameBuilder, ColumnAppearingLaterIsBackFilledAndAbsentColumnGetsMissing) {
  FrameBuilder builder;
  ASSERT_TRUE(builder.Append(Batch({"a"}, {1})).ok());
  formats::RowBatch extra;
  extra.AddColumn("Revenue", ColumnType::kNumber);
  extra.Clear();
  extra.mutable_column(0).AppendNumber(7);
  extra.FinishRow();
  ASSERT_TRUE(builder.Append(extra).ok());
  auto frame = std::move(builder).Finish();
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->num_rows(), 2u);
  EXPECT_TRUE(frame->Find("Revenue")->IsMissing(0));
  EXPECT_EQ(frame->Find("Revenue")->numbers[1], 7);
  EXPECT_TRUE(frame->Find("PersonId")->IsMissing(1));
  EXPECT_TRUE(frame->Find("Collaboration_hours")->IsMissing(1));
}

TEST(FrameBuilder, ColumnChangingKindIsInvalidArgument) {
  FrameBuilder builder;
  ASSERT_TRUE(builder.Append(Batch({"a"}, {1})).ok());
  formats::RowBatch b;
  b.AddColumn("Collaboration_hours", ColumnType::kString);
  b.Clear();
  b.mutable_column(0).AppendString("lots");
  b.FinishRow();
  auto s = builder.Append(b);
  EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Collaboration_hours"), std::string::npos);
}

TEST(FrameBuilder, KeepsOnlyWantedColumnsAndReportsAbsentOnes) {
  FrameBuilder keep({"Collaboration_hours"});
  ASSERT_TRUE(keep.Append(Batch({"a"}, {1})).ok());
  auto frame = std::move(keep).Finish();
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->num_columns(), 1u);

  FrameBuilder missing({"Revenue"});
  ASSERT_TRUE(missing.Append(Batch({"a"}, {1})).ok());
  auto bad = std::move(missing).Finish();
  EXPECT_EQ(bad.status().code(), core::StatusCode::kNotFound);
}

TEST(Frame, ColumnOfWrongLengthOrDuplicateNameIsRejected) {
  Frame f;
  ASSERT_TRUE(f.AddNumeric("x", {1, 2, 3}).ok());
  EXPECT_EQ(f.AddNumeric("y", {1, 2}).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(f.AddNumeric("x", {1, 2, 3}).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(f.AddCategorical("c", {0, 5, 0}, {"a"}).code(), core::StatusCode::kInvalidArgument);
}

TEST(Frame, GetNamesTheMissingColumnAndTheKindNeeded) {
  Frame f;
  ASSERT_TRUE(f.AddNumeric("x", {1}).ok());
  ASSERT_TRUE(f.AddStrings("s", {"a"}).ok());
  auto missing = f.Get("Revenue");
  EXPECT_EQ(missing.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("Revenue"), std::string::npos);
  EXPECT_EQ(f.GetNumeric("s").status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(f.GetCategorical("x").status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Frame, FilterRowsKeepsLevelsAndSelectedRows) {
  Frame f;
  ASSERT_TRUE(f.AddNumeric("x", {1, 2, 3}).ok());
  ASSERT_TRUE(f.AddStrings("s", {"a", "b", "a"}).ok());
  const std::vector<uint8_t> keep = {1, 0, 1};
  Frame g = f.FilterRows(keep);
  EXPECT_EQ(g.num_rows(), 2u);
  EXPECT_EQ(g.Find("x")->numbers, (std::vector<double>{1, 3}));
  EXPECT_EQ(g.Find("s")->StringAt(1), "a");
  EXPECT_EQ(g.Find("s")->levels.size(), 2u);
}

TEST(LevelOrder, OrdersUsDatesChronologicallyAcrossYears) {
  Frame f;
  ASSERT_TRUE(
      f.AddStrings("w", {"1/7/2024", "12/31/2023", "12/24/2023 12:00:00 AM", "01/14/2024"}).ok());
  EXPECT_EQ(LevelOrder(*f.Find("w")), (std::vector<int32_t>{2, 1, 0, 3}));
  // Not every level a date (Feb 30 does not exist): text order.
  Frame g;
  ASSERT_TRUE(g.AddStrings("x", {"2/30/2024", "1/7/2024"}).ok());
  EXPECT_EQ(LevelOrder(*g.Find("x")), (std::vector<int32_t>{1, 0}));
}

TEST(LevelOrder, OrdersIsoDatesChronologicallyAndOtherTextLexically) {
  Frame f;
  ASSERT_TRUE(f.AddStrings("d", {"2024-02-04", "2023-12-31", "2024-01-07"}).ok());
  EXPECT_EQ(LevelOrder(*f.Find("d")), (std::vector<int32_t>{2, 0, 1}));
  ASSERT_TRUE(f.AddStrings("t", {"b", "c", "a"}).ok());
  EXPECT_EQ(LevelOrder(*f.Find("t")), (std::vector<int32_t>{1, 2, 0}));
}

}  // namespace
}  // namespace vivalink::analysis
