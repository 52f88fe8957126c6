// Factories of the two concrete readers behind OpenRowReader (reader.cc picks one).
#pragma once

#include <cstdint>
#include <memory>

#include "core/io.h"
#include "formats/reader.h"

namespace vivalink::formats::internal {

// base_offset: stream offset of the source's first byte (3 when a byte-order mark was dropped).
std::unique_ptr<RowReader> NewJsonLinesReader(std::unique_ptr<core::ByteSource> source,
                                              ReaderOptions options, uint64_t base_offset);
std::unique_ptr<RowReader> NewCsvReader(std::unique_ptr<core::ByteSource> source,
                                        ReaderOptions options, uint64_t base_offset);

}  // namespace vivalink::formats::internal
