#include "analysis/expr.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vivalink::analysis {
namespace {

TEST(ParseComparison, ReadsEveryOperator) {
  struct Case {
    const char* text;
    CompareOp op;
  } cases[] = {{"x>1", CompareOp::kGreater}, {"x>=1", CompareOp::kGreaterEqual},
               {"x<1", CompareOp::kLess},    {"x<=1", CompareOp::kLessEqual},
               {"x==1", CompareOp::kEqual},  {"x!=1", CompareOp::kNotEqual}};
  for (const auto& c : cases) {
    auto r = ParseComparison(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
    EXPECT_EQ(r->op, c.op) << c.text;
    EXPECT_EQ(r->column, "x");
    EXPECT_EQ(r->value, 1);
  }
}

TEST(ParseComparison, AcceptsBlanksCommasInNamesAndSignedExponents) {
  auto r = ParseComparison("  Small_group_meeting,_call,_and_chat_hours >= -2.5e-1 ");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->column, "Small_group_meeting,_call,_and_chat_hours");
  EXPECT_EQ(r->op, CompareOp::kGreaterEqual);
  EXPECT_DOUBLE_EQ(r->value, -0.25);
  EXPECT_DOUBLE_EQ(ParseComparison("Revenue>+.5")->value, 0.5);
}

TEST(ParseComparison, ErrorNamesExpressionAndPosition) {
  auto r = ParseComparison("Revenue>>0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("'Revenue>>0'"), std::string::npos);
  EXPECT_NE(r.status().message().find("position 8"), std::string::npos);
}

TEST(ParseComparison, RejectsMalformedExpressions) {
  for (const char* bad : {"", ">1", "x", "x>", "x=1", "x>1 2", "x>abc", "x>1e", "x>inf", "x>nan",
                          "x y>1", "x>1.2.3"}) {
    auto r = ParseComparison(bad);
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument) << "'" << bad << "'";
  }
}

TEST(Comparison, EvaluatesAndTreatsMissingAsFalse) {
  auto ge = ParseComparison("x>=10");
  ASSERT_TRUE(ge.ok());
  EXPECT_TRUE(ge->Evaluate(10));
  EXPECT_FALSE(ge->Evaluate(9.999));
  EXPECT_FALSE(ge->Evaluate(std::nan("")));
  auto ne = ParseComparison("x!=0");
  EXPECT_FALSE(ne->Evaluate(std::nan("")));
  EXPECT_EQ(ge->ToString(), "x>=10");
}

}  // namespace
}  // namespace vivalink::analysis
