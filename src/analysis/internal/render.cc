#include "analysis/internal/render.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace vivalink::analysis::internal {

void AppendCsvField(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, ec == std::errc() ? ptr : buf);
}

std::string FormatLabelNumber(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const int len = std::snprintf(buf, sizeof(buf), "%.10g", v);
  return std::string(buf, len > 0 ? static_cast<size_t>(len) : 0);
}

Json JsonNumber(double v) {
  if (!std::isfinite(v)) return Json(nullptr);
  return Json(v);
}

std::string CsvTable::Render() const {
  std::string out;
  for (size_t i = 0; i < header_.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendCsvField(out, header_[i]);
  }
  out.push_back('\n');
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out.push_back(',');
      const Cell& c = row[i];
      if (const auto* d = std::get_if<double>(&c)) {
        out.append(FormatNumber(*d));
      } else if (const auto* n = std::get_if<long long>(&c)) {
        out.append(std::to_string(*n));
      } else if (const auto* s = std::get_if<std::string>(&c)) {
        AppendCsvField(out, *s);
      }
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace vivalink::analysis::internal
