#include "report/internal/html.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace vivalink::report::internal {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kDash = "\xE2\x80\x93";         // U+2013
constexpr std::string_view kMinus = "\xE2\x88\x92";        // U+2212

// Length of the valid UTF-8 sequence starting at s[i] (1..4), or 0 when it is invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  size_t len = 0;
  uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1Fu;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0Fu;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  // XML 1.0 forbids U+FFFE and U+FFFF.
  if (cp == 0xFFFE || cp == 0xFFFF) return 0;
  return len;
}

std::string GroupThousands(std::string digits) {
  // digits: optional '-' then decimal digits, optionally followed by '.' and more digits.
  size_t start = (!digits.empty() && digits[0] == '-') ? 1 : 0;
  size_t end = digits.find('.');
  if (end == std::string::npos) end = digits.size();
  for (size_t pos = end; pos > start + 3;) {
    pos -= 3;
    digits.insert(pos, 1, ',');
  }
  return digits;
}

std::string WithMinusSign(std::string s) {
  if (!s.empty() && s[0] == '-') return std::string(kMinus) + s.substr(1);
  return s;
}

}  // namespace

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        case '\t':
        case '\n':
        case '\r':
          out += c;
          break;
        default:
          if (u < 0x20 || u == 0x7F) {
            out += kReplacement;
          } else {
            out += c;
          }
      }
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string DisplayName(std::string_view column) {
  std::string out;
  out.reserve(column.size());
  for (char c : column) {
    if (c == '_') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? std::string(column) : out;
}

std::string Truncate(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t len = Utf8SequenceLength(text, i);
    if (len == 0) len = 1;
    if (chars + 1 > max_chars) break;
    i += len;
    ++chars;
  }
  if (i >= text.size()) return std::string(text);
  // Leave room for the ellipsis.
  std::string cut(text.substr(0, i));
  if (max_chars > 0) {
    size_t back = cut.size();
    while (back > 0 && (static_cast<unsigned char>(cut[back - 1]) & 0xC0) == 0x80) --back;
    if (back > 0) cut.resize(back - 1);
  }
  return cut + "\xE2\x80\xA6";
}

std::string FormatCount(int64_t n) { return WithMinusSign(GroupThousands(std::to_string(n))); }

std::string FormatValue(double v) {
  if (!std::isfinite(v)) return std::string(kDash);
  const double a = std::fabs(v);
  if (a == 0) return "0";
  // Whole numbers (bin edges of counts and survey scores) read best without decimals.
  if (a < 1e15 && v == std::floor(v)) return FormatFixed(v, 0);
  int decimals = 0;
  if (a >= 100) {
    decimals = a >= 1000 ? 0 : 1;
  } else if (a >= 1) {
    decimals = 2;
  } else {
    // Three significant digits below 1, capped so tiny values do not print 12 zeros.
    decimals = std::min(6, 2 - static_cast<int>(std::floor(std::log10(a))));
  }
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.find_first_not_of("-0.") == std::string::npos) s = v < 0 ? "-0" : "0";
  return WithMinusSign(GroupThousands(std::move(s)));
}

std::string FormatFixed(double v, int decimals) {
  if (!std::isfinite(v)) return std::string(kDash);
  std::string s = fmt::format("{:.{}f}", v, decimals);
  // "-0.00" reads as a sign that is not there.
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return WithMinusSign(GroupThousands(std::move(s)));
}

std::string FormatSigned(double v, int decimals) {
  std::string s = FormatFixed(v, decimals);
  if (!std::isfinite(v)) return s;
  if (s.rfind(kMinus, 0) == 0) return s;
  if (s.find_first_not_of("0.,") == std::string::npos) return s;
  return "+" + s;
}

std::string FormatP(double p) {
  if (!std::isfinite(p)) return std::string(kDash);
  if (p < 0.001) return "<0.001";
  return fmt::format("{:.3f}", p);
}

std::string FormatPercent(double share, int decimals) {
  if (!std::isfinite(share)) return std::string(kDash);
  return FormatFixed(share * 100, decimals) + "%";
}

}  // namespace vivalink::report::internal
