// Reading a local file into memory for the row readers (partner files and user exports are tens
// of MB at most, like person queries; see analysis/load_csv.h).
#pragma once

#include <string>

#include "core/status.h"

namespace vivalink::join::internal {

// The bytes of the file at path. kNotFound (with the path and the system's reason) when it
// cannot be opened.
core::Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace vivalink::join::internal
