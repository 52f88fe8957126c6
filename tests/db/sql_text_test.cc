#include "db/internal/sql_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "db/value.h"

namespace vivalink::db::internal {
namespace {

TEST(TranslatePlaceholders, NumbersEachQuestionMarkInOrder) {
  auto t = TranslatePlaceholders("INSERT INTO t (a, b) VALUES (?, ?)");
  EXPECT_EQ(t.sql, "INSERT INTO t (a, b) VALUES ($1, $2)");
  EXPECT_EQ(t.placeholders, 2u);
  EXPECT_FALSE(t.multiple_statements);
}

TEST(TranslatePlaceholders, LeavesQuotedTextAndCommentsAlone) {
  auto t = TranslatePlaceholders(
      "SELECT '?', 'it''s ?', \"col?\", E'\\'?', $$?$$, $tag$ ? $tag$ -- ?\n, ? /* ? */ , ?");
  EXPECT_EQ(t.sql,
            "SELECT '?', 'it''s ?', \"col?\", E'\\'?', $$?$$, $tag$ ? $tag$ -- ?\n, $1 /* ? */ , "
            "$2");
  EXPECT_EQ(t.placeholders, 2u);
}

TEST(TranslatePlaceholders, KeepsDollarParametersAsTheyAre) {
  auto t = TranslatePlaceholders("SELECT $1, ?");
  EXPECT_EQ(t.sql, "SELECT $1, $1");
  EXPECT_EQ(t.placeholders, 1u);
}

TEST(TranslatePlaceholders, DetectsASecondStatement) {
  EXPECT_TRUE(TranslatePlaceholders("SELECT 1; SELECT 2").multiple_statements);
  EXPECT_FALSE(TranslatePlaceholders("SELECT 1;  \n").multiple_statements);
  EXPECT_FALSE(TranslatePlaceholders("SELECT ';' AS x").multiple_statements);
  EXPECT_FALSE(TranslatePlaceholders("SELECT 1; -- trailing comment").multiple_statements);
}

TEST(TranslatePlaceholders, UnterminatedQuoteDoesNotReadPastTheEnd) {
  auto t = TranslatePlaceholders("SELECT 'abc ?");
  EXPECT_EQ(t.sql, "SELECT 'abc ?");
  EXPECT_EQ(t.placeholders, 0u);
}

TEST(StatementLabel, CollapsesWhitespaceAndCutsAtEightyCharacters) {
  EXPECT_EQ(StatementLabel("  SELECT\n\t a ,  b\nFROM t  "), "SELECT a , b FROM t");
  std::string longer(100, 'x');
  EXPECT_EQ(StatementLabel(longer), std::string(80, 'x') + "...");
  EXPECT_EQ(StatementLabel(std::string(80, 'y')), std::string(80, 'y'));
}

TEST(IsPlainIdentifier, AcceptsOnlyLettersDigitsAndUnderscores) {
  EXPECT_TRUE(IsPlainIdentifier("person_week_metric"));
  EXPECT_TRUE(IsPlainIdentifier("_x1"));
  EXPECT_FALSE(IsPlainIdentifier(""));
  EXPECT_FALSE(IsPlainIdentifier("1x"));
  EXPECT_FALSE(IsPlainIdentifier("a b"));
  EXPECT_FALSE(IsPlainIdentifier("a\"b"));
  EXPECT_FALSE(IsPlainIdentifier("t;DROP"));
  EXPECT_FALSE(IsPlainIdentifier(std::string(64, 'a')));
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
}

TEST(FormatDouble, ReadsBackExactlyAndSpellsNonFiniteValuesForPostgres) {
  for (double d : {0.1, -1.5e300, 5e-324, 1.0 / 3, 12.0}) {
    EXPECT_EQ(std::strtod(FormatDouble(d).c_str(), nullptr), d) << FormatDouble(d);
  }
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-Infinity");
  EXPECT_EQ(FormatDouble(std::nan("")), "NaN");
}

TEST(Value, HoldsEachTypeAndComparesByTypeAndValue) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_TRUE(Value(nullptr).is_null());
  EXPECT_EQ(Value(3).type(), ValueType::kInt);
  EXPECT_EQ(Value(std::int64_t{1} << 40).as_int(), std::int64_t{1} << 40);
  EXPECT_EQ(Value(2.5).type(), ValueType::kDouble);
  EXPECT_EQ(Value("x").type(), ValueType::kText);
  EXPECT_EQ(Value(std::string_view("x")), Value(std::string("x")));
  EXPECT_EQ(Value(Blob{std::byte{1}}).type(), ValueType::kBlob);
  EXPECT_EQ(Value(std::optional<int>()), Value());
  EXPECT_EQ(Value(std::optional<int>(4)), Value(4));
  EXPECT_NE(Value(1), Value(1.0));
  EXPECT_EQ(Value(1).AsNumber(), 1.0);
  EXPECT_EQ(Value("1").AsNumber(), std::nullopt);
  EXPECT_EQ(Value(1.5).GetInt(), nullptr);
  EXPECT_EQ(ValueTypeName(ValueType::kBlob), "blob");
}

}  // namespace
}  // namespace vivalink::db::internal
