// Fuzzes the CSV row reader: any bytes must give rows or a clean error, never a crash, and reading
// them through small chunks must give the same outcome as reading them whole.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rows_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)vivalink::fuzz::CheckWholeEqualsChunked(text, vivalink::formats::Format::kCsv);
  return 0;
}
