// `vivalink keys create | register` and `vivalink drop cat`: the tenants' key pairs and the
// operators' view of one drop (the work is drop/keys.h, ingest/commands.h and drop/cat.h).
//
//   vivalink keys create --tenant T [--keystore DIR]      prints the JWK to register
//   vivalink [--config F] keys register --tenant T [--create]
//   vivalink drop cat --store URL --drop <RunId>/VivaInsights/<TenantId> [--keystore DIR]
//                     [--keys-file F] [--summary]
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "cli/global_flags.h"

namespace vivalink::cli {

void RegisterKeysCommands(CLI::App& app, Commands& commands, const GlobalFlags& flags);
void RegisterDropCommands(CLI::App& app, Commands& commands, const GlobalFlags& flags);

}  // namespace vivalink::cli
