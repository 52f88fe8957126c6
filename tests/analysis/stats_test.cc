#include "analysis/stats.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vivalink::analysis::stats {
namespace {

TEST(Stats, NormalTailMatchesKnownQuantile) {
  EXPECT_NEAR(NormalSf(kZ975), 0.025, 1e-15);
  EXPECT_DOUBLE_EQ(NormalSf(0), 0.5);
}

TEST(Stats, ChiSquareTailMatchesClosedForms) {
  EXPECT_NEAR(ChiSquareSf(3.841458820694124, 1), 0.05, 1e-14);
  for (double x : {0.1, 1.0, 4.0, 30.0, 200.0}) {
    EXPECT_NEAR(ChiSquareSf(x, 2), std::exp(-x / 2), 1e-15 + 1e-13 * std::exp(-x / 2)) << x;
    // df = 4: e^{-x/2} (1 + x/2).
    const double want = std::exp(-x / 2) * (1 + x / 2);
    EXPECT_NEAR(ChiSquareSf(x, 4) / want, 1.0, 1e-12) << x;
  }
  EXPECT_NEAR(ChiSquareSf(10, 5), 0.07523524614651217, 1e-12);
  EXPECT_EQ(ChiSquareSf(0, 3), 1.0);
  EXPECT_TRUE(std::isnan(ChiSquareSf(1, 0)));
}

TEST(Stats, StudentTQuantileInvertsTheTail) {
  // df = 1 is Cauchy: the 97.5% quantile is tan(0.475 pi).
  EXPECT_NEAR(StudentTQuantile(0.975, 1), std::tan(0.475 * M_PI), 1e-10);
  for (double df : {2.0, 7.0, 120.0}) {
    const double q = StudentTQuantile(0.975, df);
    EXPECT_NEAR(StudentTTwoSidedP(q, df), 0.05, 1e-12) << df;
  }
  EXPECT_TRUE(std::isnan(StudentTQuantile(1.0, 5)));
  EXPECT_TRUE(std::isnan(StudentTQuantile(0.5, 0)));
}

TEST(Stats, DistributionErrorsAreNaNNotExceptions) {
  EXPECT_TRUE(std::isnan(ChiSquareSf(1, -2)));
  EXPECT_TRUE(std::isnan(StudentTTwoSidedP(1, -1)));
  EXPECT_TRUE(std::isnan(NormalSf(std::nan(""))));
  EXPECT_EQ(NormalSf(-INFINITY), 1.0);
}

TEST(Stats, StudentTwoSidedPMatchesClosedForms) {
  // df = 1 is Cauchy: P(|T| > t) = 1 - 2 atan(t) / pi.
  EXPECT_NEAR(StudentTTwoSidedP(1, 1), 0.5, 1e-14);
  EXPECT_NEAR(StudentTTwoSidedP(3, 1), 1 - 2 * std::atan(3.0) / M_PI, 1e-14);
  // df = 2: P(|T| > t) = 1 - t / sqrt(2 + t^2).
  EXPECT_NEAR(StudentTTwoSidedP(-1.5, 2), 1 - 1.5 / std::sqrt(2 + 2.25), 1e-14);
  EXPECT_NEAR(StudentTTwoSidedP(2, 10), 0.07338803477074331, 1e-12);
  EXPECT_EQ(StudentTTwoSidedP(0, 5), 1.0);
}

TEST(Stats, AverageRanksShareTiedPositions) {
  const std::vector<double> x = {10, 20, 10, 30, 20, 20};
  EXPECT_EQ(AverageRanks(x), (std::vector<double>{1.5, 4, 1.5, 6, 4, 4}));
}

TEST(Stats, QuantileInterpolatesLinearly) {
  const std::vector<double> x = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(QuantileSorted(x, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(QuantileSorted(x, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(QuantileSorted(x, 1), 4);
  EXPECT_DOUBLE_EQ(Median({5, 1, 3}), 3);
}

TEST(Stats, PearsonMatchesClosedForm) {
  // sxy = 6, sxx = 10, syy = 6: r = 6 / sqrt(60).
  const std::vector<double> x = {1, 2, 3, 4, 5}, y = {2, 4, 5, 4, 5};
  EXPECT_NEAR(Pearson(x, y), 6 / std::sqrt(60.0), 1e-15);
  EXPECT_TRUE(std::isnan(Pearson(x, std::vector<double>(5, 1.0))));
}

TEST(Stats, SpearmanIsPearsonOfAverageRanks) {
  const std::vector<double> x = {1, 2, 2, 3, 10}, y = {5, 6, 7, 7, 100};
  EXPECT_NEAR(Spearman(x, y), Pearson(AverageRanks(x), AverageRanks(y)), 1e-15);
  const std::vector<double> mono = {1, 4, 9, 16, 25};
  EXPECT_NEAR(Spearman(std::vector<double>{1, 2, 3, 4, 5}, mono), 1.0, 1e-15);
}

TEST(Stats, FisherIntervalAndTTestOfCorrelation) {
  const auto t = TestCorrelation(0.5, 28, 1.0);
  EXPECT_NEAR(t.ci_low, std::tanh(std::atanh(0.5) - kZ975 / 5), 1e-15);
  EXPECT_NEAR(t.ci_high, std::tanh(std::atanh(0.5) + kZ975 / 5), 1e-15);
  EXPECT_NEAR(t.p_value, StudentTTwoSidedP(0.5 * std::sqrt(26 / 0.75), 26), 1e-15);
  const auto wide = TestCorrelation(0.5, 28, 1.03);
  EXPECT_LT(wide.ci_low, t.ci_low);
  const auto tiny = TestCorrelation(0.5, 3, 1.0);
  EXPECT_TRUE(std::isnan(tiny.ci_low));
  EXPECT_FALSE(std::isnan(tiny.p_value));
}

TEST(Stats, MannWhitneyUsesNormalApproximationWithContinuity) {
  // Group 1 = {1,2,3}, group 0 = {4,5,6}: U1 = 0, mu = 4.5, var = 9/12 * 7.
  const std::vector<double> x = {1, 2, 3, 4, 5, 6};
  const std::vector<uint8_t> g = {1, 1, 1, 0, 0, 0};
  EXPECT_NEAR(MannWhitneyP(x, g), 2 * NormalSf(4 / std::sqrt(5.25)), 1e-15);
}

TEST(Stats, MannWhitneyCorrectsForTies) {
  // Ties {2,2} and {3,3,3}: sum(t^3 - t) = 6 + 24 = 30; n = 6, n1 = 3.
  const std::vector<double> x = {1, 2, 2, 3, 3, 3};
  const std::vector<uint8_t> g = {1, 1, 0, 1, 0, 0};
  // Ranks: 1, 2.5, 2.5, 5, 5, 5; R1 = 1 + 2.5 + 5 = 8.5; U1 = 2.5; mu = 4.5.
  const double var = 9.0 / 12 * (7 - 30.0 / 30);
  EXPECT_NEAR(MannWhitneyP(x, g), 2 * NormalSf(1.5 / std::sqrt(var)), 1e-15);
  EXPECT_TRUE(std::isnan(MannWhitneyP(std::vector<double>{1, 1}, std::vector<uint8_t>{1, 0})));
  EXPECT_TRUE(std::isnan(MannWhitneyP(x, std::vector<uint8_t>(6, 1))));
}

TEST(Stats, ChiSquareIndependenceMatchesHandComputation) {
  // Table (n1, n0): (10, 20), (20, 10). Expected 15 each: stat = 4 * 25 / 15, df = 1.
  const std::vector<double> n1 = {10, 20}, n0 = {20, 10};
  EXPECT_NEAR(ChiSquareIndependenceP(n1, n0), ChiSquareSf(100.0 / 15, 1), 1e-15);
  EXPECT_TRUE(std::isnan(ChiSquareIndependenceP(std::vector<double>{3}, std::vector<double>{4})));
}

}  // namespace
}  // namespace vivalink::analysis::stats
