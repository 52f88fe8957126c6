// CSV reader (RFC 4180): header row, quoted fields with doubled quotes, CRLF or LF, newlines
// inside quotes. A record is parsed only once it is complete in the buffer: when the buffered
// bytes end inside a record, the partial record is kept, more is read and it is parsed again
// from its start (so the cost is linear and memory is bounded by max_line_bytes).
//
// Null: an unquoted empty field or an unquoted NA (what R and pandas write). A quoted "NA" is the
// text NA; a quoted "" is the empty text (null in number and bool columns).
#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/secure.h"
#include "formats/canonical.h"
#include "formats/internal/batch_builder.h"
#include "formats/internal/chunk_buffer.h"
#include "formats/internal/readers.h"

namespace vivalink::formats::internal {
namespace {

class CsvReader final : public RowReader {
 public:
  CsvReader(std::unique_ptr<core::ByteSource> source, ReaderOptions options, uint64_t base_offset)
      : source_(std::move(source)),
        options_(std::move(options)),
        buffer_(*source_, options_.chunk_bytes, base_offset),
        builder_(options_) {}
  ~CsvReader() override { core::WipeAndClear(unescaped_); }

  core::Result<bool> Next(RowBatch& batch) override {
    if (!status_.ok()) return status_;
    builder_.BeginBatch(batch);
    core::Status s;
    size_t batch_bytes = 0;
    while (s.ok() && batch.num_rows() < options_.batch_rows && batch_bytes < kMaxBatchInputBytes) {
      bool more = false;
      s = NextRecord(more);
      if (!s.ok() || !more) break;
      if (IsBlankRecord()) continue;
      if (!have_header_) {
        s = TakeHeader();
        continue;
      }
      if (batch.num_rows() == 0) batch.first_line = record_line_;
      s = TakeRow();
      batch_bytes += pos_ - record_start_;
    }
    if (!s.ok()) {
      builder_.AbandonBatch();
      status_ = s;
      return s;
    }
    rows_read_ += batch.num_rows();
    return batch.num_rows() > 0;
  }

  uint64_t rows_read() const override { return rows_read_; }
  const std::vector<std::string>& source_columns() const override { return source_columns_; }

 private:
  struct Field {
    size_t offset = 0;  // in the buffer, or in unescaped_ when in_scratch
    size_t size = 0;
    bool in_scratch = false;
    bool quoted = false;
  };

  std::string_view Text(const Field& f) const {
    const char* base = f.in_scratch ? unescaped_.data() : buffer_.data();
    return {base + f.offset, f.size};
  }

  bool IsBlankRecord() const {
    return fields_.size() == 1 && !fields_[0].quoted && fields_[0].size == 0;
  }

  core::Status Error(std::string_view what) const {
    return core::DataLossError(options_.source_name + ": line " + std::to_string(record_line_) +
                               " (byte offset " + std::to_string(buffer_.OffsetOf(record_start_)) +
                               "): " + std::string(what));
  }

  enum class Step { kRecord, kNeedMore, kError };

  // Parses the next record into fields_; more = false at the end of the stream.
  core::Status NextRecord(bool& more) {
    while (true) {
      if (pos_ == buffer_.size() && buffer_.eof()) {
        more = false;
        return core::OkStatus();
      }
      record_line_ = line_number_ + 1;
      record_start_ = pos_;
      core::Status error;
      Step step = pos_ < buffer_.size() ? ParseRecord(error) : Step::kNeedMore;
      if (step == Step::kError) return error;
      if (step == Step::kRecord) {
        more = true;
        return core::OkStatus();
      }
      if (buffer_.size() - pos_ > options_.max_line_bytes) {
        return Error("a record is longer than the " + std::to_string(options_.max_line_bytes) +
                     "-byte limit (an unterminated quote makes the rest of the file one field); "
                     "check the file's quoting");
      }
      core::Status s = buffer_.Refill(pos_);
      if (!s.ok()) return s.WithContext(options_.source_name);
      pos_ = 0;
    }
  }

  Step ParseRecord(core::Status& error) {
    fields_.clear();
    core::WipeAndClear(unescaped_);  // plaintext of the last record's quoted fields
    const char* d = buffer_.data();
    const size_t n = buffer_.size();
    const bool eof = buffer_.eof();
    size_t i = pos_;
    record_start_ = pos_;
    while (true) {
      Field field;
      if (i < n && d[i] == '"') {
        field.quoted = true;
        size_t segment = ++i;
        bool copied = false;
        while (true) {
          const void* q = std::memchr(d + i, '"', n - i);
          if (q == nullptr) {
            if (!eof) return Step::kNeedMore;
            error = Error(
                "a quoted field is not closed before the end of the file; the file "
                "is truncated or a quote inside a field is not doubled");
            return Step::kError;
          }
          size_t quote = static_cast<size_t>(static_cast<const char*>(q) - d);
          if (quote + 1 == n && !eof) return Step::kNeedMore;  // "" split across reads?
          if (quote + 1 < n && d[quote + 1] == '"') {
            if (!copied) field.offset = unescaped_.size();
            unescaped_.append(d + segment, quote + 1 - segment);
            copied = true;
            i = segment = quote + 2;
            continue;
          }
          if (copied) {
            unescaped_.append(d + segment, quote - segment);
            field.size = unescaped_.size() - field.offset;
            field.in_scratch = true;
          } else {
            field.offset = segment;
            field.size = quote - segment;
          }
          i = quote + 1;
          break;
        }
        fields_.push_back(field);
        if (i == n) {
          if (!eof) return Step::kNeedMore;
          break;
        }
        char c = d[i];
        if (c == ',') {
          ++i;
          if (i == n && eof) {
            fields_.push_back(Field{});  // "x", at the very end: one more empty field
            break;
          }
          continue;
        }
        if (c == '\n') {
          ++i;
          break;
        }
        if (c == '\r' && i + 1 < n && d[i + 1] == '\n') {
          i += 2;
          break;
        }
        if (c == '\r' && i + 1 == n) {
          if (!eof) return Step::kNeedMore;
          ++i;
          break;
        }
        error = Error("unexpected character after the closing quote of field " +
                      std::to_string(fields_.size()) +
                      "; a quote inside a quoted field must be doubled (\"\")");
        return Step::kError;
      }
      // Unquoted: up to the next ',' or '\n'.
      size_t j = i;
      while (j < n && d[j] != ',' && d[j] != '\n') ++j;
      if (j == n && !eof) return Step::kNeedMore;
      field.offset = i;
      field.size = j - i;
      bool ends_record = j == n || d[j] == '\n';
      if (ends_record && field.size > 0 && d[j - 1] == '\r') --field.size;
      fields_.push_back(field);
      if (j == n) {
        i = j;
        break;
      }
      i = j + 1;
      if (ends_record) break;
      if (i == n && eof) {
        fields_.push_back(Field{});  // a trailing ',' at the very end: one more empty field
        break;
      }
    }
    if (!simdjson::validate_utf8(d + pos_, i - pos_)) {
      error = Error("is not valid UTF-8; re-export the file as UTF-8");
      return Step::kError;
    }
    // A record ending in '\n' spans as many lines as it holds newlines; the last record of a
    // file without a final newline has one line more.
    line_number_ +=
        static_cast<uint64_t>(std::count(d + pos_, d + i, '\n')) + (d[i - 1] == '\n' ? 0 : 1);
    pos_ = i;
    return Step::kRecord;
  }

  core::Status TakeHeader() {
    have_header_ = true;
    header_slots_.clear();
    if (fields_.size() > options_.max_columns) {
      return Error("the header has " + std::to_string(fields_.size()) + " columns, more than " +
                   std::to_string(options_.max_columns) + "; the file is corrupt or hostile");
    }
    for (size_t k = 0; k < fields_.size(); ++k) {
      std::string name(Text(fields_[k]));
      std::string canonical =
          name.empty() ? "column_" + std::to_string(k + 1) : CanonicalName(name);
      for (size_t prior = 0; prior < k; ++prior) {
        if (builder_.CanonicalOf(header_slots_[prior]) == canonical) {
          return Error("the header's columns \"" + source_columns_[prior] + "\" and \"" + name +
                       "\" both have the canonical name \"" + canonical + "\"; rename one of them");
        }
      }
      header_slots_.push_back(builder_.SlotFor(canonical));
      source_columns_.push_back(std::move(name));
    }
    return core::OkStatus();
  }

  core::Status TakeRow() {
    if (fields_.size() != header_slots_.size()) {
      return Error("has " + std::to_string(fields_.size()) + " fields but the header has " +
                   std::to_string(header_slots_.size()) +
                   "; the file is truncated or a field with a comma or newline is not quoted");
    }
    builder_.BeginRow();
    for (size_t k = 0; k < fields_.size(); ++k) {
      int slot = header_slots_[k];
      if (!builder_.Keeps(slot)) continue;
      const Field& f = fields_[k];
      std::string_view text = Text(f);
      if (!f.quoted && (text.empty() || text == "NA")) continue;  // null
      if (!builder_.SetText(slot, text)) {
        const core::Status& e = builder_.error();
        return core::Status(e.code(), Error(e.message()).message());
      }
    }
    builder_.EndRow();
    return core::OkStatus();
  }

  std::unique_ptr<core::ByteSource> source_;
  ReaderOptions options_;
  ChunkBuffer buffer_;
  BatchBuilder builder_;
  size_t pos_ = 0;            // next unparsed byte in buffer_
  size_t record_start_ = 0;   // buffer position of the current record
  uint64_t line_number_ = 0;  // lines consumed
  uint64_t record_line_ = 0;  // first line of the current record
  uint64_t rows_read_ = 0;
  bool have_header_ = false;
  std::vector<Field> fields_;
  std::string unescaped_;  // quoted fields with doubled quotes (plaintext: wiped, see ParseRecord)
  std::vector<int> header_slots_;
  std::vector<std::string> source_columns_;
  core::Status status_;
};

}  // namespace

std::unique_ptr<RowReader> NewCsvReader(std::unique_ptr<core::ByteSource> source,
                                        ReaderOptions options, uint64_t base_offset) {
  return std::make_unique<CsvReader>(std::move(source), std::move(options), base_offset);
}

}  // namespace vivalink::formats::internal
