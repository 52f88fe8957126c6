// ChunkBuffer: the reused read buffer under both readers. Bytes are read from a ByteSource in
// large chunks; the unparsed tail (a partial line or record) is moved to the front before the
// next read. The buffer is followed by kPadding readable bytes (spaces after the data) so
// simdjson can parse a line in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

#include "core/io.h"
#include "core/status.h"

namespace vivalink::formats::internal {

class ChunkBuffer {
 public:
  static constexpr size_t kPadding = 64;  // >= SIMDJSON_PADDING (checked in the JSON reader)

  // source must outlive the buffer. base_offset: stream offset of the first byte it will read.
  ChunkBuffer(core::ByteSource& source, size_t chunk_bytes, uint64_t base_offset)
      : source_(source), capacity_(chunk_bytes < 64 ? 64 : chunk_bytes), base_(base_offset) {}

  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }  // bytes of data in the buffer
  size_t capacity() const { return capacity_; }
  size_t padded_capacity() const { return capacity_ + kPadding; }
  bool eof() const { return eof_; }
  // Stream offset of buffer position pos.
  uint64_t OffsetOf(size_t pos) const { return base_ + pos; }

  // Drops the bytes before keep_from (already parsed), then reads until the buffer is full or
  // the source ends. Grows the buffer when the kept bytes fill it. Reading until full (not just
  // once) keeps the cost linear even for a source that hands out a few bytes per call.
  core::Status Refill(size_t keep_from) {
    if (!data_) Allocate(capacity_);
    if (keep_from > 0) {
      std::memmove(data_.get(), data_.get() + keep_from, size_ - keep_from);
      size_ -= keep_from;
      base_ += keep_from;
    }
    if (size_ == capacity_) Allocate(capacity_ * 2);
    while (!eof_ && size_ < capacity_) {
      auto n = source_.Read(std::span<std::byte>(reinterpret_cast<std::byte*>(data_.get() + size_),
                                                 capacity_ - size_));
      if (!n.ok()) return n.status();
      if (*n == 0) eof_ = true;
      size_ += *n;
    }
    std::memset(data_.get() + size_, ' ', kPadding);
    return core::OkStatus();
  }

 private:
  void Allocate(size_t capacity) {
    auto fresh = std::make_unique_for_overwrite<char[]>(capacity + kPadding);
    if (data_) std::memcpy(fresh.get(), data_.get(), size_);
    data_ = std::move(fresh);
    capacity_ = capacity;
  }

  core::ByteSource& source_;
  std::unique_ptr<char[]> data_;
  size_t capacity_;
  size_t size_ = 0;
  uint64_t base_;
  bool eof_ = false;
};

}  // namespace vivalink::formats::internal
