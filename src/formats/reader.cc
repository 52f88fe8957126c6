#include "formats/reader.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "formats/internal/readers.h"
#include "formats/internal/text.h"

namespace vivalink::formats {
namespace {

// Serves the bytes OpenRowReader looked at to choose the format, then the rest of the source.
class PrefixedSource final : public core::ByteSource {
 public:
  PrefixedSource(std::string prefix, std::unique_ptr<core::ByteSource> rest)
      : prefix_(std::move(prefix)), rest_(std::move(rest)) {}

  core::Result<size_t> Read(std::span<std::byte> out) override {
    if (pos_ < prefix_.size()) {
      size_t n = std::min(out.size(), prefix_.size() - pos_);
      std::memcpy(out.data(), prefix_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return rest_->Read(out);
  }

 private:
  std::string prefix_;
  size_t pos_ = 0;
  std::unique_ptr<core::ByteSource> rest_;
};

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kMaxSniffBytes = 1 << 20;

}  // namespace

core::Result<std::unique_ptr<RowReader>> OpenRowReader(std::unique_ptr<core::ByteSource> source,
                                                       ReaderOptions options) {
  if (source == nullptr) return core::InvalidArgumentError("OpenRowReader: no source");
  if (options.batch_rows == 0 || options.max_line_bytes == 0 || options.chunk_bytes == 0) {
    return core::InvalidArgumentError(
        "OpenRowReader: batch_rows, max_line_bytes and chunk_bytes must be positive");
  }
  // Read until the first byte that is neither whitespace nor part of a byte-order mark: it says
  // which format this is (and the BOM must go whichever it is).
  std::string prefix;
  char chunk[4096];
  size_t first = std::string::npos;
  while (prefix.size() < kMaxSniffBytes) {
    auto read = source->Read(std::as_writable_bytes(std::span(chunk)));
    if (!read.ok()) return read.status().WithContext(options.source_name);
    size_t n = *read;
    if (n == 0) break;
    prefix.append(chunk, n);
    if (prefix.size() < kBom.size() && kBom.starts_with(prefix)) continue;
    size_t skip = prefix.starts_with(kBom) ? kBom.size() : 0;
    first = prefix.find_first_not_of(" \t\r\n", skip);
    if (first != std::string::npos) break;
  }
  uint64_t base_offset = 0;
  if (prefix.starts_with(kBom)) {
    prefix.erase(0, kBom.size());
    base_offset = kBom.size();
  }
  Format format = options.format;
  if (format == Format::kAuto) {
    size_t at = prefix.find_first_not_of(" \t\r\n");
    format = at == std::string::npos || prefix[at] == '{' ? Format::kJsonLines : Format::kCsv;
  }
  auto stream = std::make_unique<PrefixedSource>(std::move(prefix), std::move(source));
  if (format == Format::kJsonLines) {
    return internal::NewJsonLinesReader(std::move(stream), std::move(options), base_offset);
  }
  return internal::NewCsvReader(std::move(stream), std::move(options), base_offset);
}

}  // namespace vivalink::formats
