// Fuzzes loading a person query CSV into an analysis Frame (analysis/load_csv.h): any bytes give a
// Frame or a clean error, never a crash; every column of a Frame has one value a row, every code
// indexes its levels, and the analyses that order weeks and filter rows accept it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "analysis/frame.h"
#include "analysis/load_csv.h"
#include "core/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vivalink;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  formats::ReaderOptions options;
  options.format = formats::Format::kCsv;
  options.source_name = "fuzz.csv";
  auto frame = analysis::LoadFrame(std::make_unique<core::MemorySource>(text), options);
  if (!frame.ok()) return 0;
  const size_t rows = frame->num_rows();
  for (const auto& c : frame->columns()) {
    if (c.size() != rows) std::abort();
    if (c.is_numeric()) continue;
    for (int32_t code : c.codes) {
      if (code != analysis::kMissingCode &&
          (code < 0 || static_cast<size_t>(code) >= c.levels.size())) {
        std::abort();
      }
    }
    const std::vector<int32_t> order = analysis::LevelOrder(c);
    if (order.size() != c.levels.size()) std::abort();
  }
  std::vector<uint8_t> keep(rows);
  for (size_t i = 0; i < rows; ++i) keep[i] = static_cast<uint8_t>(i % 2);
  const analysis::Frame half = frame->FilterRows(keep);
  if (half.num_rows() != rows / 2) std::abort();
  return 0;
}
