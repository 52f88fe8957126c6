#include "analysis/discovery.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "analysis/internal/render.h"
#include "analysis/regression.h"
#include "analysis/stats.h"

namespace vivalink::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A behaviour missing in more than this share of the outcome's rows is left out, rather than
// dropping those rows for every other behaviour.
constexpr double kMaxMissingShare = 0.2;

int SignOf(double v) { return std::isnan(v) || v == 0 ? 0 : v > 0 ? 1 : -1; }

// The analysed data: n observations of p behaviours (column-major), the outcome, and the person
// (a dense 0-based id) of each observation.
struct Data {
  std::vector<std::string> names;
  std::vector<std::vector<double>> x;  // p columns of n
  std::vector<double> y;
  std::vector<int32_t> person;  // dense ids
  int32_t persons = 0;
  // For conditional effects: the frame row of each observation (person-week level) or one row of
  // the person (person level, attributes taken from the person's last row).
  std::vector<size_t> frame_row;
};

// Correlation matrix of the behaviours and their correlations with the outcome over the rows
// with keep[i] (all rows when keep is empty). Constant columns get a zero row and column.
void Standardized(const Data& d, const std::vector<uint8_t>& keep, std::vector<double>& gram,
                  std::vector<double>& c) {
  const size_t p = d.x.size(), n = d.y.size();
  std::vector<double> mean(p + 1, 0.0), sd(p + 1, 0.0);
  double count = 0;
  auto col = [&](size_t j) -> const std::vector<double>& { return j < p ? d.x[j] : d.y; };
  for (size_t i = 0; i < n; ++i) {
    if (!keep.empty() && !keep[i]) continue;
    count += 1;
    for (size_t j = 0; j <= p; ++j) mean[j] += col(j)[i];
  }
  for (double& m : mean) m /= count;
  gram.assign(p * p, 0.0);
  c.assign(p, 0.0);
  std::vector<double> z(p + 1);
  for (size_t i = 0; i < n; ++i) {
    if (!keep.empty() && !keep[i]) continue;
    for (size_t j = 0; j <= p; ++j) z[j] = col(j)[i] - mean[j];
    for (size_t a = 0; a < p; ++a) {
      const double za = z[a];
      double* row = &gram[a * p];
      for (size_t b = a; b < p; ++b) row[b] += za * z[b];
      c[a] += za * z[p];
    }
    sd[p] += z[p] * z[p];
  }
  for (size_t a = 0; a < p; ++a) sd[a] = std::sqrt(gram[a * p + a]);
  sd[p] = std::sqrt(sd[p]);
  for (size_t a = 0; a < p; ++a) {
    for (size_t b = a; b < p; ++b) {
      const double v = sd[a] > 0 && sd[b] > 0 ? gram[a * p + b] / (sd[a] * sd[b]) : 0.0;
      gram[a * p + b] = gram[b * p + a] = v;
    }
    c[a] = sd[a] > 0 && sd[p] > 0 ? c[a] / (sd[a] * sd[p]) : 0.0;
  }
}

double LambdaMax(const std::vector<double>& c) {
  double m = 0;
  for (double v : c) m = std::max(m, std::fabs(v));
  return m;
}

// Lasso fits along the lambda grid (warm starts from the largest lambda).
std::vector<std::vector<double>> LassoPath(const std::vector<double>& gram,
                                           const std::vector<double>& c,
                                           const std::vector<double>& fractions) {
  const double lmax = LambdaMax(c);
  std::vector<std::vector<double>> out;
  std::vector<double> b;
  for (double f : fractions) {
    b = LassoCovariance(gram, c, f * lmax, b);
    out.push_back(b);
  }
  return out;
}

core::Result<Data> Prepare(const Frame& frame, const FrameColumn& outcome,
                           const FrameColumn& person,
                           const std::vector<const FrameColumn*>& behaviours,
                           DiscoveryLevel& level) {
  const size_t rows = frame.num_rows();
  // Level: person when the outcome never varies within a person.
  std::vector<double> first(person.levels.size(), kNaN);
  bool constant = true;
  size_t with_outcome = 0;
  for (size_t r = 0; r < rows; ++r) {
    const double v = outcome.numbers[r];
    const int32_t p = person.codes[r];
    if (std::isnan(v) || p == kMissingCode) continue;
    ++with_outcome;
    double& f = first[static_cast<size_t>(p)];
    if (std::isnan(f)) {
      f = v;
    } else if (f != v) {
      constant = false;
    }
  }
  level = constant ? DiscoveryLevel::kPerson : DiscoveryLevel::kPersonWeek;

  Data d;
  std::vector<const FrameColumn*> used;
  for (const FrameColumn* b : behaviours) {
    size_t missing = 0;
    for (size_t r = 0; r < rows; ++r) {
      if (!std::isnan(outcome.numbers[r]) && person.codes[r] != kMissingCode &&
          std::isnan(b->numbers[r])) {
        ++missing;
      }
    }
    if (static_cast<double>(missing) <= kMaxMissingShare * static_cast<double>(with_outcome)) {
      used.push_back(b);
    }
  }
  std::vector<uint8_t> complete(rows, 0);
  for (size_t r = 0; r < rows; ++r) {
    if (std::isnan(outcome.numbers[r]) || person.codes[r] == kMissingCode) continue;
    bool ok = true;
    for (const FrameColumn* b : used) ok = ok && !std::isnan(b->numbers[r]);
    complete[r] = ok ? 1 : 0;
  }
  std::vector<int32_t> dense(person.levels.size(), -1);
  std::vector<std::vector<double>> x(used.size());
  if (level == DiscoveryLevel::kPersonWeek) {
    for (size_t r = 0; r < rows; ++r) {
      if (!complete[r]) continue;
      int32_t& id = dense[static_cast<size_t>(person.codes[r])];
      if (id < 0) id = d.persons++;
      d.person.push_back(id);
      d.y.push_back(outcome.numbers[r]);
      d.frame_row.push_back(r);
      for (size_t j = 0; j < used.size(); ++j) x[j].push_back(used[j]->numbers[r]);
    }
  } else {
    std::vector<std::vector<double>> sum(used.size());
    std::vector<double> count, yv;
    std::vector<size_t> last_row;
    for (size_t r = 0; r < rows; ++r) {
      if (!complete[r]) continue;
      int32_t& id = dense[static_cast<size_t>(person.codes[r])];
      if (id < 0) {
        id = d.persons++;
        for (auto& s : sum) s.push_back(0.0);
        count.push_back(0.0);
        yv.push_back(outcome.numbers[r]);
        last_row.push_back(r);
      }
      const auto i = static_cast<size_t>(id);
      for (size_t j = 0; j < used.size(); ++j) sum[j][i] += used[j]->numbers[r];
      count[i] += 1;
      last_row[i] = r;
    }
    for (int32_t i = 0; i < d.persons; ++i) {
      const auto k = static_cast<size_t>(i);
      d.person.push_back(i);
      d.y.push_back(yv[k]);
      d.frame_row.push_back(last_row[k]);
      for (size_t j = 0; j < used.size(); ++j) x[j].push_back(sum[j][k] / count[k]);
    }
  }
  // Constant behaviours carry no information (and would break the refits).
  for (size_t j = 0; j < used.size(); ++j) {
    const auto [lo, hi] = std::minmax_element(x[j].begin(), x[j].end());
    if (x[j].empty() || *lo == *hi) continue;
    d.names.push_back(used[j]->name);
    d.x.push_back(std::move(x[j]));
  }
  if (d.y.size() < 10 || d.persons < 4) {
    return core::FailedPreconditionError(fmt::format(
        "driver discovery of {}: only {} observations of {} persons have the outcome and the "
        "behaviours; at least 10 observations of 4 persons are needed",
        outcome.name, d.y.size(), d.persons));
  }
  if (d.x.empty()) {
    return core::FailedPreconditionError(
        fmt::format("driver discovery of {}: no behaviour varies", outcome.name));
  }
  return d;
}

std::span<const int32_t> Clusters(const Data& d, DiscoveryLevel level) {
  if (level == DiscoveryLevel::kPerson) return {};
  return d.person;
}

// Fits outcome ~ base columns + extra columns; nullopt-like failure as !ok.
core::Result<LinearFit> Fit(const Data& d, DiscoveryLevel level, const std::vector<size_t>& base,
                            std::vector<std::vector<double>> extra) {
  std::vector<std::vector<double>> cols;
  cols.reserve(base.size() + extra.size());
  for (size_t j : base) cols.push_back(d.x[j]);
  for (auto& e : extra) cols.push_back(std::move(e));
  return FitLinear(cols, d.y, Clusters(d, level));
}

void FindShapes(const Data& d, DiscoveryLevel level, const std::vector<size_t>& drivers,
                const DiscoveryOptions& options, DiscoveryResult& result) {
  const size_t p = d.x.size();
  std::vector<ShapeFinding> found;
  std::vector<double> t_of;
  for (size_t j = 0; j < p; ++j) {
    std::vector<size_t> base;
    for (size_t k : drivers) {
      if (k != j) base.push_back(k);
    }
    const double mean = stats::Mean(d.x[j]);
    std::vector<double> square(d.x[j].size());
    for (size_t i = 0; i < square.size(); ++i) {
      square[i] = (d.x[j][i] - mean) * (d.x[j][i] - mean);
    }
    auto fit = Fit(d, level, base, {d.x[j], square});
    if (!fit.ok()) continue;
    const size_t bl = base.size() + 1, bq = base.size() + 2;
    const double b1 = fit->coefficients[bl], b2 = fit->coefficients[bq];
    const double p_quad = fit->PValue(bq);
    if (!(p_quad < options.alpha / static_cast<double>(p)) || b2 == 0) continue;
    std::vector<double> sorted = d.x[j];
    std::sort(sorted.begin(), sorted.end());
    const double lo = stats::QuantileSorted(sorted, 0.05), hi = stats::QuantileSorted(sorted, 0.95);
    // Turning point of b1 x + b2 (x - mean)^2: x* = mean - b1 / (2 b2); delta-method variance.
    const double turning = mean - b1 / (2 * b2);
    if (!(turning > lo && turning < hi)) continue;
    const double g1 = -1 / (2 * b2), g2 = b1 / (2 * b2 * b2);
    const double var = g1 * g1 * fit->Covariance(bl, bl) + g2 * g2 * fit->Covariance(bq, bq) +
                       2 * g1 * g2 * fit->Covariance(bl, bq);
    const double half =
        stats::StudentTQuantile(0.975, fit->residual_df) * std::sqrt(std::max(0.0, var));
    ShapeFinding s;
    s.behaviour = d.names[j];
    s.shape = b2 < 0 ? "inverted_u" : "u";
    s.turning_point = turning;
    s.ci_low = turning - half;
    s.ci_high = turning + half;
    s.quadratic = b2;
    s.quadratic_p = p_quad;
    s.x_p05 = lo;
    s.x_p95 = hi;
    found.push_back(std::move(s));
    t_of.push_back(std::fabs(b2 / fit->standard_errors[bq]));
  }
  std::vector<size_t> order(found.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return t_of[a] > t_of[b]; });
  for (size_t i = 0; i < order.size() && static_cast<int>(i) < options.max_shapes; ++i) {
    result.shapes.push_back(found[order[i]]);
  }
}

// Searches behaviours 0..p-1 of d (columns after them are model terms only).
void FindConditional(const Frame& frame, const Data& d, size_t p, DiscoveryLevel level,
                     const std::vector<size_t>& drivers, const DiscoveryOptions& options,
                     DiscoveryResult& result) {
  const size_t n = d.y.size();
  // Residual of the outcome given the drivers: the screen looks for slopes that differ between a
  // group and the rest.
  auto base_fit = Fit(d, level, drivers, {});
  if (!base_fit.ok()) return;
  std::vector<double> e(n);
  for (size_t i = 0; i < n; ++i) {
    double f = base_fit->coefficients[0];
    for (size_t k = 0; k < drivers.size(); ++k)
      f += base_fit->coefficients[k + 1] * d.x[drivers[k]][i];
    e[i] = d.y[i] - f;
  }
  struct Candidate {
    size_t behaviour;
    const FrameColumn* attribute;
    int32_t level_code;
    int64_t in_persons, out_persons;
    double z;
  };
  std::vector<Candidate> candidates;
  int64_t tests = 0;
  for (const FrameColumn& a : frame.columns()) {
    if (a.is_numeric() || a.name == options.person_column) continue;
    if (std::find(options.not_attributes.begin(), options.not_attributes.end(), a.name) !=
        options.not_attributes.end()) {
      continue;
    }
    if (static_cast<int>(a.levels.size()) > options.max_attribute_levels) continue;
    const size_t levels = a.levels.size();
    // Distinct persons in each group and outside it (a person who moves counts in both).
    std::vector<std::vector<uint8_t>> seen(levels,
                                           std::vector<uint8_t>(static_cast<size_t>(d.persons), 0));
    std::vector<int64_t> in_persons(levels, 0), any_person(static_cast<size_t>(d.persons), 0);
    std::vector<int32_t> code(n);
    for (size_t i = 0; i < n; ++i) {
      code[i] = a.codes[d.frame_row[i]];
      if (code[i] == kMissingCode) continue;
      uint8_t& s = seen[static_cast<size_t>(code[i])][static_cast<size_t>(d.person[i])];
      if (!s) {
        s = 1;
        ++in_persons[static_cast<size_t>(code[i])];
      }
    }
    std::vector<int64_t> out_persons(levels, 0);
    for (size_t g = 0; g < levels; ++g) {
      for (int32_t q = 0; q < d.persons; ++q) {
        bool elsewhere = false;
        for (size_t h = 0; h < levels && !elsewhere; ++h) {
          elsewhere = h != g && seen[h][static_cast<size_t>(q)];
        }
        if (elsewhere) ++out_persons[g];
      }
    }
    std::vector<uint8_t> eligible(levels, 0);
    bool any = false;
    for (size_t g = 0; g < levels; ++g) {
      eligible[g] =
          in_persons[g] >= options.min_group_size && out_persons[g] >= options.min_group_size;
      any = any || eligible[g];
    }
    if (!any) continue;
    for (size_t j = 0; j < p; ++j) {
      // Per group sums for a simple regression of e on x inside and outside the group.
      struct Sums {
        double n = 0, x = 0, xx = 0, e = 0, xe = 0, ee = 0;
      };
      std::vector<Sums> in(levels);
      Sums all;
      for (size_t i = 0; i < n; ++i) {
        if (code[i] == kMissingCode) continue;
        const double xv = d.x[j][i], ev = e[i];
        Sums& s = in[static_cast<size_t>(code[i])];
        for (Sums* t : {&s, &all}) {
          t->n += 1;
          t->x += xv;
          t->xx += xv * xv;
          t->e += ev;
          t->xe += xv * ev;
          t->ee += ev * ev;
        }
      }
      auto slope = [](const Sums& s, double& b, double& var) {
        const double sxx = s.xx - s.x * s.x / s.n, sxe = s.xe - s.x * s.e / s.n;
        const double see = s.ee - s.e * s.e / s.n;
        if (!(s.n > 2) || !(sxx > 0)) return false;
        b = sxe / sxx;
        var = std::max(0.0, (see - b * sxe) / (s.n - 2)) / sxx;
        return true;
      };
      for (size_t g = 0; g < levels; ++g) {
        if (!eligible[g]) continue;
        ++tests;
        Sums out{all.n - in[g].n, all.x - in[g].x,   all.xx - in[g].xx,
                 all.e - in[g].e, all.xe - in[g].xe, all.ee - in[g].ee};
        double bi = 0, vi = 0, bo = 0, vo = 0;
        if (!slope(in[g], bi, vi) || !slope(out, bo, vo) || !(vi + vo > 0)) continue;
        candidates.push_back({j, &a, static_cast<int32_t>(g), in_persons[g], out_persons[g],
                              std::fabs(bi - bo) / std::sqrt(vi + vo)});
      }
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.z > b.z; });
  std::vector<ConditionalFinding> found;
  const size_t refits = static_cast<size_t>(std::max(1, options.max_conditional)) * 3;
  for (size_t c = 0; c < candidates.size() && c < refits; ++c) {
    const Candidate& k = candidates[c];
    const size_t j = k.behaviour;
    std::vector<size_t> base;
    for (size_t q : drivers) {
      if (q != j) base.push_back(q);
    }
    std::vector<double> in_group(n), interaction(n);
    for (size_t i = 0; i < n; ++i) {
      in_group[i] = k.attribute->codes[d.frame_row[i]] == k.level_code ? 1.0 : 0.0;
      interaction[i] = in_group[i] * d.x[j][i];
    }
    auto fit = Fit(d, level, base, {d.x[j], in_group, interaction});
    if (!fit.ok()) continue;
    const size_t bx = base.size() + 1, bi = base.size() + 3;
    const double p_int = fit->PValue(bi);
    if (!(p_int < options.alpha / static_cast<double>(std::max<int64_t>(1, tests)))) continue;
    const double t = stats::StudentTQuantile(0.975, fit->residual_df);
    ConditionalFinding f;
    f.behaviour = d.names[j];
    f.attribute = k.attribute->name;
    f.group = k.attribute->levels[static_cast<size_t>(k.level_code)];
    f.group_persons = k.in_persons;
    f.other_persons = k.out_persons;
    f.effect_elsewhere = fit->coefficients[bx];
    f.else_ci_low = fit->CiLow(bx);
    f.else_ci_high = fit->CiHigh(bx);
    f.effect_in_group = fit->coefficients[bx] + fit->coefficients[bi];
    const double var =
        fit->Covariance(bx, bx) + fit->Covariance(bi, bi) + 2 * fit->Covariance(bx, bi);
    const double half = t * std::sqrt(std::max(0.0, var));
    f.in_ci_low = f.effect_in_group - half;
    f.in_ci_high = f.effect_in_group + half;
    f.interaction_p = p_int;
    f.tests = tests;
    found.push_back(std::move(f));
  }
  // An effect is said of the group it holds in: where it is larger than elsewhere (for a
  // two-group attribute, "Operations: none, elsewhere +2" and "Sales: +2, elsewhere none" test
  // the same contrast). Then by p; one finding per behaviour and attribute.
  auto holds_in_group = [](const ConditionalFinding& f) {
    return std::fabs(f.effect_in_group) > std::fabs(f.effect_elsewhere);
  };
  std::stable_sort(found.begin(), found.end(), [&](const auto& a, const auto& b) {
    if (holds_in_group(a) != holds_in_group(b)) return holds_in_group(a);
    return a.interaction_p < b.interaction_p;
  });
  for (const auto& f : found) {
    if (static_cast<int>(result.conditional.size()) >= options.max_conditional) break;
    bool seen = false;
    for (const auto& g : result.conditional) {
      seen = seen || (g.behaviour == f.behaviour && g.attribute == f.attribute);
    }
    if (!seen) result.conditional.push_back(f);
  }
}

// p-value of "every part of total j has the same effect per unit", from the refit with the total
// replaced by its parts present in the data (Wald chi-square with parts - 1 degrees of freedom,
// the fit's own covariance). NaN when j is not a total with 2+ parts present or the parts cannot
// be fitted apart.
double PartsDifferP(const Data& d, DiscoveryLevel level, const std::vector<size_t>& drivers,
                    size_t j) {
  std::vector<size_t> parts;
  for (const MetricFamily& family : VivaMetricFamilies()) {
    if (family.total != d.names[j]) continue;
    for (std::string_view part : family.parts) {
      const auto it = std::find(d.names.begin(), d.names.end(), part);
      if (it != d.names.end()) parts.push_back(static_cast<size_t>(it - d.names.begin()));
    }
    break;
  }
  if (parts.size() < 2) return kNaN;
  std::vector<size_t> base;
  for (size_t k : drivers) {
    if (k != j) base.push_back(k);
  }
  std::vector<std::vector<double>> extra;
  for (size_t q : parts) extra.push_back(d.x[q]);
  auto fit = Fit(d, level, base, std::move(extra));
  if (!fit.ok()) return kNaN;
  // Contrasts part_i - part_0, i = 1..m-1.
  const size_t m = parts.size(), first = base.size() + 1;
  Eigen::VectorXd diff(static_cast<Eigen::Index>(m - 1));
  Eigen::MatrixXd cov(static_cast<Eigen::Index>(m - 1), static_cast<Eigen::Index>(m - 1));
  for (size_t a = 1; a < m; ++a) {
    diff(static_cast<Eigen::Index>(a - 1)) =
        fit->coefficients[first + a] - fit->coefficients[first];
    for (size_t b = 1; b < m; ++b) {
      cov(static_cast<Eigen::Index>(a - 1), static_cast<Eigen::Index>(b - 1)) =
          fit->Covariance(first + a, first + b) - fit->Covariance(first + a, first) -
          fit->Covariance(first, first + b) + fit->Covariance(first, first);
    }
  }
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(cov);
  if (ldlt.info() != Eigen::Success) return kNaN;
  const double w = diff.dot(ldlt.solve(diff));
  if (!std::isfinite(w)) return kNaN;
  return stats::ChiSquareSf(w, static_cast<double>(m - 1));
}
}  // namespace

const std::vector<MetricFamily>& VivaMetricFamilies() {
  // Viva Insights metric definitions: totals by channel or class (canonical names).
  static const std::vector<MetricFamily> kFamilies = {
      {"Collaboration_hours", {"Meeting_hours", "Email_hours", "Chat_hours", "Call_hours"}},
      {"Call_hours", {"Scheduled_call_hours", "Unscheduled_call_hours"}},
      {"Meeting_and_call_hours", {"Meeting_hours", "Call_hours"}},
      {"After_hours_collaboration_hours",
       {"After_hours_meeting_hours", "After_hours_email_hours", "After_hours_chat_hours",
        "After_hours_call_hours"}},
      {"After_hours_call_hours",
       {"After_hours_scheduled_call_hours", "After_hours_unscheduled_call_hours"}},
      {"Working_hours_collaboration_hours",
       {"Working_hours_meeting_hours", "Working_hours_email_hours", "Working_hours_chat_hours",
        "Working_hours_call_hours"}},
      {"External_collaboration_hours",
       {"External_meeting_hours", "External_email_hours", "External_chat_hours",
        "External_unscheduled_call_hours"}},
      {"Meeting_hours",
       {"Small_and_short_meeting_hours", "Small_and_long_meeting_hours",
        "Large_and_short_meeting_hours", "Large_and_long_meeting_hours"}},
      {"Recurring_meeting_hours",
       {"Small_and_short_recurring_meeting_hours", "Small_and_long_recurring_meeting_hours",
        "Large_and_short_recurring_meeting_hours", "Large_and_long_recurring_meeting_hours"}},
  };
  return kFamilies;
}

std::string_view DiscoveryLevelName(DiscoveryLevel level) {
  return level == DiscoveryLevel::kPerson ? "person" : "person_week";
}

core::Result<DiscoveryResult> DiscoverDrivers(const Frame& frame, std::string_view outcome_column,
                                              const DiscoveryOptions& options) {
  if (options.subsamples < 1 || options.lambda_fractions.empty() ||
      !(options.selection_threshold > 0 && options.selection_threshold <= 1) ||
      options.min_group_size < 1 || !(options.alpha > 0 && options.alpha < 1)) {
    return core::InvalidArgumentError(
        "driver discovery: subsamples >= 1, lambda fractions, a selection threshold in (0, 1], "
        "alpha in (0, 1) and min_group_size >= 1 are needed");
  }
  for (double f : options.lambda_fractions) {
    if (!(f > 0 && f <= 1)) {
      return core::InvalidArgumentError(
          fmt::format("driver discovery: lambda fraction {} is not in (0, 1]", f));
    }
  }
  ASSIGN_OR_RETURN(const FrameColumn* outcome, frame.GetNumeric(outcome_column));
  ASSIGN_OR_RETURN(const FrameColumn* person, frame.GetCategorical(options.person_column));
  std::vector<const FrameColumn*> behaviours;
  if (options.behaviours.empty()) {
    behaviours = NumericColumnsExcept(frame, outcome->name, options.exclude);
  } else {
    for (const auto& name : options.behaviours) {
      ASSIGN_OR_RETURN(const FrameColumn* c, frame.GetNumeric(name));
      if (c->name != outcome->name) behaviours.push_back(c);
    }
  }
  DiscoveryLevel level = DiscoveryLevel::kPersonWeek;
  ASSIGN_OR_RETURN(Data d, Prepare(frame, *outcome, *person, behaviours, level));
  const size_t n = d.y.size(), p = d.x.size();

  // Components (parts of a total that is itself a behaviour) leave the selection to the total.
  std::vector<std::string> component_of(p);
  if (options.group_components) {
    for (const MetricFamily& family : VivaMetricFamilies()) {
      if (std::find(d.names.begin(), d.names.end(), family.total) == d.names.end()) continue;
      for (std::string_view part : family.parts) {
        const auto it = std::find(d.names.begin(), d.names.end(), part);
        if (it == d.names.end()) continue;
        std::string& of = component_of[static_cast<size_t>(it - d.names.begin())];
        if (of.empty()) of = std::string(family.total);
      }
    }
  }
  std::vector<size_t> candidates;
  Data cand;
  cand.y = d.y;
  cand.person = d.person;
  cand.persons = d.persons;
  for (size_t j = 0; j < p; ++j) {
    if (!component_of[j].empty()) continue;
    candidates.push_back(j);
    cand.names.push_back(d.names[j]);
    cand.x.push_back(d.x[j]);
  }
  const size_t pc = candidates.size();

  // Stability selection over random halves of the persons.
  std::vector<double> gram, c;
  std::vector<double> selected(pc, 0.0);
  std::mt19937_64 rng(options.seed);
  std::vector<int32_t> ids(static_cast<size_t>(d.persons));
  std::iota(ids.begin(), ids.end(), 0);
  std::vector<uint8_t> in_half(static_cast<size_t>(d.persons)), keep(n);
  for (int s = 0; s < options.subsamples; ++s) {
    // Fisher-Yates with the engine's raw output: the same halves on every platform.
    for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[rng() % i]);
    std::fill(in_half.begin(), in_half.end(), 0);
    for (size_t i = 0; i < ids.size() / 2; ++i) in_half[static_cast<size_t>(ids[i])] = 1;
    for (size_t i = 0; i < n; ++i) keep[i] = in_half[static_cast<size_t>(d.person[i])];
    Standardized(cand, keep, gram, c);
    for (const auto& b : LassoPath(gram, c, options.lambda_fractions)) {
      for (size_t j = 0; j < pc; ++j) selected[j] += b[j] != 0 ? 1.0 : 0.0;
    }
  }
  const double fits = static_cast<double>(options.subsamples) *
                      static_cast<double>(options.lambda_fractions.size());
  Standardized(cand, {}, gram, c);
  const auto path = LassoPath(gram, c, options.lambda_fractions);
  const std::vector<double>& coef = path[path.size() >= 2 ? path.size() - 2 : 0];

  DiscoveryResult result;
  result.outcome = outcome->name;
  result.level = level;
  result.observations = static_cast<int64_t>(n);
  result.persons = d.persons;
  result.selection_threshold = options.selection_threshold;
  std::vector<size_t> order(pc);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (selected[a] != selected[b]) return selected[a] > selected[b];
    if (std::fabs(coef[a]) != std::fabs(coef[b])) return std::fabs(coef[a]) > std::fabs(coef[b]);
    return cand.names[a] < cand.names[b];
  });

  // Drivers in rank order (indices into d); one that the others already determine (an exact
  // sum) is skipped so that the refit stays identifiable.
  std::vector<size_t> drivers;
  for (size_t i : order) {
    if (selected[i] / fits < options.selection_threshold) break;
    drivers.push_back(candidates[i]);
    if (!Fit(d, level, drivers, {}).ok()) drivers.pop_back();
  }
  auto refit = Fit(d, level, drivers, {});
  auto describe = [&](size_t j, double selection, double lasso) {
    DiscoveredBehaviour b;
    b.behaviour = d.names[j];
    b.selection_probability = selection;
    b.lasso_coefficient = lasso;
    b.component_of = component_of[j];
    b.effect = b.ci_low = b.ci_high = b.p_value = b.parts_differ_p = kNaN;
    const auto it = std::find(drivers.begin(), drivers.end(), j);
    b.is_driver = it != drivers.end();
    if (b.is_driver && refit.ok()) {
      const auto k = static_cast<size_t>(it - drivers.begin()) + 1;
      b.effect = refit->coefficients[k];
      b.ci_low = refit->CiLow(k);
      b.ci_high = refit->CiHigh(k);
      b.p_value = refit->PValue(k);
      b.parts_differ_p = PartsDifferP(d, level, drivers, j);
    } else if (!b.is_driver) {
      auto added = Fit(d, level, drivers, {d.x[j]});
      if (added.ok()) {
        const size_t k = drivers.size() + 1;
        b.effect = added->coefficients[k];
        b.ci_low = added->CiLow(k);
        b.ci_high = added->CiHigh(k);
        b.p_value = added->PValue(k);
      }
    }
    b.sign = std::isnan(b.effect) ? SignOf(lasso) : SignOf(b.effect);
    b.effect_per_sd = b.effect * stats::SampleSd(d.x[j]);
    return b;
  };
  for (size_t i : order) {
    result.behaviours.push_back(describe(candidates[i], selected[i] / fits, coef[i]));
  }
  // Components after the selected behaviours, strongest evidence (smallest p) first.
  std::vector<DiscoveredBehaviour> parts;
  for (size_t j = 0; j < p; ++j) {
    if (!component_of[j].empty()) parts.push_back(describe(j, kNaN, kNaN));
  }
  std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
    const bool an = std::isnan(a.p_value), bn = std::isnan(b.p_value);
    if (an != bn) return bn;
    return !an && a.p_value < b.p_value;
  });
  for (auto& b : parts) result.behaviours.push_back(std::move(b));
  for (size_t r = 0; r < result.behaviours.size(); ++r) {
    result.behaviours[r].rank = static_cast<int>(r + 1);
  }
  FindShapes(d, level, drivers, options, result);
  // The strongest curve is part of the model the group effects are judged against: an
  // unmodelled curve looks like a different slope in groups that sit at one end of it.
  std::vector<size_t> base = drivers;
  if (!result.shapes.empty()) {
    const auto it = std::find(d.names.begin(), d.names.end(), result.shapes.front().behaviour);
    const auto j = static_cast<size_t>(it - d.names.begin());
    const double mean = stats::Mean(d.x[j]);
    std::vector<double> square(n);
    for (size_t i = 0; i < n; ++i) square[i] = (d.x[j][i] - mean) * (d.x[j][i] - mean);
    if (std::find(base.begin(), base.end(), j) == base.end()) base.push_back(j);
    d.names.push_back(result.shapes.front().behaviour + "^2");
    d.x.push_back(std::move(square));
    base.push_back(d.x.size() - 1);
    if (!Fit(d, level, base, {}).ok()) base = drivers;
  }
  FindConditional(frame, d, p, level, base, options, result);

  // The drivers' effects from the model that also holds the strongest curve and the strongest
  // group effect: leaving them out biases the drivers that move with them (a driver correlated
  // with meeting load absorbs part of the curve).
  if (!result.conditional.empty()) {
    const ConditionalFinding& top = result.conditional.front();
    const FrameColumn* attribute = frame.Find(top.attribute);
    const auto it = std::find(d.names.begin(), d.names.end(), top.behaviour);
    if (attribute != nullptr && it != d.names.end()) {
      const auto j = static_cast<size_t>(it - d.names.begin());
      const auto code = static_cast<int32_t>(
          std::find(attribute->levels.begin(), attribute->levels.end(), top.group) -
          attribute->levels.begin());
      std::vector<double> in_group(n), interaction(n);
      for (size_t i = 0; i < n; ++i) {
        in_group[i] = attribute->codes[d.frame_row[i]] == code ? 1.0 : 0.0;
        interaction[i] = in_group[i] * d.x[j][i];
      }
      std::vector<size_t> with = base;
      if (std::find(with.begin(), with.end(), j) == with.end()) with.push_back(j);
      d.x.push_back(std::move(in_group));
      with.push_back(d.x.size() - 1);
      d.x.push_back(std::move(interaction));
      with.push_back(d.x.size() - 1);
      d.names.push_back(top.attribute + "==" + top.group);
      d.names.push_back(top.behaviour + "*" + top.attribute + "==" + top.group);
      if (Fit(d, level, with, {}).ok()) base = std::move(with);
    }
  }
  if (base.size() > drivers.size()) {
    auto full = Fit(d, level, base, {});
    if (full.ok()) {
      for (auto& b : result.behaviours) {
        if (!b.is_driver) continue;
        const auto it = std::find(d.names.begin(), d.names.begin() + static_cast<std::ptrdiff_t>(p),
                                  b.behaviour);
        const auto j = static_cast<size_t>(it - d.names.begin());
        const auto k =
            static_cast<size_t>(std::find(base.begin(), base.end(), j) - base.begin()) + 1;
        b.effect = full->coefficients[k];
        b.ci_low = full->CiLow(k);
        b.ci_high = full->CiHigh(k);
        b.p_value = full->PValue(k);
        b.sign = SignOf(b.effect);
        b.effect_per_sd = b.effect * stats::SampleSd(d.x[j]);
      }
    }
  }
  return result;
}

std::string ToJson(const DiscoveryResult& result) {
  using internal::Json;
  using internal::JsonNumber;
  Json j;
  j["analysis"] = "discovery";
  j["outcome"] = result.outcome;
  j["level"] = std::string(DiscoveryLevelName(result.level));
  j["observations"] = result.observations;
  j["persons"] = result.persons;
  j["selection_threshold"] = JsonNumber(result.selection_threshold);
  Json rows = Json::array();
  for (const auto& b : result.behaviours) {
    Json r;
    r["rank"] = b.rank;
    r["behaviour"] = b.behaviour;
    r["is_driver"] = b.is_driver;
    r["selection_probability"] = JsonNumber(b.selection_probability);
    r["lasso_coefficient"] = JsonNumber(b.lasso_coefficient);
    r["sign"] = b.sign;
    r["effect"] = JsonNumber(b.effect);
    r["ci_low"] = JsonNumber(b.ci_low);
    r["ci_high"] = JsonNumber(b.ci_high);
    r["p_value"] = JsonNumber(b.p_value);
    r["effect_per_sd"] = JsonNumber(b.effect_per_sd);
    r["component_of"] = b.component_of;
    r["parts_differ_p"] = JsonNumber(b.parts_differ_p);
    rows.push_back(std::move(r));
  }
  j["behaviours"] = std::move(rows);
  Json shapes = Json::array();
  for (const auto& s : result.shapes) {
    shapes.push_back({{"behaviour", s.behaviour},
                      {"shape", s.shape},
                      {"turning_point", JsonNumber(s.turning_point)},
                      {"ci_low", JsonNumber(s.ci_low)},
                      {"ci_high", JsonNumber(s.ci_high)},
                      {"quadratic", JsonNumber(s.quadratic)},
                      {"quadratic_p", JsonNumber(s.quadratic_p)},
                      {"x_p05", JsonNumber(s.x_p05)},
                      {"x_p95", JsonNumber(s.x_p95)}});
  }
  j["shapes"] = std::move(shapes);
  Json conditional = Json::array();
  for (const auto& f : result.conditional) {
    conditional.push_back({{"behaviour", f.behaviour},
                           {"attribute", f.attribute},
                           {"group", f.group},
                           {"group_persons", f.group_persons},
                           {"other_persons", f.other_persons},
                           {"effect_in_group", JsonNumber(f.effect_in_group)},
                           {"in_ci_low", JsonNumber(f.in_ci_low)},
                           {"in_ci_high", JsonNumber(f.in_ci_high)},
                           {"effect_elsewhere", JsonNumber(f.effect_elsewhere)},
                           {"else_ci_low", JsonNumber(f.else_ci_low)},
                           {"else_ci_high", JsonNumber(f.else_ci_high)},
                           {"interaction_p", JsonNumber(f.interaction_p)},
                           {"tests", f.tests}});
  }
  j["conditional"] = std::move(conditional);
  return j.dump(2);
}

}  // namespace vivalink::analysis
