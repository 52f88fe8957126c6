#include "analysis/drivers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/internal/render.h"
#include "analysis/iv.h"
#include "analysis/stats.h"

namespace vivalink::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void RankRows(std::vector<DriverRow>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const DriverRow& a, const DriverRow& b) {
    const bool an = std::isnan(a.spearman_rho), bn = std::isnan(b.spearman_rho);
    if (an != bn) return bn;
    if (!an) {
      const double fa = std::fabs(a.spearman_rho), fb = std::fabs(b.spearman_rho);
      if (fa != fb) return fa > fb;
    }
    return a.behaviour < b.behaviour;
  });
  for (size_t i = 0; i < rows.size(); ++i) rows[i].rank = static_cast<int>(i + 1);
}

internal::Json RowsJson(const std::vector<DriverRow>& rows) {
  using internal::JsonNumber;
  internal::Json arr = internal::Json::array();
  for (const auto& r : rows) {
    internal::Json j;
    j["rank"] = r.rank;
    j["behaviour"] = r.behaviour;
    j["n"] = r.n;
    j["sign"] = r.sign;
    j["pearson_r"] = JsonNumber(r.pearson_r);
    j["pearson_ci_low"] = JsonNumber(r.pearson_ci_low);
    j["pearson_ci_high"] = JsonNumber(r.pearson_ci_high);
    j["pearson_p"] = JsonNumber(r.pearson_p);
    j["spearman_rho"] = JsonNumber(r.spearman_rho);
    j["spearman_ci_low"] = JsonNumber(r.spearman_ci_low);
    j["spearman_ci_high"] = JsonNumber(r.spearman_ci_high);
    j["spearman_p"] = JsonNumber(r.spearman_p);
    j["quartile_diff"] = JsonNumber(r.quartile_diff);
    j["iv"] = JsonNumber(r.iv);
    arr.push_back(std::move(j));
  }
  return arr;
}

}  // namespace

DriverRow ComputeDriver(std::string behaviour, std::span<const double> x, std::span<const double> y,
                        const DriverOptions& options) {
  DriverRow row;
  row.behaviour = std::move(behaviour);
  const size_t n = x.size();
  row.n = static_cast<int64_t>(n);

  const auto pearson = stats::TestCorrelation(stats::Pearson(x, y), n, 1.0);
  row.pearson_r = pearson.r;
  row.pearson_ci_low = pearson.ci_low;
  row.pearson_ci_high = pearson.ci_high;
  row.pearson_p = pearson.p_value;
  const auto spearman =
      stats::TestCorrelation(stats::Spearman(x, y), n, options.spearman_se_factor);
  row.spearman_rho = spearman.r;
  row.spearman_ci_low = spearman.ci_low;
  row.spearman_ci_high = spearman.ci_high;
  row.spearman_p = spearman.p_value;
  row.sign = std::isnan(row.spearman_rho) || row.spearman_rho == 0 ? 0
             : row.spearman_rho > 0                                ? 1
                                                                   : -1;

  row.quartile_diff = kNaN;
  row.iv = kNaN;
  if (n == 0) return row;
  std::vector<double> xs(x.begin(), x.end());
  std::sort(xs.begin(), xs.end());
  const double q1 = stats::QuantileSorted(xs, 0.25), q3 = stats::QuantileSorted(xs, 0.75);
  double top = 0, bottom = 0, n_top = 0, n_bottom = 0;
  for (size_t i = 0; i < n; ++i) {
    if (x[i] >= q3) {
      top += y[i];
      n_top += 1;
    }
    if (x[i] <= q1) {
      bottom += y[i];
      n_bottom += 1;
    }
  }
  row.quartile_diff = top / n_top - bottom / n_bottom;  // both sets hold at least the extremes

  const double median = stats::Median(std::vector<double>(y.begin(), y.end()));
  std::vector<uint8_t> above(n);
  for (size_t i = 0; i < n; ++i) above[i] = y[i] > median ? 1 : 0;
  row.iv = NumericIv(row.behaviour, x, above, options.iv_bins).iv;
  return row;
}

core::Result<DriverResult> RankDrivers(const Frame& frame, std::string_view outcome_column,
                                       const DriverOptions& options) {
  if (options.iv_bins < 1) {
    return core::InvalidArgumentError(
        fmt::format("driver ranking: iv_bins is {}, it must be at least 1", options.iv_bins));
  }
  ASSIGN_OR_RETURN(const FrameColumn* outcome, frame.GetNumeric(outcome_column));
  ASSIGN_OR_RETURN(const FrameColumn* person, frame.GetCategorical(options.person_column));
  std::vector<const FrameColumn*> behaviours;
  if (options.behaviours.empty()) {
    for (const auto& c : frame.columns()) {
      if (!c.is_numeric() || c.name == outcome->name) continue;
      if (std::find(options.exclude.begin(), options.exclude.end(), c.name) !=
          options.exclude.end()) {
        continue;
      }
      behaviours.push_back(&c);
    }
  } else {
    for (const auto& name : options.behaviours) {
      ASSIGN_OR_RETURN(const FrameColumn* c, frame.GetNumeric(name));
      behaviours.push_back(c);
    }
  }

  DriverResult result;
  result.outcome = outcome->name;
  const size_t rows = frame.num_rows();
  const size_t n_persons = person->levels.size();
  std::vector<double> x, y, sum_x(n_persons), sum_y(n_persons), count(n_persons);
  std::vector<double> px, py;
  for (const FrameColumn* b : behaviours) {
    x.clear();
    y.clear();
    std::fill(sum_x.begin(), sum_x.end(), 0.0);
    std::fill(sum_y.begin(), sum_y.end(), 0.0);
    std::fill(count.begin(), count.end(), 0.0);
    for (size_t r = 0; r < rows; ++r) {
      const double xv = b->numbers[r], yv = outcome->numbers[r];
      if (std::isnan(xv) || std::isnan(yv)) continue;
      x.push_back(xv);
      y.push_back(yv);
      const int32_t p = person->codes[r];
      if (p == kMissingCode) continue;
      sum_x[p] += xv;
      sum_y[p] += yv;
      count[p] += 1;
    }
    result.person_week.push_back(ComputeDriver(b->name, x, y, options));
    px.clear();
    py.clear();
    for (size_t p = 0; p < n_persons; ++p) {
      if (count[p] == 0) continue;
      px.push_back(sum_x[p] / count[p]);
      py.push_back(sum_y[p] / count[p]);
    }
    result.person.push_back(ComputeDriver(b->name, px, py, options));
  }
  RankRows(result.person_week);
  RankRows(result.person);
  return result;
}

std::string ToCsv(const DriverResult& result) {
  internal::CsvTable t({"level", "rank", "behaviour", "n", "sign", "pearson_r", "pearson_ci_low",
                        "pearson_ci_high", "pearson_p", "spearman_rho", "spearman_ci_low",
                        "spearman_ci_high", "spearman_p", "quartile_diff", "iv"});
  auto add = [&](std::string_view level, const std::vector<DriverRow>& rows) {
    for (const auto& r : rows) {
      t.AddRow({std::string(level), static_cast<long long>(r.rank), r.behaviour,
                static_cast<long long>(r.n), static_cast<long long>(r.sign), r.pearson_r,
                r.pearson_ci_low, r.pearson_ci_high, r.pearson_p, r.spearman_rho, r.spearman_ci_low,
                r.spearman_ci_high, r.spearman_p, r.quartile_diff, r.iv});
    }
  };
  add("person_week", result.person_week);
  add("person", result.person);
  return t.Render();
}

std::string ToJson(const DriverResult& result) {
  internal::Json j;
  j["analysis"] = "drivers";
  j["outcome"] = result.outcome;
  j["person_week"] = RowsJson(result.person_week);
  j["person"] = RowsJson(result.person);
  return j.dump(2);
}

}  // namespace vivalink::analysis
