#include "analysis/groups.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "analysis/internal/render.h"
#include "analysis/stats.h"

namespace vivalink::analysis {

core::Result<GroupSummaryResult> SummarizeGroups(const Frame& frame,
                                                 const GroupSummaryOptions& options) {
  if (options.metrics.empty() || options.group_by.empty()) {
    return core::InvalidArgumentError(
        "group summary: give at least one metric and one grouping attribute");
  }
  if (options.min_group_size < 1) {
    return core::InvalidArgumentError(fmt::format(
        "group summary: min_group_size is {}, it must be at least 1", options.min_group_size));
  }
  ASSIGN_OR_RETURN(const FrameColumn* person, frame.GetCategorical(options.person_column));
  std::vector<const FrameColumn*> metrics, attributes;
  for (const auto& m : options.metrics) {
    ASSIGN_OR_RETURN(const FrameColumn* c, frame.GetNumeric(m));
    metrics.push_back(c);
  }
  for (const auto& a : options.group_by) {
    ASSIGN_OR_RETURN(const FrameColumn* c, frame.GetCategorical(a));
    attributes.push_back(c);
  }

  const size_t rows = frame.num_rows();
  const size_t n_metrics = metrics.size();
  // stats_by[metric][attribute] -> reported groups.
  std::vector<std::vector<std::vector<GroupStat>>> stats_by(
      n_metrics, std::vector<std::vector<GroupStat>>(attributes.size()));

  for (size_t ai = 0; ai < attributes.size(); ++ai) {
    const FrameColumn* attr = attributes[ai];
    // (person, group) pairs, numbered in first-seen order.
    std::unordered_map<uint64_t, size_t> pair_index;
    std::vector<int32_t> pair_group;
    std::vector<size_t> row_pair(rows, SIZE_MAX);
    for (size_t r = 0; r < rows; ++r) {
      const int32_t p = person->codes[r], g = attr->codes[r];
      if (p == kMissingCode || g == kMissingCode) continue;
      const uint64_t key =
          (static_cast<uint64_t>(static_cast<uint32_t>(p)) << 32) | static_cast<uint32_t>(g);
      auto [it, inserted] = pair_index.emplace(key, pair_group.size());
      if (inserted) pair_group.push_back(g);
      row_pair[r] = it->second;
    }
    const size_t n_pairs = pair_group.size();
    std::vector<double> sum(n_pairs), count(n_pairs);
    for (size_t mi = 0; mi < n_metrics; ++mi) {
      const FrameColumn* metric = metrics[mi];
      std::fill(sum.begin(), sum.end(), 0.0);
      std::fill(count.begin(), count.end(), 0.0);
      for (size_t r = 0; r < rows; ++r) {
        const double v = metric->numbers[r];
        if (row_pair[r] == SIZE_MAX || std::isnan(v)) continue;
        sum[row_pair[r]] += v;
        count[row_pair[r]] += 1;
      }
      std::vector<std::vector<double>> means(attr->levels.size());
      for (size_t k = 0; k < n_pairs; ++k) {
        if (count[k] > 0) means[pair_group[k]].push_back(sum[k] / count[k]);
      }
      for (size_t g = 0; g < means.size(); ++g) {
        auto& m = means[g];
        if (m.size() < static_cast<size_t>(options.min_group_size)) continue;  // suppressed
        std::sort(m.begin(), m.end());
        GroupStat s;
        s.attribute = attr->name;
        s.group = attr->levels[g];
        s.metric = metric->name;
        s.n = static_cast<int64_t>(m.size());
        s.mean = stats::Mean(m);
        s.sd = stats::SampleSd(m);
        s.median = stats::QuantileSorted(m, 0.5);
        s.min = m.front();
        s.max = m.back();
        stats_by[mi][ai].push_back(std::move(s));
      }
    }
  }

  GroupSummaryResult result;
  result.min_group_size = options.min_group_size;
  auto by_mean = [](const GroupStat* a, const GroupStat* b) {
    if (a->mean != b->mean) return a->mean > b->mean;
    if (a->attribute != b->attribute) return a->attribute < b->attribute;
    return a->group < b->group;
  };
  for (size_t mi = 0; mi < n_metrics; ++mi) {
    std::vector<GroupStat*> all;
    for (auto& per_attr : stats_by[mi]) {
      std::vector<GroupStat*> ptrs;
      for (auto& s : per_attr) ptrs.push_back(&s);
      std::sort(ptrs.begin(), ptrs.end(), by_mean);
      for (size_t i = 0; i < ptrs.size(); ++i) ptrs[i]->rank_in_attribute = static_cast<int>(i + 1);
      all.insert(all.end(), ptrs.begin(), ptrs.end());
    }
    std::sort(all.begin(), all.end(), by_mean);
    for (size_t i = 0; i < all.size(); ++i) all[i]->rank_overall = static_cast<int>(i + 1);
    for (auto& per_attr : stats_by[mi]) {
      std::sort(per_attr.begin(), per_attr.end(), [](const GroupStat& a, const GroupStat& b) {
        return a.rank_in_attribute < b.rank_in_attribute;
      });
      for (auto& s : per_attr) result.rows.push_back(std::move(s));
    }
  }
  return result;
}

std::string ToCsv(const GroupSummaryResult& result) {
  internal::CsvTable t({"metric", "attribute", "group", "n", "mean", "sd", "median", "min", "max",
                        "rank_in_attribute", "rank_overall"});
  for (const auto& s : result.rows) {
    t.AddRow({s.metric, s.attribute, s.group, static_cast<long long>(s.n), s.mean, s.sd, s.median,
              s.min, s.max, static_cast<long long>(s.rank_in_attribute),
              static_cast<long long>(s.rank_overall)});
  }
  return t.Render();
}

std::string ToJson(const GroupSummaryResult& result) {
  using internal::JsonNumber;
  internal::Json j;
  j["analysis"] = "groups";
  j["min_group_size"] = result.min_group_size;
  internal::Json rows = internal::Json::array();
  for (const auto& s : result.rows) {
    internal::Json r;
    r["metric"] = s.metric;
    r["attribute"] = s.attribute;
    r["group"] = s.group;
    r["n"] = s.n;
    r["mean"] = JsonNumber(s.mean);
    r["sd"] = JsonNumber(s.sd);
    r["median"] = JsonNumber(s.median);
    r["min"] = JsonNumber(s.min);
    r["max"] = JsonNumber(s.max);
    r["rank_in_attribute"] = s.rank_in_attribute;
    r["rank_overall"] = s.rank_overall;
    rows.push_back(std::move(r));
  }
  j["rows"] = std::move(rows);
  return j.dump(2);
}

}  // namespace vivalink::analysis
