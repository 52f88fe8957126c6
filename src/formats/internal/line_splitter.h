// LineSplitter: the lines of a ChunkBuffer one at a time, for the JSON-lines readers (rows and
// calendar events). It keeps the line number and the buffer position of the current line for
// error messages, refills the buffer as lines are consumed, and refuses a line longer than
// max_line_bytes (DataLoss naming the source, line and byte offset) before buffering more of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/status.h"
#include "formats/internal/chunk_buffer.h"

namespace vivalink::formats::internal {

class LineSplitter {
 public:
  // buffer and source_name must outlive the splitter. unit names a line's content in the
  // too-long message ("object", "event"). strip_bom: a UTF-8 byte order mark at the start of the
  // first line is not part of the line.
  LineSplitter(ChunkBuffer& buffer, const std::string& source_name, size_t max_line_bytes,
               std::string_view unit, bool strip_bom)
      : buffer_(buffer),
        source_name_(source_name),
        max_line_bytes_(max_line_bytes),
        unit_(unit),
        strip_bom_(strip_bom) {}

  // Sets line to the next line (without its '\n'; it stays valid until the next call); more =
  // false at the end of the stream.
  core::Status Next(std::string_view& line, bool& more) {
    while (true) {
      const char* start = buffer_.data() + pos_;
      size_t avail = buffer_.size() - pos_;
      const void* nl = avail > 0 ? std::memchr(start, '\n', avail) : nullptr;
      size_t len = 0;
      if (nl != nullptr) {
        len = static_cast<size_t>(static_cast<const char*>(nl) - start);
      } else if (buffer_.eof()) {
        if (avail == 0) {
          more = false;
          return core::OkStatus();
        }
        len = avail;
      } else {
        if (avail > max_line_bytes_) return LineTooLong(line_number_ + 1, pos_);
        core::Status s = buffer_.Refill(pos_);
        if (!s.ok()) return s.WithContext(source_name_);
        pos_ = 0;
        continue;
      }
      line_start_ = pos_;
      ++line_number_;
      if (len > max_line_bytes_) return LineTooLong(line_number_, pos_);
      pos_ += nl != nullptr ? len + 1 : len;
      line = std::string_view(start, len);
      if (strip_bom_ && line_number_ == 1 && line.starts_with(kBom)) {
        line.remove_prefix(kBom.size());
        line_start_ += kBom.size();
      }
      more = true;
      return core::OkStatus();
    }
  }

  // The current line's number (1-based; 0 before the first) and its stream offset.
  uint64_t line_number() const { return line_number_; }
  uint64_t line_offset() const { return buffer_.OffsetOf(line_start_); }
  // "<source>: line N (byte offset B)", the prefix of every error about the current line.
  std::string Where() const {
    return source_name_ + ": line " + std::to_string(line_number_) + " (byte offset " +
           std::to_string(line_offset()) + ")";
  }

 private:
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";

  core::Status LineTooLong(uint64_t line_number, size_t pos) const {
    return core::DataLossError(source_name_ + ": line " + std::to_string(line_number) +
                               " (byte offset " + std::to_string(buffer_.OffsetOf(pos)) +
                               ") is longer than the " + std::to_string(max_line_bytes_) +
                               "-byte limit; the file is not JSON lines (one " +
                               std::string(unit_) + " a line) or is corrupt");
  }

  ChunkBuffer& buffer_;
  const std::string& source_name_;
  size_t max_line_bytes_;
  std::string_view unit_;
  bool strip_bom_;
  size_t pos_ = 0;         // next unsplit byte in buffer_
  size_t line_start_ = 0;  // buffer position of the current line
  uint64_t line_number_ = 0;
};

}  // namespace vivalink::formats::internal
