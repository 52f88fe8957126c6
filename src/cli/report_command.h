// `vivalink report`: the HTML report of what was ingested: person-weeks from the database as an
// analysis Frame, the analyses of src/analysis, per-drop provenance from the ledger.
#pragma once

#include <string>
#include <vector>

#include "analysis/frame.h"
#include "core/status.h"
#include "db/database.h"
#include "ingest/config.h"
#include "report/report.h"

namespace vivalink::cli {

struct ReportArgs {
  std::string output;                 // default <data_dir>/report.html
  std::vector<std::string> outcomes;  // default After_hours_collaboration_hours
  std::vector<std::string> group_by = {"Organization"};
  int min_group_size = 5;
  std::string tenant;  // only this tenant; empty = all
};

// Person-weeks of the database as a Frame: TenantId, PersonId (the stored person key),
// MetricDate, the stored HR attributes (categorical) and metrics (numeric, NaN when absent).
core::Result<analysis::Frame> LoadPersonWeeks(db::Database& db, const std::string& tenant);

// The drops ledger as report provenance rows, oldest first.
core::Result<std::vector<report::DropProvenance>> LoadProvenance(db::Database& db,
                                                                 const std::string& tenant);

// Writes the report; prints where. Exit code (0 ok, 1 failure).
int ReportCommand(const ingest::Config& config, const ReportArgs& args);

}  // namespace vivalink::cli
