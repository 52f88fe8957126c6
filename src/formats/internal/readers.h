// Factories of the two concrete readers behind OpenRowReader (reader.cc picks one).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/io.h"
#include "formats/reader.h"

namespace vivalink::formats::internal {

// base_offset: stream offset of the source's first byte (3 when a byte-order mark was dropped).
std::unique_ptr<RowReader> NewJsonLinesReader(std::unique_ptr<core::ByteSource> source,
                                              ReaderOptions options, uint64_t base_offset);
std::unique_ptr<RowReader> NewCsvReader(std::unique_ptr<core::ByteSource> source,
                                        ReaderOptions options, uint64_t base_offset);
// The CSV file at path (size bytes) in two parts on two threads (see OpenRowFileReader): stream
// reads it from its start (the sniffed stream), a second handle from the middle.
std::unique_ptr<RowReader> NewParallelCsvFileReader(std::unique_ptr<core::ByteSource> stream,
                                                    ReaderOptions options, uint64_t base_offset,
                                                    const std::string& path, uint64_t size);

}  // namespace vivalink::formats::internal
