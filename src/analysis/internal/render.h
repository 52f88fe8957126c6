// Rendering helpers shared by the analyses' ToCsv/ToJson: number formatting and a small CSV
// writer. Module-private.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vivalink::analysis::internal {

using Json = nlohmann::ordered_json;

// Shortest text that reads back to the same double; "" for NaN, "inf"/"-inf" for infinities.
std::string FormatNumber(double v);
// printf("%.10g"): compact labels such as bin ranges ("3.5", "1e-05").
std::string FormatLabelNumber(double v);
// A JSON number, or null for NaN and infinities (JSON has neither).
Json JsonNumber(double v);

// Appends one RFC 4180 field: quoted (inner quotes doubled) when it holds a comma, a quote or a
// line break.
void AppendCsvField(std::string& out, std::string_view field);

using Cell = std::variant<std::monostate, double, long long, std::string>;

// Accumulates rows and renders RFC 4180 CSV ("\n" line ends; fields quoted when needed).
class CsvTable {
 public:
  explicit CsvTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace vivalink::analysis::internal
