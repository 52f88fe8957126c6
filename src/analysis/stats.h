// Small statistics kernels used by the analyses: distribution tails, ranks, quantiles,
// correlation and two-sample tests. The distribution functions are Boost.Math's (normal,
// chi-square, Student t; checked against scipy.stats in tests/golden/tails_scipy); the rest are
// short definitions, each documented exactly so that results can be checked independently.
//
// Conventions: NaN means "not defined" (too few values, zero variance); inputs hold no NaN unless
// a function says otherwise. All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vivalink::analysis::stats {

// 97.5% quantile of the standard normal: 95% two-sided intervals.
inline constexpr double kZ975 = 1.959963984540054;

// P(Z > z) for a standard normal Z (NaN for NaN).
double NormalSf(double z);
// P(X > x) for X ~ chi-square with df degrees of freedom; 1 for x <= 0, NaN when df <= 0.
double ChiSquareSf(double x, double df);
// Two-sided p-value of Student's t with df degrees of freedom: P(|T| > |t|); NaN when df <= 0.
double StudentTTwoSidedP(double t, double df);
// The p-quantile of Student's t with df degrees of freedom (0 < p < 1, df > 0; NaN otherwise).
double StudentTQuantile(double p, double df);

double Mean(std::span<const double> x);
// Sample standard deviation (n - 1 denominator); NaN for fewer than 2 values.
double SampleSd(std::span<const double> x);
// Average ranks (1-based; ties get the mean of the ranks they span). O(n log n).
std::vector<double> AverageRanks(std::span<const double> x);
// Linear-interpolation quantile of sorted values (Hyndman-Fan type 7, numpy/pandas default):
// h = (n-1)p, q = xs[floor h] + (h - floor h)(xs[floor h + 1] - xs[floor h]). NaN when empty.
double QuantileSorted(std::span<const double> sorted, double p);
// Median of unsorted values (type 7); NaN when empty.
double Median(std::vector<double> x);

// Pearson product-moment correlation; NaN when n < 2 or either variance is 0.
double Pearson(std::span<const double> x, std::span<const double> y);
// Spearman's rho = Pearson correlation of the average ranks.
double Spearman(std::span<const double> x, std::span<const double> y);

struct CorrelationTest {
  double r = 0;
  double ci_low = 0;   // NaN when n <= 3 or r is NaN
  double ci_high = 0;  // NaN when n <= 3 or r is NaN
  double p_value = 0;  // two-sided; NaN when n <= 2 or r is NaN
};
// Confidence interval by Fisher's z: tanh(atanh(r) ± kZ975 * se_factor / sqrt(n - 3)); p-value of
// H0: rho = 0 from t = r * sqrt((n - 2) / (1 - r^2)) with n - 2 degrees of freedom (0 when |r| =
// 1).
CorrelationTest TestCorrelation(double r, size_t n, double se_factor);

// Two-sided Mann-Whitney U test of x[i] with group[i] != 0 against x[i] with group[i] == 0:
// U1 = R1 - n1(n1+1)/2 (R1 = sum of average ranks of group 1), mu = n1 n0 / 2,
// sigma^2 = n1 n0 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1))) over tie groups of size t,
// z = max(|U1 - mu| - 0.5, 0) / sigma (continuity correction), p = 2 * NormalSf(z).
// NaN when either group is empty or sigma is 0 (every value tied).
double MannWhitneyP(std::span<const double> x, std::span<const uint8_t> group);

// Pearson chi-square test of independence (no continuity correction) for a k x 2 table given as
// per-row counts of group 1 (n1) and group 0 (n0); rows with no observations are ignored.
// df = (rows - 1) * (columns - 1) over non-empty rows and columns. NaN when df == 0.
double ChiSquareIndependenceP(std::span<const double> n1, std::span<const double> n0);

}  // namespace vivalink::analysis::stats
