// ChunkBuffer: the reused read buffer under both readers. Bytes are read from a ByteSource in
// large chunks; the unparsed tail (a partial line or record) is moved to the front before the
// next read. The buffer is followed by kPadding readable bytes (spaces after the data) so
// simdjson can parse a line in place. It holds decrypted, inflated plaintext: its blocks are
// wiped when released (core::WipingAllocator), the old one too when it grows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "core/io.h"
#include "core/secure.h"
#include "core/status.h"

namespace vivalink::formats::internal {

class ChunkBuffer {
 public:
  static constexpr size_t kPadding = 64;  // >= SIMDJSON_PADDING (checked in the JSON reader)

  // source must outlive the buffer. base_offset: stream offset of the first byte it will read.
  ChunkBuffer(core::ByteSource& source, size_t chunk_bytes, uint64_t base_offset)
      : source_(source), capacity_(chunk_bytes < 64 ? 64 : chunk_bytes), base_(base_offset) {}

  const char* data() const { return data_.data(); }
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
    if (data_.empty()) Allocate(capacity_);
    if (keep_from > 0) {
      std::memmove(data_.data(), data_.data() + keep_from, size_ - keep_from);
      size_ -= keep_from;
      base_ += keep_from;
    }
    if (size_ == capacity_) Allocate(capacity_ * 2);
    while (!eof_ && size_ < capacity_) {
      auto n = source_.Read(std::span<std::byte>(reinterpret_cast<std::byte*>(data_.data() + size_),
                                                 capacity_ - size_));
      if (!n.ok()) return n.status();
      if (*n == 0) eof_ = true;
      size_ += *n;
    }
    std::memset(data_.data() + size_, ' ', kPadding);
    return core::OkStatus();
  }

 private:
  void Allocate(size_t capacity) {
    Storage fresh(capacity + kPadding);
    if (!data_.empty()) std::memcpy(fresh.data(), data_.data(), size_);
    data_.swap(fresh);  // the old block is wiped as fresh goes
    capacity_ = capacity;
  }

  core::ByteSource& source_;
  using Storage = std::vector<char, core::WipingAllocator<char>>;
  Storage data_;
  size_t capacity_;
  size_t size_ = 0;
  uint64_t base_;
  bool eof_ = false;
};

}  // namespace vivalink::formats::internal
