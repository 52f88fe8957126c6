#include "core/time.h"

#include <gtest/gtest.h>

namespace vivalink::core {
namespace {

using namespace std::chrono;

TEST(Time, ParsesProtocolTimestamps) {
  auto t = ParseIso8601("2022-01-16T00:00:00Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatIso8601(*t), "2022-01-16T00:00:00Z");
  auto eg = ParseIso8601("2017-06-26T18:41:00.9584103Z");
  ASSERT_TRUE(eg.ok());
  EXPECT_EQ(FormatIso8601Millis(*eg), "2017-06-26T18:41:00.958Z");
}

TEST(Time, AppliesOffsets) {
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2022-01-16T02:00:00+02:00")), "2022-01-16T00:00:00Z");
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2022-01-15T22:30:00-01:30")), "2022-01-16T00:00:00Z");
}

TEST(Time, AcceptsDateOnly) {
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2021-12-01")), "2021-12-01T00:00:00Z");
}

TEST(Time, RejectsImpossibleDates) {
  EXPECT_EQ(ParseIso8601("2021-02-30").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseIso8601("2021-12-01T25:00:00Z").ok());
  EXPECT_FALSE(ParseIso8601("yesterday").ok());
  EXPECT_FALSE(ParseIso8601("2021-12-01T10:00:00Zjunk").ok());
}

TEST(Time, Rfc1123RoundTrip) {
  auto t = *ParseIso8601("2026-11-27T13:00:07Z");
  EXPECT_EQ(FormatRfc1123(t), "Fri, 27 Nov 2026 13:00:07 GMT");
  EXPECT_EQ(*ParseRfc1123("Fri, 27 Nov 2026 13:00:07 GMT"), t);
}

TEST(Time, WeekStartIsTheSundayOnOrBefore) {
  Date wed = *ParseDate("2022-01-19");
  EXPECT_EQ(FormatDate(WeekStart(wed)), "2022-01-16");
  EXPECT_EQ(FormatDate(WeekStart(*ParseDate("2022-01-16"))), "2022-01-16");
  EXPECT_EQ(FormatDate(WeekStart(wed, Monday)), "2022-01-17");
}

}  // namespace
}  // namespace vivalink::core
