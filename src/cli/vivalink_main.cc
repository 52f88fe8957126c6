// vivalink: the partner-side service and CLI. See README.md for every command. Each command file
// registers its commands (cli/common.h, Commands); main parses once and runs the parsed one.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/analyze_command.h"
#include "cli/common.h"
#include "cli/global_flags.h"
#include "cli/keys_command.h"
#include "cli/offboard_command.h"
#include "cli/onboard_command.h"
#include "cli/partner_command.h"
#include "cli/report_command.h"
#include "cli/service_command.h"
#include "core/log.h"

namespace vivalink::cli {

int Main(int argc, char** argv) {
  CLI::App app{"vivalink: receive, decrypt, validate and analyse Viva Insights partner drops"};
  app.require_subcommand(1);
  Commands commands;
  GlobalFlags& flags = commands.Keep<GlobalFlags>();
  RegisterGlobalFlags(app, flags);
  RegisterServiceCommands(app, commands, flags);
  RegisterReportCommand(app, commands, flags);
  RegisterKeysCommands(app, commands, flags);
  RegisterDropCommands(app, commands, flags);
  RegisterOnboardCommands(app, commands, flags);
  auto& offboard_args = commands.Keep<OffboardArgs>();
  commands.Add(AddOffboardCommand(app, offboard_args),
               WithConfig(flags, [&offboard_args](const ingest::Config& config) {
                 return OffboardCommand(config, offboard_args);
               }));
  auto& forget_args = commands.Keep<ForgetArgs>();
  commands.Add(AddForgetCommand(app, forget_args),
               WithConfig(flags, [&forget_args](const ingest::Config& config) {
                 return ForgetCommand(config, forget_args);
               }));
  RegisterAnalyzeCommands(app, commands);
  RegisterPartnerCommands(app, commands, flags);
  if (auto stop = Parse(app, argc, argv)) return *stop;
  return commands.RunParsed();
}

}  // namespace vivalink::cli

int main(int argc, char** argv) {
  try {
    return vivalink::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: Internal: %s\n", vivalink::core::Redact(e.what()).c_str());
    return 1;
  }
}
