// `vivalink report`: the HTML report of what was ingested: person-weeks from the database as an
// analysis Frame, joined with the partner data stored by `vivalink partner load` (join/stored.h),
// the analyses of src/analysis, per-drop provenance from the ledger.
//
// The command parses flags, loads the stored join and calls report::BuildPartnerReport, which
// decides the key metrics (--outcome, else the stored partner metrics, else
// After_hours_collaboration_hours), the driver candidates and the join summary (report.h), and
// runs driver discovery without hints (analysis/discovery.h, docs/ANALYSIS.md).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "db/database.h"
#include "ingest/config.h"
#include "report/report.h"

namespace vivalink::cli {

struct ReportArgs {
  std::string output;                 // default <data_dir>/report.html
  std::vector<std::string> outcomes;  // default: see above
  std::vector<std::string> group_by = {"Organization"};
  int min_group_size = 5;
  std::string tenant;                   // only this tenant; empty = all
  std::vector<std::string> behaviours;  // driver candidates; empty = every numeric metric
  std::string rank_by = "spearman";     // spearman | partial
  // Also write the drivers, the discovery per outcome, join counts and outcomes as JSON here.
  std::string json;
};

// The drops ledger as report provenance rows, oldest first.
core::Result<std::vector<report::DropProvenance>> LoadProvenance(db::Database& db,
                                                                 const std::string& tenant);

// Writes the report; prints where. Exit code (0 ok, 1 failure, 2 invalid arguments).
int ReportCommand(const ingest::Config& config, const ReportArgs& args);

}  // namespace vivalink::cli
