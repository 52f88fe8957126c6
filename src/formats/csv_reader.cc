// CSV reader (RFC 4180): header row, quoted fields with doubled quotes, CRLF or LF, newlines
// inside quotes. A record is parsed only once it is complete in the buffer: when the buffered
// bytes end inside a record, the partial record is kept, more is read and it is parsed again
// from its start (so the cost is linear and memory is bounded by max_line_bytes).
//
// Null: an unquoted empty field or an unquoted NA (what R and pandas write). A quoted "NA" is the
// text NA; a quoted "" is the empty text (null in number and bool columns).
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/file.h"
#include "core/secure.h"
#include "formats/canonical.h"
#include "formats/internal/batch_builder.h"
#include "formats/internal/chunk_buffer.h"
#include "formats/internal/readers.h"

namespace vivalink::formats::internal {
namespace {

// Where a reader that starts inside a file stands: what a reader from the file's start knew when
// it reached the same record boundary.
struct Resume {
  std::vector<std::string> header;  // the header's names (source_columns())
  uint64_t lines = 0;               // lines before the boundary
  std::vector<TypedColumn> schema;  // the columns typed so far, in batch order
};

constexpr uint64_t kNever = UINT64_MAX;

// The first ',' or '\n' in d[i, n), or n. Eight bytes at a time (an exact per-byte equality
// mask, no false positives): the byte-by-byte loop was three quarters of reading the peer
// benchmark's person query once only 5 of its 80 columns were converted (perf). Reads up to 7
// bytes past n, which the ChunkBuffer's padding allows.
inline size_t FieldEnd(const char* d, size_t i, size_t n) {
  if constexpr (std::endian::native == std::endian::little) {
    constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
    constexpr uint64_t kCommas = 0x2C2C2C2C2C2C2C2CULL;
    constexpr uint64_t kNewlines = 0x0A0A0A0A0A0A0A0AULL;
    auto zero_bytes = [](uint64_t v) { return ~(((v & kLow7) + kLow7) | v | kLow7); };
    static_assert(ChunkBuffer::kPadding >= 8);
    while (i < n) {
      uint64_t word;
      std::memcpy(&word, d + i, sizeof word);
      const uint64_t hits = zero_bytes(word ^ kCommas) | zero_bytes(word ^ kNewlines);
      if (hits != 0) return std::min(n, i + static_cast<size_t>(std::countr_zero(hits) >> 3));
      i += 8;
    }
    return n;
  } else {
    while (i < n && d[i] != ',' && d[i] != '\n') ++i;
    return i;
  }
}

class CsvReader final : public RowReader {
 public:
  CsvReader(std::unique_ptr<core::ByteSource> source, ReaderOptions options, uint64_t base_offset)
      : source_(std::move(source)),
        options_(std::move(options)),
        buffer_(*source_, options_.chunk_bytes, base_offset),
        builder_(options_) {}
  // A reader whose source starts at a record boundary (base_offset) after the header.
  CsvReader(std::unique_ptr<core::ByteSource> source, ReaderOptions options, uint64_t base_offset,
            const Resume& from)
      : CsvReader(std::move(source), std::move(options), base_offset) {
    have_header_ = true;
    for (const auto& name : from.header) {
      // The first part's reader accepted these names, so no two share a canonical name.
      header_slots_.push_back(
          builder_.SlotFor(name.empty() ? "column_" + std::to_string(header_slots_.size() + 1)
                                        : CanonicalName(name)));
      source_columns_.push_back(name);
    }
    builder_.Seed(from.schema);
    line_number_ = from.lines;
  }
  ~CsvReader() override { core::WipeAndClear(unescaped_); }

  // Makes Next() end the stream before a record that starts exactly at stream offset `offset`
  // (stopped() then says so). A record that starts past it without one starting there (the
  // offset was inside a quoted field) cancels the stop: the reader reads on (passed() says so).
  void StopAt(uint64_t offset) { stop_at_ = offset; }
  bool stopped() const { return stopped_; }
  bool passed() const { return passed_; }
  uint64_t lines() const { return line_number_; }
  // Stream offset of the next record (a record boundary between calls of Next).
  uint64_t next_offset() const { return buffer_.OffsetOf(pos_); }
  bool has_header() const { return have_header_; }
  std::vector<TypedColumn> schema() const { return builder_.TypedColumns(); }
  std::vector<std::string> nulled_empty_text() const { return builder_.NulledEmptyText(); }

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
      if (stop_at_ != kNever && have_header_) {
        const uint64_t at = buffer_.OffsetOf(pos_);
        if (at == stop_at_) {
          stopped_ = true;
          more = false;
          return core::OkStatus();
        }
        if (at > stop_at_) {
          stop_at_ = kNever;
          passed_ = true;
        }
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
      size_t j = FieldEnd(d, i, n);
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
    if (stop_at_ != kNever && buffer_.OffsetOf(pos_) > stop_at_) {
      stop_at_ = kNever;  // the header itself runs past the split
      passed_ = true;
    }
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
  uint64_t stop_at_ = kNever;
  bool stopped_ = false;
  bool passed_ = false;
  std::vector<Field> fields_;
  std::string unescaped_;  // quoted fields with doubled quotes (plaintext: wiped, see ParseRecord)
  std::vector<int> header_slots_;
  std::vector<std::string> source_columns_;
  core::Status status_;
};

// Why two parts and not a pipeline of chunks: the caller's thread must also consume every batch
// (for `vivalink analyze`, append it to the Frame), so with two cores one extra thread is all
// that can run at once; two parts need one split, one check and one merge. Measured on the peer
// benchmark's 542 MB person query (bench/peers, docs/BENCHMARKS.md).
//
// The second part (from `split`, the first line start after the middle) is read on its own
// thread into batches held in memory; the caller's thread reads the first part through the
// sniffed stream and stops at `split` (CsvReader::StopAt). Only when a record of the sequential
// read starts exactly at `split` are the second part's batches used: parsing from a record
// boundary with the same header gives the same records as the sequential read. Their schema is
// then re-laid onto the first part's (same columns in the same order, the part's new columns
// after), line numbers shifted by the first part's lines. Anything else (the split inside a
// quoted field, an error in the second part, a column typed otherwise there or a quoted "" it
// read as null in a column the first part made text, memory cap reached)
// falls back to a reader on the caller's thread that continues exactly where the used batches
// end, from the sequential read's schema and line count, so the result is the sequential one.
class ParallelCsvReader final : public RowReader {
 public:
  ParallelCsvReader(std::unique_ptr<core::ByteSource> stream, ReaderOptions options,
                    uint64_t base_offset, std::string path, uint64_t split)
      : options_(std::move(options)),
        path_(std::move(path)),
        split_(split),
        first_(std::move(stream), options_, base_offset) {
    first_.StopAt(split_);
  }

  ~ParallelCsvReader() override { StopSecond(); }

  core::Result<bool> Next(RowBatch& batch) override {
    if (!status_.ok()) return status_;
    core::Result<bool> more = NextOfParts(batch);
    if (!more.ok()) {
      status_ = more.status();
      StopSecond();
      return status_;
    }
    if (*more) rows_read_ += batch.num_rows();
    return more;
  }

  uint64_t rows_read() const override { return rows_read_; }
  const std::vector<std::string>& source_columns() const override {
    return first_.source_columns();
  }

 private:
  // What the second thread read.
  struct Part {
    core::Status status;
    std::vector<RowBatch> batches;
    std::vector<TypedColumn> schema;
    std::vector<std::string> nulled_empty_text;  // see BatchBuilder::NulledEmptyText
    uint64_t lines = 0;                          // lines of the part read
    uint64_t end = 0;     // stream offset where its reading stopped (a record boundary)
    bool at_eof = false;  // it read to the end of the file
  };

  enum class Phase { kFirst, kSecond, kRest, kDone };

  core::Result<bool> NextOfParts(RowBatch& batch) {
    while (true) {
      switch (phase_) {
        case Phase::kFirst: {
          ASSIGN_OR_RETURN(bool more, first_.Next(batch));
          if (!second_.joinable() && !launched_ && first_.has_header() && !first_.passed()) {
            StartSecond();
          }
          if (first_.passed()) StopSecond();  // the split was inside a record: read on alone
          if (more) return true;
          if (!first_.stopped()) {
            phase_ = Phase::kDone;
            return false;
          }
          RETURN_IF_ERROR(TakeSecond());
          continue;
        }
        case Phase::kSecond:
          if (next_batch_ < part_.batches.size()) {
            Relay(part_.batches[next_batch_++], batch);
            return true;
          }
          part_.batches.clear();
          if (part_.at_eof) {
            phase_ = Phase::kDone;
            return false;
          }
          RETURN_IF_ERROR(StartRest(part_.end, first_.lines() + part_.lines, schema_));
          continue;
        case Phase::kRest:
          return rest_->Next(batch);
        case Phase::kDone:
          batch.Clear();
          return false;
      }
    }
  }

  void StartSecond() {
    launched_ = true;
    Resume from{first_.source_columns(), 0, {}};
    second_ = std::thread([this, from = std::move(from)] {
      // A worker thread catches at its top: an allocation failure only costs the parallel part.
      try {
        ReadSecond(from);
      } catch (const std::exception& e) {
        part_.status = core::InternalError(std::string("parsing the second part: ") + e.what());
      }
    });
  }

  void ReadSecond(const Resume& from) {
    auto source = core::OpenFileSource(path_, split_);
    if (!source.ok()) {
      part_.status = source.status();
      return;
    }
    CsvReader reader(std::move(source).value(), options_, split_, from);
    size_t bytes = 0;
    while (!cancel_.load(std::memory_order_relaxed)) {
      RowBatch& b = part_.batches.emplace_back();
      auto more = reader.Next(b);
      if (!more.ok()) {
        part_.status = more.status();
        break;
      }
      if (!*more) {
        part_.batches.pop_back();
        part_.at_eof = true;
        break;
      }
      bytes += BatchBytes(b);
      if (bytes >= options_.parallel_buffer_bytes) break;
    }
    part_.schema = reader.schema();
    part_.nulled_empty_text = reader.nulled_empty_text();
    part_.lines = reader.lines();
    part_.end = reader.next_offset();
  }

  static size_t BatchBytes(const RowBatch& b) {
    size_t bytes = 0;
    for (const auto& c : b.columns()) {
      if (c.type() != ColumnType::kString) {
        bytes += c.size() * sizeof(double);
        continue;
      }
      bytes += c.size() * (sizeof(uint32_t) + 1);
      for (size_t r = 0; r < c.size(); ++r) bytes += c.StringAt(r).size();
    }
    return bytes;
  }

  void StopSecond() {
    cancel_.store(true, std::memory_order_relaxed);
    if (second_.joinable()) second_.join();
  }

  // The first part ended at the split: use the second part if it agrees, else read it here.
  core::Status TakeSecond() {
    if (second_.joinable()) second_.join();
    std::vector<TypedColumn> first_schema = first_.schema();
    bool usable = launched_ && part_.status.ok() && !cancel_.load(std::memory_order_relaxed);
    schema_ = first_schema;
    if (usable) {
      for (const auto& c : part_.schema) {
        auto same_name = [&](const TypedColumn& t) { return t.name == c.name; };
        auto it = std::find_if(first_schema.begin(), first_schema.end(), same_name);
        if (it == first_schema.end()) {
          schema_.push_back(c);
        } else if (it->type != c.type) {
          usable = false;  // a sequential read keeps the first part's type (or fails): see there
        }
      }
      // A quoted "" the second part read as null where the first part had made the column text
      // (a sequential read keeps it as the empty text).
      for (const auto& name : part_.nulled_empty_text) {
        for (const auto& c : first_schema) {
          if (c.name == name && c.type == ColumnType::kString) usable = false;
        }
      }
    }
    if (!usable) {
      part_ = Part{};
      return StartRest(split_, first_.lines(), first_schema);
    }
    phase_ = Phase::kSecond;
    next_batch_ = 0;
    return core::OkStatus();
  }

  // Continues the sequential read on this thread from the record boundary `offset`.
  core::Status StartRest(uint64_t offset, uint64_t lines, const std::vector<TypedColumn>& schema) {
    ASSIGN_OR_RETURN(auto source, core::OpenFileSource(path_, offset));
    rest_ = std::make_unique<CsvReader>(std::move(source), options_, offset,
                                        Resume{first_.source_columns(), lines, schema});
    phase_ = Phase::kRest;
    return core::OkStatus();
  }

  // Moves a second-part batch into out in the merged schema (schema_), lines made absolute.
  void Relay(RowBatch& in, RowBatch& out) const {
    out.Reset();
    const size_t rows = in.num_rows();
    for (const auto& c : schema_) {
      size_t k = out.AddColumn(c.name, c.type);
      int from = in.Find(c.name);
      if (from >= 0) {
        std::swap(out.mutable_column(k), in.mutable_column(static_cast<size_t>(from)));
      } else {
        for (size_t r = 0; r < rows; ++r) out.mutable_column(k).AppendNull();
      }
    }
    for (size_t r = 0; r < rows; ++r) out.FinishRow();
    out.first_line = in.first_line == 0 ? 0 : in.first_line + first_.lines();
    in.Reset();
  }

  ReaderOptions options_;
  std::string path_;
  uint64_t split_;
  CsvReader first_;
  std::thread second_;
  bool launched_ = false;
  std::atomic<bool> cancel_{false};
  Part part_;  // written by the second thread until it is joined
  std::vector<TypedColumn> schema_;
  size_t next_batch_ = 0;
  std::unique_ptr<CsvReader> rest_;
  Phase phase_ = Phase::kFirst;
  uint64_t rows_read_ = 0;
  core::Status status_;
};

// The first line start at or after the middle of the file (a guess, verified by the reader), or
// 0 when there is none within a few MiB.
uint64_t SplitOf(const std::string& path, uint64_t size) {
  const uint64_t middle = size / 2;
  auto source = core::OpenFileSource(path, middle);
  if (!source.ok()) return 0;
  std::string chunk(64 << 10, '\0');
  uint64_t at = middle;
  for (int reads = 0; reads < 64; ++reads) {
    auto n = (*source)->Read(std::as_writable_bytes(std::span(chunk)));
    if (!n.ok() || *n == 0) return 0;
    const void* nl = std::memchr(chunk.data(), '\n', *n);
    if (nl != nullptr) {
      const uint64_t split =
          at + static_cast<uint64_t>(static_cast<const char*>(nl) - chunk.data()) + 1;
      return split < size ? split : 0;
    }
    at += *n;
  }
  return 0;
}

}  // namespace

std::unique_ptr<RowReader> NewCsvReader(std::unique_ptr<core::ByteSource> source,
                                        ReaderOptions options, uint64_t base_offset) {
  return std::make_unique<CsvReader>(std::move(source), std::move(options), base_offset);
}

std::unique_ptr<RowReader> NewParallelCsvFileReader(std::unique_ptr<core::ByteSource> stream,
                                                    ReaderOptions options, uint64_t base_offset,
                                                    const std::string& path, uint64_t size) {
  const uint64_t split = SplitOf(path, size);
  if (split <= base_offset) {
    return std::make_unique<CsvReader>(std::move(stream), std::move(options), base_offset);
  }
  return std::make_unique<ParallelCsvReader>(std::move(stream), std::move(options), base_offset,
                                             path, split);
}

}  // namespace vivalink::formats::internal
