// Fuzzes the JSON-lines row reader: any bytes must give rows or a clean error, never a crash,
// and reading them through small chunks must give the same outcome as reading them whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rows_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vivalink::formats::Format;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string whole = vivalink::fuzz::CheckWholeEqualsChunked(text, Format::kJsonLines);
  // Whatever was read must read back the same after being written out.
  if (!whole.ends_with("error") &&
      vivalink::fuzz::ReadRows(whole, {.format = Format::kJsonLines, .chunk_bytes = 1 << 16}) !=
          whole) {
    std::abort();
  }
  return 0;
}
