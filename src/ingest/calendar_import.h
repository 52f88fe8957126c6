// Importing one Outlook calendar drop (CalendarView_v0 / Event_v1, drop::IsCalendarKind): the
// events streamed out of the drop (drop::DropReader::NextEvents) become the weekly per-person
// meeting metrics of src/meetings, stored in meeting_week_packed (warehouse/meeting_weeks.h) in
// the caller's transaction — the one that also marks the drop done in the ledger.
//
//   ASSIGN_OR_RETURN(auto import, CalendarImport::Open(db, std::move(request)));
//   while (reader->NextEvents(batch)) RETURN_IF_ERROR(import->Add(batch, reader->events_source()));
//   ASSIGN_OR_RETURN(int64_t person_weeks, import->Finish());
//
// Which person-weeks are stored: those whose week (its Sunday, in the person's zone) starts
// within the drop's request window [RequestStartDate, RequestEndDate]. A meeting that runs over
// the window's edge adds to a neighbouring week, which this drop does not hold whole: storing it
// would replace that week's full row (from its own drop) with a part. Every person with at least
// one row in the drop gets a row for every stored week: 0 meetings when none of their rows
// counted (declined, cancelled, ...), so that a quiet week is 0, not missing. Persons absent
// from the drop get nothing (their calendar was not exported).
//
// Memory: the meetings module's record per counted meeting plus one entry per person (both freed
// by Finish); the decrypted rows themselves are never kept. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/secure.h"
#include "core/status.h"
#include "core/time.h"
#include "db/database.h"
#include "formats/calendar_reader.h"
#include "ingest/config.h"
#include "meetings/metrics.h"

namespace vivalink::ingest {

// The meetings module's options for an import under `config` (time zone "calendar" becomes
// MeetingOptions::zone_from_calendar with UTC as the fallback). kInvalidArgument for bad working
// hours.
core::Result<meetings::MeetingOptions> MeetingOptionsFor(const MeetingsConfig& config);

struct CalendarImportRequest {
  std::string tenant_id;
  std::string run_id;
  std::string drop_name;                       // "{run}/{kind}/{tenant}", for messages
  core::SecureString pseudonym_key;            // as for the Viva rows (warehouse::WriteRequest)
  MeetingsConfig meetings;                     // [meetings]
  core::TimePoint request_start, request_end;  // metadata.json's window
};

class CalendarImport {
 public:
  // Call inside an open transaction (kFailedPrecondition otherwise); kInvalidArgument for a bad
  // [meetings] configuration.
  static core::Result<std::unique_ptr<CalendarImport>> Open(db::Database& db,
                                                            CalendarImportRequest request);
  ~CalendarImport();
  CalendarImport(const CalendarImport&) = delete;
  CalendarImport& operator=(const CalendarImport&) = delete;

  // Takes one batch of events read from `source` (the part). kDataLoss naming source and line
  // for a row the meetings module refuses (a zone it cannot place, an end before the start).
  core::Status Add(const formats::CalendarBatch& batch, std::string_view source);

  // Derives the metrics and writes the person-weeks (see the header comment); returns how many.
  // The caller commits.
  core::Result<int64_t> Finish();

  // What became of the rows (after Finish), counts only.
  const meetings::MeetingCounts& counts() const { return counts_; }

 private:
  struct State;
  explicit CalendarImport(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  meetings::MeetingCounts counts_;
};

}  // namespace vivalink::ingest
