// Row writers: the inverse of reader.h. Write a stream of RowBatches as JSON lines (one compact
// object a row) or as CSV with a header row, into a ByteSink. Used by `drop cat` (rows as JSON
// lines) and by the simulator (drops in the v0/v1/CSV shapes).
//
//   JsonLinesWriter out(sink, {.output_names = SourceNames(reader->source_columns())});
//   while (...) RETURN_IF_ERROR(out.Write(batch));
//   RETURN_IF_ERROR(out.Flush());
//
// Values: numbers in the shortest text that reads back to the same double (std::to_chars);
// non-finite numbers and nulls as null (JSON) or csv_null (CSV); bools as true/false (JSON) or
// TRUE/FALSE (CSV); strings escaped as JSON strings or quoted as RFC 4180 needs. A string column
// holding a nested value the reader kept as JSON text (proxyAddresses) is written as a string.
// Strings are assumed to be UTF-8 (everything the readers produce is validated UTF-8).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "formats/row_batch.h"

namespace vivalink::formats {

struct WriterOptions {
  // Output name of a column by canonical name; a column not in the map keeps its canonical name.
  std::unordered_map<std::string, std::string> output_names{};
  // JSON lines: leave out null members instead of writing "name":null.
  bool skip_nulls = false;
  // CSV: the text of a null (R and the Viva Insights exports write NA). Written unquoted; a
  // string equal to it is quoted so that it reads back as text.
  std::string csv_null = "NA";
  // CSV: the columns to write, in order, by canonical name. Empty: the first batch's columns. A
  // column missing from a batch is written as null.
  std::vector<std::string> csv_columns{};
  // Bytes buffered before each write to the sink.
  size_t buffer_bytes = 1 << 20;
};

// canonical name -> the first source name with that canonical name, from a reader's
// source_columns(): write rows back out under the names they were read with.
std::unordered_map<std::string, std::string> SourceNames(
    const std::vector<std::string>& source_columns);

// Writes rows as JSON lines. The sink must outlive the writer; not thread-safe. Errors are the
// sink's; the writer is unusable after one.
class JsonLinesWriter {
 public:
  explicit JsonLinesWriter(core::ByteSink& sink, WriterOptions options = {});
  // Appends the batch's rows (any schema; each batch may differ).
  core::Status Write(const RowBatch& batch);
  // Writes out what is buffered. Does not Close the sink.
  core::Status Flush();
  uint64_t rows_written() const { return rows_written_; }

 private:
  core::ByteSink& sink_;
  WriterOptions options_;
  std::string buffer_;
  uint64_t rows_written_ = 0;
};

// Writes rows as CSV: a header row (output names), then one record a row, '\n' line ends.
// Columns come from WriterOptions::csv_columns or else the first batch; a later batch with a
// column outside them is FailedPrecondition (pass csv_columns when the schema may grow).
class CsvWriter {
 public:
  explicit CsvWriter(core::ByteSink& sink, WriterOptions options = {});
  core::Status Write(const RowBatch& batch);
  core::Status Flush();
  uint64_t rows_written() const { return rows_written_; }

 private:
  core::ByteSink& sink_;
  WriterOptions options_;
  std::string buffer_;
  bool header_written_ = false;
  std::vector<int> batch_columns_;  // for each output column, its index in the current batch
  uint64_t rows_written_ = 0;
};

// Formats one batch as JSON lines text (tests, small outputs).
std::string ToJsonLines(const RowBatch& batch, const WriterOptions& options = {});

}  // namespace vivalink::formats
