// Time as the protocol writes it: ISO 8601 UTC ("2022-01-16T00:00:00Z"), RFC 1123 for HTTP
// (x-ms-date), and a Clock interface so tests can fake time.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vivalink::core {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Date = std::chrono::sys_days;

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fraction]]" followed by "Z", "+hh:mm", "-hh:mm"
// or nothing (taken as UTC); a space may stand for 'T'. Fractions beyond milliseconds are cut.
// kInvalidArgument names the text on failure.
Result<TimePoint> ParseIso8601(std::string_view text);
// "YYYY-MM-DDTHH:MM:SSZ" (milliseconds are dropped).
std::string FormatIso8601(TimePoint t);
// "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string FormatIso8601Millis(TimePoint t);
// "YYYY-MM-DD".
std::string FormatDate(Date d);
Result<Date> ParseDate(std::string_view text);
// "Fri, 27 Nov 2026 13:00:07 GMT".
std::string FormatRfc1123(TimePoint t);
Result<TimePoint> ParseRfc1123(std::string_view text);

// The Monday (ISO week start) of the week holding d. Viva Insights weeks start on Sunday in the
// person query; WeekStart(d, weekday) lets the caller choose.
Date WeekStart(Date d, std::chrono::weekday first_day = std::chrono::Sunday);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The real wall clock. Thread-safe; Instance() lives for the whole program.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  static const SystemClock& Instance();
};

}  // namespace vivalink::core
