// Helpers for the formats tests: read a whole input into batches, look values up by row and
// column, and a source that hands out bytes a few at a time.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/io.h"
#include "formats/reader.h"
#include "formats/row_batch.h"
#include "formats/writer.h"
#include "testutil.h"

namespace vivalink::formats::testing {

// Returns 1..7 bytes per Read (a fixed pseudo-random sequence), to cross every buffer boundary.
class TrickleSource final : public core::ByteSource {
 public:
  explicit TrickleSource(std::string data) : data_(std::move(data)) {}
  core::Result<size_t> Read(std::span<std::byte> out) override {
    state_ = state_ * 1103515245u + 12345u;
    size_t want = 1 + (state_ >> 16) % 7;
    size_t n = std::min({want, out.size(), data_.size() - pos_});
    std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
  uint32_t state_ = 1;
};

// Everything a reader produced.
struct Table {
  std::vector<RowBatch> batches;
  std::vector<std::string> source_columns;
  uint64_t rows_read = 0;

  size_t rows() const {
    size_t n = 0;
    for (const auto& b : batches) n += b.num_rows();
    return n;
  }
  // The last batch has the widest schema.
  size_t columns() const { return batches.empty() ? 0 : batches.back().num_columns(); }
  const RowBatch& Last() const { return batches.back(); }

  // The column and row inside the batch holding table row `row`; fails the test when absent.
  std::pair<const Column*, size_t> At(const std::string& name, size_t row) const {
    for (const auto& b : batches) {
      if (row < b.num_rows()) {
        int c = b.Find(name);
        EXPECT_GE(c, 0) << "no column " << name;
        if (c < 0) return {nullptr, 0};
        return {&b.column(c), row};
      }
      row -= b.num_rows();
    }
    ADD_FAILURE() << "no row " << row;
    return {nullptr, 0};
  }
  double Number(const std::string& name, size_t row) const {
    auto [c, r] = At(name, row);
    return c == nullptr ? -12345 : c->NumberAt(r);
  }
  std::string String(const std::string& name, size_t row) const {
    auto [c, r] = At(name, row);
    if (c == nullptr) return "<missing>";
    if (c->type() != ColumnType::kString) return "<not a string column>";
    return c->IsNull(r) ? "<null>" : std::string(c->StringAt(r));
  }
  bool IsNull(const std::string& name, size_t row) const {
    auto [c, r] = At(name, row);
    return c == nullptr || c->IsNull(r);
  }
  ColumnType Type(const std::string& name) const {
    int c = Last().Find(name);
    EXPECT_GE(c, 0) << "no column " << name;
    return c < 0 ? ColumnType::kString : Last().column(c).type();
  }
  // All rows as JSON lines, nulls left out: equal for equal contents whatever the batching.
  std::string Dump() const {
    std::string out;
    for (const auto& b : batches) out += ToJsonLines(b, {.skip_nulls = true});
    return out;
  }
};

inline core::Result<Table> ReadTable(std::unique_ptr<core::ByteSource> source,
                                     ReaderOptions options = {}) {
  ASSIGN_OR_RETURN(auto reader, OpenRowReader(std::move(source), std::move(options)));
  Table t;
  while (true) {
    RowBatch batch;
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) {
      EXPECT_EQ(batch.num_rows(), 0u);
      break;
    }
    t.batches.push_back(std::move(batch));
  }
  t.source_columns = reader->source_columns();
  t.rows_read = reader->rows_read();
  return t;
}

inline core::Result<Table> ReadText(std::string text, ReaderOptions options = {}) {
  return ReadTable(core::MemorySource::Owning(std::move(text)), std::move(options));
}

inline std::string SharedText(const std::string& name) {
  return testutil::ReadFile(testutil::SharedData(name));
}

// The status of the first failing Next(), or OK.
inline core::Status FirstError(std::string text, ReaderOptions options = {}) {
  auto t = ReadText(std::move(text), std::move(options));
  return t.ok() ? core::OkStatus() : t.status();
}

}  // namespace vivalink::formats::testing
