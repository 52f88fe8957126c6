#include "cli/global_flags.h"

#include "cli/common.h"
#include "core/log.h"

namespace vivalink::cli {

void RegisterGlobalFlags(CLI::App& app, GlobalFlags& flags) {
  app.add_option("--log-level", flags.log_level,
                 "debug|info|warn|error|off (default: the config's)");
  app.add_option("--config", flags.config_path,
                 "configuration file (TOML, see docs/vivalink.example.toml); default: the "
                 "embedded defaults under ./vivalink-data/");
}

std::function<int()> WithConfig(const GlobalFlags& flags,
                                std::function<int(const ingest::Config&)> run) {
  return [&flags, run = std::move(run)] {
    auto config = ingest::LoadConfig(flags.config_path);
    if (!config.ok()) return ReportError(config.status());
    core::InitLogging({.level = core::ParseLogLevel(flags.log_level.empty() ? config->log_level
                                                                            : flags.log_level),
                       .json = false,
                       .file = config->log_file});
    return run(*config);
  };
}

std::function<int()> WithoutConfig(const GlobalFlags& flags, std::function<int()> run) {
  return [&flags, run = std::move(run)] {
    core::InitLogging(
        {.level = core::ParseLogLevel(flags.log_level.empty() ? "warn" : flags.log_level),
         .json = false,
         .file = ""});
    return run();
  };
}

}  // namespace vivalink::cli
