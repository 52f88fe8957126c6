#include "analysis/patterns.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "analysis/internal/render.h"
#include "analysis/stats.h"

namespace vivalink::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Group codes per row; without an attribute every row is group 0 named "Total".
struct Groups {
  std::vector<int32_t> codes;
  std::vector<std::string> names;
};

core::Result<Groups> ResolveGroups(const Frame& frame, const std::string& group_by) {
  Groups g;
  if (group_by.empty()) {
    g.codes.assign(frame.num_rows(), 0);
    g.names = {"Total"};
    return g;
  }
  ASSIGN_OR_RETURN(const FrameColumn* c, frame.GetCategorical(group_by));
  g.codes = c->codes;
  g.names = c->levels;
  return g;
}

core::Status CheckMinGroup(int min_group_size, std::string_view what) {
  if (min_group_size < 1) {
    return core::InvalidArgumentError(
        fmt::format("{}: min_group_size is {}, it must be at least 1", what, min_group_size));
  }
  return core::OkStatus();
}

}  // namespace

core::Result<TrendResult> WeeklyTrend(const Frame& frame, const TrendOptions& options) {
  RETURN_IF_ERROR(CheckMinGroup(options.min_group_size, "weekly trend"));
  ASSIGN_OR_RETURN(const FrameColumn* metric, frame.GetNumeric(options.metric));
  ASSIGN_OR_RETURN(const FrameColumn* person, frame.GetCategorical(options.person_column));
  ASSIGN_OR_RETURN(const FrameColumn* week, frame.GetCategorical(options.week_column));
  ASSIGN_OR_RETURN(Groups groups, ResolveGroups(frame, options.group_by));
  const std::vector<int32_t> order = LevelOrder(*week);
  const size_t n_weeks = week->levels.size(), n_groups = groups.names.size();
  std::vector<int32_t> week_at(n_weeks);  // chronological position -> level
  for (size_t l = 0; l < n_weeks; ++l) week_at[order[l]] = static_cast<int32_t>(l);

  // Cells indexed group * n_weeks + position.
  const size_t cells = n_groups * n_weeks;
  std::vector<double> sum(cells), count(cells);
  std::vector<std::unordered_set<int32_t>> persons(cells);
  for (size_t r = 0; r < frame.num_rows(); ++r) {
    const int32_t g = groups.codes[r], w = week->codes[r];
    const double v = metric->numbers[r];
    if (g == kMissingCode || w == kMissingCode || std::isnan(v)) continue;
    const size_t cell = static_cast<size_t>(g) * n_weeks + static_cast<size_t>(order[w]);
    sum[cell] += v;
    count[cell] += 1;
    if (person->codes[r] != kMissingCode) persons[cell].insert(person->codes[r]);
  }
  std::vector<size_t> group_order(n_groups);
  std::iota(group_order.begin(), group_order.end(), size_t{0});
  std::sort(group_order.begin(), group_order.end(),
            [&](size_t a, size_t b) { return groups.names[a] < groups.names[b]; });
  TrendResult result;
  result.metric = metric->name;
  for (size_t g : group_order) {
    double prev = kNaN;
    for (size_t pos = 0; pos < n_weeks; ++pos) {
      const size_t cell = g * n_weeks + pos;
      const auto n = static_cast<int64_t>(persons[cell].size());
      if (count[cell] == 0 || n < options.min_group_size) {
        prev = kNaN;
        continue;
      }
      const double mean = sum[cell] / count[cell];
      result.points.push_back({groups.names[g], week->levels[week_at[pos]], n, mean, mean - prev});
      prev = mean;
    }
  }
  return result;
}

core::Result<HabitResult> Habits(const Frame& frame, const HabitOptions& options) {
  RETURN_IF_ERROR(CheckMinGroup(options.min_group_size, "habits"));
  if (options.min_weeks < 1 || options.last_weeks < options.min_weeks) {
    return core::InvalidArgumentError(
        fmt::format("habits: need 1 <= min_weeks <= last_weeks, got min_weeks {} and last_weeks {}",
                    options.min_weeks, options.last_weeks));
  }
  ASSIGN_OR_RETURN(const FrameColumn* metric, frame.GetNumeric(options.metric));
  ASSIGN_OR_RETURN(const FrameColumn* person, frame.GetCategorical(options.person_column));
  ASSIGN_OR_RETURN(const FrameColumn* week, frame.GetCategorical(options.week_column));
  ASSIGN_OR_RETURN(Groups groups, ResolveGroups(frame, options.group_by));
  const std::vector<int32_t> order = LevelOrder(*week);
  const size_t n_persons = person->levels.size();

  // Per person: (week position, value) of weeks with a value, and the latest grouped week.
  std::vector<std::vector<std::pair<int32_t, double>>> weeks_of(n_persons);
  std::vector<int32_t> group_of(n_persons, kMissingCode), group_pos(n_persons, -1);
  for (size_t r = 0; r < frame.num_rows(); ++r) {
    const int32_t p = person->codes[r], w = week->codes[r];
    if (p == kMissingCode || w == kMissingCode) continue;
    const int32_t pos = order[w];
    if (groups.codes[r] != kMissingCode && pos >= group_pos[p]) {
      group_pos[p] = pos;
      group_of[p] = groups.codes[r];
    }
    if (!std::isnan(metric->numbers[r])) weeks_of[p].push_back({pos, metric->numbers[r]});
  }
  std::vector<int64_t> members(groups.names.size()), habit(groups.names.size());
  for (size_t p = 0; p < n_persons; ++p) {
    if (group_of[p] == kMissingCode) continue;
    auto& w = weeks_of[p];
    std::sort(w.begin(), w.end());
    const size_t k = std::min(w.size(), static_cast<size_t>(options.last_weeks));
    int hits = 0;
    for (size_t i = w.size() - k; i < w.size(); ++i) hits += w[i].second >= options.threshold;
    ++members[group_of[p]];
    if (hits >= options.min_weeks) ++habit[group_of[p]];
  }
  std::vector<size_t> group_order(groups.names.size());
  std::iota(group_order.begin(), group_order.end(), size_t{0});
  std::sort(group_order.begin(), group_order.end(),
            [&](size_t a, size_t b) { return groups.names[a] < groups.names[b]; });
  HabitResult result;
  result.metric = metric->name;
  for (size_t g : group_order) {
    if (members[g] < options.min_group_size) continue;
    result.groups.push_back({groups.names[g], members[g], habit[g],
                             static_cast<double>(habit[g]) / static_cast<double>(members[g])});
  }
  return result;
}

core::Result<GiniResult> Gini(const Frame& frame, const GiniOptions& options) {
  ASSIGN_OR_RETURN(const FrameColumn* metric, frame.GetNumeric(options.metric));
  ASSIGN_OR_RETURN(const FrameColumn* person, frame.GetCategorical(options.person_column));
  const size_t n_persons = person->levels.size();
  std::vector<double> sum(n_persons), count(n_persons);
  for (size_t r = 0; r < frame.num_rows(); ++r) {
    const int32_t p = person->codes[r];
    if (p == kMissingCode || std::isnan(metric->numbers[r])) continue;
    sum[p] += metric->numbers[r];
    count[p] += 1;
  }
  std::vector<double> x;
  for (size_t p = 0; p < n_persons; ++p) {
    if (count[p] > 0) x.push_back(sum[p] / count[p]);
  }
  std::sort(x.begin(), x.end());
  GiniResult result;
  result.metric = metric->name;
  result.persons = static_cast<int64_t>(x.size());
  const auto n = static_cast<double>(x.size());
  double total = 0;
  for (double v : x) total += v;
  result.mean = x.empty() ? kNaN : total / n;
  // sum_i sum_j |x_i - x_j| = 2 sum_i (2i - n - 1) x_(i), i 1-based over sorted values.
  double weighted = 0;
  for (size_t i = 0; i < x.size(); ++i)
    weighted += (2.0 * static_cast<double>(i + 1) - n - 1) * x[i];
  result.gini = x.empty() || total == 0 ? kNaN : 2 * weighted / (2 * n * n * result.mean);
  result.lorenz.push_back({0, 0});
  double cum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    cum += x[i];
    result.lorenz.push_back({static_cast<double>(i + 1) / n, total == 0 ? kNaN : cum / total});
  }
  return result;
}

std::string ToCsv(const TrendResult& result) {
  internal::CsvTable t({"metric", "group", "week", "n", "mean", "change"});
  for (const auto& p : result.points) {
    t.AddRow({result.metric, p.group, p.week, static_cast<long long>(p.n), p.mean, p.change});
  }
  return t.Render();
}

std::string ToJson(const TrendResult& result) {
  using internal::JsonNumber;
  internal::Json j;
  j["analysis"] = "trend";
  j["metric"] = result.metric;
  internal::Json arr = internal::Json::array();
  for (const auto& p : result.points) {
    internal::Json x;
    x["group"] = p.group;
    x["week"] = p.week;
    x["n"] = p.n;
    x["mean"] = JsonNumber(p.mean);
    x["change"] = JsonNumber(p.change);
    arr.push_back(std::move(x));
  }
  j["points"] = std::move(arr);
  return j.dump(2);
}

std::string ToCsv(const HabitResult& result) {
  internal::CsvTable t({"metric", "group", "persons", "with_habit", "share"});
  for (const auto& g : result.groups) {
    t.AddRow({result.metric, g.group, static_cast<long long>(g.persons),
              static_cast<long long>(g.with_habit), g.share});
  }
  return t.Render();
}

std::string ToJson(const HabitResult& result) {
  using internal::JsonNumber;
  internal::Json j;
  j["analysis"] = "habits";
  j["metric"] = result.metric;
  internal::Json arr = internal::Json::array();
  for (const auto& g : result.groups) {
    internal::Json x;
    x["group"] = g.group;
    x["persons"] = g.persons;
    x["with_habit"] = g.with_habit;
    x["share"] = JsonNumber(g.share);
    arr.push_back(std::move(x));
  }
  j["groups"] = std::move(arr);
  return j.dump(2);
}

std::string ToCsv(const GiniResult& result) {
  internal::CsvTable t({"metric", "gini", "population_share", "value_share"});
  for (const auto& p : result.lorenz) {
    t.AddRow({result.metric, result.gini, p.population_share, p.value_share});
  }
  return t.Render();
}

std::string ToJson(const GiniResult& result) {
  using internal::JsonNumber;
  internal::Json j;
  j["analysis"] = "gini";
  j["metric"] = result.metric;
  j["persons"] = result.persons;
  j["mean"] = JsonNumber(result.mean);
  j["gini"] = JsonNumber(result.gini);
  internal::Json arr = internal::Json::array();
  for (const auto& p : result.lorenz) {
    arr.push_back(
        internal::Json::array({JsonNumber(p.population_share), JsonNumber(p.value_share)}));
  }
  j["lorenz"] = std::move(arr);
  return j.dump(2);
}

}  // namespace vivalink::analysis
