#include "meetings/recurrence.h"

#include "core/strings.h"

namespace vivalink::meetings {

using std::chrono::days;
using std::chrono::local_days;

core::Result<std::vector<local_days>> ExpandOccurrences(const formats::Recurrence& r,
                                                        local_days first, local_days horizon,
                                                        size_t max_occurrences) {
  if (r.interval < 1) return core::DataLossError("recurrence.pattern.interval must be >= 1");
  local_days start = r.range_start ? local_days(r.range_start->time_since_epoch()) : first;
  local_days end = horizon;
  if (core::EqualsIgnoreCase(r.range_type, "endDate") && r.range_end) {
    end = std::min(end, local_days(r.range_end->time_since_epoch()));
  }
  size_t limit = max_occurrences;
  if (core::EqualsIgnoreCase(r.range_type, "numbered")) {
    if (r.number_of_occurrences < 1) {
      return core::DataLossError("recurrence.range.numberOfOccurrences must be >= 1");
    }
    limit = std::min(limit, static_cast<size_t>(r.number_of_occurrences));
  }
  std::vector<local_days> out;
  auto emit = [&](local_days d) {
    if (d < start || d > end || out.size() >= limit) return false;
    out.push_back(d);
    return true;
  };
  const std::string& type = r.pattern_type;
  if (core::EqualsIgnoreCase(type, "daily")) {
    for (local_days d = start; d <= end && out.size() < limit; d += days(r.interval)) emit(d);
    return out;
  }
  if (core::EqualsIgnoreCase(type, "weekly")) {
    uint8_t mask = r.days_mask;
    if (mask == 0) mask = static_cast<uint8_t>(1u << std::chrono::weekday(start).c_encoding());
    const unsigned wd = std::chrono::weekday(start).c_encoding();
    const unsigned first_day = static_cast<unsigned>(r.first_day_of_week);
    local_days week = start - days((wd + 7 - first_day) % 7);
    for (; week <= end && out.size() < limit; week += days(7 * r.interval)) {
      for (int i = 0; i < 7; ++i) {
        local_days d = week + days(i);
        if (mask & (1u << std::chrono::weekday(d).c_encoding())) emit(d);
      }
    }
    return out;
  }
  if (core::EqualsIgnoreCase(type, "absoluteMonthly")) {
    if (r.day_of_month < 1 || r.day_of_month > 31) {
      return core::DataLossError("recurrence.pattern.dayOfMonth must be 1 to 31");
    }
    std::chrono::year_month ym{std::chrono::year_month_day(start).year(),
                               std::chrono::year_month_day(start).month()};
    for (int k = 0; out.size() < limit; k += r.interval) {
      std::chrono::year_month month = ym + std::chrono::months(k);
      std::chrono::year_month_day d{month.year(), month.month(),
                                    std::chrono::day(static_cast<unsigned>(r.day_of_month))};
      if (local_days(std::chrono::year_month_day{month.year(), month.month(),
                                                 std::chrono::day(1)}) > end) {
        break;
      }
      if (d.ok()) emit(local_days(d));
    }
    return out;
  }
  return core::FailedPreconditionError("recurrence pattern " + type + " is not expanded");
}

}  // namespace vivalink::meetings
