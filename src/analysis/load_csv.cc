#include "analysis/load_csv.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <span>

namespace vivalink::analysis {
namespace {

// A file read in order with fread; owns the FILE.
class FileSource final : public core::ByteSource {
 public:
  FileSource(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  ~FileSource() override { std::fclose(file_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  core::Result<size_t> Read(std::span<std::byte> out) override {
    const size_t n = std::fread(out.data(), 1, out.size(), file_);
    if (n == 0 && std::ferror(file_) != 0) {
      return core::UnavailableError(
          fmt::format("cannot read '{}' at byte {}: {}", path_, offset_, std::strerror(errno)));
    }
    offset_ += n;
    return n;
  }

 private:
  std::string path_;
  std::FILE* file_;
  uint64_t offset_ = 0;
};

}  // namespace

core::Result<Frame> LoadFrame(std::unique_ptr<core::ByteSource> source,
                              const formats::ReaderOptions& options,
                              const std::vector<std::string>& columns_wanted,
                              bool missing_wanted_ok) {
  ASSIGN_OR_RETURN(auto reader, formats::OpenRowReader(std::move(source), options));
  FrameBuilder builder(columns_wanted, missing_wanted_ok);
  formats::RowBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) break;
    RETURN_IF_ERROR(builder.Append(batch).WithContext(options.source_name));
  }
  return std::move(builder).Finish();
}

core::Result<Frame> LoadCsvFrame(const std::string& path,
                                 const std::vector<std::string>& columns_wanted,
                                 bool missing_wanted_ok) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return core::NotFoundError(
        fmt::format("cannot open '{}': {}; check the path", path, std::strerror(errno)));
  }
  formats::ReaderOptions options;
  options.source_name = path;
  return LoadFrame(std::make_unique<FileSource>(path, file), options, columns_wanted,
                   missing_wanted_ok);
}

}  // namespace vivalink::analysis
