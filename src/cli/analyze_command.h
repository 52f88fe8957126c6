// `vivalink analyze ...`: the analyses of src/analysis/ on a person query file, optionally joined
// with the partner's data through the Entra ID user export (join/file_join.h). Flags and printing
// only: the input comes from join::LoadFileJoin, the result from one analysis function.
//
//   vivalink analyze iv       --input F --outcome 'EXPR' [--predictors a,b] [--bins 5]
//   vivalink analyze drivers  --input F --outcome COL [--behaviours a,b] [--iv-bins 5]
//   vivalink analyze groups   --input F --by Organization[,..] --metrics a,b [--min-group 5]
//   vivalink analyze hygiene  --input F [--metric M] [--exclude]
//   vivalink analyze patterns --input F --kind trend|habits|gini [--metric M] [--by A] ...
//   vivalink analyze meetings --input CALENDAR [--time-zone Z] [--working-hours 09:00-17:00]
//                             [--internal-domain d,..] [--owner X] [--count-tentative]
//     (Outlook events in, per-person-week meeting metrics out, src/meetings/metrics.h; no
//     partner options)
//   vivalink analyze meeting-query --input MQ --kind types|organizers|recurring|after-hours
//                             [--by Organization] [--min-group 5] [--working-hours ..]
//                             [--month-first] [--utc]   (src/meetings/meeting_query.h)
// Every subcommand also takes [--format csv|json] and the partner options
//   --partner P [--partner-key Email] [--partner-key-type email|object_id] [--users U]
//   [--partner-date COL] [--partner-static S] [--partner-sum a,b] [--partner-mean a,b]
//   [--partner-default sum|mean] [--left-join] [--join-report FILE]
// The result goes to stdout; the join's counts (never identities) to stderr and --join-report.
// Exit codes: 0 success, 1 failure (unreadable or corrupt input), 2 invalid arguments.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace vivalink::cli {

// Registers the `analyze` subcommand tree on app. The analyses read files only: no
// configuration, no database.
void RegisterAnalyzeCommands(CLI::App& app, Commands& commands);

}  // namespace vivalink::cli
