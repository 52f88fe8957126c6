#include "analysis/hygiene.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "analysis/internal/render.h"
#include "analysis/stats.h"

namespace vivalink::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Columns {
  const FrameColumn* metric;
  const FrameColumn* person;
  const FrameColumn* week;
  std::vector<int32_t> week_order;  // level -> chronological position
};

core::Result<Columns> Resolve(const Frame& frame, const HygieneOptions& o) {
  Columns c{};
  ASSIGN_OR_RETURN(c.metric, frame.GetNumeric(o.metric));
  ASSIGN_OR_RETURN(c.person, frame.GetCategorical(o.person_column));
  ASSIGN_OR_RETURN(c.week, frame.GetCategorical(o.week_column));
  c.week_order = LevelOrder(*c.week);
  return c;
}

// Row-level findings carry the row index so ExcludeHygiene can drop exactly those rows.
struct RowFlag {
  size_t row;
  double score;
};

std::vector<RowFlag> InactiveRows(const Columns& c, const HygieneOptions& o) {
  const size_t n_persons = c.person->levels.size();
  std::vector<std::vector<size_t>> rows_of(n_persons);
  for (size_t r = 0; r < c.metric->numbers.size(); ++r) {
    if (c.person->codes[r] == kMissingCode || std::isnan(c.metric->numbers[r])) continue;
    rows_of[c.person->codes[r]].push_back(r);
  }
  std::vector<RowFlag> out;
  std::vector<double> v;
  for (const auto& rows : rows_of) {
    v.clear();
    for (size_t r : rows) v.push_back(c.metric->numbers[r]);
    // Population sd (n denominator), as vivainsights' identify_inactiveweeks.
    const double n = static_cast<double>(v.size());
    const double sd = stats::SampleSd(v) * std::sqrt((n - 1) / n);
    if (!(sd > 0)) continue;  // one week, or no variation: never flagged
    const double mean = stats::Mean(v);
    for (size_t r : rows) {
      const double z = (c.metric->numbers[r] - mean) / sd;
      if (z <= o.inactive_z) out.push_back({r, z});
    }
  }
  return out;
}

std::vector<RowFlag> OutlierRows(const Columns& c, const HygieneOptions& o) {
  std::vector<double> v;
  for (size_t r = 0; r < c.metric->numbers.size(); ++r) {
    if (!std::isnan(c.metric->numbers[r])) v.push_back(c.metric->numbers[r]);
  }
  std::sort(v.begin(), v.end());
  std::vector<RowFlag> out;
  if (v.empty()) return out;
  const double q1 = stats::QuantileSorted(v, 0.25), q3 = stats::QuantileSorted(v, 0.75);
  const double fence = q3 + o.outlier_iqr_multiplier * (q3 - q1);
  for (size_t r = 0; r < c.metric->numbers.size(); ++r) {
    if (c.metric->numbers[r] > fence) out.push_back({r, fence});
  }
  return out;
}

// week level -> (mean, z) for flagged weeks.
std::vector<std::pair<int32_t, std::pair<double, double>>> HolidayWeekLevels(
    const Columns& c, const HygieneOptions& o) {
  const size_t n_weeks = c.week->levels.size();
  std::vector<double> sum(n_weeks), count(n_weeks);
  for (size_t r = 0; r < c.metric->numbers.size(); ++r) {
    const int32_t w = c.week->codes[r];
    if (w == kMissingCode || std::isnan(c.metric->numbers[r])) continue;
    sum[w] += c.metric->numbers[r];
    count[w] += 1;
  }
  std::vector<double> means;
  for (size_t w = 0; w < n_weeks; ++w) {
    if (count[w] > 0) means.push_back(sum[w] / count[w]);
  }
  std::vector<std::pair<int32_t, std::pair<double, double>>> out;
  if (static_cast<int>(means.size()) < std::max(2, o.holiday_min_weeks)) return out;
  const double sd = stats::SampleSd(means);
  if (!(sd > 0)) return out;
  const double mean = stats::Mean(means);
  for (size_t w = 0; w < n_weeks; ++w) {
    if (count[w] == 0) continue;
    const double m = sum[w] / count[w];
    const double z = (m - mean) / sd;
    if (z < o.holiday_z) out.push_back({static_cast<int32_t>(w), {m, z}});
  }
  return out;
}

// person level -> mean for persons below the threshold.
std::vector<std::pair<int32_t, double>> NkwLevels(const Columns& c, const HygieneOptions& o) {
  const size_t n_persons = c.person->levels.size();
  std::vector<double> sum(n_persons), count(n_persons);
  for (size_t r = 0; r < c.metric->numbers.size(); ++r) {
    const int32_t p = c.person->codes[r];
    if (p == kMissingCode || std::isnan(c.metric->numbers[r])) continue;
    sum[p] += c.metric->numbers[r];
    count[p] += 1;
  }
  std::vector<std::pair<int32_t, double>> out;
  for (size_t p = 0; p < n_persons; ++p) {
    if (count[p] > 0 && sum[p] / count[p] < o.nkw_threshold) {
      out.push_back({static_cast<int32_t>(p), sum[p] / count[p]});
    }
  }
  return out;
}

void SortExclusions(std::vector<Exclusion>& ex, const Columns& c) {
  std::unordered_map<std::string_view, int32_t> week_pos;
  for (size_t l = 0; l < c.week->levels.size(); ++l) week_pos[c.week->levels[l]] = c.week_order[l];
  std::stable_sort(ex.begin(), ex.end(), [&](const Exclusion& a, const Exclusion& b) {
    const int32_t wa = a.week.empty() ? -1 : week_pos[a.week];
    const int32_t wb = b.week.empty() ? -1 : week_pos[b.week];
    if (wa != wb) return wa < wb;
    return a.person < b.person;
  });
}

std::vector<Exclusion> RowExclusions(const Columns& c, const std::vector<RowFlag>& flags,
                                     ExclusionKind kind) {
  std::vector<Exclusion> out;
  for (const auto& f : flags) {
    out.push_back({kind, std::string(c.person->StringAt(f.row)),
                   std::string(c.week->StringAt(f.row)), c.metric->numbers[f.row], f.score});
  }
  SortExclusions(out, c);
  return out;
}

std::vector<Exclusion> HolidayExclusions(const Columns& c, const HygieneOptions& o) {
  std::vector<Exclusion> out;
  for (const auto& [w, mz] : HolidayWeekLevels(c, o)) {
    out.push_back({ExclusionKind::kHolidayWeek, "", c.week->levels[w], mz.first, mz.second});
  }
  SortExclusions(out, c);
  return out;
}

std::vector<Exclusion> NkwExclusions(const Columns& c, const HygieneOptions& o) {
  std::vector<Exclusion> out;
  for (const auto& [p, mean] : NkwLevels(c, o)) {
    out.push_back({ExclusionKind::kNonKnowledgeWorker, c.person->levels[p], "", mean, kNaN});
  }
  SortExclusions(out, c);
  return out;
}

}  // namespace

std::string_view ExclusionKindName(ExclusionKind kind) {
  switch (kind) {
    case ExclusionKind::kHolidayWeek:
      return "holiday_week";
    case ExclusionKind::kInactivePersonWeek:
      return "inactive_person_week";
    case ExclusionKind::kNonKnowledgeWorker:
      return "non_knowledge_worker";
    case ExclusionKind::kOutlierPersonWeek:
      return "outlier_person_week";
  }
  return "unknown";
}

core::Result<HygieneResult> FindHolidayWeeks(const Frame& frame, const HygieneOptions& options) {
  ASSIGN_OR_RETURN(Columns c, Resolve(frame, options));
  return HygieneResult{HolidayExclusions(c, options)};
}

core::Result<HygieneResult> FindInactiveWeeks(const Frame& frame, const HygieneOptions& options) {
  ASSIGN_OR_RETURN(Columns c, Resolve(frame, options));
  return HygieneResult{
      RowExclusions(c, InactiveRows(c, options), ExclusionKind::kInactivePersonWeek)};
}

core::Result<HygieneResult> FindNonKnowledgeWorkers(const Frame& frame,
                                                    const HygieneOptions& options) {
  ASSIGN_OR_RETURN(Columns c, Resolve(frame, options));
  return HygieneResult{NkwExclusions(c, options)};
}

core::Result<HygieneResult> FindOutlierWeeks(const Frame& frame, const HygieneOptions& options) {
  ASSIGN_OR_RETURN(Columns c, Resolve(frame, options));
  return HygieneResult{
      RowExclusions(c, OutlierRows(c, options), ExclusionKind::kOutlierPersonWeek)};
}

core::Result<FilteredFrame> ExcludeHygiene(const Frame& frame, const HygieneOptions& options) {
  ASSIGN_OR_RETURN(Columns c, Resolve(frame, options));
  const size_t rows = frame.num_rows();
  std::vector<uint8_t> keep(rows, 1);
  FilteredFrame out;
  auto append = [&](std::vector<Exclusion> ex) {
    out.exclusions.insert(out.exclusions.end(), std::make_move_iterator(ex.begin()),
                          std::make_move_iterator(ex.end()));
  };
  if (options.holiday_weeks) {
    std::vector<uint8_t> bad_week(c.week->levels.size(), 0);
    for (const auto& [w, mz] : HolidayWeekLevels(c, options)) bad_week[w] = 1;
    for (size_t r = 0; r < rows; ++r) {
      if (c.week->codes[r] != kMissingCode && bad_week[c.week->codes[r]] != 0) keep[r] = 0;
    }
    append(HolidayExclusions(c, options));
  }
  if (options.inactive_weeks) {
    auto flags = InactiveRows(c, options);
    for (const auto& f : flags) keep[f.row] = 0;
    append(RowExclusions(c, flags, ExclusionKind::kInactivePersonWeek));
  }
  if (options.non_knowledge_workers) {
    std::vector<uint8_t> bad_person(c.person->levels.size(), 0);
    for (const auto& [p, mean] : NkwLevels(c, options)) bad_person[p] = 1;
    for (size_t r = 0; r < rows; ++r) {
      if (c.person->codes[r] != kMissingCode && bad_person[c.person->codes[r]] != 0) keep[r] = 0;
    }
    append(NkwExclusions(c, options));
  }
  if (options.outlier_weeks) {
    auto flags = OutlierRows(c, options);
    for (const auto& f : flags) keep[f.row] = 0;
    append(RowExclusions(c, flags, ExclusionKind::kOutlierPersonWeek));
  }
  for (uint8_t k : keep) out.rows_removed += k == 0 ? 1 : 0;
  out.frame = frame.FilterRows(keep);
  return out;
}

std::string ToCsv(const HygieneResult& result) {
  internal::CsvTable t({"kind", "person", "week", "value", "score"});
  for (const auto& e : result.exclusions) {
    t.AddRow({std::string(ExclusionKindName(e.kind)), e.person, e.week, e.value, e.score});
  }
  return t.Render();
}

std::string ToJson(const HygieneResult& result) {
  using internal::JsonNumber;
  internal::Json j;
  j["analysis"] = "hygiene";
  internal::Json arr = internal::Json::array();
  for (const auto& e : result.exclusions) {
    internal::Json x;
    x["kind"] = std::string(ExclusionKindName(e.kind));
    x["person"] = e.person;
    x["week"] = e.week;
    x["value"] = JsonNumber(e.value);
    x["score"] = JsonNumber(e.score);
    arr.push_back(std::move(x));
  }
  j["exclusions"] = std::move(arr);
  return j.dump(2);
}

}  // namespace vivalink::analysis
