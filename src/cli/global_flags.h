// vivalink's global flags (--config, --log-level) and the two ways a command starts: with the
// configuration loaded (every command that works on the ingested data) or without it.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "ingest/config.h"

namespace vivalink::cli {

struct GlobalFlags {
  std::string config_path;  // "" = the embedded defaults under ./vivalink-data/
  std::string log_level;    // "" = the configuration's (warn for commands without one)
};

// Registers --config and --log-level on the program's app.
void RegisterGlobalFlags(CLI::App& app, GlobalFlags& flags);

// A run function that loads the configuration (ingest::LoadConfig), starts logging from it
// (--log-level wins) and then calls run with it; a configuration error is reported instead
// (exit 1, or 2 for an invalid file). flags must outlive the returned function.
std::function<int()> WithConfig(const GlobalFlags& flags,
                                std::function<int(const ingest::Config&)> run);

// A run function that starts logging at warn (or --log-level) and calls run.
std::function<int()> WithoutConfig(const GlobalFlags& flags, std::function<int()> run);

}  // namespace vivalink::cli
