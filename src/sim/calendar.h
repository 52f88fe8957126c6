// Outlook calendars of the synthetic organisation: MGDC BasicDataSet_v0.CalendarView_v0 rows
// (the shape of shared/data/BasicDataSet_v0.CalendarView_v0.jsonl) for every licensed person,
// consistent with that person's weekly Viva metrics (sim/metrics.h), plus the ground truth the
// meetings module must derive from them.
//
// A person-week's calendar, drawn from its own seeded stream (deterministic, order-free):
//   - Meeting hours M and after-hours meeting hours A of the week's Viva metrics, rounded to
//     whole minutes, are laid out as meetings that never overlap: the working part (M - A) on
//     Monday to Friday 09:00-17:00 local time, the after-hours part 17:00-21:00 (capped at 40 h
//     and 20 h), about as many meetings as the metric Meetings says, each cut where a day is full.
//   - Times are written as local wall times in the person's zone under its Windows name (North
//     America: Pacific, Europe: W. Europe, Asia Pacific: AUS Eastern, Latin America: E. South
//     America), so zone mapping and DST are exercised.
//   - Each meeting has an organizer (the person, their manager or a colleague; the person then
//     accepted), 1-6 or 8-15 other attendees (small or large by the person's traits), and is a
//     series occurrence by their recurring share.
//   - Rows that must not count are mixed in: declined and cancelled meetings, appointments with
//     no other attendee, and an all-day out-of-office event in vacation weeks.
// The truth is what was laid out: every counted meeting's minutes, split by working/after hours,
// large (>= 9 invitees), long (>= 1 h) and recurring. It equals the metrics to the minute except
// where a cap cut it (CalendarTruth::viva_* keep the metric values for that comparison).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "core/time.h"
#include "sim/organization.h"

namespace vivalink::sim {

// The drop kind of the calendar rows: {RunId}/CalendarView/{TenantId}/ (sim/pipeline.h).
inline constexpr std::string_view kCalendarKind = "CalendarView";

// The Windows zone name of a person's calendar and working hours (by region).
std::string_view CalendarTimeZone(const Person& person);

struct CalendarTruth {
  std::string person;  // object id (the rows' puser)
  core::Date week;     // the week's Sunday
  int meetings = 0;
  int recurring_meetings = 0;
  double meeting_hours = 0;
  double after_hours_meeting_hours = 0;
  double large_meeting_hours = 0;
  double long_meeting_hours = 0;
  double recurring_meeting_hours = 0;
  double viva_meeting_hours = 0;  // the week's Meeting hours metric
  double viva_after_hours_meeting_hours = 0;
  double viva_meetings = 0;
};

struct CalendarWeek {
  size_t rows = 0;                   // rows written (counted meetings and the rest)
  std::vector<CalendarTruth> truth;  // one per licensed person employed that week
};

// Writes the CalendarView rows of one week of one tenant as JSON lines (person by person, memory
// bounded by one person's week). kInvalidArgument for a tenant or week out of range; sink errors
// unchanged.
core::Result<CalendarWeek> WriteCalendarWeek(const Organization& org, size_t tenant, int week,
                                             core::ByteSink& sink);

}  // namespace vivalink::sim
