// `vivalink partner load|list`: the partner's own data (a CRM or HR export) stored in the database
// per tenant, resolved against the user export that `vivalink run` imported (join/stored.h).
//
//   vivalink [--config F] partner load [--file F] [--key COL] [--key-type email|object_id]
//       [--tenant T] [--source NAME] [--date COL|none] [--sum a,b] [--mean a,b]
//       [--default sum|mean] [--json]
//   vivalink [--config F] partner list [--tenant T] [--json]
//
// `load` takes the file, key column and key type from the configuration's [partner] section
// unless the flags name them; the tenant may be left out when the database holds exactly one.
// Daily or weekly data is aligned to Viva weeks by its date column (default: the first of
// MetricDate, Week, Date, Day, WeekStart present), `--date none` makes it static (one value per
// person). A load replaces the previous load of the same tenant and source atomically. Output:
// the counts and match rate (never identities). Exit codes: 0 success, 1 failure, 2 invalid
// arguments.
#pragma once

#include <CLI/CLI.hpp>

#include "ingest/config.h"

namespace vivalink::cli {

class PartnerCommands {
 public:
  // True when `partner load` or `partner list` was on the command line.
  bool parsed() const;
  // Runs the parsed subcommand with the loaded configuration; returns the exit code.
  int Run(const ingest::Config& config) const;

  struct Args;  // the flags' values (partner_command.cc)

 private:
  friend PartnerCommands& AddPartnerCommands(CLI::App& app);
  CLI::App* load_ = nullptr;
  CLI::App* list_ = nullptr;
  Args* args_ = nullptr;
};

// Registers `partner load|list` on app. The returned object (and the argument storage CLI11
// writes into) lives for the whole program. Call once per app.
PartnerCommands& AddPartnerCommands(CLI::App& app);

}  // namespace vivalink::cli
