// `vivalink offboard --tenant T [--dry-run] [--yes] [--json]` and `vivalink forget --tenant T
// --person <object id | e-mail> [--dry-run] [--json]`: flags, the confirmation and printing
// only; the work is onboard::Offboard / onboard::Forget (onboard/offboard.h).
//
// offboard without --yes or --dry-run asks on the terminal (the operator types the tenant id)
// and refuses when standard input is not a terminal. Output: the rows per table, blobs and key
// files erased (or, with --dry-run, that would be), the audit reference and notes on stdout;
// never a person's identity. Exit codes: 0 done, 1 failure or not confirmed, 2 invalid
// arguments (including a missing --yes off a terminal).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "ingest/config.h"

namespace vivalink::cli {

struct OffboardArgs {
  std::string tenant;
  bool dry_run = false;
  bool yes = false;
  bool json = false;
};

struct ForgetArgs {
  std::string tenant;
  std::string person;
  bool dry_run = false;
  bool json = false;
};

// Register `offboard` / `forget` on app; the args are filled by app.parse.
CLI::App* AddOffboardCommand(CLI::App& app, OffboardArgs& args);
CLI::App* AddForgetCommand(CLI::App& app, ForgetArgs& args);

int OffboardCommand(const ingest::Config& config, const OffboardArgs& args);
int ForgetCommand(const ingest::Config& config, const ForgetArgs& args);

}  // namespace vivalink::cli
