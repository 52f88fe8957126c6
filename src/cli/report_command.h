// `vivalink report`: the HTML report of what was ingested, joined with the partner data stored by
// `vivalink partner load`. Flags and printing only; the work is report::WriteDatabaseReport
// (report/database_report.h), which decides what the flags leave open (report.h,
// BuildPartnerReport).
//
//   vivalink [--config F] report [--output F] [--outcome COL,...] [--behaviours a,b,...]
//       [--rank-by spearman|partial] [--group-by Organization] [--min-group 5] [--tenant T]
//       [--json F]
// Exit codes: 0 success, 1 failure, 2 invalid arguments.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "cli/global_flags.h"

namespace vivalink::cli {

void RegisterReportCommand(CLI::App& app, Commands& commands, const GlobalFlags& flags);

}  // namespace vivalink::cli
