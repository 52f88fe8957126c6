// The Viva Insights meeting query (one row per meeting: attendees, duration, attendee hours,
// recurring, cancelled, organizer attributes; the sample is shared/data/mt_data.csv), read like
// the person query (formats::OpenRowReader, CSV or JSON lines, canonical column names) and
// summarised the way vivainsights analysts look at meetings.
//
//   ASSIGN_OR_RETURN(auto table, AnalyzeMeetingQueryFile("mt_data.csv", {.kind = ...}));
//   print ToCsv(table) / ToJsonLines(table)
//
// Rows read: Number_of_attendees and Duration (hours) are required; Attendee_meeting_hours
// (default attendees x duration), Recurring, Cancelled, All_Day_Meeting, Collaboration_start_time,
// TimeZone, Organizer and the grouping attribute are used when present. Cancelled and all-day
// meetings are left out of every analysis (and counted).
//
// Analyses (MeetingQueryKind):
//   kTypes       meetings by size (attendees: 1, 2, 3-8, 9-18, 19+) and length (<= 30 min,
//                30-60 min, >= 1 h): Meetings, Attendee_meeting_hours, Share_of_attendee_hours (%)
//   kOrganizers  by an organizer attribute (options.by, default Organization): Organizers,
//                Meetings, Attendee_meeting_hours, Mean_duration_hours, Mean_attendees,
//                Recurring_share (%); a group with fewer than options.min_group distinct
//                organizers is left out (privacy, like the person analyses' minimum group size)
//   kRecurring   recurring vs one-off: Meetings, Attendee_meeting_hours, Mean_duration_hours,
//                Mean_attendees, Share_of_attendee_hours (%)
//   kAfterHours  per group (options.by; empty: one group "All"): Meetings,
//                Meetings_after_hours (any part outside working hours), After_hours_meeting_hours
//                (the hours of meetings outside Monday-Friday 09:00-17:00 or options.hours),
//                After_hours_attendee_hours (x attendees), After_hours_share (%)
// Collaboration_start_time is "YYYY-MM-DD HH:MM[:SS]" or the export's "DD/MM/YYYY HH:MM"
// (options.month_first for MM/DD/YYYY); it is the organizer's local time, unless
// options.start_times_utc (then TimeZone, IANA or Windows, places it).
//
// Errors: kInvalidArgument for options and a file without the required columns (naming them),
// kDataLoss for a malformed value (naming the file, line and column, never the value), the
// reader's errors as they are.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/io.h"
#include "core/status.h"
#include "formats/row_batch.h"
#include "meetings/metrics.h"

namespace vivalink::meetings {

enum class MeetingQueryKind { kTypes, kOrganizers, kRecurring, kAfterHours };

// "types", "organizers", "recurring", "after-hours" -> kind; kInvalidArgument otherwise.
core::Result<MeetingQueryKind> ParseMeetingQueryKind(std::string_view text);

struct MeetingQueryOptions {
  MeetingQueryKind kind = MeetingQueryKind::kTypes;
  std::string by = "Organization";  // organizer attribute (kOrganizers, kAfterHours)
  int min_group = 5;                // distinct organizers a group needs (kOrganizers)
  WorkingHours hours{};             // kAfterHours; its time_zone is unused (times are local)
  bool month_first = false;         // Collaboration_start_time as MM/DD/YYYY
  bool start_times_utc = false;     // Collaboration_start_time is UTC; TimeZone places it
};

struct MeetingQueryTable {
  formats::RowBatch rows;  // label columns (strings) then numbers; NaN for NA
  uint64_t rows_read = 0;  // meetings in the file
  uint64_t excluded = 0;   // cancelled or all-day
  uint64_t groups_suppressed = 0;
};

core::Result<MeetingQueryTable> AnalyzeMeetingQuery(std::unique_ptr<core::ByteSource> source,
                                                    std::string_view source_name,
                                                    const MeetingQueryOptions& options);
core::Result<MeetingQueryTable> AnalyzeMeetingQueryFile(const std::string& path,
                                                        const MeetingQueryOptions& options);

std::string ToCsv(const MeetingQueryTable& table);
std::string ToJsonLines(const MeetingQueryTable& table);
// "612 meetings read, 36 cancelled or all-day left out, 0 groups below the minimum size".
std::string CountsText(const MeetingQueryTable& table);

}  // namespace vivalink::meetings
