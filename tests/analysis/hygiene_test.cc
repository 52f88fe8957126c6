#include "analysis/hygiene.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_frames.h"

namespace vivalink::analysis {
namespace {

// Four persons over four weeks; `hours[p][w]`.
Frame HygieneFrame(const std::vector<std::vector<double>>& hours) {
  const std::vector<std::string> week_names = {"2024-01-07", "2024-01-14", "2024-01-21",
                                               "2024-01-28"};
  std::vector<std::string> persons, weeks;
  std::vector<double> values;
  for (size_t p = 0; p < hours.size(); ++p) {
    for (size_t w = 0; w < hours[p].size(); ++w) {
      persons.push_back("p" + std::to_string(p));
      weeks.push_back(week_names[w]);
      values.push_back(hours[p][w]);
    }
  }
  return testing::PersonWeekFrame(persons, weeks, testing::Repeat("G", persons.size()),
                                  "Collaboration_hours", values);
}

TEST(Hygiene, HolidayWeekIsFlaggedWhenItsMeanIsMoreThanOneSdBelow) {
  // Week means 20, 20, 5, 20: z of week 3 = -15 / sd(20,20,5,20) = -1.5.
  const Frame f = HygieneFrame({{20, 20, 5, 20}, {20, 20, 5, 20}});
  auto r = FindHolidayWeeks(f, {.holiday_min_weeks = 4});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->exclusions.size(), 1u);
  EXPECT_EQ(r->exclusions[0].week, "2024-01-21");
  EXPECT_DOUBLE_EQ(r->exclusions[0].value, 5);
  EXPECT_NEAR(r->exclusions[0].score, -1.5, 1e-12);
}

TEST(Hygiene, HolidayRuleJudgesNoWeekWhenThereAreTooFewWeeks) {
  // The regression of issue 14: on a 4-week world the rule removed a whole ordinary week. The
  // same data is judged once the minimum allows 4 weeks.
  const Frame f = HygieneFrame({{20, 20, 5, 20}, {20, 20, 5, 20}});
  auto r = FindHolidayWeeks(f);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->exclusions.empty());
  auto all = ExcludeHygiene(f, {.inactive_weeks = false, .outlier_weeks = false});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->rows_removed, 0);
  auto judged = FindHolidayWeeks(f, {.holiday_min_weeks = 4});
  ASSERT_TRUE(judged.ok());
  EXPECT_EQ(judged->exclusions.size(), 1u);
}

TEST(Hygiene, PersonWithConstantHoursIsNeverInactive) {
  const Frame f = HygieneFrame({{12, 12, 12, 12}, {30, 30, 30, 0}});
  auto r = FindInactiveWeeks(f, {.inactive_z = -1.4});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exclusions.size(), 1u);
  EXPECT_EQ(r->exclusions[0].person, "p1");
  EXPECT_EQ(r->exclusions[0].week, "2024-01-28");
  // (0 - 22.5) / 12.99: the population sd (sqrt(168.75)), as vivainsights' identify_inactiveweeks.
  EXPECT_NEAR(r->exclusions[0].score, -std::sqrt(3.0), 1e-12);
}

TEST(Hygiene, InactiveThresholdIsInclusive) {
  // Values 0, 0, 10, 10: mean 5, population sd 5, so the zero weeks have z = -1 exactly.
  const Frame f = HygieneFrame({{0, 0, 10, 10}});
  auto r = FindInactiveWeeks(f);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->exclusions.empty());
  auto at = FindInactiveWeeks(f, {.inactive_z = -1});
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->exclusions.size(), 2u);
}

TEST(Hygiene, NonKnowledgeWorkersAverageBelowFiveHours) {
  const Frame f = HygieneFrame({{4, 4, 4, 5}, {5, 5, 5, 5}, {20, 0, 0, 0}});
  auto r = FindNonKnowledgeWorkers(f);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exclusions.size(), 1u);  // p1 is exactly 5: kept; p2 averages 5: kept
  EXPECT_EQ(r->exclusions[0].person, "p0");
  EXPECT_DOUBLE_EQ(r->exclusions[0].value, 4.25);
}

TEST(Hygiene, OutlierWeeksLieAboveQ3PlusThreeIqr) {
  const Frame f = HygieneFrame({{10, 11, 12, 13}, {10, 11, 12, 100}});
  auto r = FindOutlierWeeks(f);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exclusions.size(), 1u);
  EXPECT_EQ(r->exclusions[0].person, "p1");
  EXPECT_DOUBLE_EQ(r->exclusions[0].value, 100);
}

TEST(Hygiene, ExcludeHygieneRemovesFlaggedRowsAndListsThem) {
  const Frame f = HygieneFrame({{20, 20, 2, 20}, {21, 19, 3, 20}, {1, 1, 1, 1}});
  auto r =
      ExcludeHygiene(f, {.holiday_min_weeks = 4, .inactive_weeks = false, .outlier_weeks = false});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Holiday week 2024-01-21 (3 rows) and non-knowledge worker p2 (4 rows, one shared).
  EXPECT_EQ(r->rows_removed, 6);
  EXPECT_EQ(r->frame.num_rows(), 6u);
  ASSERT_EQ(r->exclusions.size(), 2u);
  EXPECT_EQ(r->exclusions[0].kind, ExclusionKind::kHolidayWeek);
  EXPECT_EQ(r->exclusions[1].kind, ExclusionKind::kNonKnowledgeWorker);
  EXPECT_NE(ToCsv(HygieneResult{r->exclusions}).find("non_knowledge_worker,p2,,"),
            std::string::npos);
}

}  // namespace
}  // namespace vivalink::analysis
