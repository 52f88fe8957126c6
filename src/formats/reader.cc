#include "formats/reader.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/file.h"
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

// What OpenRowReader looked at: the format and a stream that serves the bytes again.
struct Sniffed {
  Format format = Format::kCsv;
  std::unique_ptr<core::ByteSource> stream;
  uint64_t base_offset = 0;  // the byte-order mark's length when one was dropped
};

core::Result<Sniffed> Sniff(std::unique_ptr<core::ByteSource> source,
                            const ReaderOptions& options) {
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
  Sniffed out;
  if (prefix.starts_with(kBom)) {
    prefix.erase(0, kBom.size());
    out.base_offset = kBom.size();
  }
  out.format = options.format;
  if (out.format == Format::kAuto) {
    size_t at = prefix.find_first_not_of(" \t\r\n");
    out.format = at == std::string::npos || prefix[at] == '{' ? Format::kJsonLines : Format::kCsv;
  }
  out.stream = std::make_unique<PrefixedSource>(std::move(prefix), std::move(source));
  return out;
}

}  // namespace

core::Result<std::unique_ptr<RowReader>> OpenRowReader(std::unique_ptr<core::ByteSource> source,
                                                       ReaderOptions options) {
  ASSIGN_OR_RETURN(Sniffed sniffed, Sniff(std::move(source), options));
  if (sniffed.format == Format::kJsonLines) {
    return internal::NewJsonLinesReader(std::move(sniffed.stream), std::move(options),
                                        sniffed.base_offset);
  }
  return internal::NewCsvReader(std::move(sniffed.stream), std::move(options), sniffed.base_offset);
}

core::Result<std::unique_ptr<RowReader>> OpenRowFileReader(const std::string& path,
                                                           ReaderOptions options) {
  ASSIGN_OR_RETURN(auto source, core::OpenFileSource(path));
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  const bool parallel = options.threads >= 2 && options.decrypt_column == nullptr && !ec &&
                        size >= options.parallel_min_bytes;
  ASSIGN_OR_RETURN(Sniffed sniffed, Sniff(std::move(source), options));
  if (sniffed.format == Format::kJsonLines) {
    return internal::NewJsonLinesReader(std::move(sniffed.stream), std::move(options),
                                        sniffed.base_offset);
  }
  if (parallel) {
    return internal::NewParallelCsvFileReader(std::move(sniffed.stream), std::move(options),
                                              sniffed.base_offset, path, size);
  }
  return internal::NewCsvReader(std::move(sniffed.stream), std::move(options), sniffed.base_offset);
}

}  // namespace vivalink::formats
