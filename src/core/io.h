// Pull-based byte streams: the spine of the streaming drop reader
// (blob body -> AES-CBC decryptor -> gzip inflater -> line splitter -> row parser).
//
// A ByteSource hands out bytes on request into the caller's buffer, so memory stays bounded by
// the buffers the caller chose. Sources are single-threaded; they are not copyable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vivalink::core {

inline std::span<const std::byte> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
inline std::string_view AsChars(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to out.size() bytes into out. Returns the number of bytes read; 0 means the end of
  // the stream (and only then: a source never returns 0 for a non-empty buffer before its end).
  // Errors carry the source's name and byte offset in their message.
  virtual Result<size_t> Read(std::span<std::byte> out) = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::span<const std::byte> data) = 0;
  // Flushes and finalises; no Write after Close.
  virtual Status Close() = 0;
};

// A source over bytes the caller keeps alive (view) or owns by value (owned).
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view view) : view_(view) {}
  static std::unique_ptr<MemorySource> Owning(std::string data);
  Result<size_t> Read(std::span<std::byte> out) override;

 private:
  std::string owned_;
  std::string_view view_;
  size_t pos_ = 0;
};

// Appends everything written to a string it owns.
class StringSink final : public ByteSink {
 public:
  Status Write(std::span<const std::byte> data) override;
  Status Close() override { return OkStatus(); }
  const std::string& data() const { return data_; }
  std::string& data() { return data_; }

 private:
  std::string data_;
};

// Reads a source to its end into a string. Fails with kFailedPrecondition past max_bytes.
Result<std::string> ReadAll(ByteSource& source, size_t max_bytes = SIZE_MAX);
// Copies source to sink in chunks of chunk_bytes; returns bytes copied. Does not Close the sink.
Result<uint64_t> Copy(ByteSource& source, ByteSink& sink, size_t chunk_bytes = 1 << 20);

}  // namespace vivalink::core
