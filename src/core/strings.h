// Small string helpers used across modules (ASCII only; the protocol's keys are ASCII).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vivalink::core {

std::string_view Trim(std::string_view s);
std::string ToLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
std::vector<std::string_view> Split(std::string_view s, char sep);
// Lower-case hex of bytes.
std::string HexEncode(std::string_view bytes);
// Human-readable byte count: "1.5 GiB".
std::string HumanBytes(double bytes);

}  // namespace vivalink::core
