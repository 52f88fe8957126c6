#include "analysis/load_csv.h"

#include <algorithm>
#include <thread>

namespace vivalink::analysis {
namespace {

// Every batch of reader into a Frame of the wanted columns.
core::Result<Frame> Load(formats::RowReader& reader, const std::string& source_name,
                         const std::vector<std::string>& columns_wanted, bool missing_wanted_ok) {
  FrameBuilder builder(columns_wanted, missing_wanted_ok);
  formats::RowBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(batch));
    if (!more) break;
    RETURN_IF_ERROR(builder.Append(batch).WithContext(source_name));
  }
  return std::move(builder).Finish();
}

}  // namespace

core::Result<Frame> LoadFrame(std::unique_ptr<core::ByteSource> source,
                              const formats::ReaderOptions& options,
                              const std::vector<std::string>& columns_wanted,
                              bool missing_wanted_ok) {
  formats::ReaderOptions projected = options;
  if (projected.columns.empty()) projected.columns = columns_wanted;
  ASSIGN_OR_RETURN(auto reader, formats::OpenRowReader(std::move(source), std::move(projected)));
  return Load(*reader, options.source_name, columns_wanted, missing_wanted_ok);
}

core::Result<Frame> LoadCsvFrame(const std::string& path,
                                 const std::vector<std::string>& columns_wanted,
                                 bool missing_wanted_ok) {
  formats::ReaderOptions options;
  options.source_name = path;
  // The reader converts only the wanted columns (the others are split off and skipped) and
  // parses a large file on two threads when there are two cores (OpenRowFileReader).
  options.columns = columns_wanted;
  options.threads = std::min(2u, std::max(1u, std::thread::hardware_concurrency()));
  ASSIGN_OR_RETURN(auto reader, formats::OpenRowFileReader(path, options));
  return Load(*reader, options.source_name, columns_wanted, missing_wanted_ok);
}

}  // namespace vivalink::analysis
