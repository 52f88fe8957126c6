// `vivalink run | serve | status | replay | config`: the ingestion service's commands (the work
// is ingest/commands.h's; `status` adds onboard's SAS expiry warnings on stderr).
//
//   vivalink [--config F] run [--tenant T]       exit 1 when a drop failed
//   vivalink [--config F] serve [--listen HOST:PORT] [--queue-url URL] [--port-file F] [--tenant T]
//   vivalink [--config F] status [--json]
//   vivalink [--config F] replay --run <RunId>
//   vivalink [--config F] config [--show]        the effective configuration, secrets masked
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "cli/global_flags.h"

namespace vivalink::cli {

void RegisterServiceCommands(CLI::App& app, Commands& commands, const GlobalFlags& flags);

}  // namespace vivalink::cli
