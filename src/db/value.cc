#include "db/value.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "db/internal/sql_text.h"

namespace vivalink::db {

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kInt:
      return "int";
    case ValueType::kDouble:
      return "double";
    case ValueType::kText:
      return "text";
    case ValueType::kBlob:
      return "blob";
    case ValueType::kDoubleArray:
      return "double[]";
  }
  return "unknown";
}

std::string FormatDoubleArray(std::span<const double> values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    // A NaN element is SQL NULL; any other is written as FormatDouble writes a float8 parameter.
    out += std::isnan(values[i]) ? "NULL" : internal::FormatDouble(values[i]);
  }
  out.push_back('}');
  return out;
}

std::optional<double> Value::AsNumber() const {
  if (const auto* i = GetInt()) return static_cast<double>(*i);
  if (const auto* d = GetDouble()) return *d;
  return std::nullopt;
}

std::string TextOf(const Value& v) {
  if (const auto* s = v.GetText()) return *s;
  if (const auto* i = v.GetInt()) return std::to_string(*i);
  if (const auto* d = v.GetDouble()) return fmt::format("{}", *d);
  if (const auto* b = v.GetBlob())
    return std::string(reinterpret_cast<const char*>(b->data()), b->size());
  if (const auto* a = v.GetDoubleArray()) return FormatDoubleArray(*a);
  return "";
}

std::int64_t IntOf(const Value& v) {
  if (const auto* i = v.GetInt()) return *i;
  if (const auto* d = v.GetDouble()) return static_cast<std::int64_t>(*d);
  if (const auto* s = v.GetText()) {
    std::int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

std::ostream& operator<<(std::ostream& os, const Value& v) {
  switch (v.type()) {
    case ValueType::kNull:
      return os << "null";
    case ValueType::kInt:
      return os << "int(" << v.as_int() << ")";
    case ValueType::kDouble:
      return os << "double(" << v.as_double() << ")";
    case ValueType::kText:
      return os << "text(\"" << v.as_text() << "\")";
    case ValueType::kBlob:
      return os << "blob(" << v.as_blob().size() << " bytes)";
    case ValueType::kDoubleArray:
      return os << "double[](" << FormatDoubleArray(v.as_double_array()) << ")";
  }
  return os;
}

std::optional<std::size_t> QueryResult::ColumnIndex(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  return std::nullopt;
}

}  // namespace vivalink::db
