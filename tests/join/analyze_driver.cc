// A stand-in for `vivalink` holding only the analyze commands, so that they can be tested before
// (and independently of) their wiring into vivalink_main.cc. Wired exactly as the lead wires them.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/analyze_command.h"

int main(int argc, char** argv) {
  CLI::App app{"analyze test driver"};
  app.require_subcommand(1);
  vivalink::cli::AddAnalyzeCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (auto code = vivalink::cli::AnalyzeExitCode()) return *code;
  return 2;
}
