// The report module: one self-contained HTML file presenting vivalink's analysis of person-week
// data (summary, drivers of key metrics with weight-of-evidence curves, group heatmap, weekly
// trends, data-hygiene findings, drop provenance and the partner-join match rate).
//
// The file opens offline: styles are inline, charts are inline SVG drawn here, there is no
// script and no reference to any external resource. The markup is XHTML-compatible, so the whole
// document also parses as XML. Every string from the data (column names, group names, tenant ids,
// error texts) is escaped.
//
// Privacy, enforced by the renderer whatever the input holds:
//   - a group with fewer persons than the minimum group size never appears (no row, no cell, no
//     name); only the number of suppressed groups is said. A group reported for some heatmap
//     metrics but suppressed for another is left out of that heatmap entirely and counted;
//   - hygiene findings are shown as counts and weeks, never as person identities;
//   - categories of categorical IV predictors (which may be group names) are not drawn: such
//     predictors show their IV only.
//
// Rendering is a pure function of its input (generated_at is taken from the input, not the
// clock), so equal inputs give byte-identical reports.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analysis/discovery.h"
#include "analysis/drivers.h"
#include "analysis/frame.h"
#include "analysis/groups.h"
#include "analysis/hygiene.h"
#include "analysis/iv.h"
#include "analysis/patterns.h"
#include "core/status.h"

namespace vivalink::report {

// One drop as the ingestion ledger knows it. Plain data, filled by the caller.
struct DropProvenance {
  std::string run_id;
  std::string tenant_id;
  std::string kind;         // "VivaInsights" | "AADUser" | ...
  std::string state;        // "imported", "failed", "quarantined", ... (shown as given)
  int64_t rows = -1;        // rows imported; -1 = unknown (shown as "–")
  std::string finished_at;  // ISO 8601, "" = not finished
  std::string error;        // "" when none
};

// The partner-data join (join module). Rates are matched / total; a total of 0 shows "–".
struct JoinSummary {
  std::string partner_name;     // e.g. "CRM accounts"; "" = "partner data"
  std::string join_key;         // e.g. "object id", "email"
  int64_t partner_records = 0;  // partner rows offered to the join
  int64_t matched_records = 0;  // of those, rows that found a Viva person
  int64_t viva_persons = 0;     // distinct persons in the Viva data (0 = unknown)
  int64_t matched_persons = 0;  // of those, persons with partner data
  // Distinct persons of the partner data, resolved or not (0 = unknown). When known, the match
  // rate shown first is matched_persons / partner_persons: the share of the partner's people
  // found in Viva Insights.
  int64_t partner_persons = 0;
  // Of those, keys the user export does not know or holds for two persons (refused).
  int64_t partner_unresolved_persons = 0;
};

// What the data covers (BuildReportInput fills it from the Frame).
struct DataSummary {
  std::vector<std::string> tenants;
  std::string first_week;  // "" when unknown
  std::string last_week;
  int64_t weeks = 0;
  int64_t persons = 0;
  int64_t person_weeks = 0;
};

// The hygiene rules that were evaluated and what they flagged.
struct HygieneSection {
  analysis::HygieneOptions options;
  std::vector<analysis::Exclusion> exclusions;  // person identities are never rendered
  int64_t rows_before = 0;                      // person-weeks the rules ran on
  int64_t rows_removed = -1;                    // removed before the analyses; -1 = not removed
};

// Meeting metrics derived from imported Outlook calendars: the joined frame's columns named
// kMeetingColumnPrefix + metric (warehouse::MergeMeetingWeeks; "Calendar_Meeting_hours").
inline constexpr std::string_view kMeetingColumnPrefix = "Calendar_";

struct MeetingMetricSummary {
  std::string metric;  // the frame's column ("Calendar_Meeting_hours")
  int64_t n = 0;       // person-weeks with a value
  double mean = 0, median = 0;
};

struct MeetingsSection {
  int64_t person_weeks = 0;  // with calendar data
  int64_t persons = 0;
  int64_t weeks = 0;
  std::vector<MeetingMetricSummary> metrics;
  // Each key metric with the meeting metrics as the only driver candidates.
  std::vector<analysis::DriverResult> drivers;
};

struct ReportInput {
  std::string title = "vivalink analysis report";
  std::string generated_at;  // shown as given (ISO 8601 suggested); "" = not shown

  std::optional<DataSummary> summary;
  // One driver ranking per key metric. IV results are drawn under the driver section whose
  // outcome is their expression's column; others get a section of their own.
  std::vector<analysis::DriverResult> drivers;
  // Driver discovery per key metric (what the "What was found" section says first).
  std::vector<analysis::DiscoveryResult> discovery;
  std::vector<analysis::IvResult> iv;
  int driver_rows_shown = 15;  // rows of each driver table (the rest are counted)
  int woe_charts = 3;          // WOE charts per IV result (numeric predictors, highest IV first)

  std::optional<analysis::GroupSummaryResult> groups;
  // Minimum group size enforced by the renderer (the larger of this and groups->min_group_size).
  int min_group_size = 5;
  // Groups present in the data that the group summary suppressed for every metric; groups the
  // renderer leaves out (see privacy above) are added to it.
  int64_t groups_suppressed = 0;

  std::vector<analysis::TrendResult> trends;  // one chart each
  std::optional<HygieneSection> hygiene;
  std::vector<DropProvenance> provenance;
  std::optional<JoinSummary> join;
  std::optional<MeetingsSection> meetings;  // when the frame has meeting metrics
  std::vector<std::string> notes;           // caveats shown under the summary
};

// The whole report as one HTML document (UTF-8). Every section heading is always present;
// a section without input says so. Never fails; thread-safe (no shared state).
std::string RenderReport(const ReportInput& input);

// Renders the report and writes it to `out` atomically: a temporary file in the same folder,
// flushed to disk, then renamed over `out`, so readers see the old file or the whole new one.
// Errors: kNotFound when the folder does not exist, kPermissionDenied when it is not writable,
// kFailedPrecondition for other file-system failures (message names the path and the reason).
core::Status WriteReport(const ReportInput& input, const std::filesystem::path& out);

struct ReportOptions {
  // Key metrics (numeric columns): drivers and WOE curves are computed for each. At least one.
  std::vector<std::string> outcomes = {};
  // Grouping attributes (categorical) for the heatmap; the first also splits the trend lines.
  std::vector<std::string> group_by = {"Organization"};
  int min_group_size = 5;  // distinct persons; >= 1
  // Metrics of the heatmap and trend charts; empty = the outcomes.
  std::vector<std::string> metrics = {};
  // Driver candidates; empty = every numeric column except the outcome and `exclude`.
  std::vector<std::string> behaviours = {};
  std::vector<std::string> exclude = {"PersonId", "MetricDate"};
  std::string person_column = "PersonId";
  std::string week_column = "MetricDate";
  // Tenants for the summary: the levels of tenant_column when the Frame has it, else `tenants`.
  std::string tenant_column = "TenantId";
  std::vector<std::string> tenants = {};
  int iv_bins = 5;     // >= 1
  int woe_charts = 3;  // top drivers (person-week rank) that get an IV/WOE analysis
  // Driver ranking: by |Spearman rho| or by |partial correlation| (analysis/drivers.h).
  analysis::DriverRank rank_by = analysis::DriverRank::kSpearman;
  // Driver discovery (analysis/discovery.h) of each outcome over `behaviours` (empty: every
  // numeric column except the outcomes and `exclude`); groups below min_group_size are never
  // searched. A discovery that cannot run (too few persons) becomes a note.
  bool discover = true;
  analysis::DiscoveryOptions discovery_options = {};
  // Hygiene: evaluated when the metric column exists (else a note says it was skipped); when
  // apply_hygiene is set the flagged rows are removed before every other analysis.
  bool hygiene = true;
  bool apply_hygiene = true;
  analysis::HygieneOptions hygiene_options = {};  // person/week columns are taken from above
  std::string title = "vivalink analysis report";
  std::string generated_at = "";
};

// Runs the analyses on a (joined) person-week Frame and returns the report input: summary,
// hygiene, drivers and IV per outcome (IV outcome: the metric above its median), group
// summaries, the number of suppressed groups, and one weekly trend per metric. Provenance and
// the join summary are not known from a Frame; the caller sets them on the result.
// Errors: kInvalidArgument for no outcome, min_group_size < 1, or unknown columns or columns of
// the wrong kind (as reported by the analyses, which name the column).
core::Result<ReportInput> BuildReportInput(const analysis::Frame& frame,
                                           const ReportOptions& options);

// ---- the partner report's policy ----------------------------------------------------------------

// A stored partner dataset as the report needs it (the caller fills it from join::StoredSource).
struct PartnerSourceInfo {
  std::string source;                // dataset name, e.g. "crm"
  std::string key_type;              // "email" | "object_id"
  bool is_static = false;            // one row per person (no week)
  std::vector<std::string> columns;  // its value columns (canonical names)
  int64_t entries = 0;               // person-weeks (or persons) stored
};

// The person-weeks joined with the stored partner data (from join::StoredJoin). Plain data; the
// frame is borrowed and must outlive the call.
struct JoinedPersonWeeks {
  const analysis::Frame* frame = nullptr;
  std::vector<std::string> partner_columns;  // columns the join appended
  std::vector<PartnerSourceInfo> sources;    // empty: no partner data stored
  // The join's counts (join::JoinReport).
  int64_t partner_entries_unmatched = 0;
  int64_t viva_persons = 0, matched_persons = 0, partner_persons = 0;
  int64_t partner_unresolved_persons = 0;
};

// What the user asked for (`vivalink report` flags).
struct ReportRequest {
  std::vector<std::string> outcomes = {};    // canonical names; empty: the default below
  std::vector<std::string> behaviours = {};  // canonical names; empty: every numeric metric
  std::string rank_by = "spearman";          // the correlation tables' ranking
  std::vector<std::string> group_by = {"Organization"};
  int min_group_size = 5;
  std::string title = "vivalink: behaviours behind key metrics";
  std::string generated_at = "";
};

// The report of a partner's person-weeks, deciding what the flags leave open, then
// BuildReportInput:
//   - key metrics: the requested outcomes; else the partner's numeric columns except person
//     attributes; else After_hours_collaboration_hours. A PERSON ATTRIBUTE is a numeric column of
//     a static dataset that is not 0/1 (tenure, age): it describes the person rather than a
//     result, so it is a driver candidate. A static 0/1 column (attrition) is a key metric.
//   - partner key metrics are never driver candidates of each other;
//   - grouping attributes: the requested ones the data has (the v1 person report has none);
//   - the join summary (sources, key types, records matched = entries - unmatched entries) when
//     partner data is stored.
// Provenance is not known here; the caller adds it. Errors: kFailedPrecondition for a frame
// without rows ("run `vivalink run` first"); kInvalidArgument for an unknown rank_by and the
// errors of BuildReportInput.
core::Result<ReportInput> BuildPartnerReport(const JoinedPersonWeeks& data,
                                             const ReportRequest& request);

}  // namespace vivalink::report
