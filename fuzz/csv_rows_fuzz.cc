// Fuzzes the CSV row reader: any bytes must give rows or a clean error, never a crash, and reading
// them through small chunks must give the same outcome as reading them whole. Two more paths:
// projection (only some columns asked for: must succeed whenever reading every column did, and
// agree whole vs chunked) and the two-part parallel read of a file (OpenRowFileReader, the split
// forced: must give exactly the sequential read's rows, line numbers and error).
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/file.h"
#include "rows_fuzz.h"

namespace vivalink::fuzz {
namespace {

// Every row of the file with its line number (one-row batches: exact), then "error: <message>".
std::string ReadFileRows(const std::string& path, formats::ReaderOptions options) {
  options.batch_rows = 1;
  options.chunk_bytes = 64;
  options.max_line_bytes = 1 << 16;
  auto reader = formats::OpenRowFileReader(path, options);
  if (!reader.ok()) return "open error: " + reader.status().ToString();
  std::string out;
  formats::RowBatch batch;
  while (true) {
    auto more = (*reader)->Next(batch);
    if (!more.ok()) return out + "error: " + more.status().ToString();
    if (!*more) break;
    out +=
        std::to_string(batch.first_line) + " " + formats::ToJsonLines(batch, {.skip_nulls = true});
  }
  return out;
}

void CheckParallelEqualsSequential(std::string_view text, const std::vector<std::string>& columns) {
  static const std::string path = "/tmp/csv_rows_fuzz." + std::to_string(::getpid()) + ".csv";
  core::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid() || !core::WriteAll(fd.get(), text, path).ok()) std::abort();
  formats::ReaderOptions options{.format = formats::Format::kCsv, .columns = columns};
  std::string sequential = ReadFileRows(path, options);
  options.threads = 2;
  options.parallel_min_bytes = 0;
  if (ReadFileRows(path, options) != sequential) std::abort();
}

}  // namespace
}  // namespace vivalink::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vivalink::formats::Format;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string whole = vivalink::fuzz::CheckWholeEqualsChunked(text, Format::kCsv);
  std::vector<std::string> columns = vivalink::fuzz::CheckProjection(text, Format::kCsv, whole);
  vivalink::fuzz::CheckParallelEqualsSequential(text, {});
  vivalink::fuzz::CheckParallelEqualsSequential(text, columns);
  return 0;
}
