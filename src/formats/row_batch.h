// Columnar batches of person-week rows: the one in-memory shape every reader produces and every
// consumer (validation, database sink, analysis) reads.
//
// A RowBatch holds up to a few thousand rows as columns. Number and bool columns are
// std::vector<double> (NaN = missing; bools are 0/1). String columns are one contiguous char
// buffer plus offsets, so appending a row allocates nothing once the buffers have grown;
// Clear() keeps capacity, so a reader reuses one batch for a whole stream.
//
// Column names are canonical (analyst) names: see canonical.h.
//
// The values are decrypted plaintext: the number and character buffers are wiped when released
// (core::WipingAllocator; the character buffer's small-string storage by SecureString too).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/secure.h"

namespace vivalink::formats {

enum class ColumnType { kNumber, kBool, kString };

class Column {
 public:
  Column() = default;
  // offsets_ starts as {0} (its initializer): string i spans offsets_[i]..offsets_[i + 1].
  Column(std::string name, ColumnType type) : name_(std::move(name)), type_(type) {}

  const std::string& name() const { return name_; }
  ColumnType type() const { return type_; }
  size_t size() const { return type_ == ColumnType::kString ? present_.size() : numbers_.size(); }

  // Number/bool columns.
  double NumberAt(size_t row) const { return numbers_[row]; }
  void AppendNumber(double v) { numbers_.push_back(v); }
  using Numbers = std::vector<double, core::WipingAllocator<double>>;
  const Numbers& numbers() const { return numbers_; }

  // String columns.
  std::string_view StringAt(size_t row) const {
    return std::string_view(chars_).substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
  }
  void AppendString(std::string_view v) {
    chars_.append(v);
    offsets_.push_back(static_cast<uint32_t>(chars_.size()));
    present_.push_back(1);
  }

  bool IsNull(size_t row) const {
    return type_ == ColumnType::kString ? present_[row] == 0 : std::isnan(numbers_[row]);
  }
  void AppendNull() {
    if (type_ == ColumnType::kString) {
      offsets_.push_back(static_cast<uint32_t>(chars_.size()));
      present_.push_back(0);
    } else {
      numbers_.push_back(std::numeric_limits<double>::quiet_NaN());
    }
  }
  // Empties the column, keeping its buffers' capacity.
  void Clear() {
    numbers_.clear();
    chars_.clear();
    offsets_.assign(1, 0);
    present_.clear();
  }

 private:
  std::string name_;
  ColumnType type_ = ColumnType::kNumber;
  Numbers numbers_;
  core::SecureString chars_;
  std::vector<uint32_t> offsets_{0};
  std::vector<uint8_t> present_;
};

class RowBatch {
 public:
  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  const Column& column(size_t i) const { return columns_[i]; }
  Column& mutable_column(size_t i) { return columns_[i]; }
  const std::vector<Column>& columns() const { return columns_; }

  // Index of a column by canonical name, or -1.
  int Find(std::string_view name) const {
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].name() == name) return static_cast<int>(i);
    }
    return -1;
  }
  // Adds a column and back-fills it with nulls for the rows already present.
  size_t AddColumn(std::string name, ColumnType type) {
    columns_.emplace_back(std::move(name), type);
    for (size_t r = 0; r < num_rows_; ++r) columns_.back().AppendNull();
    return columns_.size() - 1;
  }
  // Readers append one value to every column, then call FinishRow().
  void FinishRow() { ++num_rows_; }
  // Empties every column (keeping the schema and capacity).
  void Clear() {
    for (auto& c : columns_) c.Clear();
    num_rows_ = 0;
  }
  // Drops the schema too.
  void Reset() {
    columns_.clear();
    num_rows_ = 0;
  }

  // 1-based line number (in the decompressed stream) of row 0; 0 when unknown.
  uint64_t first_line = 0;

  // Where row `row` came from, for error messages: "line N" when first_line is known, else
  // "row K of its batch" (1-based).
  std::string RowWhere(size_t row) const {
    return first_line > 0 ? "line " + std::to_string(first_line + row)
                          : "row " + std::to_string(row + 1) + " of its batch";
  }

 private:
  std::vector<Column> columns_;
  size_t num_rows_ = 0;
};

}  // namespace vivalink::formats
