#include "analysis/load_csv.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vivalink::analysis {

core::Result<Frame> LoadFrame(std::unique_ptr<core::ByteSource> source,
                              const formats::ReaderOptions& options,
                              const std::vector<std::string>& columns_wanted) {
  ASSIGN_OR_RETURN(auto reader, formats::OpenRowReader(std::move(source), options));
  FrameBuilder builder(columns_wanted);
  formats::RowBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) break;
    RETURN_IF_ERROR(builder.Append(batch).WithContext(options.source_name));
  }
  return std::move(builder).Finish();
}

core::Result<Frame> LoadCsvFrame(const std::string& path,
                                 const std::vector<std::string>& columns_wanted) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::NotFoundError(
        fmt::format("cannot open '{}': {}; check the path", path, std::strerror(errno)));
  }
  std::ostringstream data;
  data << in.rdbuf();
  formats::ReaderOptions options;
  options.source_name = path;
  return LoadFrame(core::MemorySource::Owning(std::move(data).str()), options, columns_wanted);
}

}  // namespace vivalink::analysis
