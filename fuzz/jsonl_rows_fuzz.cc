// Fuzzes the JSON-lines row reader: any bytes must give rows or a clean error, never a crash,
// and reading them through small chunks must give the same outcome as reading them whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/io.h"
#include "formats/reader.h"
#include "formats/writer.h"

namespace {

using vivalink::formats::Format;
using vivalink::formats::OpenRowReader;
using vivalink::formats::ReaderOptions;
using vivalink::formats::RowBatch;

// All rows as JSON lines, or "error"; batches never outlive the call.
std::string Read(std::string_view data, ReaderOptions options) {
  auto reader = OpenRowReader(std::make_unique<vivalink::core::MemorySource>(data), options);
  if (!reader.ok()) return "open error";
  std::string out;
  RowBatch batch;
  while (true) {
    auto more = (*reader)->Next(batch);
    if (!more.ok()) return out + "error";
    if (!*more) break;
    out += vivalink::formats::ToJsonLines(batch, {.skip_nulls = true});
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string whole =
      Read(text, {.format = Format::kJsonLines, .max_line_bytes = 1 << 16, .chunk_bytes = 1 << 16});
  std::string chunked = Read(text, {.format = Format::kJsonLines,
                                    .batch_rows = 3,
                                    .max_line_bytes = 1 << 16,
                                    .chunk_bytes = 64});
  // Errors may surface after a different number of rows, but success must agree exactly.
  bool whole_failed = whole.ends_with("error");
  bool chunked_failed = chunked.ends_with("error");
  if (whole_failed != chunked_failed) std::abort();
  if (!whole_failed && whole != chunked) std::abort();
  // Whatever was read must read back the same after being written out.
  if (!whole_failed &&
      Read(whole, {.format = Format::kJsonLines, .chunk_bytes = 1 << 16}) != whole) {
    std::abort();
  }
  return 0;
}
