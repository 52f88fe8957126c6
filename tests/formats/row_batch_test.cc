#include "formats/row_batch.h"

#include <gtest/gtest.h>

namespace vivalink::formats {
namespace {

// Regression: a fresh string column started with offsets {0, 0}, so every string read back as
// the one before it (and the first as empty) until the batch was first cleared.
TEST(RowBatch, FreshStringColumnReadsBackWhatWasAppended) {
  Column c("s", ColumnType::kString);
  c.AppendString("first");
  c.AppendNull();
  c.AppendString("third");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c.StringAt(0), "first");
  EXPECT_TRUE(c.IsNull(1));
  EXPECT_EQ(c.StringAt(2), "third");
}

TEST(RowBatch, AddColumnBackFillsNullsAndClearKeepsSchema) {
  RowBatch b;
  b.AddColumn("n", ColumnType::kNumber);
  b.mutable_column(0).AppendNumber(1);
  b.FinishRow();
  size_t s = b.AddColumn("s", ColumnType::kString);
  b.mutable_column(0).AppendNumber(2);
  b.mutable_column(s).AppendString("x");
  b.FinishRow();
  EXPECT_TRUE(b.column(s).IsNull(0));
  EXPECT_EQ(b.column(s).StringAt(1), "x");
  b.Clear();
  EXPECT_EQ(b.num_rows(), 0u);
  EXPECT_EQ(b.num_columns(), 2u);
  b.mutable_column(0).AppendNumber(3);
  b.mutable_column(s).AppendString("y");
  b.FinishRow();
  EXPECT_EQ(b.column(s).StringAt(0), "y");
}

}  // namespace
}  // namespace vivalink::formats
