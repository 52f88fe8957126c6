#include "core/uuid.h"

#include <openssl/rand.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <stdexcept>

namespace vivalink::core {
namespace {

std::string Format(const std::array<uint8_t, 16>& b) {
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return std::string(out, 36);
}

void SetVersion4(std::array<uint8_t, 16>& b) {
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
}

}  // namespace

std::string NewUuid() {
  std::array<uint8_t, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // The OS CSPRNG failing is not an expected condition we can recover from.
    throw std::runtime_error("RAND_bytes failed");
  }
  SetVersion4(b);
  return Format(b);
}

std::string UuidFromSeed(uint64_t a, uint64_t c) {
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 8; ++i) {
    b[static_cast<size_t>(i)] = static_cast<uint8_t>(a >> (56 - 8 * i));
    b[static_cast<size_t>(8 + i)] = static_cast<uint8_t>(c >> (56 - 8 * i));
  }
  SetVersion4(b);
  return Format(b);
}

bool IsUuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (t[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(t[i]))) {
      return false;
    }
  }
  return true;
}

std::string NormalizeUuid(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace vivalink::core
