#include "analysis/groups.h"

#include <gtest/gtest.h>

#include "test_frames.h"

namespace vivalink::analysis {
namespace {

// `sizes` persons per group, two weeks each; person i of a group has hours base + i.
Frame GroupFrame(const std::vector<std::pair<std::string, int>>& sizes) {
  std::vector<std::string> persons, weeks, groups;
  std::vector<double> hours;
  int id = 0;
  double base = 10;
  for (const auto& [group, n] : sizes) {
    for (int i = 0; i < n; ++i, ++id) {
      for (const char* w : {"2024-01-07", "2024-01-14"}) {
        persons.push_back("p" + std::to_string(id));
        weeks.push_back(w);
        groups.push_back(group);
        hours.push_back(base + i);
      }
    }
    base += 10;
  }
  return testing::PersonWeekFrame(persons, weeks, groups, "Collaboration_hours", hours);
}

TEST(GroupSummary, GroupBelowMinimumNeverAppears) {
  const Frame f = GroupFrame({{"Big", 6}, {"Tiny", 4}, {"Exact", 5}});
  auto r = SummarizeGroups(f, {.metrics = {"Collaboration_hours"}, .min_group_size = 5});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const auto& row : r->rows) EXPECT_NE(row.group, "Tiny");
  EXPECT_EQ(ToCsv(*r).find("Tiny"), std::string::npos);
  EXPECT_EQ(ToJson(*r).find("Tiny"), std::string::npos);
  // No rank position is left for it either: ranks are 1..2.
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0].rank_in_attribute, 1);
  EXPECT_EQ(r->rows[1].rank_in_attribute, 2);
}

TEST(GroupSummary, GroupExactlyAtMinimumAppears) {
  const Frame f = GroupFrame({{"Exact", 5}});
  auto r = SummarizeGroups(f, {.metrics = {"Collaboration_hours"}, .min_group_size = 5});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0].group, "Exact");
  EXPECT_EQ(r->rows[0].n, 5);
  EXPECT_DOUBLE_EQ(r->rows[0].mean, 12);  // persons 10..14
  EXPECT_DOUBLE_EQ(r->rows[0].median, 12);
  EXPECT_DOUBLE_EQ(r->rows[0].min, 10);
  EXPECT_DOUBLE_EQ(r->rows[0].max, 14);
}

TEST(GroupSummary, PersonMeansComeBeforeGroupMeans) {
  // a: one week of 10; b: three weeks of 0. Person means 10 and 0: group mean 5, not 2.5.
  const Frame f =
      testing::PersonWeekFrame({"a", "b", "b", "b"}, {"w1", "w1", "w2", "w3"},
                               testing::Repeat("G", 4), "Collaboration_hours", {10, 0, 0, 0});
  auto r = SummarizeGroups(f, {.metrics = {"Collaboration_hours"}, .min_group_size = 1});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_DOUBLE_EQ(r->rows[0].mean, 5);
  EXPECT_EQ(r->rows[0].n, 2);
}

TEST(GroupSummary, RanksOrderGroupsByMeanDescending) {
  const Frame f = GroupFrame({{"Low", 5}, {"High", 5}});
  auto r = SummarizeGroups(f, {.metrics = {"Collaboration_hours"}, .min_group_size = 5});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0].group, "High");
  EXPECT_EQ(r->rows[0].rank_overall, 1);
  EXPECT_EQ(r->rows[1].group, "Low");
}

TEST(GroupSummary, InvalidOptionsAreInvalidArgument) {
  const Frame f = GroupFrame({{"A", 5}});
  EXPECT_EQ(SummarizeGroups(f, {}).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      SummarizeGroups(f, {.metrics = {"Collaboration_hours"}, .min_group_size = 0}).status().code(),
      core::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      SummarizeGroups(f, {.metrics = {"Collaboration_hours"}, .group_by = {"Collaboration_hours"}})
          .status()
          .code(),
      core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::analysis
