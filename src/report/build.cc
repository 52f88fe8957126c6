// BuildReportInput: runs the analyses on one Frame in the order the report presents them.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "analysis/discovery.h"
#include "analysis/drivers.h"
#include "analysis/groups.h"
#include "analysis/hygiene.h"
#include "analysis/iv.h"
#include "analysis/patterns.h"
#include "report/report.h"

namespace vivalink::report {
namespace {

// Distinct non-missing levels of a categorical column that occur in at least one row.
std::vector<std::string> PresentLevels(const analysis::FrameColumn& column) {
  std::vector<uint8_t> seen(column.levels.size(), 0);
  for (int32_t code : column.codes) {
    if (code != analysis::kMissingCode) seen[static_cast<size_t>(code)] = 1;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < seen.size(); ++i) {
    if (seen[i]) out.push_back(column.levels[i]);
  }
  return out;
}

DataSummary Summarize(const analysis::Frame& frame, const ReportOptions& options) {
  DataSummary s;
  s.person_weeks = static_cast<int64_t>(frame.num_rows());
  if (const auto* tenant = frame.Find(options.tenant_column); tenant && !tenant->is_numeric()) {
    s.tenants = PresentLevels(*tenant);
  } else {
    s.tenants = options.tenants;
  }
  if (const auto* week = frame.Find(options.week_column); week && !week->is_numeric()) {
    const std::vector<int32_t> order = analysis::LevelOrder(*week);
    int32_t first = -1, last = -1;
    std::vector<uint8_t> seen(week->levels.size(), 0);
    for (int32_t code : week->codes) {
      if (code == analysis::kMissingCode) continue;
      seen[static_cast<size_t>(code)] = 1;
    }
    for (size_t i = 0; i < seen.size(); ++i) {
      if (!seen[i]) continue;
      ++s.weeks;
      if (first < 0 || order[i] < order[static_cast<size_t>(first)])
        first = static_cast<int32_t>(i);
      if (last < 0 || order[i] > order[static_cast<size_t>(last)]) last = static_cast<int32_t>(i);
    }
    if (first >= 0) {
      s.first_week = week->levels[static_cast<size_t>(first)];
      s.last_week = week->levels[static_cast<size_t>(last)];
    }
  }
  if (const auto* person = frame.Find(options.person_column); person && !person->is_numeric()) {
    s.persons = static_cast<int64_t>(PresentLevels(*person).size());
  }
  return s;
}

double Median(std::vector<double> values) {
  if (values.empty()) return NAN;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  double m = values[mid];
  if (values.size() % 2 == 0) {
    m = (m + *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid))) /
        2;
  }
  return m;
}

}  // namespace

core::Result<ReportInput> BuildReportInput(const analysis::Frame& frame,
                                           const ReportOptions& options) {
  if (options.outcomes.empty()) {
    return core::InvalidArgumentError("report: no outcome (key metric) given; name at least one");
  }
  if (options.min_group_size < 1) {
    return core::InvalidArgumentError(
        fmt::format("report: min_group_size is {}; it must be at least 1", options.min_group_size));
  }
  for (const auto& outcome : options.outcomes) {
    auto column = frame.GetNumeric(outcome);
    if (!column.ok()) return column.status().WithContext("report outcome");
  }

  ReportInput in;
  in.title = options.title;
  in.generated_at = options.generated_at;
  in.min_group_size = options.min_group_size;
  in.summary = Summarize(frame, options);

  // Hygiene first: when applied, every later analysis runs on the rows it keeps.
  const analysis::Frame* used = &frame;
  analysis::Frame filtered;
  if (options.hygiene) {
    analysis::HygieneOptions h = options.hygiene_options;
    h.person_column = options.person_column;
    h.week_column = options.week_column;
    if (frame.Find(h.metric) == nullptr) {
      in.notes.push_back("Data-hygiene rules were skipped: the metric " + h.metric +
                         " is not in the data.");
    } else {
      ASSIGN_OR_RETURN(analysis::FilteredFrame f, analysis::ExcludeHygiene(frame, h));
      HygieneSection section;
      section.options = h;
      section.exclusions = std::move(f.exclusions);
      section.rows_before = static_cast<int64_t>(frame.num_rows());
      if (options.apply_hygiene) {
        section.rows_removed = f.rows_removed;
        filtered = std::move(f.frame);
        used = &filtered;
      }
      in.hygiene = std::move(section);
    }
  }

  for (const auto& outcome : options.outcomes) {
    analysis::DriverOptions d;
    d.behaviours = options.behaviours;
    d.exclude = options.exclude;
    d.person_column = options.person_column;
    d.iv_bins = options.iv_bins;
    d.rank_by = options.rank_by;
    ASSIGN_OR_RETURN(analysis::DriverResult drivers, analysis::RankDrivers(*used, outcome, d));

    // WOE curves for the strongest drivers, for the outcome above its median (the split the
    // driver table's IV column uses).
    std::vector<double> values;
    for (double v : used->Find(outcome)->numbers) {
      if (!std::isnan(v)) values.push_back(v);
    }
    const double median = Median(std::move(values));
    analysis::IvOptions iv_options;
    iv_options.bins = options.iv_bins;
    for (const auto& row : drivers.person_week) {
      if (static_cast<int>(iv_options.predictors.size()) >= options.woe_charts) break;
      const double key =
          options.rank_by == analysis::DriverRank::kPartial ? row.partial_r : row.spearman_rho;
      if (std::isfinite(key)) iv_options.predictors.push_back(row.behaviour);
    }
    if (std::isfinite(median) && !iv_options.predictors.empty()) {
      const std::string expr = fmt::format("{}>{}", outcome, median);
      auto iv = analysis::InformationValue(*used, expr, iv_options);
      if (iv.ok()) {
        in.iv.push_back(std::move(iv).value());
      } else {
        // An outcome name the expression grammar cannot hold: the driver table still stands.
        in.notes.push_back("No WOE curves for " + outcome + ": " + iv.status().message());
      }
    }
    in.drivers.push_back(std::move(drivers));

    if (options.discover) {
      analysis::DiscoveryOptions o = options.discovery_options;
      o.behaviours = options.behaviours;
      o.exclude = options.exclude;
      for (const auto& other : options.outcomes) o.exclude.push_back(other);
      o.person_column = options.person_column;
      o.min_group_size = options.min_group_size;
      o.not_attributes.push_back(options.week_column);
      o.not_attributes.push_back(options.tenant_column);
      auto found = analysis::DiscoverDrivers(*used, outcome, o);
      if (found.ok()) {
        in.discovery.push_back(std::move(found).value());
      } else {
        in.notes.push_back("No driver discovery for " + outcome + ": " + found.status().message());
      }
    }
  }
  in.woe_charts = options.woe_charts;

  const std::vector<std::string>& metrics =
      options.metrics.empty() ? options.outcomes : options.metrics;
  if (!options.group_by.empty()) {
    analysis::GroupSummaryOptions g;
    g.metrics = metrics;
    g.group_by = options.group_by;
    g.person_column = options.person_column;
    g.min_group_size = options.min_group_size;
    ASSIGN_OR_RETURN(analysis::GroupSummaryResult groups, analysis::SummarizeGroups(*used, g));
    // Groups in the data that no row of the summary mentions were suppressed for every metric.
    for (const auto& attribute : options.group_by) {
      std::set<std::string> reported;
      for (const auto& row : groups.rows) {
        if (row.attribute == attribute) reported.insert(row.group);
      }
      for (const auto& level : PresentLevels(*used->Find(attribute))) {
        if (!reported.count(level)) ++in.groups_suppressed;
      }
    }
    in.groups = std::move(groups);
  }

  for (const auto& metric : metrics) {
    analysis::TrendOptions t;
    t.metric = metric;
    t.group_by = options.group_by.empty() ? "" : options.group_by.front();
    t.person_column = options.person_column;
    t.week_column = options.week_column;
    t.min_group_size = options.min_group_size;
    ASSIGN_OR_RETURN(analysis::TrendResult trend, analysis::WeeklyTrend(*used, t));
    in.trends.push_back(std::move(trend));
  }
  return in;
}

}  // namespace vivalink::report
