// Calendar reader: Outlook events as Microsoft Graph Data Connect exports them, streamed into
// batches of typed CalendarEvent records.
//
// Two MGDC datasets share one row shape (JSON lines, one Graph `event` per line):
// - BasicDataSet_v0.CalendarView_v0: the calendar *view* of each user (`puser`): single
//   instances plus every expanded occurrence and exception of recurring series;
// - BasicDataSet_v0.Event_v1: the user's *events*: single instances and series masters (with
//   their `recurrence` pattern), plus exceptions when the export has them.
// The sample is shared/data/BasicDataSet_v0.CalendarView_v0.jsonl.
//
//   ASSIGN_OR_RETURN(auto reader, OpenCalendarReader(std::move(source), {.source_name =
//   "part-0"})); CalendarBatch batch; while (true) { ASSIGN_OR_RETURN(bool more,
//   reader->Next(batch)); if (!more) break; ... }
//
// What is read (every other field, e.g. subject and body, is skipped unread):
//   id, iCalUId, type, seriesMasterId, isCancelled, isAllDay, isOnlineMeeting, isOrganizer,
//   showAs, responseStatus.response, start/end {dateTime, timeZone}, originalStart,
//   originalStartTimeZone, organizer.emailAddress {address, name},
//   attendees[] {type, status.response, emailAddress {address, name}},
//   recurrence {pattern {type, interval, month, dayOfMonth, daysOfWeek, firstDayOfWeek, index},
//               range {type, startDate, endDate, numberOfOccurrences, recurrenceTimeZone}},
//   puser, ptenant.
// Enumerations are accepted in Graph's plain form ("accepted") and in MGDC's qualified form
// ("microsoft.graph.responseType'accepted'"), in any case. Booleans may be JSON booleans or the
// strings "true"/"false". dateTime is Graph's zone-less local time ("2024-03-10T09:30:00.0000000")
// and is kept as a wall-clock value with its zone name: the reader does not resolve zones (see
// meetings/time_zone.h).
//
// Required per row: start and end (each with dateTime and timeZone) and a known `type` when
// present (absent: singleInstance). A row missing them, a malformed dateTime, a value of the
// wrong JSON type for a field that is read, or a line that is not one JSON object is kDataLoss.
// Errors name the source, the 1-based line, the byte offset of the line and the field, never a
// value (rows hold personal data). A line longer than max_line_bytes is kDataLoss too; memory is
// bounded by the chunk buffer, the longest line and batch_events records.
//
// A CalendarReader is single-threaded and owns its source. Errors are sticky.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "core/time.h"
#include "formats/reader.h"

namespace vivalink::formats {

enum class EventType : uint8_t { kSingleInstance, kOccurrence, kException, kSeriesMaster };
enum class ResponseType : uint8_t {
  kNone,  // no response field, or Graph's "none"
  kOrganizer,
  kTentativelyAccepted,
  kAccepted,
  kDeclined,
  kNotResponded,
};
enum class AttendeeType : uint8_t { kRequired, kOptional, kResource };
enum class ShowAs : uint8_t { kUnknown, kFree, kTentative, kBusy, kOof, kWorkingElsewhere };

std::string_view EventTypeName(EventType t);        // "singleInstance", ...
std::string_view ResponseTypeName(ResponseType r);  // "accepted", ...

// A Graph dateTimeTimeZone: wall-clock time in a named zone (IANA or Windows name, as given).
struct WallTime {
  std::chrono::local_time<std::chrono::milliseconds> local{};
  std::string time_zone;
};

struct Attendee {
  AttendeeType type = AttendeeType::kRequired;
  ResponseType response = ResponseType::kNone;
  std::string address;  // emailAddress.address as given (may be empty)
  std::string name;     // emailAddress.name
};

// patternedRecurrence of a series master (Graph recurrencePattern + recurrenceRange).
struct Recurrence {
  std::string pattern_type;  // daily, weekly, absoluteMonthly, relativeMonthly, absoluteYearly,
                             // relativeYearly (case as given)
  int interval = 1;
  int month = 0;              // 1..12 for yearly patterns
  int day_of_month = 0;       // absolute patterns
  uint8_t days_mask = 0;      // bit d set: weekday d (0 = Sunday .. 6 = Saturday) is in daysOfWeek
  int first_day_of_week = 0;  // 0 = Sunday
  std::string index;          // first, second, third, fourth, last (relative patterns)
  std::string range_type;     // endDate, noEnd, numbered
  std::optional<core::Date> range_start, range_end;
  int number_of_occurrences = 0;
  std::string recurrence_time_zone;  // may be empty
};

struct CalendarEvent {
  uint64_t line = 0;  // 1-based line of the row in its source
  std::string id;
  std::string ical_uid;
  std::string series_master_id;  // empty when null or absent
  EventType type = EventType::kSingleInstance;
  bool is_cancelled = false;
  bool is_all_day = false;
  bool is_online_meeting = false;
  std::optional<bool> is_organizer;  // absent in some exports
  ShowAs show_as = ShowAs::kUnknown;
  ResponseType response = ResponseType::kNone;  // the calendar owner's own response
  WallTime start, end;
  std::optional<core::TimePoint> original_start;  // UTC start of an occurrence before a change
  std::string original_start_time_zone;
  std::string organizer_address, organizer_name;
  std::vector<Attendee> attendees;
  std::optional<Recurrence> recurrence;  // series masters (Event_v1)
  std::string puser;                     // MGDC: object id of the calendar's owner
  std::string ptenant;                   // MGDC: tenant id

  // Empties every field, keeping string and vector capacity.
  void Clear();
};

// Up to batch_events events. Reused across Next() calls: events beyond size() keep their
// buffers, so a stream allocates little once the batch has grown.
class CalendarBatch {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const CalendarEvent& operator[](size_t i) const { return events_[i]; }
  const CalendarEvent* begin() const { return events_.data(); }
  const CalendarEvent* end() const { return events_.data() + size_; }

  void Clear() { size_ = 0; }
  // A cleared event at the end of the batch.
  CalendarEvent& Append() {
    if (size_ == events_.size()) events_.emplace_back();
    CalendarEvent& e = events_[size_++];
    e.Clear();
    return e;
  }
  void PopBack() { --size_; }

 private:
  std::vector<CalendarEvent> events_;
  size_t size_ = 0;
};

struct CalendarReaderOptions {
  std::string source_name = "input";  // used in error messages (e.g. the blob name)
  size_t batch_events = 1024;         // events per batch
  size_t max_line_bytes = 16u << 20;  // a longer line is kDataLoss (protects memory)
  size_t chunk_bytes = 4u << 20;      // bytes read from the source at a time
  // When set, applied to puser and every emailAddress.address / name as they are read (the
  // column cipher of an encrypted drop). Errors keep the decryptor's code, with source and line.
  ColumnDecryptor decrypt_pii{};
};

class CalendarReader {
 public:
  virtual ~CalendarReader() = default;
  // Fills batch (cleared first) with the next events. Returns false at the end of the stream
  // (batch then empty). No partial batch comes with an error.
  virtual core::Result<bool> Next(CalendarBatch& batch) = 0;
  virtual uint64_t rows_read() const = 0;
};

// kInvalidArgument for a null source or zero sizes in options. A leading UTF-8 byte-order mark
// is skipped. Blank lines are skipped.
core::Result<std::unique_ptr<CalendarReader>> OpenCalendarReader(
    std::unique_ptr<core::ByteSource> source, CalendarReaderOptions options = {});

}  // namespace vivalink::formats
