// Helpers shared by tests: where shared/ and the build are, temporary folders, small file I/O,
// and running a program of ours as a child process.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace vivalink::testutil {

// ../shared, the build and the source tree: compiled in, overridable by VIVALINK_SHARED_DIR,
// VIVALINK_BUILD_DIR and VIVALINK_SOURCE_DIR.
std::filesystem::path SharedDir();
std::filesystem::path SharedData(const std::string& relative);  // SharedDir()/data/<relative>
std::filesystem::path BuildDir();   // the CMake binary dir (VIVALINK_BUILD_DIR)
std::filesystem::path SourceDir();  // the project root (VIVALINK_SOURCE_DIR)
// A built program of src/cli: ProgramPath("vivalink") is BuildDir()/src/cli/vivalink.
std::string ProgramPath(const std::string& name);

// A fresh folder under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, const std::string& data);

struct RunResult {
  int exit_code = -1;  // -signal when killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};
// Runs argv (argv[0] a path) with extra environment entries "K=V"; captures stdout and stderr.
RunResult RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                     const std::string& stdin_data = "");

}  // namespace vivalink::testutil
