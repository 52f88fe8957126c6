#include "analysis/stats.h"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace vivalink::analysis::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Boost.Math reports domain and evaluation errors by throwing by default; no exception may cross
// our interfaces, so every error becomes a NaN (or the limiting value for overflow/underflow).
using Policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::rounding_error<boost::math::policies::ignore_error>>;

}  // namespace

double NormalSf(double z) {
  if (std::isnan(z)) return kNaN;
  if (std::isinf(z)) return z > 0 ? 0.0 : 1.0;
  return boost::math::cdf(
      boost::math::complement(boost::math::normal_distribution<double, Policy>(), z));
}

double ChiSquareSf(double x, double df) {
  if (std::isnan(x) || !(df > 0) || std::isinf(df)) return kNaN;
  if (x <= 0) return 1;
  if (std::isinf(x)) return 0;
  return boost::math::cdf(
      boost::math::complement(boost::math::chi_squared_distribution<double, Policy>(df), x));
}

double StudentTTwoSidedP(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  if (std::isinf(t)) return 0;
  const boost::math::students_t_distribution<double, Policy> dist(df);
  return std::min(1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(t))));
}

double StudentTQuantile(double p, double df) {
  if (!(p > 0 && p < 1) || !(df > 0)) return kNaN;
  return boost::math::quantile(boost::math::students_t_distribution<double, Policy>(df), p);
}

double Mean(std::span<const double> x) {
  if (x.empty()) return kNaN;
  double s = 0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

double SampleSd(std::span<const double> x) {
  if (x.size() < 2) return kNaN;
  const double m = Mean(x);
  double ss = 0;
  for (double v : x) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

std::vector<double> AverageRanks(std::span<const double> x) {
  const size_t n = x.size();
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), size_t{0});
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> ranks(n);
  size_t i = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && x[idx[j]] == x[idx[i]]) ++j;
    // Positions i..j-1 (0-based) share rank ((i+1) + j) / 2.
    const double r = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k) ranks[idx[k]] = r;
    i = j;
  }
  return ranks;
}

double QuantileSorted(std::span<const double> sorted, double p) {
  if (sorted.empty()) return kNaN;
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const double lo = std::floor(h);
  const auto i = static_cast<size_t>(lo);
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (h - lo) * (sorted[i + 1] - sorted[i]);
}

double Median(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  return QuantileSorted(x, 0.5);
}

double Pearson(std::span<const double> x, std::span<const double> y) {
  assert(x.size() == y.size());
  const size_t n = x.size();
  if (n < 2) return kNaN;
  const double mx = Mean(x), my = Mean(y);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0 || syy == 0) return kNaN;
  const double r = sxy / std::sqrt(sxx * syy);
  return std::clamp(r, -1.0, 1.0);
}

double Spearman(std::span<const double> x, std::span<const double> y) {
  const auto rx = AverageRanks(x);
  const auto ry = AverageRanks(y);
  return Pearson(rx, ry);
}

CorrelationTest TestCorrelation(double r, size_t n, double se_factor) {
  CorrelationTest t;
  t.r = r;
  t.ci_low = t.ci_high = t.p_value = kNaN;
  if (std::isnan(r)) return t;
  const auto nd = static_cast<double>(n);
  if (n > 3) {
    const double z = std::atanh(r);
    const double se = se_factor / std::sqrt(nd - 3);
    t.ci_low = std::tanh(z - kZ975 * se);
    t.ci_high = std::tanh(z + kZ975 * se);
  }
  if (n > 2) {
    if (std::fabs(r) >= 1) {
      t.p_value = 0;
    } else {
      const double tt = r * std::sqrt((nd - 2) / (1 - r * r));
      t.p_value = StudentTTwoSidedP(tt, nd - 2);
    }
  }
  return t;
}

double MannWhitneyP(std::span<const double> x, std::span<const uint8_t> group) {
  assert(x.size() == group.size());
  const size_t n = x.size();
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), size_t{0});
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  double r1 = 0, n1 = 0, tie_term = 0;
  size_t i = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && x[idx[j]] == x[idx[i]]) ++j;
    const double rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    const auto t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    for (size_t k = i; k < j; ++k) {
      if (group[idx[k]] != 0) {
        r1 += rank;
        n1 += 1;
      }
    }
    i = j;
  }
  const auto nd = static_cast<double>(n);
  const double n0 = nd - n1;
  if (n1 == 0 || n0 == 0) return kNaN;
  const double u1 = r1 - n1 * (n1 + 1) / 2;
  const double mu = n1 * n0 / 2;
  const double var = n1 * n0 / 12 * ((nd + 1) - tie_term / (nd * (nd - 1)));
  if (!(var > 0)) return kNaN;
  const double z = std::max(std::fabs(u1 - mu) - 0.5, 0.0) / std::sqrt(var);
  return std::min(1.0, 2 * NormalSf(z));
}

double ChiSquareIndependenceP(std::span<const double> n1, std::span<const double> n0) {
  assert(n1.size() == n0.size());
  double t1 = 0, t0 = 0;
  size_t rows = 0;
  for (size_t i = 0; i < n1.size(); ++i) {
    t1 += n1[i];
    t0 += n0[i];
    if (n1[i] + n0[i] > 0) ++rows;
  }
  const double total = t1 + t0;
  if (rows < 2 || t1 == 0 || t0 == 0) return kNaN;
  double stat = 0;
  for (size_t i = 0; i < n1.size(); ++i) {
    const double row = n1[i] + n0[i];
    if (row == 0) continue;
    const double e1 = row * t1 / total, e0 = row * t0 / total;
    stat += (n1[i] - e1) * (n1[i] - e1) / e1 + (n0[i] - e0) * (n0[i] - e0) / e0;
  }
  return ChiSquareSf(stat, static_cast<double>(rows - 1));
}

}  // namespace vivalink::analysis::stats
