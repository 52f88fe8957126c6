// Weekly per-person meeting metrics derived from raw Outlook events (MGDC CalendarView_v0 or
// Event_v1 rows, read by formats/calendar_reader.h), with definitions close to Viva Insights'.
// docs/MEETINGS.md is the user-facing version of the definitions below.
//
//   MeetingAggregator agg(options);
//   for each event: RETURN_IF_ERROR(agg.Add(event, "part-00000.json"));
//   ASSIGN_OR_RETURN(MeetingMetrics m, std::move(agg).Finish());
//
// Whose meeting. A row belongs to the calendar of its `puser` (the MGDC owner; options.owner
// when a row has none). An event is a *meeting of that person* when all of these hold:
//   - a series master (Event_v1) stands for its occurrences: daily, weekly and absoluteMonthly
//     patterns are expanded (meetings/recurrence.h; noEnd series up to series_horizon_days after
//     their start, at most 520 occurrences a master), an occurrence or exception row with the
//     master's id and originalStart replaces the generated occurrence (a cancelled one removes it);
//     other patterns are counted in MeetingCounts::series_not_expanded. CalendarView rows are
//     already expanded,
//   - it is not cancelled and not an all-day event,
//   - the owner organised it (responseStatus organizer, or isOrganizer true) or accepted it
//     (tentatively too when options.count_tentative),
//   - it is not shown as free,
//   - at least one other person was invited: the distinct e-mail addresses of the organizer and
//     of the required/optional attendees (rooms and other resources excluded) number two or more,
//   - it lasts longer than zero and at most options.max_meeting_length (24 h: a longer timed
//     event is a blocked period, not a meeting, and would cost time per day it spans).
// A row repeated with the same id and times (paged exports repeat rows) counts once.
//
// The metrics of one person-week. Times are merged: a person in two overlapping meetings is in
// meetings once, so Meeting_hours is the length of the union of that person's meeting intervals
// (and each "... hours" metric is the union of the meetings of its kind). Weeks start on
// options.week_start (Sunday, like Viva's MetricDate) at midnight in the person's own time zone;
// a meeting across the boundary is split between the weeks.
//   Meetings                      meetings that start in the week
//   Meeting_hours                 union of the meetings
//   After_hours_meeting_hours     the part of that union outside the person's working hours (days
//                                 and hours in their own zone, DST included)
//   Conflicting_meeting_hours     time during which two or more of the meetings overlap
//   Large_meeting_hours           union of meetings with >= large_meeting_attendees invitees
//   Long_meeting_hours            union of meetings lasting >= long_meeting
//   Large_and_long_meeting_hours  union of meetings that are both
//   Recurring_meeting_hours       union of occurrences/exceptions of a series (or rows with a
//                                 seriesMasterId); One_off_meeting_hours: the rest
//   Recurring_meetings, One_off_meetings   counts of each started in the week
//   Meeting_hours_with_manager    union of meetings the person's manager (options.manager_of)
//                                 was invited to or organised; NA without manager data
//   External_meeting_hours        union of meetings with an invitee outside options.
//                                 internal_domains; NA when no internal domain is given
//
// Memory: one 48-byte record per counted meeting (raw rows are not kept) plus a zone per zone
// name; the caller streams rows in. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "core/time.h"
#include "formats/calendar_reader.h"
#include "formats/row_batch.h"

namespace vivalink::meetings {

// When a person works, in their own zone.
struct WorkingHours {
  std::string time_zone = "UTC";       // IANA id or Windows name (meetings/time_zone.h)
  std::chrono::minutes start{9 * 60};  // from local midnight
  std::chrono::minutes end{17 * 60};   // after start, at most 24 h
  uint8_t days_mask = 0b0111110;       // bit d: weekday d works (0 = Sunday): Monday to Friday
};

struct MeetingOptions {
  WorkingHours default_hours;  // for every person without an entry in hours_by_person
  std::map<std::string, WorkingHours, std::less<>> hours_by_person;  // key: person id (puser)
  // Person id (puser) -> the manager's e-mail address (compared case-insensitively).
  std::map<std::string, std::string, std::less<>> manager_of;
  // The organisation's e-mail domains ("contoso.com"); empty: External_meeting_hours is NA.
  std::vector<std::string> internal_domains;
  int large_meeting_attendees = 9;                   // invitees including the organizer
  std::chrono::minutes long_meeting{60};             // a meeting at least this long is long
  std::chrono::minutes max_meeting_length{24 * 60};  // longer timed events are not meetings
  int series_horizon_days = 365;  // a noEnd series master is expanded this far from its start
  bool count_tentative = false;   // tentatively accepted meetings count too
  // A person without an entry in hours_by_person works default_hours, but in the zone most of
  // their own calendar rows (start.timeZone, every row of theirs) are written in, when that name
  // resolves (ties: the first seen); otherwise in default_hours' zone. Outlook writes a
  // calendar's events in its owner's zone, and the rows carry no other hint of it.
  bool zone_from_calendar = false;
  std::chrono::weekday week_start = std::chrono::Sunday;
  std::string owner;  // the person of rows without puser (a Graph export of one calendar)
};

// One person-week. NaN stands for NA (metric not computable from the inputs given).
struct PersonWeekMeetings {
  std::string person;  // puser (the owner's Entra object id) or options.owner
  core::Date week;     // the week's first day, in the person's zone
  int64_t meetings = 0;
  int64_t recurring_meetings = 0;
  int64_t one_off_meetings = 0;
  double meeting_hours = 0;
  double after_hours_meeting_hours = 0;
  double conflicting_meeting_hours = 0;
  double large_meeting_hours = 0;
  double long_meeting_hours = 0;
  double large_and_long_meeting_hours = 0;
  double recurring_meeting_hours = 0;
  double one_off_meeting_hours = 0;
  double meeting_hours_with_manager = 0;
  double external_meeting_hours = 0;
};

// What became of the rows read: every row that is not a series master lands in exactly one of
// the counters from `meetings` to `too_long`; a master is counted in series_masters and, when
// its own fields exclude it, in that counter too (its occurrences are in `meetings`).
struct MeetingCounts {
  uint64_t events = 0;                // rows given to Add
  uint64_t meetings = 0;              // counted meetings (after duplicates are removed)
  uint64_t duplicates = 0;            // the same event of the same person again
  uint64_t series_masters = 0;        // Event_v1 masters read (their rows are not meetings)
  uint64_t series_occurrences = 0;    // meetings generated from masters (in `meetings`)
  uint64_t series_not_expanded = 0;   // masters of unsupported patterns (or no recurrence)
  uint64_t replaced_occurrences = 0;  // generated occurrences an exception row replaced
  uint64_t cancelled = 0;
  uint64_t all_day = 0;
  uint64_t not_attended = 0;  // declined, not answered (or tentative, by default)
  uint64_t shown_as_free = 0;
  uint64_t no_other_invitee = 0;  // appointments: nobody else invited
  uint64_t zero_length = 0;
  uint64_t too_long = 0;  // longer than max_meeting_length
};

struct MeetingMetrics {
  std::vector<PersonWeekMeetings> rows;  // by person, then week
  MeetingCounts counts;
};

class MeetingAggregator {
 public:
  // Options are checked by the first Add or Finish (kInvalidArgument).
  explicit MeetingAggregator(MeetingOptions options);
  ~MeetingAggregator();
  MeetingAggregator(const MeetingAggregator&) = delete;
  MeetingAggregator& operator=(const MeetingAggregator&) = delete;

  // Takes one event. kDataLoss naming source_name, the row's line and the field, never a value:
  // a time zone that is neither IANA nor Windows, an end before the start, a row without puser
  // when options.owner is empty. kInvalidArgument for bad options (an unknown working-hours zone
  // names the zone: it is configuration, not data).
  core::Status Add(const formats::CalendarEvent& event, std::string_view source_name);

  // The metrics of every person-week with at least one meeting.
  core::Result<MeetingMetrics> Finish() &&;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Reads a whole CalendarView/Event stream (formats::OpenCalendarReader, source_name in errors)
// and derives its metrics.
core::Result<MeetingMetrics> DeriveMeetingMetrics(std::unique_ptr<core::ByteSource> source,
                                                  std::string_view source_name,
                                                  const MeetingOptions& options);
// The same on a file, streamed (core::OpenFileSource).
core::Result<MeetingMetrics> DeriveMeetingMetricsFromFile(const std::string& path,
                                                          const MeetingOptions& options);

// "09:00-17:00" (24-hour clock; "24:00" may end a day) -> start and end of WorkingHours.
// kInvalidArgument naming the text otherwise.
core::Status ParseWorkingHours(std::string_view text, WorkingHours& hours);

// One line of what became of the rows ("10 events: 7 meetings, 3 without another invitee, ..."),
// counts only (no identities), for logs and the CLI's stderr.
std::string CountsText(const MeetingCounts& counts);

// Column names in output order, Viva's underscore style ("PersonId", "MetricDate", "Meetings",
// "Meeting_hours", ...).
const std::vector<std::string>& MeetingColumns();
// The rows as one batch with MeetingColumns() (PersonId and MetricDate as strings, the rest
// numbers, NaN for NA): the shape the writers and the analyses take.
formats::RowBatch ToRowBatch(const MeetingMetrics& metrics);
// CSV with a header row (NA for NaN), and JSON lines (null for NaN); numbers round-trip.
std::string ToCsv(const MeetingMetrics& metrics);
std::string ToJsonLines(const MeetingMetrics& metrics);

}  // namespace vivalink::meetings
