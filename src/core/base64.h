// Base64 (RFC 4648 §4, padded) and base64url (§5, unpadded on output, padding optional on input).
// Decoders reject characters outside the alphabet and bad padding with kInvalidArgument.
// Thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vivalink::core {

std::string Base64Encode(std::span<const std::byte> data);
std::string Base64Encode(std::string_view data);
Result<std::string> Base64Decode(std::string_view text);
// Decodes into out (which must hold Base64DecodedMaxSize(text.size()) bytes); returns the size.
// Allocation-free: used per row for column-encrypted ids.
Result<size_t> Base64DecodeTo(std::string_view text, std::span<std::byte> out);
constexpr size_t Base64DecodedMaxSize(size_t encoded) { return (encoded + 3) / 4 * 3; }

std::string Base64UrlEncode(std::span<const std::byte> data);
std::string Base64UrlEncode(std::string_view data);
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace vivalink::core
