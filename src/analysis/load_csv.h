// Loading a person query file (CSV, or JSON lines) into an analysis Frame through the formats
// module's row readers. Kept apart from frame.h so that the analysis core links nothing but
// vivalink::core; this file links vivalink::formats.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analysis/frame.h"
#include "core/io.h"
#include "core/status.h"
#include "formats/reader.h"

namespace vivalink::analysis {

// Reads every row of source with formats::OpenRowReader(options) into a Frame keeping
// columns_wanted (empty: all); the reader converts only those (ReaderOptions::columns, unless
// options names its own). Errors: the reader's (kDataLoss with source, line and offset),
// FrameBuilder's (kInvalidArgument for a column that changes type, kNotFound for a wanted
// column that is absent unless missing_wanted_ok).
core::Result<Frame> LoadFrame(std::unique_ptr<core::ByteSource> source,
                              const formats::ReaderOptions& options,
                              const std::vector<std::string>& columns_wanted = {},
                              bool missing_wanted_ok = false);

// Reads the file at path (format detected from its first byte, CSV for a person query export),
// streaming it in the reader's chunks (formats::ReaderOptions::chunk_bytes): memory holds the
// Frame (only the wanted columns) and the reader's buffers, not the file. Only the wanted columns
// are converted (projection), and a CSV file of 8 MiB or more is parsed in two parts on two
// threads when the machine has two cores (formats::OpenRowFileReader: the same frame and errors
// as a sequential read). kNotFound when the file
// cannot be opened; kUnavailable for a read error (naming the file and offset).
core::Result<Frame> LoadCsvFrame(const std::string& path,
                                 const std::vector<std::string>& columns_wanted = {},
                                 bool missing_wanted_ok = false);

}  // namespace vivalink::analysis
