// The check both row-reader fuzz targets make: any bytes must give rows or a clean error, never a
// crash, and reading them through small chunks (64 bytes, 3-row batches) must give the same
// outcome as reading them whole. Returns the whole read (rows as JSON lines, or ending in "error").
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/io.h"
#include "formats/reader.h"
#include "formats/writer.h"

namespace vivalink::fuzz {

// All rows as JSON lines, or "error"; batches never outlive the call.
inline std::string ReadRows(std::string_view data, formats::ReaderOptions options) {
  auto reader = formats::OpenRowReader(std::make_unique<core::MemorySource>(data), options);
  if (!reader.ok()) return "open error";
  std::string out;
  formats::RowBatch batch;
  while (true) {
    auto more = (*reader)->Next(batch);
    if (!more.ok()) return out + "error";
    if (!*more) break;
    out += formats::ToJsonLines(batch, {.skip_nulls = true});
  }
  return out;
}

inline std::string CheckWholeEqualsChunked(std::string_view text, formats::Format format) {
  std::string whole =
      ReadRows(text, {.format = format, .max_line_bytes = 1 << 16, .chunk_bytes = 1 << 16});
  std::string chunked = ReadRows(
      text, {.format = format, .batch_rows = 3, .max_line_bytes = 1 << 16, .chunk_bytes = 64});
  // Errors may surface after a different number of rows, but success must agree exactly.
  bool whole_failed = whole.ends_with("error");
  bool chunked_failed = chunked.ends_with("error");
  if (whole_failed != chunked_failed) std::abort();
  if (!whole_failed && whole != chunked) std::abort();
  return whole;
}

// Every other column of the whole read (by canonical name; empty when it failed or had none).
inline std::vector<std::string> EveryOtherColumn(std::string_view data, formats::Format format) {
  std::vector<std::string> names;
  auto reader = formats::OpenRowReader(std::make_unique<core::MemorySource>(data),
                                       {.format = format, .max_line_bytes = 1 << 16});
  if (!reader.ok()) return names;
  formats::RowBatch batch;
  while (true) {
    auto more = (*reader)->Next(batch);
    if (!more.ok()) return {};
    if (!*more) break;
  }
  for (size_t c = 0; c < batch.num_columns(); c += 2) names.push_back(batch.column(c).name());
  return names;
}

// The projection path: reading every other column (ReaderOptions::columns) must succeed whenever
// the whole read (`whole`, from CheckWholeEqualsChunked) did, and agree whole vs chunked. Returns
// the columns asked for.
inline std::vector<std::string> CheckProjection(std::string_view text, formats::Format format,
                                                const std::string& whole) {
  std::vector<std::string> columns = EveryOtherColumn(text, format);
  if (columns.empty()) columns = {"PersonId"};
  std::string projected = ReadRows(
      text,
      {.format = format, .max_line_bytes = 1 << 16, .chunk_bytes = 1 << 16, .columns = columns});
  std::string chunked = ReadRows(text, {.format = format,
                                        .batch_rows = 3,
                                        .max_line_bytes = 1 << 16,
                                        .chunk_bytes = 64,
                                        .columns = columns});
  bool projected_failed = projected.ends_with("error");
  if (projected_failed != chunked.ends_with("error")) std::abort();
  if (!projected_failed && projected != chunked) std::abort();
  if (!whole.ends_with("error") && projected_failed) std::abort();
  return columns;
}

}  // namespace vivalink::fuzz
