// db::Value and db::QueryResult: the values that travel between vivalink and its database.
//
// A Value is one of null, 64-bit integer, double, UTF-8 text or blob (bytes). It is a small
// std::variant: numbers live inline (no heap allocation), text and blobs own their bytes. Bulk
// loaders that send millions of rows should keep one row of Values and assign into it for each
// row: assigning a std::string into a Value that already holds text reuses its capacity, so the
// steady state allocates nothing.
//
// How database types come back:
//   SQLite      INTEGER -> int64, REAL -> double, TEXT -> text, BLOB -> blob, NULL -> null
//               (SQLite types values, not columns: a DOUBLE PRECISION column gives doubles).
//   PostgreSQL  int2/int4/int8/oid/bool -> int64; float4/float8 -> double; numeric -> int64 when
//               integral and in range (SUM(bigint) stays exact), else double; bytea -> blob;
//               every other type (text, varchar, date, timestamp, json, ...) -> text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace vivalink::db {

using Null = std::monostate;
using Blob = std::vector<std::byte>;
// A one-dimensional array of doubles: PostgreSQL float8[] (NaN is a NULL element). SQLite has no
// arrays and refuses to bind one.
using DoubleArray = std::vector<double>;

enum class ValueType { kNull = 0, kInt, kDouble, kText, kBlob, kDoubleArray };

// "null", "int", "double", "text", "blob".
std::string_view ValueTypeName(ValueType type);

class Value {
 public:
  using Storage = std::variant<Null, std::int64_t, double, std::string, Blob, DoubleArray>;

  Value() = default;                                 // null
  Value(std::nullptr_t) {}                           // NOLINT(google-explicit-constructor): null
  Value(std::int64_t v) : v_(v) {}                   // NOLINT(google-explicit-constructor)
  Value(int v) : v_(std::int64_t{v}) {}              // NOLINT(google-explicit-constructor)
  Value(double v) : v_(v) {}                         // NOLINT(google-explicit-constructor)
  Value(std::string v) : v_(std::move(v)) {}         // NOLINT(google-explicit-constructor)
  Value(std::string_view v) : v_(std::string(v)) {}  // NOLINT(google-explicit-constructor)
  Value(const char* v) : v_(std::string(v)) {}       // NOLINT(google-explicit-constructor)
  Value(Blob v) : v_(std::move(v)) {}                // NOLINT(google-explicit-constructor)
  explicit Value(DoubleArray v) : v_(std::move(v)) {}
  template <typename T>
  Value(const std::optional<T>& v) {  // NOLINT(google-explicit-constructor): nullopt -> null
    if (v.has_value()) *this = Value(*v);
  }

  ValueType type() const { return static_cast<ValueType>(v_.index()); }
  bool is_null() const { return type() == ValueType::kNull; }

  // Typed access. Precondition: type() matches (checked by assert in debug builds). Prefer the
  // Get*() forms when the type is not certain.
  std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
  double as_double() const { return std::get<double>(v_); }
  const std::string& as_text() const { return std::get<std::string>(v_); }
  const Blob& as_blob() const { return std::get<Blob>(v_); }
  const DoubleArray& as_double_array() const { return std::get<DoubleArray>(v_); }

  // Pointers to the held value, or nullptr when another type is held.
  const std::int64_t* GetInt() const { return std::get_if<std::int64_t>(&v_); }
  const double* GetDouble() const { return std::get_if<double>(&v_); }
  const std::string* GetText() const { return std::get_if<std::string>(&v_); }
  const Blob* GetBlob() const { return std::get_if<Blob>(&v_); }
  const DoubleArray* GetDoubleArray() const { return std::get_if<DoubleArray>(&v_); }
  // int or double as double; nullopt for null, text and blob.
  std::optional<double> AsNumber() const;

  const Storage& storage() const { return v_; }
  Storage& storage() { return v_; }

  friend bool operator==(const Value& a, const Value& b) = default;

 private:
  Storage v_;
};

static_assert(std::is_same_v<std::variant_alternative_t<1, Value::Storage>, std::int64_t> &&
                  std::is_same_v<std::variant_alternative_t<4, Value::Storage>, Blob> &&
                  std::is_same_v<std::variant_alternative_t<5, Value::Storage>, DoubleArray>,
              "ValueType must follow the order of Value::Storage");

// Lenient readers of a result value, for columns whose type the dialects report differently
// (SQLite's dynamic typing; PostgreSQL text for types without a mapping, e.g. arrays).
// TextOf: text as is, an int or double formatted (shortest round trip), blob bytes, a double
// array in PostgreSQL's array text (FormatDoubleArray), null "".
// IntOf: an int, a double truncated, decimal text parsed; anything else 0.
std::string TextOf(const Value& v);
std::int64_t IntOf(const Value& v);

// PostgreSQL's text form of a float8[]: "{1.5,NULL,2}" (NaN is NULL; shortest round trip).
std::string FormatDoubleArray(std::span<const double> values);

// For test failure messages only: shows the type and value. Never log personal data with it.
std::ostream& operator<<(std::ostream& os, const Value& v);

using Row = std::vector<Value>;

// The complete answer of a query, materialised in memory. Queries that may return many rows
// should be paged (LIMIT/OFFSET or key ranges); there is no cursor API yet.
struct QueryResult {
  std::vector<std::string> columns;  // column names as the database reports them
  std::vector<Row> rows;             // rows[i].size() == columns.size()

  bool empty() const { return rows.empty(); }
  std::size_t size() const { return rows.size(); }
  // Index of the column named `name` (exact match), or nullopt.
  std::optional<std::size_t> ColumnIndex(std::string_view name) const;
};

}  // namespace vivalink::db
