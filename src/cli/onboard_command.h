// `vivalink onboard`, `vivalink sas` and `vivalink sas --rotate`: flags and printing only; the
// work is onboard::Onboard / onboard::RotateSas and azure::ContainerSasUrlFromEnvironment.
//
//   vivalink [--config F] onboard --tenant T [--container NAME] [--days 90]
//                                 [--notification-url URL]
//   vivalink sas --container NAME [--permissions cw] [--days 30]
//   vivalink [--config F] sas --rotate --tenant T [--days N]
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "cli/global_flags.h"

namespace vivalink::cli {

void RegisterOnboardCommands(CLI::App& app, Commands& commands, const GlobalFlags& flags);

}  // namespace vivalink::cli
