// The join: Viva Insights person-week metrics (an analysis::Frame, from a person query CSV or
// from RowBatches) joined with aligned partner data (partner.h) on (person, week) — or on person
// alone for static partner data, which is broadcast to every person-week — into one Frame holding
// both the behaviours and the partner's outcomes, ready for the analyses of src/analysis/.
//
// Semantics: an inner join (natural join across several partner tables): a Viva row is kept when
// every partner table has an entry for its person (and week, for weekly tables); its partner
// columns are appended. JoinOptions::keep_unmatched_viva_rows keeps every Viva row instead (a left
// join; absent partner values are missing). Rows keep the Viva frame's order, so the result is
// deterministic. Persons are compared by normalised object id (NormalizeObjectId), weeks by the
// start of the week holding the Viva row's date (a Sunday, the person query's MetricDate).
// A partner column named like a Viva column (vivasim's CRM `Region` vs the HR attribute `Region`)
// is renamed clash_prefix + name and listed in the report.
//
// Hash-based and linear: each partner table is hashed once (partner.h); every Viva row probes
// each table once, with person and week resolved once per distinct value (dictionary level).
//
// The report holds counts only — never identifiers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analysis/frame.h"
#include "core/status.h"
#include "join/partner.h"
#include "join/resolver.h"

namespace vivalink::join {

struct JoinOptions {
  std::string person_column = "PersonId";  // categorical column of the Viva frame
  std::string week_column = "MetricDate";  // categorical, YYYY-MM-DD; unused with static data only
  std::string clash_prefix = "partner_";   // see above
  bool keep_unmatched_viva_rows = false;   // true: left join
  std::chrono::weekday week_start = std::chrono::Sunday;
};

struct JoinReport {
  int64_t viva_rows = 0;
  int64_t viva_persons = 0;     // distinct persons of the Viva frame
  int64_t partner_persons = 0;  // distinct persons of the partner data: resolved + refused keys
  int64_t partner_resolved_persons = 0;  // partner persons whose key resolved to an object id
  int64_t matched_persons = 0;           // persons with at least one joined person-week
  double resolved_rate = 0;  // partner_resolved_persons / partner_persons (identity resolution)
  double match_rate = 0;     // matched_persons / partner_persons (NaN without partner persons)
  int64_t viva_unmatched_persons = 0;        // Viva persons with no joined row
  int64_t partner_unmatched_persons = 0;     // partner persons with no joined row
  int64_t partner_unresolved_persons = 0;    // of those: key unknown to the user export/ambiguous
  int64_t ambiguous_emails = 0;              // addresses of the user export claimed by 2+ persons
  int64_t partner_rows = 0;                  // data rows read from the partner inputs
  int64_t partner_rows_refused = 0;          // unknown, ambiguous or empty keys
  int64_t duplicate_rows_dropped = 0;        // exact duplicates
  int64_t conflicting_rows_merged = 0;       // rows combined into an existing person-week/person
  int64_t partner_entries_unmatched = 0;     // partner person-weeks/persons no Viva row joined
  int64_t joined_rows = 0;                   // rows of the joined frame
  int64_t matched_person_weeks = 0;          // Viva rows with every partner table matched
  std::vector<std::string> renamed_columns;  // partner columns renamed for a clash (new names)
};

// One line, counts only: "join: 612 of 644 partner persons matched (95.0%), ...".
std::string ToText(const JoinReport& report);
std::string ToJson(const JoinReport& report);

struct JoinResult {
  analysis::Frame frame;
  JoinReport report;
};

// Joins viva with every table of partners (at least one). index: the user export, for the
// ambiguous-address count (may be nullptr). Errors: kInvalidArgument for no partner table, a
// missing or numeric person column, a missing/numeric week column with weekly partner data, a
// Viva date that is not YYYY-MM-DD, or a renamed column that still clashes.
core::Result<JoinResult> JoinPartners(const analysis::Frame& viva,
                                      std::span<const PartnerTable* const> partners,
                                      const JoinOptions& options = {},
                                      const IdentityIndex* index = nullptr);

}  // namespace vivalink::join
