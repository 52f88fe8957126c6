#include "analysis/stats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace vivalink::analysis::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEps = 1e-16;
constexpr double kTiny = 1e-300;
constexpr int kMaxIterations = 10000;

// Continued fraction for the incomplete beta (modified Lentz), valid for x < (a+1)/(a+b+2).
double BetaContinuedFraction(double x, double a, double b) {
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < kEps) break;
  }
  return h;
}

}  // namespace

double NormalSf(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

double RegularizedGammaQ(double a, double x) {
  if (std::isnan(a) || std::isnan(x) || a <= 0 || x < 0) return kNaN;
  if (x == 0) return 1;
  if (std::isinf(x)) return 0;
  const double log_prefix = a * std::log(x) - x - std::lgamma(a);
  if (x < a + 1) {
    // P(a, x) = e^-x x^a / Γ(a+1) * sum_k x^k / ((a+1)...(a+k)).
    double term = 1 / a, sum = term, ap = a;
    for (int k = 0; k < kMaxIterations; ++k) {
      ap += 1;
      term *= x / ap;
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * kEps) break;
    }
    return 1 - sum * std::exp(log_prefix);
  }
  // Q(a, x) by Lentz's continued fraction.
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i <= kMaxIterations; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < kEps) break;
  }
  return std::exp(log_prefix) * h;
}

double ChiSquareSf(double x, double df) {
  if (std::isnan(x) || df <= 0) return kNaN;
  if (x <= 0) return 1;
  return RegularizedGammaQ(df / 2, x / 2);
}

double RegularizedBeta(double x, double a, double b) {
  if (std::isnan(x) || a <= 0 || b <= 0) return kNaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * BetaContinuedFraction(x, a, b) / a;
  return 1 - front * BetaContinuedFraction(1 - x, b, a) / b;
}

double StudentTTwoSidedP(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  if (std::isinf(t)) return 0;
  return RegularizedBeta(df / (df + t * t), df / 2, 0.5);
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
