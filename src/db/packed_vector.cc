#include "db/packed_vector.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace vivalink::db {
namespace {

constexpr int kWindow = 12;  // exponents covered by classes 4..15
constexpr uint64_t kMantissaMask = (uint64_t{1} << 52) - 1;
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

enum Class : unsigned { kMissing = 0, kZero = 1, kInteger = 2, kRaw = 3, kWindowed = 4 };

int BiasedExponent(uint64_t bits) { return static_cast<int>((bits >> 52) & 0x7ff); }

bool IsSmallInteger(double v) {
  return std::fabs(v) < kMaxExactInteger && std::trunc(v) == v && !(v == 0 && std::signbit(v));
}

void PutVarint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutLittleEndian(uint64_t v, int bytes, std::string& out) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

core::Status Malformed(std::string_view what) {
  return core::DataLossError(
      std::string("a stored metric vector is malformed (") + std::string(what) +
      "); the database was damaged or written by another program: restore it from a backup or "
      "import the drops again");
}

// A cursor over a blob; every read is bounds-checked.
struct Reader {
  const unsigned char* p;
  const unsigned char* end;

  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p == end) return false;
      unsigned char b = *p++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool LittleEndian(int bytes, uint64_t& v) {
    if (end - p < bytes) return false;
    v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    p += bytes;
    return true;
  }
};

struct Header {
  size_t n = 0;
  int base = 0;
  const unsigned char* classes = nullptr;
};

core::Result<Header> ReadHeader(Reader& r) {
  if (r.p == r.end) return Malformed("empty");
  if (*r.p != kPackedVectorVersion) return Malformed("unknown format version");
  ++r.p;
  uint64_t n = 0;
  if (!r.Varint(n)) return Malformed("bad value count");
  uint64_t base = 0;
  if (!r.LittleEndian(2, base)) return Malformed("truncated header");
  uint64_t class_bytes = (n + 1) / 2;
  if (n > static_cast<uint64_t>(r.end - r.p) * 2 ||
      class_bytes > static_cast<uint64_t>(r.end - r.p)) {
    return Malformed("value count larger than the blob");
  }
  Header h;
  h.n = static_cast<size_t>(n);
  h.base = static_cast<int>(base);
  h.classes = r.p;
  r.p += class_bytes;
  return h;
}

unsigned ClassOf(const Header& h, size_t i) {
  unsigned char b = h.classes[i / 2];
  return (i % 2 == 0) ? (b & 0x0f) : (b >> 4);
}

// Decodes the value of class c at r; false when the payload is truncated or invalid.
bool Decode(unsigned c, int base, Reader& r, double& out) {
  switch (c) {
    case kMissing:
      out = std::numeric_limits<double>::quiet_NaN();
      return true;
    case kZero:
      out = 0.0;
      return true;
    case kInteger: {
      uint64_t z = 0;
      if (!r.Varint(z)) return false;
      int64_t v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
      out = static_cast<double>(v);
      return true;
    }
    case kRaw: {
      uint64_t bits = 0;
      if (!r.LittleEndian(8, bits)) return false;
      out = std::bit_cast<double>(bits);
      if (std::isnan(out)) out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    default: {
      uint64_t packed = 0;
      if (!r.LittleEndian(7, packed)) return false;
      int exponent = base + static_cast<int>(c) - kWindowed;
      if (exponent <= 0 || exponent >= 0x7ff || (packed >> 53) != 0) return false;
      uint64_t sign = (packed >> 52) & 1;
      uint64_t bits =
          (sign << 63) | (static_cast<uint64_t>(exponent) << 52) | (packed & kMantissaMask);
      out = std::bit_cast<double>(bits);
      return true;
    }
  }
}

// The start of the window: the exponent, among those present, that begins the 12 consecutive
// exponents holding the most values (the lowest such on a tie). exponents: the biased exponents
// of the windowable values, spanning [lo, hi].
int WindowBase(std::vector<int>& exponents, int lo, int hi) {
  constexpr int kSpan = 128;  // a histogram for vectors whose exponents span less than this
  if (hi - lo < kSpan) {
    std::array<uint16_t, kSpan + kWindow> histogram{};
    for (int e : exponents) ++histogram[static_cast<size_t>(e - lo)];
    int base = lo, best = 0;
    for (int start = 0; start <= hi - lo; ++start) {
      if (histogram[static_cast<size_t>(start)] == 0) continue;
      int count = 0;
      for (int k = 0; k < kWindow; ++k) count += histogram[static_cast<size_t>(start + k)];
      if (count > best) {
        best = count;
        base = lo + start;
      }
    }
    return base;
  }
  std::sort(exponents.begin(), exponents.end());
  int base = exponents.front();
  size_t best = 0;
  for (size_t first = 0, last = 0; first < exponents.size(); ++first) {
    if (first > 0 && exponents[first] == exponents[first - 1]) continue;
    while (last < exponents.size() && exponents[last] < exponents[first] + kWindow) ++last;
    if (last - first > best) {
      best = last - first;
      base = exponents[first];
    }
  }
  return base;
}

}  // namespace

void PackDoubles(std::span<const double> values, std::string& out) {
  out.clear();
  out.reserve(4 + (values.size() + 1) / 2 + 8 * values.size());
  // First pass: each value's class (missing, zero, small integer, or a double to place) and the
  // exponents of the doubles that may share the window (normal numbers: biased exponent 1..2046).
  thread_local std::vector<unsigned char> classes;
  thread_local std::vector<int> exponents;
  classes.resize(values.size());
  exponents.clear();
  int lo = 0x7ff, hi = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (std::isnan(v)) {
      classes[i] = kMissing;
    } else if (v == 0 && !std::signbit(v)) {
      classes[i] = kZero;
    } else if (IsSmallInteger(v)) {
      classes[i] = kInteger;
    } else {
      classes[i] = kRaw;
      int e = BiasedExponent(std::bit_cast<uint64_t>(v));
      if (e == 0 || e == 0x7ff) continue;
      exponents.push_back(e);
      lo = std::min(lo, e);
      hi = std::max(hi, e);
    }
  }
  const int base = exponents.empty() ? 1023 : WindowBase(exponents, lo, hi);
  out.push_back(static_cast<char>(kPackedVectorVersion));
  PutVarint(values.size(), out);
  PutLittleEndian(static_cast<uint64_t>(base), 2, out);
  const size_t classes_at = out.size();
  out.append((values.size() + 1) / 2, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    unsigned c = classes[i];
    if (c == kInteger) {
      int64_t n = static_cast<int64_t>(values[i]);
      PutVarint((static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63), out);
    } else if (c == kRaw) {
      uint64_t bits = std::bit_cast<uint64_t>(values[i]);
      int e = BiasedExponent(bits);
      if (e >= base && e < base + kWindow && e != 0 && e != 0x7ff) {
        c = kWindowed + static_cast<unsigned>(e - base);
        PutLittleEndian(((bits >> 63) << 52) | (bits & kMantissaMask), 7, out);
      } else {
        PutLittleEndian(bits, 8, out);
      }
    }
    auto& slot = reinterpret_cast<unsigned char&>(out[classes_at + i / 2]);
    slot = static_cast<unsigned char>(slot | (i % 2 == 0 ? c : c << 4));
  }
}

core::Result<size_t> PackedSize(std::string_view blob) {
  Reader r{reinterpret_cast<const unsigned char*>(blob.data()),
           reinterpret_cast<const unsigned char*>(blob.data()) + blob.size()};
  ASSIGN_OR_RETURN(Header h, ReadHeader(r));
  return h.n;
}

core::Result<size_t> UnpackDoubles(std::string_view blob, std::span<double> out) {
  Reader r{reinterpret_cast<const unsigned char*>(blob.data()),
           reinterpret_cast<const unsigned char*>(blob.data()) + blob.size()};
  ASSIGN_OR_RETURN(Header h, ReadHeader(r));
  if (out.size() < h.n) {
    return core::InvalidArgumentError("UnpackDoubles: the output span is shorter than the vector");
  }
  for (size_t i = 0; i < h.n; ++i) {
    const unsigned c = ClassOf(h, i);
    if (!Decode(c, h.base, r, out[i])) return Malformed("truncated or invalid value");
  }
  // Unused high nibble of an odd count must be 0; no bytes may follow the last payload.
  if (h.n % 2 == 1 && (h.classes[h.n / 2] >> 4) != 0) return Malformed("stray class nibble");
  if (r.p != r.end) return Malformed("trailing bytes");
  return h.n;
}

core::Result<double> PackedValueAt(std::string_view blob, size_t index) {
  Reader r{reinterpret_cast<const unsigned char*>(blob.data()),
           reinterpret_cast<const unsigned char*>(blob.data()) + blob.size()};
  ASSIGN_OR_RETURN(Header h, ReadHeader(r));
  if (index >= h.n) return std::numeric_limits<double>::quiet_NaN();
  double v = 0;
  for (size_t i = 0; i <= index; ++i) {
    if (!Decode(ClassOf(h, i), h.base, r, v)) return Malformed("truncated or invalid value");
  }
  return v;
}

}  // namespace vivalink::db
