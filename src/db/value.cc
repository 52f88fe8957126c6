#include "db/value.h"

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
  }
  return "unknown";
}

std::optional<double> Value::AsNumber() const {
  if (const auto* i = GetInt()) return static_cast<double>(*i);
  if (const auto* d = GetDouble()) return *d;
  return std::nullopt;
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
