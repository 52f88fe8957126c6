// Occurrence dates of Graph recurrence patterns, checked against a calendar by hand.
#include "meetings/recurrence.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vivalink::meetings {
namespace {

using std::chrono::local_days;

local_days Day(std::string_view text) {
  auto d = core::ParseDate(text);
  EXPECT_TRUE(d.ok()) << text;
  return local_days(d.ok() ? d->time_since_epoch() : std::chrono::days(0));
}

std::vector<std::string> Texts(const std::vector<local_days>& days) {
  std::vector<std::string> out;
  for (auto d : days) out.push_back(core::FormatDate(core::Date(d.time_since_epoch())));
  return out;
}

formats::Recurrence Pattern(std::string type, int interval, std::string range_type) {
  formats::Recurrence r;
  r.pattern_type = std::move(type);
  r.interval = interval;
  r.range_type = std::move(range_type);
  return r;
}

TEST(Recurrence, WeeklyOnMondaysAndThursdaysEveryOtherWeekUntilTheEndDate) {
  formats::Recurrence r = Pattern("weekly", 2, "endDate");
  r.days_mask = (1u << 1) | (1u << 4);             // Monday, Thursday
  r.range_start = *core::ParseDate("2024-03-04");  // a Monday
  r.range_end = *core::ParseDate("2024-03-28");
  auto d = ExpandOccurrences(r, Day("2024-03-04"), Day("2025-03-04"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Texts(*d),
            (std::vector<std::string>{"2024-03-04", "2024-03-07", "2024-03-18", "2024-03-21"}));
}

TEST(Recurrence, WeeklyStartingMidweekSkipsTheDaysBeforeTheStart) {
  // Starts Wednesday 2024-03-06 on Monday and Friday, weekly, 3 occurrences: Fri 8, Mon 11, Fri 15.
  formats::Recurrence r = Pattern("weekly", 1, "numbered");
  r.days_mask = (1u << 1) | (1u << 5);
  r.number_of_occurrences = 3;
  r.range_start = *core::ParseDate("2024-03-06");
  auto d = ExpandOccurrences(r, Day("2024-03-06"), Day("2025-03-06"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Texts(*d), (std::vector<std::string>{"2024-03-08", "2024-03-11", "2024-03-15"}));
}

TEST(Recurrence, DailyEveryThirdDayWithoutEndStopsAtTheHorizon) {
  formats::Recurrence r = Pattern("daily", 3, "noEnd");
  auto d = ExpandOccurrences(r, Day("2024-02-26"), Day("2024-03-06"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Texts(*d),
            (std::vector<std::string>{"2024-02-26", "2024-02-29", "2024-03-03", "2024-03-06"}));
}

TEST(Recurrence, MonthlyOnThe31stSkipsShortMonths) {
  formats::Recurrence r = Pattern("absoluteMonthly", 1, "numbered");
  r.day_of_month = 31;
  r.number_of_occurrences = 3;
  auto d = ExpandOccurrences(r, Day("2024-01-31"), Day("2025-01-31"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Texts(*d), (std::vector<std::string>{"2024-01-31", "2024-03-31", "2024-05-31"}));
}

TEST(Recurrence, UnsupportedPatternsAndBadIntervals) {
  EXPECT_EQ(ExpandOccurrences(Pattern("relativeMonthly", 1, "noEnd"), Day("2024-01-01"),
                              Day("2024-12-31"))
                .status()
                .code(),
            core::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ExpandOccurrences(Pattern("daily", 0, "noEnd"), Day("2024-01-01"), Day("2024-12-31"))
                .status()
                .code(),
            core::StatusCode::kDataLoss);
}

TEST(Recurrence, OccurrencesAreCapped) {
  auto d =
      ExpandOccurrences(Pattern("daily", 1, "noEnd"), Day("2024-01-01"), Day("2030-01-01"), 100);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->size(), 100u);
}

}  // namespace
}  // namespace vivalink::meetings
