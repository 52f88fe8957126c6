#include "join/internal/file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vivalink::join::internal {

core::Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::NotFoundError(
        fmt::format("cannot open '{}': {}; check the path", path, std::strerror(errno)));
  }
  std::ostringstream data;
  data << in.rdbuf();
  return std::move(data).str();
}

}  // namespace vivalink::join::internal
