#include "analysis/regression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace vivalink::analysis {
namespace {

TEST(Regression, LeastSquaresRecoversAnExactLineAndItsClassicalErrors) {
  // y = 1 + 2x + e with e = (+1, -1, -1, +1): b = (1, 2) exactly (e is orthogonal to 1 and x).
  const std::vector<std::vector<double>> x = {{0, 1, 2, 3}};
  const std::vector<double> y = {2, 2, 4, 8};
  auto fit = FitLinear(x, y);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_NEAR(fit->coefficients[0], 1, 1e-12);
  EXPECT_NEAR(fit->coefficients[1], 2, 1e-12);
  // sigma^2 = 4 / 2; Var(b1) = sigma^2 / Sxx = 2 / 5.
  EXPECT_NEAR(fit->standard_errors[1], std::sqrt(0.4), 1e-12);
  EXPECT_DOUBLE_EQ(fit->residual_df, 2);
  // t = 2 / sqrt(0.4) with 2 df: p = 1 - t / sqrt(2 + t^2).
  const double t = 2 / std::sqrt(0.4);
  EXPECT_NEAR(fit->PValue(1), 1 - t / std::sqrt(2 + t * t), 1e-12);
  EXPECT_LT(fit->CiLow(1), 2);
  EXPECT_GT(fit->CiHigh(1), 2);
}

TEST(Regression, ACombinationOfOtherColumnsIsRefusedByName) {
  const std::vector<std::vector<double>> x = {{1, 2, 3, 4, 5}, {2, 1, 0, 1, 2}, {3, 3, 3, 5, 7}};
  const std::vector<double> y = {1, 2, 3, 4, 6};
  auto fit = FitLinear(x, y);
  ASSERT_FALSE(fit.ok());
  EXPECT_EQ(fit.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_NE(fit.status().message().find("column 2"), std::string::npos) << fit.status().message();
  EXPECT_EQ(FitLinear(x, std::vector<double>{1, 2}).status().code(),
            core::StatusCode::kInvalidArgument);
}

TEST(Regression, ClusteredErrorsUseTheClustersDegreesOfFreedom) {
  std::vector<double> x, y;
  std::vector<int32_t> cluster;
  for (int g = 0; g < 6; ++g) {
    for (int k = 0; k < 4; ++k) {
      x.push_back(k + g % 3);
      y.push_back(0.5 * (k + g % 3) + (g % 2 == 0 ? 1.0 : -1.0) + 0.1 * k * k);
      cluster.push_back(g);
    }
  }
  const std::vector<std::vector<double>> cols = {x};
  auto plain = FitLinear(cols, y);
  auto robust = FitLinear(cols, y, cluster);
  ASSERT_TRUE(plain.ok() && robust.ok());
  EXPECT_DOUBLE_EQ(plain->coefficients[1], robust->coefficients[1]);
  EXPECT_EQ(robust->clusters, 6u);
  EXPECT_DOUBLE_EQ(robust->residual_df, 5);
  EXPECT_NE(plain->standard_errors[1], robust->standard_errors[1]);
}

TEST(Regression, LassoShrinksToZeroAtLambdaMaxAndToLeastSquaresAtZero) {
  // Two correlated standardized predictors (r = 0.5), correlations with y 0.6 and 0.1.
  const std::vector<double> gram = {1, 0.5, 0.5, 1}, c = {0.6, 0.1};
  auto none = LassoCovariance(gram, c, 0.6);
  EXPECT_EQ(none, (std::vector<double>{0, 0}));
  auto ols = LassoCovariance(gram, c, 0);
  // G b = c: b = (0.6 - 0.05, 0.1 - 0.3) / 0.75.
  EXPECT_NEAR(ols[0], 0.55 / 0.75, 1e-7);
  EXPECT_NEAR(ols[1], -0.2 / 0.75, 1e-7);
  auto sparse = LassoCovariance(gram, c, 0.3);
  EXPECT_NEAR(sparse[0], 0.3, 1e-7);  // soft threshold of 0.6 by 0.3; b2 stays 0
  EXPECT_EQ(sparse[1], 0.0);
}

}  // namespace
}  // namespace vivalink::analysis
