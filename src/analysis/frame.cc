#include "analysis/frame.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>

#include "analysis/internal/render.h"
#include "core/time.h"

namespace vivalink::analysis {

bool FrameColumn::IsMissing(size_t row) const {
  return is_numeric() ? std::isnan(numbers[row]) : codes[row] == kMissingCode;
}

std::string_view FrameColumn::StringAt(size_t row) const {
  const int32_t c = codes[row];
  return c == kMissingCode ? std::string_view() : std::string_view(levels[c]);
}

const FrameColumn* Frame::Find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &columns_[it->second];
}

core::Result<const FrameColumn*> Frame::Get(std::string_view name) const {
  const FrameColumn* c = Find(name);
  if (c == nullptr) {
    return core::InvalidArgumentError(
        fmt::format("column '{}' is not in the data ({} columns); check the spelling (analyst "
                    "names use '_' for spaces, e.g. Collaboration_hours)",
                    name, columns_.size()));
  }
  return c;
}

core::Result<const FrameColumn*> Frame::GetNumeric(std::string_view name) const {
  ASSIGN_OR_RETURN(const FrameColumn* c, Get(name));
  if (!c->is_numeric()) {
    return core::InvalidArgumentError(
        fmt::format("column '{}' holds text, but a numeric column is needed here", name));
  }
  return c;
}

core::Result<const FrameColumn*> Frame::GetCategorical(std::string_view name) const {
  ASSIGN_OR_RETURN(const FrameColumn* c, Get(name));
  if (c->is_numeric()) {
    return core::InvalidArgumentError(fmt::format(
        "column '{}' holds numbers, but a text (grouping) column is needed here", name));
  }
  return c;
}

core::Status Frame::AddColumn(FrameColumn column) {
  if (index_.count(column.name) != 0) {
    return core::InvalidArgumentError(fmt::format("column '{}' is already present", column.name));
  }
  if (!columns_.empty() && column.size() != num_rows_) {
    return core::InvalidArgumentError(fmt::format("column '{}' has {} rows but the frame has {}",
                                                  column.name, column.size(), num_rows_));
  }
  if (!column.is_numeric()) {
    const auto n_levels = static_cast<int32_t>(column.levels.size());
    for (int32_t c : column.codes) {
      if (c != kMissingCode && (c < 0 || c >= n_levels)) {
        return core::InvalidArgumentError(
            fmt::format("column '{}': code {} is outside its {} levels", column.name, c, n_levels));
      }
    }
  }
  num_rows_ = column.size();
  index_.emplace(column.name, columns_.size());
  columns_.push_back(std::move(column));
  return core::OkStatus();
}

core::Status Frame::AddNumeric(std::string name, std::vector<double> values) {
  FrameColumn c;
  c.name = std::move(name);
  c.kind = ColumnKind::kNumeric;
  c.numbers = std::move(values);
  return AddColumn(std::move(c));
}

core::Status Frame::AddCategorical(std::string name, std::vector<int32_t> codes,
                                   std::vector<std::string> levels) {
  FrameColumn c;
  c.name = std::move(name);
  c.kind = ColumnKind::kCategorical;
  c.codes = std::move(codes);
  c.levels = std::move(levels);
  return AddColumn(std::move(c));
}

core::Status Frame::AddStrings(std::string name, const std::vector<std::string>& values) {
  FrameColumn c;
  c.name = std::move(name);
  c.kind = ColumnKind::kCategorical;
  std::unordered_map<std::string, int32_t> dict;
  c.codes.reserve(values.size());
  for (const auto& v : values) {
    auto [it, inserted] = dict.emplace(v, static_cast<int32_t>(c.levels.size()));
    if (inserted) c.levels.push_back(v);
    c.codes.push_back(it->second);
  }
  return AddColumn(std::move(c));
}

Frame Frame::FilterRows(std::span<const uint8_t> keep) const {
  assert(keep.size() == num_rows_);
  Frame out;
  size_t kept = 0;
  for (uint8_t k : keep) kept += k != 0 ? 1 : 0;
  for (const auto& col : columns_) {
    FrameColumn c;
    c.name = col.name;
    c.kind = col.kind;
    if (col.is_numeric()) {
      c.numbers.reserve(kept);
      for (size_t i = 0; i < num_rows_; ++i) {
        if (keep[i] != 0) c.numbers.push_back(col.numbers[i]);
      }
    } else {
      c.levels = col.levels;
      c.codes.reserve(kept);
      for (size_t i = 0; i < num_rows_; ++i) {
        if (keep[i] != 0) c.codes.push_back(col.codes[i]);
      }
    }
    out.index_.emplace(c.name, out.columns_.size());
    out.columns_.push_back(std::move(c));
  }
  out.num_rows_ = columns_.empty() ? 0 : kept;
  return out;
}

namespace {

// "M/D/YYYY" or "MM/DD/YYYY", optionally followed by a time (" 12:00:00 AM", as US-locale
// exports of the person query write MetricDate); a date that does not exist is not a date.
std::optional<core::Date> ParseUsDate(std::string_view text) {
  unsigned field[3] = {0, 0, 0};
  size_t i = 0;
  for (int f = 0; f < 3; ++f) {
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 4) {
      field[f] = field[f] * 10 + static_cast<unsigned>(text[i] - '0');
      ++i;
    }
    const size_t digits = i - start;
    if (digits == 0 || (f < 2 && digits > 2) || (f == 2 && digits != 4)) return std::nullopt;
    if (f < 2) {
      if (i >= text.size() || text[i] != '/') return std::nullopt;
      ++i;
    }
  }
  if (i < text.size() && text[i] != ' ' && text[i] != 'T') return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(field[2])},
                                        std::chrono::month{field[0]}, std::chrono::day{field[1]}};
  if (!ymd.ok()) return std::nullopt;
  return core::Date{ymd};
}

// A week level as a date: ISO 8601 ("2024-01-07", also with a time) or US "1/7/2024".
std::optional<core::Date> ParseWeekLevel(std::string_view text) {
  if (auto d = core::ParseDate(text.substr(0, std::min<size_t>(text.size(), 10)));
      d.ok() && (text.size() == 10 || text[10] == 'T' || text[10] == ' ')) {
    return *d;
  }
  return ParseUsDate(text);
}

}  // namespace

std::vector<const FrameColumn*> NumericColumnsExcept(const Frame& frame, std::string_view outcome,
                                                     const std::vector<std::string>& exclude) {
  std::vector<const FrameColumn*> out;
  for (const auto& c : frame.columns()) {
    if (!c.is_numeric() || c.name == outcome) continue;
    if (std::find(exclude.begin(), exclude.end(), c.name) != exclude.end()) continue;
    out.push_back(&c);
  }
  return out;
}

std::vector<int32_t> LevelOrder(const FrameColumn& column) {
  const size_t n = column.levels.size();
  std::vector<int32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::vector<core::Date> dates;
  dates.reserve(n);
  bool all_dates = true;
  for (const auto& level : column.levels) {
    const std::optional<core::Date> d = ParseWeekLevel(level);
    if (!d) {
      all_dates = false;
      break;
    }
    dates.push_back(*d);
  }
  if (all_dates) {
    std::stable_sort(perm.begin(), perm.end(), [&](int32_t a, int32_t b) {
      return dates[a] != dates[b] ? dates[a] < dates[b] : column.levels[a] < column.levels[b];
    });
  } else {
    std::stable_sort(perm.begin(), perm.end(),
                     [&](int32_t a, int32_t b) { return column.levels[a] < column.levels[b]; });
  }
  std::vector<int32_t> order(n);
  for (size_t pos = 0; pos < n; ++pos) order[perm[pos]] = static_cast<int32_t>(pos);
  return order;
}

// ---------------------------------------------------------------------------------------------

FrameBuilder::FrameBuilder(std::vector<std::string> columns_wanted, bool missing_wanted_ok)
    : wanted_(std::move(columns_wanted)), missing_wanted_ok_(missing_wanted_ok) {}

core::Status FrameBuilder::Append(const formats::RowBatch& batch) {
  const size_t rows = batch.num_rows();
  std::vector<uint8_t> touched(building_.size(), 0);
  for (const auto& src : batch.columns()) {
    if (!wanted_.empty() &&
        std::find(wanted_.begin(), wanted_.end(), src.name()) == wanted_.end()) {
      continue;
    }
    const ColumnKind kind = src.type() == formats::ColumnType::kString ? ColumnKind::kCategorical
                                                                       : ColumnKind::kNumeric;
    auto it = index_.find(src.name());
    if (it == index_.end()) {
      Building b;
      b.column.name = src.name();
      b.column.kind = kind;
      // Back-fill the rows appended before this column first appeared.
      if (kind == ColumnKind::kNumeric) {
        b.column.numbers.assign(num_rows_, std::nan(""));
      } else {
        b.column.codes.assign(num_rows_, kMissingCode);
      }
      it = index_.emplace(src.name(), building_.size()).first;
      building_.push_back(std::move(b));
      touched.push_back(0);
    }
    Building& b = building_[it->second];
    if (b.column.kind != kind) {
      return core::InvalidArgumentError(fmt::format(
          "column '{}' holds {} in one batch and {} in another (batch starting at line {}); "
          "the input mixes types in one column",
          src.name(), b.column.is_numeric() ? "numbers" : "text",
          kind == ColumnKind::kNumeric ? "numbers" : "text", batch.first_line));
    }
    if (touched[it->second] != 0) continue;  // duplicate name in one batch: first one wins
    touched[it->second] = 1;
    if (kind == ColumnKind::kNumeric) {
      const auto& v = src.numbers();
      b.column.numbers.insert(b.column.numbers.end(), v.begin(), v.begin() + rows);
    } else {
      b.column.codes.reserve(b.column.codes.size() + rows);
      for (size_t r = 0; r < rows; ++r) {
        if (src.IsNull(r)) {
          b.column.codes.push_back(kMissingCode);
          continue;
        }
        std::string_view s = src.StringAt(r);
        auto found = b.dict.find(s);
        if (found == b.dict.end()) {
          const auto code = static_cast<int32_t>(b.column.levels.size());
          b.column.levels.emplace_back(s);
          found = b.dict.emplace(std::string(s), code).first;
        }
        b.column.codes.push_back(found->second);
      }
    }
  }
  for (size_t i = 0; i < building_.size(); ++i) {
    if (touched[i] != 0) continue;
    FrameColumn& c = building_[i].column;
    if (c.is_numeric()) {
      c.numbers.insert(c.numbers.end(), rows, std::nan(""));
    } else {
      c.codes.insert(c.codes.end(), rows, kMissingCode);
    }
  }
  num_rows_ += rows;
  return core::OkStatus();
}

core::Result<Frame> FrameBuilder::Finish() && {
  for (const auto& w : wanted_) {
    if (!missing_wanted_ok_ && index_.count(w) == 0) {
      return core::NotFoundError(
          fmt::format("column '{}' was asked for but is not in the input", w));
    }
  }
  Frame frame;
  for (auto& b : building_) RETURN_IF_ERROR(frame.AddColumn(std::move(b.column)));
  building_.clear();
  index_.clear();
  return frame;
}

namespace {

core::Status Flush(std::string& buffer, core::ByteSink& out) {
  core::Status st = out.Write(std::as_bytes(std::span(buffer.data(), buffer.size())));
  buffer.clear();
  return st;
}

// One CSV field of a frame: NA stands for a missing value, so a string "NA" is quoted.
void AppendFrameField(std::string& out, std::string_view s) {
  if (s == "NA") {
    out += "\"NA\"";
  } else {
    internal::AppendCsvField(out, s);
  }
}

}  // namespace

core::Status WriteFrame(const Frame& frame, std::string_view format, core::ByteSink& out) {
  const bool csv = format == "csv";
  if (!csv && format != "json") {
    return core::InvalidArgumentError(
        fmt::format("frame output format '{}': use csv or json", format));
  }
  const auto& cols = frame.columns();
  std::string buffer;
  if (csv) {
    for (size_t c = 0; c < cols.size(); ++c) {
      if (c > 0) buffer.push_back(',');
      AppendFrameField(buffer, cols[c].name);
    }
    buffer.push_back('\n');
  }
  for (size_t r = 0; r < frame.num_rows(); ++r) {
    if (csv) {
      for (size_t c = 0; c < cols.size(); ++c) {
        if (c > 0) buffer.push_back(',');
        const FrameColumn& col = cols[c];
        if (col.IsMissing(r) || (col.is_numeric() && !std::isfinite(col.numbers[r]))) {
          buffer += "NA";
        } else if (col.is_numeric()) {
          buffer += internal::FormatNumber(col.numbers[r]);
        } else {
          AppendFrameField(buffer, col.StringAt(r));
        }
      }
    } else {
      nlohmann::ordered_json row = nlohmann::ordered_json::object();
      for (const auto& col : cols) {
        if (col.IsMissing(r)) {
          row[col.name] = nullptr;
        } else if (col.is_numeric()) {
          row[col.name] = col.numbers[r];
        } else {
          row[col.name] = std::string(col.StringAt(r));
        }
      }
      buffer += row.dump();
    }
    buffer.push_back('\n');
    if (buffer.size() > (1 << 20)) RETURN_IF_ERROR(Flush(buffer, out));
  }
  return Flush(buffer, out);
}

}  // namespace vivalink::analysis
