// Text helpers for the report: escaping for HTML/SVG (XHTML-compatible, so the whole document
// also parses as XML) and number formatting for readers. Module-private.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vivalink::report::internal {

// Escapes text for an HTML/SVG text node or a quoted attribute value: & < > " ' become character
// references; control characters that XML forbids and invalid UTF-8 sequences become U+FFFD, so
// customer data (column and group names) can never open markup or break the XML parse.
std::string Escape(std::string_view text);

// A column name for display: underscores read as spaces ("After_hours_collaboration_hours" ->
// "After hours collaboration hours"). Not escaped.
std::string DisplayName(std::string_view column);

// Shortens text to at most max_chars code points, ending in "…" when cut. Not escaped.
std::string Truncate(std::string_view text, size_t max_chars);

// Numbers for people. NaN and infinities read as "–" (en dash). Not escaped (no markup chars
// except FormatP's "<").
std::string FormatCount(int64_t n);                // 6,900
std::string FormatValue(double v);                 // 3 significant digits, thousands grouped
std::string FormatFixed(double v, int decimals);   // -0.42
std::string FormatSigned(double v, int decimals);  // +0.42 / −0.42 (minus sign U+2212)
std::string FormatP(double p);                     // "<0.001", "0.042"
std::string FormatPercent(double share, int decimals = 1);  // 0.873 -> "87.3%"

}  // namespace vivalink::report::internal
