#include "formats/writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "formats/canonical.h"
#include "formats/internal/text.h"

namespace vivalink::formats {
namespace {

void AppendNumber(std::string& out, double v) {
  char text[32];
  auto r = std::to_chars(text, text + sizeof(text), v);
  out.append(text, r.ptr);
}

const std::string& OutputName(const WriterOptions& options, const std::string& canonical) {
  auto it = options.output_names.find(canonical);
  return it == options.output_names.end() ? canonical : it->second;
}

bool IsNullAt(const Column& c, size_t row) {
  return c.IsNull(row) || (c.type() == ColumnType::kNumber && !std::isfinite(c.NumberAt(row)));
}

void AppendJsonRows(std::string& out, const RowBatch& batch, const WriterOptions& options,
                    std::vector<std::string>& keys) {
  keys.clear();
  for (const Column& c : batch.columns()) {
    std::string& key = keys.emplace_back();
    internal::AppendJsonString(key, OutputName(options, c.name()));
    key.push_back(':');
  }
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    out.push_back('{');
    bool first = true;
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      const Column& col = batch.column(c);
      bool null = IsNullAt(col, r);
      if (null && options.skip_nulls) continue;
      if (!first) out.push_back(',');
      first = false;
      out.append(keys[c]);
      if (null) {
        out.append("null");
        continue;
      }
      switch (col.type()) {
        case ColumnType::kNumber:
          AppendNumber(out, col.NumberAt(r));
          break;
        case ColumnType::kBool:
          out.append(col.NumberAt(r) != 0 ? "true" : "false");
          break;
        case ColumnType::kString:
          internal::AppendJsonString(out, col.StringAt(r));
          break;
      }
    }
    out.append("}\n");
  }
}

void AppendCsvText(std::string& out, std::string_view s, const std::string& null_text) {
  bool quote = s.empty() || s == null_text || s.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
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

}  // namespace

std::unordered_map<std::string, std::string> SourceNames(
    const std::vector<std::string>& source_columns) {
  std::unordered_map<std::string, std::string> names;
  for (const std::string& s : source_columns) names.emplace(CanonicalName(s), s);
  return names;
}

std::string ToJsonLines(const RowBatch& batch, const WriterOptions& options) {
  std::string out;
  std::vector<std::string> keys;
  AppendJsonRows(out, batch, options, keys);
  return out;
}

JsonLinesWriter::JsonLinesWriter(core::ByteSink& sink, WriterOptions options)
    : sink_(sink), options_(std::move(options)) {}

core::Status JsonLinesWriter::Write(const RowBatch& batch) {
  std::vector<std::string> keys;
  AppendJsonRows(buffer_, batch, options_, keys);
  rows_written_ += batch.num_rows();
  if (buffer_.size() >= options_.buffer_bytes) return Flush();
  return core::OkStatus();
}

core::Status JsonLinesWriter::Flush() {
  if (buffer_.empty()) return core::OkStatus();
  core::Status s = sink_.Write(core::AsBytes(buffer_));
  buffer_.clear();
  return s;
}

CsvWriter::CsvWriter(core::ByteSink& sink, WriterOptions options)
    : sink_(sink), options_(std::move(options)) {}

core::Status CsvWriter::Write(const RowBatch& batch) {
  if (!header_written_) {
    if (options_.csv_columns.empty()) {
      for (const Column& c : batch.columns()) options_.csv_columns.push_back(c.name());
    }
    for (size_t k = 0; k < options_.csv_columns.size(); ++k) {
      if (k > 0) buffer_.push_back(',');
      AppendCsvText(buffer_, OutputName(options_, options_.csv_columns[k]), options_.csv_null);
    }
    buffer_.push_back('\n');
    header_written_ = true;
  }
  batch_columns_.clear();
  for (const std::string& name : options_.csv_columns) batch_columns_.push_back(batch.Find(name));
  size_t found = 0;
  for (int c : batch_columns_) found += c >= 0 ? 1 : 0;
  if (found != batch.num_columns()) {
    for (const Column& c : batch.columns()) {
      if (std::find(options_.csv_columns.begin(), options_.csv_columns.end(), c.name()) ==
          options_.csv_columns.end()) {
        return core::FailedPreconditionError(
            "CSV output: column \"" + c.name() +
            "\" appeared after the header was written; list every column in "
            "WriterOptions::csv_columns up front");
      }
    }
  }
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    for (size_t k = 0; k < batch_columns_.size(); ++k) {
      if (k > 0) buffer_.push_back(',');
      int c = batch_columns_[k];
      if (c < 0 || IsNullAt(batch.column(c), r)) {
        buffer_.append(options_.csv_null);
        continue;
      }
      const Column& col = batch.column(c);
      switch (col.type()) {
        case ColumnType::kNumber:
          AppendNumber(buffer_, col.NumberAt(r));
          break;
        case ColumnType::kBool:
          buffer_.append(col.NumberAt(r) != 0 ? "TRUE" : "FALSE");
          break;
        case ColumnType::kString:
          AppendCsvText(buffer_, col.StringAt(r), options_.csv_null);
          break;
      }
    }
    buffer_.push_back('\n');
  }
  rows_written_ += batch.num_rows();
  if (buffer_.size() >= options_.buffer_bytes) return Flush();
  return core::OkStatus();
}

core::Status CsvWriter::Flush() {
  if (buffer_.empty()) return core::OkStatus();
  core::Status s = sink_.Write(core::AsBytes(buffer_));
  buffer_.clear();
  return s;
}

}  // namespace vivalink::formats
