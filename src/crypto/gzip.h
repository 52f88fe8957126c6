// Streaming gzip (RFC 1952). Inflate handles multi-member files (members back to back, as
// parallel writers produce) and checks every member's CRC-32 and ISIZE trailer. Uses ISA-L's
// igzip (several times faster than zlib here) with zlib as the fallback. Not thread-safe per
// object.
#pragma once

#include <memory>

#include "core/io.h"
#include "core/status.h"

namespace vivalink::crypto {

enum class InflateEngine { kAuto, kIsal, kZlib };

// Decompresses gzip data read from inner. kDataLoss (naming source_name and the compressed byte
// offset) for: not gzip, corrupt deflate data, CRC or length mismatch, truncated stream (end of
// input inside a member), trailing garbage after the last member, empty input. Errors of inner
// pass through with their own code. After an error every further Read returns it again.
class GzipInflateSource final : public core::ByteSource {
 public:
  GzipInflateSource(std::unique_ptr<core::ByteSource> inner, std::string source_name,
                    InflateEngine engine = InflateEngine::kAuto, size_t buffer_bytes = 1 << 20);
  ~GzipInflateSource() override;
  core::Result<size_t> Read(std::span<std::byte> out) override;
  uint64_t compressed_bytes() const;  // consumed from inner so far

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Compresses the bytes read from inner into one gzip member.
class GzipDeflateSource final : public core::ByteSource {
 public:
  explicit GzipDeflateSource(std::unique_ptr<core::ByteSource> inner, int level = 6,
                             size_t buffer_bytes = 1 << 20);
  ~GzipDeflateSource() override;
  core::Result<size_t> Read(std::span<std::byte> out) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

core::Result<std::string> GzipCompress(std::string_view data, int level = 6);
core::Result<std::string> GzipDecompress(std::string_view data,
                                         InflateEngine engine = InflateEngine::kAuto);

}  // namespace vivalink::crypto
