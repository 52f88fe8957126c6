// Small text helpers shared by the readers and writers of formats: strict number and bool
// parsing of field text, JSON string escaping and JSON minification.
#pragma once

#include <fast_float/fast_float.h>

#include <cmath>
#include <string>
#include <string_view>
#include <system_error>

namespace vivalink::formats::internal {

// Parses the whole of s as a decimal number ("12", "-0.5", "1e-3", ".5"). Rejects empty text,
// surrounding spaces, '+', hex and the words nan/inf, so that identifiers and names are never
// mistaken for numbers. Out-of-range exponents saturate (fast_float semantics).
inline bool ParseNumber(std::string_view s, double& out) {
  if (s.empty()) return false;
  char c = s[0] == '-' && s.size() > 1 ? s[1] : s[0];
  if (!((c >= '0' && c <= '9') || c == '.')) return false;
  auto r = fast_float::from_chars(s.data(), s.data() + s.size(), out);
  // Underflow reads as 0 or a subnormal; overflow (±infinity) is not a number a value can hold
  // (OverflowsDouble lets callers say so).
  return r.ptr == s.data() + s.size() &&
         (r.ec == std::errc() || (r.ec == std::errc::result_out_of_range && std::isfinite(out)));
}

// True when s is a whole decimal number too large for a double (it would read as ±infinity).
inline bool OverflowsDouble(std::string_view s) {
  double out = 0;
  if (s.empty()) return false;
  char c = s[0] == '-' && s.size() > 1 ? s[1] : s[0];
  if (!((c >= '0' && c <= '9') || c == '.')) return false;
  auto r = fast_float::from_chars(s.data(), s.data() + s.size(), out);
  return r.ptr == s.data() + s.size() && !std::isfinite(out);
}

// "true"/"false" in any case (JSON strings hold "true", R and Excel CSVs hold "TRUE").
inline bool ParseBool(std::string_view s, bool& out) {
  auto eq = [](std::string_view a, std::string_view lower) {
    if (a.size() != lower.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      char c = a[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != lower[i]) return false;
    }
    return true;
  };
  if (eq(s, "true")) {
    out = true;
    return true;
  }
  if (eq(s, "false")) {
    out = false;
    return true;
  }
  return false;
}

// Appends s as a JSON string literal (with the quotes). Bytes >= 0x80 are copied unchanged: the
// caller hands in UTF-8.
inline void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the current run of bytes that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

// Appends json (valid JSON text) without the whitespace outside its strings.
inline void AppendMinifiedJson(std::string& out, std::string_view json) {
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < json.size()) {
        out.push_back(json[++i]);
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out.push_back(c);
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      out.push_back(c);
    }
  }
}

inline bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace vivalink::formats::internal
