// `vivalink partner load|list`: the partner's own data (a CRM or HR export) stored in the database
// per tenant, resolved against the user export that `vivalink run` imported. Flags and printing
// only; the work is join::LoadPartner / join::ListPartner (join/partner_commands.h).
//
//   vivalink [--config F] partner load [--file F] [--key COL] [--key-type email|object_id]
//       [--tenant T] [--source NAME] [--date COL|none] [--sum a,b] [--mean a,b]
//       [--default sum|mean] [--json]
//   vivalink [--config F] partner list [--tenant T] [--json]
//
// `load` takes the file, key column and key type from the configuration's [partner] section
// unless the flags name them; the tenant may be left out when the database holds exactly one.
// Output: the counts and match rate (never identities). Exit codes: 0 success, 1 failure, 2
// invalid arguments.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "cli/global_flags.h"

namespace vivalink::cli {

void RegisterPartnerCommands(CLI::App& app, Commands& commands, const GlobalFlags& flags);

}  // namespace vivalink::cli
