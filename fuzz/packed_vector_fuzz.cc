// libFuzzer target for db/packed_vector.h: any bytes given to the decoder either decode or fail
// with kDataLoss (never a crash or an out-of-bounds read); whatever decodes re-encodes and decodes
// to the same values (bit for bit, NaN as missing); and PackedValueAt agrees with UnpackDoubles.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "db/packed_vector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view blob(reinterpret_cast<const char*>(data), size);
  auto n = vivalink::db::PackedSize(blob);
  if (!n.ok()) return 0;
  if (*n > (1u << 16)) return 0;  // a valid header may claim more values than we want to allocate
  std::vector<double> values(*n);
  auto decoded = vivalink::db::UnpackDoubles(blob, values);
  if (!decoded.ok()) {
    if (decoded.status().code() != vivalink::core::StatusCode::kDataLoss) std::abort();
    return 0;
  }
  for (size_t i = 0; i < values.size() && i < 64; ++i) {
    auto at = vivalink::db::PackedValueAt(blob, i);
    if (!at.ok()) std::abort();
    if (std::isnan(values[i]) != std::isnan(*at)) std::abort();
    if (!std::isnan(values[i]) &&
        std::bit_cast<uint64_t>(values[i]) != std::bit_cast<uint64_t>(*at)) {
      std::abort();
    }
  }
  std::string again;
  vivalink::db::PackDoubles(values, again);
  std::vector<double> back(values.size());
  auto redecoded = vivalink::db::UnpackDoubles(again, back);
  if (!redecoded.ok() || *redecoded != values.size()) std::abort();
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])
            ? !std::isnan(back[i])
            : std::bit_cast<uint64_t>(values[i]) != std::bit_cast<uint64_t>(back[i])) {
      std::abort();
    }
  }
  return 0;
}
