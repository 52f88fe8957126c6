// Linear models for the analyses, on Eigen: ordinary least squares with classical or
// cluster-robust standard errors, and the lasso on standardized columns (coordinate descent on
// the covariance matrix) used by driver discovery (discovery.h).
//
// Conventions: a design is given column by column (equal lengths, no NaN: the caller selects
// complete cases); an intercept is always added as coefficient 0. All functions are pure and
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"

namespace vivalink::analysis {

struct LinearFit {
  // Entry 0 is the intercept, then one per column in the given order.
  std::vector<double> coefficients;
  std::vector<double> standard_errors;
  // Covariance of the coefficients, row-major (p x p, p = columns + 1).
  std::vector<double> covariance;
  double residual_df = 0;  // n - p, or clusters - 1 with cluster-robust errors
  double r_squared = 0;
  size_t observations = 0;
  size_t clusters = 0;  // 0: classical standard errors

  double Covariance(size_t a, size_t b) const { return covariance[a * coefficients.size() + b]; }
  // Two-sided p-value of coefficient j (Student t with residual_df degrees of freedom).
  double PValue(size_t j) const;
  // 95% confidence interval of coefficient j (Student t with residual_df degrees of freedom).
  double CiLow(size_t j) const;
  double CiHigh(size_t j) const;
};

// y = b0 + sum_j b_j columns[j] + e by least squares (Householder QR). With clusters (one id a
// row, e.g. the person), standard errors are cluster-robust (CR1: sandwich with the
// G/(G-1) (n-1)/(n-p) factor, residual_df = G - 1), the right choice for repeated weeks of one
// person. Errors: kInvalidArgument for mismatched lengths or n <= p; kFailedPrecondition when a
// column is constant or a linear combination of the others (its index is in the message).
core::Result<LinearFit> FitLinear(std::span<const std::vector<double>> columns,
                                  std::span<const double> y,
                                  std::span<const int32_t> clusters = {});

// The lasso on standardized data in covariance form: minimizes
//   1/2 b'Gb - c'b + lambda * sum_j |b_j|
// where G is the correlation matrix of the (standardized) columns and c their correlations with
// the outcome, i.e. the lasso objective 1/(2n) |y - Xb|^2 + lambda |b|_1 up to a constant, with
// X and y standardized. gram is row-major p x p. Coordinate descent from `start` (warm start;
// empty = zeros) until no coefficient moves by more than 1e-8 (at most 10,000 sweeps).
std::vector<double> LassoCovariance(std::span<const double> gram, std::span<const double> c,
                                    double lambda, std::span<const double> start = {});

}  // namespace vivalink::analysis
