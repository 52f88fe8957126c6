// warehouse: the weekly per-person meeting metrics derived from Outlook calendars (CalendarView_v0
// / Event_v1 drops, src/meetings), stored beside the Viva Insights person-weeks.
//
//   ASSIGN_OR_RETURN(auto writer, warehouse::OpenMeetingWeekWriter(db, request));
//   RETURN_IF_ERROR(writer->Add(meetings::ToRowBatch(metrics)));   // inside the ledger's tx
//   RETURN_IF_ERROR(writer->Finish());
//
//   ASSIGN_OR_RETURN(analysis::Frame people, warehouse::LoadPersonWeeks(db, {}));
//   ASSIGN_OR_RETURN(analysis::Frame meetings, warehouse::LoadMeetingWeeks(db, ""));
//   ASSIGN_OR_RETURN(analysis::Frame both, warehouse::MergeMeetingWeeks(people, meetings));
//
// Storage: meeting_week_packed (db/schema.h, migration 8), the same id scheme, person numbers,
// dictionaries and vector codec as person_week_packed, through the same writer and reader
// (person_weeks.h with WeekTable::kMeetingWeek). A person-week has the same id in both tables.
// A newer calendar drop for the same person-week replaces its meeting row, never its Viva row.
#pragma once

#include <memory>
#include <string_view>

#include "analysis/frame.h"
#include "core/status.h"
#include "db/database.h"
#include "warehouse/person_weeks.h"

namespace vivalink::warehouse {

// The prefix the meeting metrics carry in a merged frame ("Calendar_Meeting_hours"): Viva
// Insights has metrics of the same names (Meeting_hours, ...) with other definitions.
inline constexpr std::string_view kMeetingPrefix = "Calendar_";

// A PersonWeekWriter into meeting_week_packed: every numeric column of the batches is stored
// (request.metrics/attributes are ignored: no attributes, all metrics). Same contract as
// PersonWeekWriter::Open (inside the caller's transaction; kFailedPrecondition otherwise).
core::Result<std::unique_ptr<PersonWeekWriter>> OpenMeetingWeekWriter(db::Database& db,
                                                                      WriteRequest request);

// The stored meeting-weeks as a frame: TenantId, PersonId, MetricDate ("YYYY-MM-DD") and one
// numeric column per meeting metric (unprefixed), ordered by tenant, week and person key.
// tenant_id "" = every tenant. Errors as LoadPersonWeeks.
core::Result<analysis::Frame> LoadMeetingWeeks(db::Database& db, std::string_view tenant_id);

// An outer join of person-weeks with meeting-weeks on (TenantId, PersonId, MetricDate): every row
// of either, ordered by tenant, week and person; the meeting metrics appended as numeric columns
// named kMeetingPrefix + name (NaN where a person-week has no calendar row); a row only the
// calendar has gets missing attributes and Viva metrics. Without meeting rows `person_weeks` is
// returned unchanged. kInvalidArgument when either frame lacks the three key columns (as
// categorical columns) or a prefixed name is already a column.
core::Result<analysis::Frame> MergeMeetingWeeks(analysis::Frame person_weeks,
                                                const analysis::Frame& meeting_weeks);

}  // namespace vivalink::warehouse
