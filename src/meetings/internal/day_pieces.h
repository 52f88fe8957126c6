// Cutting a UTC interval at a person's local midnights, with the part inside their working
// hours: the one place both the calendar metrics and the meeting query place time in a zone.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "core/time.h"
#include "meetings/metrics.h"
#include "meetings/time_zone.h"

namespace vivalink::meetings::internal {

// Calls f(piece_start_ms, piece_end_ms, local_day, in_hours_ms) for each piece of [a_ms, b_ms)
// (UTC milliseconds) that lies within one local day of `zone`; in_hours_ms is the part of the
// piece inside `hours` (days and times) on that day. DST is the zone's.
template <typename F>
void ForEachLocalDay(int64_t a_ms, int64_t b_ms, const TimeZone& zone, const WorkingHours& hours,
                     F&& f) {
  using std::chrono::days;
  using std::chrono::milliseconds;
  int64_t cur = a_ms;
  while (cur < b_ms) {
    LocalTime local = zone.ToLocal(core::TimePoint(milliseconds(cur)));
    auto day = std::chrono::floor<days>(local);
    int64_t next_midnight = zone.ToUtc(LocalTime(day + days(1))).time_since_epoch().count();
    if (next_midnight <= cur) next_midnight = cur + 3'600'000;  // never stall on odd rules
    int64_t piece_end = std::min(b_ms, next_midnight);
    int64_t in_hours = 0;
    unsigned weekday = std::chrono::weekday(day).c_encoding();
    if (hours.days_mask & (1u << weekday)) {
      int64_t ws = zone.ToUtc(LocalTime(day) + hours.start).time_since_epoch().count();
      int64_t we = zone.ToUtc(LocalTime(day) + hours.end).time_since_epoch().count();
      in_hours = std::max<int64_t>(0, std::min(piece_end, we) - std::max(cur, ws));
    }
    f(cur, piece_end, day, in_hours);
    cur = piece_end;
  }
}

}  // namespace vivalink::meetings::internal
