#include "core/time.h"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace vivalink::core {
namespace {

using namespace std::chrono;

bool ParseInt(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

Status Bad(std::string_view text, std::string_view why) {
  return InvalidArgumentError(fmt::format("'{}' is not an ISO 8601 date-time ({})", text, why));
}

}  // namespace

Result<Date> ParseDate(std::string_view text) {
  int y, m, d;
  if (text.size() < 10 || !ParseInt(text, 0, 4, y) || text[4] != '-' || !ParseInt(text, 5, 2, m) ||
      text[7] != '-' || !ParseInt(text, 8, 2, d)) {
    return Bad(text, "expected YYYY-MM-DD");
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return Bad(text, "no such calendar date");
  return sys_days(ymd);
}

Result<TimePoint> ParseIso8601(std::string_view text) {
  ASSIGN_OR_RETURN(Date date, ParseDate(text));
  TimePoint t = time_point_cast<milliseconds>(date);
  if (text.size() == 10) return t;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return Bad(text, "expected 'T'");
  int hh, mm, ss = 0;
  if (!ParseInt(text, 11, 2, hh) || text.size() < 16 || text[13] != ':' ||
      !ParseInt(text, 14, 2, mm)) {
    return Bad(text, "expected HH:MM");
  }
  size_t pos = 16;
  int64_t millis = 0;
  if (pos < text.size() && text[pos] == ':') {
    if (!ParseInt(text, pos + 1, 2, ss)) return Bad(text, "expected seconds");
    pos += 3;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      int digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 3) millis = millis * 10 + (text[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return Bad(text, "empty fraction");
      for (int i = digits; i < 3; ++i) millis *= 10;
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return Bad(text, "time out of range");
  t += hours(hh) + minutes(mm) + seconds(ss) + milliseconds(millis);
  if (pos == text.size()) return t;
  if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) return t;
  if ((text[pos] == '+' || text[pos] == '-') && text.size() == pos + 6 && text[pos + 3] == ':') {
    int oh, om;
    if (!ParseInt(text, pos + 1, 2, oh) || !ParseInt(text, pos + 4, 2, om)) {
      return Bad(text, "bad offset");
    }
    auto offset = hours(oh) + minutes(om);
    return text[pos] == '+' ? t - offset : t + offset;
  }
  return Bad(text, "unexpected trailing characters");
}

std::string FormatIso8601(TimePoint t) {
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{floor<seconds>(t - day)};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string FormatIso8601Millis(TimePoint t) {
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

std::string FormatDate(Date d) {
  year_month_day ymd{d};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::string FormatRfc1123(TimePoint t) {
  auto day = floor<days>(t);
  year_month_day ymd{day};
  weekday wd{day};
  hh_mm_ss hms{floor<seconds>(t - day)};
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", kDays[wd.c_encoding()],
                     static_cast<unsigned>(ymd.day()),
                     kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

Result<TimePoint> ParseRfc1123(std::string_view text) {
  // "Fri, 27 Nov 2026 13:00:07 GMT"
  if (text.size() != 29 || text.substr(26) != "GMT") {
    return InvalidArgumentError(fmt::format("'{}' is not an RFC 1123 date", text));
  }
  int d, y, hh, mm, ss;
  unsigned mon = 0;
  for (unsigned i = 0; i < 12; ++i) {
    if (text.substr(8, 3) == kMonths[i]) mon = i + 1;
  }
  if (mon == 0 || !ParseInt(text, 5, 2, d) || !ParseInt(text, 12, 4, y) ||
      !ParseInt(text, 17, 2, hh) || !ParseInt(text, 20, 2, mm) || !ParseInt(text, 23, 2, ss)) {
    return InvalidArgumentError(fmt::format("'{}' is not an RFC 1123 date", text));
  }
  year_month_day ymd{year{y}, month{mon}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return InvalidArgumentError(fmt::format("'{}' is not a calendar date", text));
  return time_point_cast<milliseconds>(sys_days(ymd)) + hours(hh) + minutes(mm) + seconds(ss);
}

Date WeekStart(Date d, weekday first_day) {
  weekday wd{d};
  return d - (wd - first_day);
}

TimePoint SystemClock::Now() const { return time_point_cast<milliseconds>(system_clock::now()); }

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace vivalink::core
