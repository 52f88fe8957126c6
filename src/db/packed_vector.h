// The packed form of a metric vector: how one person-week's metric values are stored in a single
// SQLite BLOB (see schema.h, migration 4, for why and for the measurements).
//
//   std::string blob;
//   db::PackDoubles(values, blob);                      // values: NaN = missing
//   ASSIGN_OR_RETURN(size_t n, db::UnpackDoubles(blob, out));  // out.size() >= n
//
// Layout (version 1), little-endian:
//   byte 0        format version (1)
//   varint        n, the number of values
//   2 bytes       base: the biased IEEE-754 exponent that value classes 4..15 are relative to
//   ceil(n/2)     one class nibble per value (value i: low nibble of byte i/2 when i is even)
//   payloads      in value order:
//     class 0     missing (NaN in, NaN out)            no payload
//     class 1     +0.0                                 no payload
//     class 2     an integer |v| < 2^53 (not -0.0)     zigzag varint (1 byte up to 63)
//     class 3     any other double                     8 bytes, the IEEE-754 bits
//     class 4-15  a double whose biased exponent is    7 bytes: sign << 52 | mantissa
//                 base + (class - 4)
// The encoding is lossless for every double except that all NaNs read back as the one quiet NaN
// that means "missing". The base is chosen per vector as the 12-exponent window holding the most
// non-integer values (hours, ratios: most of a vector's values fall in a factor of 4,096).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vivalink::db {

inline constexpr unsigned char kPackedVectorVersion = 1;

// Appends the packed form of `values` to `out` (which is cleared first).
void PackDoubles(std::span<const double> values, std::string& out);

// The number of values in a packed vector, without decoding them. kDataLoss when the header is
// malformed.
core::Result<size_t> PackedSize(std::string_view blob);

// Decodes `blob` into out[0..n). kDataLoss for a malformed or truncated blob, an unknown version,
// or trailing bytes; kInvalidArgument when out is shorter than n. Messages never quote values.
core::Result<size_t> UnpackDoubles(std::string_view blob, std::span<double> out);

// The value at `index` (NaN when missing or when index >= n), decoding only the classes before it.
core::Result<double> PackedValueAt(std::string_view blob, size_t index);

}  // namespace vivalink::db
