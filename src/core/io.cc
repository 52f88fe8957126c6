#include "core/io.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace vivalink::core {

std::unique_ptr<MemorySource> MemorySource::Owning(std::string data) {
  auto src = std::make_unique<MemorySource>(std::string_view());
  src->owned_ = std::move(data);
  src->view_ = src->owned_;
  return src;
}

Result<size_t> MemorySource::Read(std::span<std::byte> out) {
  size_t n = std::min(out.size(), view_.size() - pos_);
  if (n > 0) std::memcpy(out.data(), view_.data() + pos_, n);
  pos_ += n;
  return n;
}

Status StringSink::Write(std::span<const std::byte> data) {
  data_.append(AsChars(data));
  return OkStatus();
}

Result<std::string> ReadAll(ByteSource& source, size_t max_bytes) {
  std::string out;
  std::vector<std::byte> buf(64 * 1024);
  while (true) {
    ASSIGN_OR_RETURN(size_t n, source.Read(buf));
    if (n == 0) break;
    if (out.size() + n > max_bytes) {
      return FailedPreconditionError("stream is larger than the allowed " +
                                     std::to_string(max_bytes) + " bytes");
    }
    out.append(AsChars({buf.data(), n}));
  }
  return out;
}

Result<uint64_t> Copy(ByteSource& source, ByteSink& sink, size_t chunk_bytes) {
  std::vector<std::byte> buf(chunk_bytes);
  uint64_t total = 0;
  while (true) {
    ASSIGN_OR_RETURN(size_t n, source.Read(buf));
    if (n == 0) break;
    RETURN_IF_ERROR(sink.Write({buf.data(), n}));
    total += n;
  }
  return total;
}

}  // namespace vivalink::core
