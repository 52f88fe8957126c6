// `vivalink report` as one call: the person-weeks of the database joined with every stored
// partner dataset of their tenant (join/stored.h), the partner report's policy
// (BuildPartnerReport in report.h), per-drop provenance from the ingestion ledger
// (ingest/ledger.h), then the HTML file (WriteReport) and, when asked, the JSON of the drivers,
// the discovery per key metric and the join's counts.
//
// Thread-compatibility: each call opens its own database connection.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/database.h"
#include "report/report.h"

namespace vivalink::report {

struct DatabaseReportRequest {
  std::string database_url;  // [database] url
  // The HTML file; "" = <data_dir>/report.html.
  std::string output;
  std::string data_dir = "./vivalink-data";
  // Also write the drivers, the discovery per key metric, the join's counts and the key metrics
  // as JSON to this file; "" = no JSON.
  std::string json;
  std::string tenant;  // only this tenant (a GUID is normalised); "" = every tenant
  // Key metrics and driver candidates as given (display names are accepted); empty: see
  // BuildPartnerReport.
  std::vector<std::string> outcomes;
  std::vector<std::string> behaviours;
  std::string rank_by = "spearman";  // spearman | partial
  std::vector<std::string> group_by = {"Organization"};
  int min_group_size = 5;
  std::string generated_at;  // shown in the report; "" = now (ISO 8601 UTC)
};

struct DatabaseReport {
  std::filesystem::path output;          // the HTML file written, absolute
  size_t person_weeks = 0;               // rows of the joined frame
  std::vector<std::string> key_metrics;  // the outcomes explained, in report order
  std::optional<JoinSummary> join;       // when partner data is stored

  // "report: <file> (<n> person-weeks; key metrics: a, b)" and, with partner data,
  // "partner join (<sources>): <m> of <p> partner persons matched (<rate>%)"; one line each.
  std::string ToText() const;
};

// The drops ledger of tenant ("" = every tenant) as report provenance, oldest first (by the
// drop's metadata creation time, run and kind); rows -1 where the ledger holds no row count.
// Errors: the database's.
core::Result<std::vector<DropProvenance>> LoadProvenance(db::Database& db, std::string_view tenant);

// Builds and writes the report (see the file comment). The HTML file is replaced atomically; the
// JSON file too. Errors: kFailedPrecondition when the database holds no person-weeks (run
// `vivalink run` first); kInvalidArgument for an unknown rank_by, a minimum group size below 1,
// or unknown or non-numeric columns; WriteReport's for the HTML file; the JSON file's errors
// name `--json <file>`; the database's.
core::Result<DatabaseReport> WriteDatabaseReport(const DatabaseReportRequest& request);

}  // namespace vivalink::report
