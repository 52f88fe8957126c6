// Patterns over time and concentration of load.
//
// - Weekly trend: per group and week, the mean of the metric over the group-week's rows with a
//   value, n = distinct persons among them; a group-week with n < min_group_size is suppressed
//   (no row). change = mean - the same group's mean in the immediately preceding week (in the
//   frame's chronological week order); NaN (null) when that group-week is absent or suppressed.
// - Habits: a person has the habit when, among their last `last_weeks` weeks with a value (fewer
//   if they have fewer), at least `min_weeks` have metric >= threshold. A person belongs to the
//   group of their latest week that has a group value. Per group: persons, persons with the
//   habit and their share; groups with fewer than min_group_size persons are not output.
// - Gini of the person means of the metric: G = sum_i sum_j |x_i - x_j| / (2 n^2 mean), computed
//   in O(n log n) from the sorted means; Lorenz curve points (i/n, share of the total held by the
//   i lowest persons), i = 0..n. Gini is NaN when n == 0 or the total is 0.
// Without group_by (empty string) every row is in one group named "Total".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/frame.h"
#include "core/status.h"

namespace vivalink::analysis {

struct TrendOptions {
  std::string metric = "Collaboration_hours";
  std::string group_by = "Organization";  // "" = one group, "Total"
  std::string person_column = "PersonId";
  std::string week_column = "MetricDate";
  int min_group_size = 5;
};

struct TrendPoint {
  std::string group;
  std::string week;
  int64_t n = 0;
  double mean = 0;
  double change = 0;  // NaN when there is no reported previous week
};

struct TrendResult {
  std::string metric;
  std::vector<TrendPoint> points;  // by group name, then week
};

core::Result<TrendResult> WeeklyTrend(const Frame& frame, const TrendOptions& options = {});

struct HabitOptions {
  std::string metric = "Collaboration_hours";
  // A week counts when metric >= threshold. 1 (an hour), as vivainsights' identify_habit: with 0
  // every week with a value counted, an empty week included, and everyone had every habit.
  double threshold = 1;
  int min_weeks = 3;   // w
  int last_weeks = 4;  // k (>= min_weeks)
  std::string group_by = "Organization";
  std::string person_column = "PersonId";
  std::string week_column = "MetricDate";
  int min_group_size = 5;
};

struct HabitGroup {
  std::string group;
  int64_t persons = 0;
  int64_t with_habit = 0;
  double share = 0;
};

struct HabitResult {
  std::string metric;
  std::vector<HabitGroup> groups;  // by group name
};

core::Result<HabitResult> Habits(const Frame& frame, const HabitOptions& options);

struct GiniOptions {
  std::string metric = "Collaboration_hours";
  std::string person_column = "PersonId";
};

struct LorenzPoint {
  double population_share = 0;
  double value_share = 0;
};

struct GiniResult {
  std::string metric;
  int64_t persons = 0;
  double mean = 0;
  double gini = 0;
  std::vector<LorenzPoint> lorenz;
};

core::Result<GiniResult> Gini(const Frame& frame, const GiniOptions& options = {});

std::string ToCsv(const TrendResult& result);
std::string ToJson(const TrendResult& result);
std::string ToCsv(const HabitResult& result);
std::string ToJson(const HabitResult& result);
std::string ToCsv(const GiniResult& result);  // the Lorenz points; gini in every row
std::string ToJson(const GiniResult& result);

}  // namespace vivalink::analysis
