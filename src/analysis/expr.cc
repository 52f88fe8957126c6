#include "analysis/expr.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace vivalink::analysis {
namespace {

bool IsColumnChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ',';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

core::Status SyntaxError(std::string_view expr, size_t pos, std::string_view what) {
  return core::InvalidArgumentError(
      fmt::format("outcome expression '{}': {} at position {}; write it like 'Revenue>0' or "
                  "'After_hours_collaboration_hours>=10' (operators > >= < <= == !=)",
                  expr, what, pos));
}

}  // namespace

std::string_view CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kGreater:
      return ">";
    case CompareOp::kGreaterEqual:
      return ">=";
    case CompareOp::kLess:
      return "<";
    case CompareOp::kLessEqual:
      return "<=";
    case CompareOp::kEqual:
      return "==";
    case CompareOp::kNotEqual:
      return "!=";
  }
  return "?";
}

bool Comparison::Evaluate(double x) const {
  if (std::isnan(x)) return false;
  switch (op) {
    case CompareOp::kGreater:
      return x > value;
    case CompareOp::kGreaterEqual:
      return x >= value;
    case CompareOp::kLess:
      return x < value;
    case CompareOp::kLessEqual:
      return x <= value;
    case CompareOp::kEqual:
      return x == value;
    case CompareOp::kNotEqual:
      return x != value;
  }
  return false;
}

std::string Comparison::ToString() const {
  return fmt::format("{}{}{}", column, CompareOpText(op), value);
}

core::Result<Comparison> ParseComparison(std::string_view expr) {
  Comparison out;
  size_t i = 0;
  const size_t n = expr.size();
  while (i < n && IsBlank(expr[i])) ++i;
  const size_t col_start = i;
  while (i < n && IsColumnChar(expr[i])) ++i;
  if (i == col_start) {
    return SyntaxError(expr, i,
                       i == n ? "expected a column name, found the end" : "expected a column name");
  }
  out.column = std::string(expr.substr(col_start, i - col_start));
  while (i < n && IsBlank(expr[i])) ++i;
  if (i == n) return SyntaxError(expr, i, "expected an operator, found the end");
  const char c0 = expr[i];
  const char c1 = i + 1 < n ? expr[i + 1] : '\0';
  if (c0 == '>' && c1 == '=') {
    out.op = CompareOp::kGreaterEqual;
    i += 2;
  } else if (c0 == '<' && c1 == '=') {
    out.op = CompareOp::kLessEqual;
    i += 2;
  } else if (c0 == '=' && c1 == '=') {
    out.op = CompareOp::kEqual;
    i += 2;
  } else if (c0 == '!' && c1 == '=') {
    out.op = CompareOp::kNotEqual;
    i += 2;
  } else if (c0 == '>') {
    out.op = CompareOp::kGreater;
    i += 1;
  } else if (c0 == '<') {
    out.op = CompareOp::kLess;
    i += 1;
  } else {
    return SyntaxError(expr, i, fmt::format("expected an operator, found '{}'", c0));
  }
  while (i < n && IsBlank(expr[i])) ++i;
  // Validate the number's shape ourselves: from_chars alone would accept "inf" and "nan".
  const size_t num_start = i;
  size_t j = i;
  if (j < n && (expr[j] == '+' || expr[j] == '-')) ++j;
  const size_t int_start = j;
  while (j < n && IsDigit(expr[j])) ++j;
  size_t digits = j - int_start;
  if (j < n && expr[j] == '.') {
    ++j;
    const size_t frac_start = j;
    while (j < n && IsDigit(expr[j])) ++j;
    digits += j - frac_start;
  }
  if (digits == 0) {
    return SyntaxError(expr, num_start,
                       num_start == n ? "expected a number, found the end" : "expected a number");
  }
  if (j < n && (expr[j] == 'e' || expr[j] == 'E')) {
    size_t k = j + 1;
    if (k < n && (expr[k] == '+' || expr[k] == '-')) ++k;
    const size_t exp_start = k;
    while (k < n && IsDigit(expr[k])) ++k;
    if (k == exp_start) return SyntaxError(expr, k, "expected exponent digits");
    j = k;
  }
  // from_chars rejects a leading '+'.
  const size_t parse_from = expr[num_start] == '+' ? num_start + 1 : num_start;
  double value = 0;
  auto [ptr, ec] = std::from_chars(expr.data() + parse_from, expr.data() + j, value);
  if (ec != std::errc() || ptr != expr.data() + j) {
    return SyntaxError(expr, num_start, "number out of range");
  }
  out.value = value;
  i = j;
  while (i < n && IsBlank(expr[i])) ++i;
  if (i != n) return SyntaxError(expr, i, fmt::format("unexpected '{}' after the number", expr[i]));
  return out;
}

}  // namespace vivalink::analysis
