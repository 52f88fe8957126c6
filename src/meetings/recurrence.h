// Expanding a Graph patternedRecurrence (the `recurrence` of an Event_v1 series master) into the
// dates of its occurrences, for calendars exported without their CalendarView expansion.
//
// Supported patterns: daily, weekly (daysOfWeek, firstDayOfWeek, interval) and absoluteMonthly
// (dayOfMonth; months without that day are skipped, as Outlook does). relativeMonthly,
// absoluteYearly and relativeYearly return kUnimplemented-like kFailedPrecondition so that the
// caller can count the master as not expanded. Ranges: endDate (inclusive), numbered
// (numberOfOccurrences) and noEnd (up to `horizon`). At most max_occurrences dates.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "core/status.h"
#include "formats/calendar_reader.h"

namespace vivalink::meetings {

// first: the master's own start date (used when the range has no startDate). The dates are in
// the recurrence's own zone (wall-clock days), ascending. kFailedPrecondition for an unsupported
// pattern; kDataLoss for an interval below 1 or a weekly pattern on no day.
core::Result<std::vector<std::chrono::local_days>> ExpandOccurrences(
    const formats::Recurrence& recurrence, std::chrono::local_days first,
    std::chrono::local_days horizon, size_t max_occurrences = 1000);

}  // namespace vivalink::meetings
