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

int SignOf(double v) { return std::isnan(v) || v == 0 ? 0 : v > 0 ? 1 : -1; }

void RankRows(std::vector<DriverRow>& rows, DriverRank by) {
  auto key = [by](const DriverRow& r) {
    return by == DriverRank::kPartial ? r.partial_r : r.spearman_rho;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const DriverRow& a, const DriverRow& b) {
    const double ka = key(a), kb = key(b);
    const bool an = std::isnan(ka), bn = std::isnan(kb);
    if (an != bn) return bn;
    if (!an) {
      const double fa = std::fabs(ka), fb = std::fabs(kb);
      if (fa != fb) return fa > fb;
    }
    return a.behaviour < b.behaviour;
  });
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].rank = static_cast<int>(i + 1);
    rows[i].sign = SignOf(key(rows[i]));
  }
}

// Relative residual variance below which a behaviour counts as a linear combination of the
// behaviours entered before it (see drivers.h).
constexpr double kAliasTolerance = 1e-7;

// Fills the partial_* fields of rows (in the order they are entered) from complete cases:
// columns[i] are the values of rows[i]'s behaviour, y the outcome, all of length n.
void ComputePartials(std::vector<DriverRow>& rows, const std::vector<std::vector<double>>& columns,
                     const std::vector<double>& y) {
  const size_t k = rows.size(), m = k + 1, n = y.size();
  for (auto& r : rows) {
    r.partial_n = static_cast<int64_t>(n);
    r.partial_r = r.partial_ci_low = r.partial_ci_high = r.partial_p = kNaN;
  }
  if (n < 2) return;
  // Correlation matrix of (behaviours..., outcome) from centred columns; a constant column keeps
  // a zero diagonal (aliased below; the outcome's then leaves everything NaN).
  std::vector<const std::vector<double>*> cols;
  for (const auto& c : columns) cols.push_back(&c);
  cols.push_back(&y);
  std::vector<std::vector<double>> z(m, std::vector<double>(n));
  std::vector<double> scale(m, 0.0);
  for (size_t a = 0; a < m; ++a) {
    const auto& v = *cols[a];
    double mean = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(n);
    double ss = 0;
    for (size_t i = 0; i < n; ++i) {
      z[a][i] = v[i] - mean;
      ss += z[a][i] * z[a][i];
    }
    scale[a] = ss > 0 ? 1.0 / std::sqrt(ss) : 0.0;
  }
  if (scale[k] == 0) return;
  std::vector<double> a(m * m, 0.0);
  for (size_t p = 0; p < m; ++p) {
    for (size_t q = p; q < m; ++q) {
      double sum = 0;
      const double* zp = z[p].data();
      const double* zq = z[q].data();
      for (size_t i = 0; i < n; ++i) sum += zp[i] * zq[i];
      a[p * m + q] = a[q * m + p] = sum * scale[p] * scale[q];
    }
  }
  z.clear();
  // Beaton's sweep, behaviour by behaviour: afterwards the swept block holds the inverse of the
  // behaviours' correlation matrix, column y the standardized coefficients, a[y][y] = 1 - R^2.
  std::vector<uint8_t> swept(k, 0);
  size_t in_model = 0;
  for (size_t p = 0; p < k; ++p) {
    const double d = a[p * m + p];
    if (!(d > kAliasTolerance)) continue;  // aliased (or constant)
    swept[p] = 1;
    ++in_model;
    for (size_t j = 0; j < m; ++j) a[p * m + j] /= d;
    for (size_t i = 0; i < m; ++i) {
      if (i == p) continue;
      const double b = a[i * m + p];
      if (b == 0) continue;
      for (size_t j = 0; j < m; ++j) a[i * m + j] -= b * a[p * m + j];
      a[i * m + p] = -b / d;
    }
    a[p * m + p] = 1.0 / d;
  }
  const double rss = std::max(0.0, a[k * m + k]);
  if (n < in_model + 3) return;  // no degrees of freedom for a CI: leave NaN
  for (size_t p = 0; p < k; ++p) {
    if (!swept[p]) continue;
    const double b = a[p * m + k], c = a[p * m + p];
    const double denominator = std::sqrt(b * b + rss * c);
    const double r = denominator > 0 ? std::clamp(b / denominator, -1.0, 1.0) : kNaN;
    const auto test = stats::TestCorrelation(r, n - in_model + 1, 1.0);
    rows[p].partial_r = r;
    rows[p].partial_ci_low = test.ci_low;
    rows[p].partial_ci_high = test.ci_high;
    rows[p].partial_p = test.p_value;
  }
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
    j["partial_n"] = r.partial_n;
    j["partial_r"] = JsonNumber(r.partial_r);
    j["partial_ci_low"] = JsonNumber(r.partial_ci_low);
    j["partial_ci_high"] = JsonNumber(r.partial_ci_high);
    j["partial_p"] = JsonNumber(r.partial_p);
    arr.push_back(std::move(j));
  }
  return arr;
}

}  // namespace

std::string_view DriverRankName(DriverRank rank) {
  return rank == DriverRank::kPartial ? "partial" : "spearman";
}

core::Result<DriverRank> ParseDriverRank(std::string_view text) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "spearman") return DriverRank::kSpearman;
  if (t == "partial") return DriverRank::kPartial;
  return core::InvalidArgumentError(
      fmt::format("unknown driver ranking '{}': use spearman or partial", text));
}

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
  row.sign = SignOf(row.spearman_rho);
  row.partial_r = row.partial_ci_low = row.partial_ci_high = row.partial_p = kNaN;

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
    behaviours = NumericColumnsExcept(frame, outcome->name, options.exclude);
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
  RankRows(result.person_week, DriverRank::kSpearman);
  RankRows(result.person, DriverRank::kSpearman);

  // Partial correlations over complete cases, behaviours entered in each level's Spearman order.
  auto index_of = [&](const std::string& name) {
    for (size_t i = 0; i < behaviours.size(); ++i) {
      if (behaviours[i]->name == name) return i;
    }
    return behaviours.size();
  };
  std::vector<uint8_t> complete(rows, 1);
  for (size_t r = 0; r < rows; ++r) {
    if (std::isnan(outcome->numbers[r])) complete[r] = 0;
    for (const FrameColumn* b : behaviours) {
      if (complete[r] && std::isnan(b->numbers[r])) complete[r] = 0;
    }
  }
  auto level = [&](std::vector<DriverRow>& ranked, bool per_person) {
    const size_t k = ranked.size();
    std::vector<std::vector<double>> columns(k);
    std::vector<double> yv;
    std::vector<size_t> source(k);
    for (size_t i = 0; i < k; ++i) source[i] = index_of(ranked[i].behaviour);
    if (!per_person) {
      for (size_t r = 0; r < rows; ++r) {
        if (!complete[r]) continue;
        for (size_t i = 0; i < k; ++i) columns[i].push_back(behaviours[source[i]]->numbers[r]);
        yv.push_back(outcome->numbers[r]);
      }
    } else {
      std::vector<std::vector<double>> sums(k, std::vector<double>(n_persons, 0.0));
      std::vector<double> ysum(n_persons, 0.0), cnt(n_persons, 0.0);
      for (size_t r = 0; r < rows; ++r) {
        const int32_t p = person->codes[r];
        if (!complete[r] || p == kMissingCode) continue;
        for (size_t i = 0; i < k; ++i) sums[i][p] += behaviours[source[i]]->numbers[r];
        ysum[p] += outcome->numbers[r];
        cnt[p] += 1;
      }
      for (size_t p = 0; p < n_persons; ++p) {
        if (cnt[p] == 0) continue;
        for (size_t i = 0; i < k; ++i) columns[i].push_back(sums[i][p] / cnt[p]);
        yv.push_back(ysum[p] / cnt[p]);
      }
    }
    ComputePartials(ranked, columns, yv);
  };
  level(result.person_week, false);
  level(result.person, true);
  result.rank_by = options.rank_by;
  if (options.rank_by == DriverRank::kPartial) {
    RankRows(result.person_week, DriverRank::kPartial);
    RankRows(result.person, DriverRank::kPartial);
  }
  return result;
}

std::string ToCsv(const DriverResult& result) {
  internal::CsvTable t({"level",
                        "rank",
                        "behaviour",
                        "n",
                        "sign",
                        "pearson_r",
                        "pearson_ci_low",
                        "pearson_ci_high",
                        "pearson_p",
                        "spearman_rho",
                        "spearman_ci_low",
                        "spearman_ci_high",
                        "spearman_p",
                        "quartile_diff",
                        "iv",
                        "partial_n",
                        "partial_r",
                        "partial_ci_low",
                        "partial_ci_high",
                        "partial_p"});
  auto add = [&](std::string_view level, const std::vector<DriverRow>& rows) {
    for (const auto& r : rows) {
      t.AddRow({std::string(level),
                static_cast<long long>(r.rank),
                r.behaviour,
                static_cast<long long>(r.n),
                static_cast<long long>(r.sign),
                r.pearson_r,
                r.pearson_ci_low,
                r.pearson_ci_high,
                r.pearson_p,
                r.spearman_rho,
                r.spearman_ci_low,
                r.spearman_ci_high,
                r.spearman_p,
                r.quartile_diff,
                r.iv,
                static_cast<long long>(r.partial_n),
                r.partial_r,
                r.partial_ci_low,
                r.partial_ci_high,
                r.partial_p});
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
  j["rank_by"] = std::string(DriverRankName(result.rank_by));
  j["person_week"] = RowsJson(result.person_week);
  j["person"] = RowsJson(result.person);
  return j.dump(2);
}

}  // namespace vivalink::analysis
