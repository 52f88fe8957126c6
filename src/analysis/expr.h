// Outcome expressions: a comparison of one column with a number, e.g. "Revenue>0" or
// "After_hours_collaboration_hours >= 10", turning a numeric column into a 0/1 outcome.
//
// Grammar (blanks allowed around each token):
//   expr   := column op number
//   column := one or more of [A-Za-z0-9_,]   (canonical analyst names may hold commas)
//   op     := ">" | ">=" | "<" | "<=" | "==" | "!="
//   number := [+-]? digits [. digits] [(e|E) [+-]? digits]   (also ".5")
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vivalink::analysis {

enum class CompareOp { kGreater, kGreaterEqual, kLess, kLessEqual, kEqual, kNotEqual };

struct Comparison {
  std::string column;
  CompareOp op = CompareOp::kGreater;
  double value = 0;

  // The comparison applied to x (false for NaN, whatever the operator).
  bool Evaluate(double x) const;
  // Canonical text: "column>=10".
  std::string ToString() const;
};

// Parses expr. kInvalidArgument on a syntax error; the message quotes the expression and gives
// the 0-based character position where parsing failed and what was expected there.
core::Result<Comparison> ParseComparison(std::string_view expr);

std::string_view CompareOpText(CompareOp op);

}  // namespace vivalink::analysis
