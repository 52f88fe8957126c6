#include "analysis/patterns.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_frames.h"

namespace vivalink::analysis {
namespace {

TEST(WeeklyTrend, GroupWeeksBelowMinimumAreSuppressedAndBreakTheChange) {
  // Group A: 2 persons in w1 and w3, 1 person in w2 (suppressed with minimum 2).
  const Frame f = testing::PersonWeekFrame(
      {"a", "b", "a", "a", "b"},
      {"2024-01-07", "2024-01-07", "2024-01-14", "2024-01-21", "2024-01-21"},
      testing::Repeat("A", 5), "Collaboration_hours", {10, 20, 99, 30, 40});
  auto r = WeeklyTrend(f, {.min_group_size = 2});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->points.size(), 2u);
  EXPECT_EQ(r->points[0].week, "2024-01-07");
  EXPECT_DOUBLE_EQ(r->points[0].mean, 15);
  EXPECT_TRUE(std::isnan(r->points[0].change));
  EXPECT_EQ(r->points[1].week, "2024-01-21");
  EXPECT_TRUE(std::isnan(r->points[1].change));  // previous week was suppressed
  EXPECT_EQ(ToCsv(*r).find("99"), std::string::npos);
}

TEST(WeeklyTrend, ChangeIsAgainstThePreviousWeek) {
  const Frame f =
      testing::PersonWeekFrame({"a", "a"}, {"2024-01-14", "2024-01-07"}, testing::Repeat("A", 2),
                               "Collaboration_hours", {12, 10});
  auto r = WeeklyTrend(f, {.group_by = "", .min_group_size = 1});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->points.size(), 2u);
  EXPECT_EQ(r->points[0].group, "Total");
  EXPECT_DOUBLE_EQ(r->points[1].change, 2);
}

TEST(Habits, PersonNeedsThresholdInWOfTheirLastKWeeks) {
  // a: last 3 weeks 9, 10, 11 (2 of 3 >= 10): habit. b: 10, 10, then 1, 1, 1 in the last 3: no.
  const Frame f = testing::PersonWeekFrame(
      {"a", "a", "a", "a", "b", "b", "b", "b", "b"},
      {"2024-01-07", "2024-01-14", "2024-01-21", "2024-01-28", "2024-01-07", "2024-01-14",
       "2024-01-21", "2024-01-28", "2024-02-04"},
      testing::Repeat("A", 9), "Collaboration_hours", {0, 9, 10, 11, 10, 10, 1, 1, 1});
  auto r = Habits(f, {.threshold = 10, .min_weeks = 2, .last_weeks = 3, .min_group_size = 2});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->groups.size(), 1u);
  EXPECT_EQ(r->groups[0].persons, 2);
  EXPECT_EQ(r->groups[0].with_habit, 1);
  EXPECT_DOUBLE_EQ(r->groups[0].share, 0.5);
  auto small = Habits(f, {.threshold = 10, .min_weeks = 2, .last_weeks = 3, .min_group_size = 3});
  ASSERT_TRUE(small.ok());
  EXPECT_TRUE(small->groups.empty());
  EXPECT_EQ(Habits(f, {.min_weeks = 4, .last_weeks = 3}).status().code(),
            core::StatusCode::kInvalidArgument);
}

TEST(Habits, TheDefaultThresholdDoesNotCountEmptyWeeks) {
  // a: 0 hours every week; b: 2 hours every week. Defaults: 3 of the last 4 weeks at >= 1 hour.
  const Frame f = testing::PersonWeekFrame({"a", "a", "a", "a", "b", "b", "b", "b"},
                                           {"2024-01-07", "2024-01-14", "2024-01-21", "2024-01-28",
                                            "2024-01-07", "2024-01-14", "2024-01-21", "2024-01-28"},
                                           testing::Repeat("A", 8), "Collaboration_hours",
                                           {0, 0, 0, 0, 2, 2, 2, 2});
  auto r = Habits(f, {.min_group_size = 2});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->groups.size(), 1u);
  EXPECT_EQ(r->groups[0].persons, 2);
  EXPECT_EQ(r->groups[0].with_habit, 1);
}

TEST(Gini, EqualLoadsGiveZero) {
  const Frame f =
      testing::PersonWeekFrame({"a", "b", "c"}, testing::Repeat("2024-01-07", 3),
                               testing::Repeat("A", 3), "Collaboration_hours", {7, 7, 7});
  auto r = Gini(f);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->gini, 0);
}

TEST(Gini, MatchesTheDoubleSumDefinitionOnPersonMeans) {
  // Person means: a = 2 (weeks 1 and 3), b = 5, c = 11, d = 0.
  const Frame f =
      testing::PersonWeekFrame({"a", "a", "b", "c", "d"}, {"w1", "w2", "w1", "w1", "w1"},
                               testing::Repeat("A", 5), "Collaboration_hours", {1, 3, 5, 11, 0});
  auto r = Gini(f);
  ASSERT_TRUE(r.ok());
  const std::vector<double> x = {2, 5, 11, 0};
  double sum = 0;
  for (double a : x) {
    for (double b : x) sum += std::fabs(a - b);
  }
  EXPECT_NEAR(r->gini, sum / (2 * 16 * 4.5), 1e-15);
  ASSERT_EQ(r->lorenz.size(), 5u);
  EXPECT_EQ(r->lorenz.front().value_share, 0);
  EXPECT_DOUBLE_EQ(r->lorenz.back().population_share, 1);
  EXPECT_DOUBLE_EQ(r->lorenz.back().value_share, 1);
  EXPECT_DOUBLE_EQ(r->lorenz[2].value_share, 2.0 / 18);  // the two lowest: 0 and 2
}

}  // namespace
}  // namespace vivalink::analysis
