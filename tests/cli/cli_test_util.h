// Shared by the tests of every command line (vivalink_cli_test, vivasim_cli_test): one command of
// a program run with one more argument, and what CLI11 says about a bad flag.
#pragma once

#include <string>
#include <vector>

#include "testutil.h"

namespace vivalink::cli {

// Runs `program <path...> <last>` (e.g. {"keys", "create"} and "--help").
inline testutil::RunResult RunCommand(const std::string& program,
                                      const std::vector<std::string>& path,
                                      const std::string& last) {
  std::vector<std::string> argv = {program};
  argv.insert(argv.end(), path.begin(), path.end());
  argv.push_back(last);
  return testutil::RunProgram(argv);
}

// CLI11 names a missing required flag first, else the unknown one.
inline bool NamesTheFlagOrARequiredOne(const std::string& err, const std::string& flag) {
  return err.find(flag) != std::string::npos || err.find(" is required") != std::string::npos;
}

}  // namespace vivalink::cli
