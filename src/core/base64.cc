#include "core/base64.h"

#include <array>

#include "core/io.h"

namespace vivalink::core {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int8_t, 256> MakeTable(const char* alphabet) {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kStdTable = MakeTable(kStd);
constexpr auto kUrlTable = MakeTable(kUrl);

std::string Encode(std::span<const std::byte> data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(data[k]); };
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    out += alphabet[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = at(i) << 16;
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = at(i) << 16 | at(i + 1) << 8;
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    if (pad) out += '=';
  }
  return out;
}

// Decodes text (padding optional unless require_pad) into out; returns bytes written.
Result<size_t> Decode(std::string_view text, const std::array<int8_t, 256>& table, bool require_pad,
                      std::span<std::byte> out) {
  size_t len = text.size();
  size_t pads = 0;
  while (len > 0 && text[len - 1] == '=' && pads < 2) {
    --len;
    ++pads;
  }
  if (require_pad && text.size() % 4 != 0) {
    return InvalidArgumentError("base64 text length " + std::to_string(text.size()) +
                                " is not a multiple of 4");
  }
  if (len % 4 == 1) return InvalidArgumentError("base64 text has an impossible length");
  if (pads > 0 && (len + pads) % 4 != 0) return InvalidArgumentError("base64 padding is wrong");
  size_t need = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
  if (out.size() < need) return InternalError("base64 output buffer too small");
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; ++i) {
    int8_t v = table[static_cast<unsigned char>(text[i])];
    if (v < 0) {
      return InvalidArgumentError("base64 text has an invalid character at offset " +
                                  std::to_string(i));
    }
    acc = acc << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<std::byte>(acc >> bits & 0xFF);
    }
  }
  // Leftover bits must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return InvalidArgumentError("base64 text has non-zero trailing bits");
  }
  return o;
}

Result<std::string> DecodeToString(std::string_view text, const std::array<int8_t, 256>& table,
                                   bool require_pad) {
  std::string out(Base64DecodedMaxSize(text.size()), '\0');
  ASSIGN_OR_RETURN(size_t n, Decode(text, table, require_pad,
                                    {reinterpret_cast<std::byte*>(out.data()), out.size()}));
  out.resize(n);
  return out;
}

}  // namespace

std::string Base64Encode(std::span<const std::byte> data) { return Encode(data, kStd, true); }
std::string Base64Encode(std::string_view data) { return Base64Encode(AsBytes(data)); }
Result<std::string> Base64Decode(std::string_view text) {
  return DecodeToString(text, kStdTable, true);
}
Result<size_t> Base64DecodeTo(std::string_view text, std::span<std::byte> out) {
  return Decode(text, kStdTable, true, out);
}
std::string Base64UrlEncode(std::span<const std::byte> data) { return Encode(data, kUrl, false); }
std::string Base64UrlEncode(std::string_view data) { return Base64UrlEncode(AsBytes(data)); }
Result<std::string> Base64UrlDecode(std::string_view text) {
  return DecodeToString(text, kUrlTable, false);
}

}  // namespace vivalink::core
