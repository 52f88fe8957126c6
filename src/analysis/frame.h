// The analysis module's data model: an in-memory, column-oriented table of person-week rows.
//
// Every analysis in src/analysis/ is a pure function of a Frame plus an options struct, returning a
// plain result struct (rendered as CSV or JSON by the analysis's ToCsv/ToJson). A Frame holds named
// columns of equal length, each either
//   - numeric: std::vector<double>, NaN = missing (bools are 0/1), or
//   - categorical: dictionary-encoded strings, std::vector<int32_t> codes into a
//     std::vector<std::string> of levels, kMissingCode = missing.
// All string columns are dictionary-encoded: group-bys then run over small integer codes.
//
// Frames are built either directly (AddNumeric / AddCategorical / AddStrings, used by tests and
// callers holding data in memory) or from the formats module's RowBatches with FrameBuilder.
// Loading a file lives in load_csv.h (it links the formats readers).
//
// Thread-safety: a const Frame may be read from many threads; mutation needs exclusive access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "formats/row_batch.h"

namespace vivalink::analysis {

enum class ColumnKind { kNumeric, kCategorical };

inline constexpr int32_t kMissingCode = -1;

struct FrameColumn {
  std::string name;
  ColumnKind kind = ColumnKind::kNumeric;
  std::vector<double> numbers;      // kNumeric: one value a row, NaN = missing
  std::vector<int32_t> codes;       // kCategorical: index into levels, or kMissingCode
  std::vector<std::string> levels;  // kCategorical: distinct values in first-seen order

  bool is_numeric() const { return kind == ColumnKind::kNumeric; }
  size_t size() const { return is_numeric() ? numbers.size() : codes.size(); }
  bool IsMissing(size_t row) const;
  // The string of a categorical row ("" when missing); not for numeric columns.
  std::string_view StringAt(size_t row) const;
};

class Frame {
 public:
  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  const std::vector<FrameColumn>& columns() const { return columns_; }

  // The column with this exact name, or nullptr.
  const FrameColumn* Find(std::string_view name) const;
  // Like Find, but kInvalidArgument naming the column (and the kind expected) when it is absent
  // or of the other kind.
  core::Result<const FrameColumn*> Get(std::string_view name) const;
  core::Result<const FrameColumn*> GetNumeric(std::string_view name) const;
  core::Result<const FrameColumn*> GetCategorical(std::string_view name) const;

  // Adders. The first column fixes the row count; a later column of another length, or a name
  // already present, is kInvalidArgument. Codes must be kMissingCode or index levels.
  core::Status AddNumeric(std::string name, std::vector<double> values);
  core::Status AddCategorical(std::string name, std::vector<int32_t> codes,
                              std::vector<std::string> levels);
  // Dictionary-encodes values (no missing values; use AddCategorical for those).
  core::Status AddStrings(std::string name, const std::vector<std::string>& values);
  core::Status AddColumn(FrameColumn column);

  // A new Frame with the rows whose keep[i] != 0, all columns, levels unchanged.
  // keep.size() must equal num_rows() (asserted: a caller bug otherwise).
  Frame FilterRows(std::span<const uint8_t> keep) const;

 private:
  std::vector<FrameColumn> columns_;
  std::unordered_map<std::string, size_t> index_;
  size_t num_rows_ = 0;
};

// For a categorical column: the chronological (or, failing that, lexicographic) position of each
// level. When every level is a date — ISO "YYYY-MM-DD" (optionally with a time after 'T' or a
// blank) or US "M/D/YYYY" / "MM/DD/YYYY" (optionally with a time), as person queries exported
// in a US locale write MetricDate — levels are ordered by date; else by byte-wise string order.
// Used to order weeks (MetricDate): a string order of "12/31/2023" and "1/7/2024" would put
// next year's weeks first.
std::vector<int32_t> LevelOrder(const FrameColumn& column);

// The numeric columns of `frame` other than `outcome` and those named in `exclude`, in frame
// order: the candidates an analysis considers when the caller names none.
std::vector<const FrameColumn*> NumericColumnsExcept(const Frame& frame, std::string_view outcome,
                                                     const std::vector<std::string>& exclude);

// Builds a Frame from a stream of formats::RowBatch (as produced by formats::RowReader).
// Number and bool columns become numeric columns; string columns become categorical columns.
// A column that appears only in a later batch is back-filled with missing values, and a column
// absent from a batch gets missing values for that batch's rows.
class FrameBuilder {
 public:
  // columns_wanted: the columns to keep; empty keeps every column. missing_wanted_ok: a wanted
  // column the input lacks is simply absent from the Frame (for callers that name columns which
  // may come from elsewhere, e.g. a partner file joined later) instead of kNotFound.
  explicit FrameBuilder(std::vector<std::string> columns_wanted = {},
                        bool missing_wanted_ok = false);

  // Appends the batch's rows. kInvalidArgument when a column changes kind between batches
  // (string in one, number in another), naming the column.
  core::Status Append(const formats::RowBatch& batch);
  // The rows appended so far. kNotFound when a wanted column never appeared, naming it.
  core::Result<Frame> Finish() &&;

 private:
  struct Building {
    FrameColumn column;
    // Transparent hashing: looked up by string_view, no allocation per row.
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> dict;
  };

  std::vector<std::string> wanted_;
  bool missing_wanted_ok_ = false;
  std::vector<Building> building_;
  std::unordered_map<std::string, size_t> index_;
  size_t num_rows_ = 0;
};

// The rows of frame as CSV ("csv": a header, fields quoted when needed, NA for missing and
// non-finite values and a string "NA" quoted) or JSON lines ("json": one object a row, null for
// missing values), written to out in chunks of about 1 MiB; out is not closed.
// kInvalidArgument for another format; the sink's errors.
core::Status WriteFrame(const Frame& frame, std::string_view format, core::ByteSink& out);

}  // namespace vivalink::analysis
