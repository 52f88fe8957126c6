// Ordinary least squares for the simulator: enough to check that the planted relationships
// (sim/model.h) are recoverable from simulated data, in tests and tools of the simulator. Not a
// statistics library: no weights, no missing values, a handful of predictors.
//
// Deliberately separate from the product's regression (analysis/regression.h): this is the
// simulator's own check of its ground truth, and must not share code with the analysis it is
// used to judge. The linear algebra is Eigen's (Householder QR of the design matrix, stable for
// polynomial terms such as x and x^2). Standard errors are classical (homoscedastic) or, when
// cluster ids are given, cluster-robust (sandwich, with the usual G/(G-1) * (n-1)/(n-p) factor) —
// the right choice for panel data with repeated weeks per person.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace vivalink::sim {

struct OlsFit {
  // Entry 0 is the intercept ("(Intercept)"), then one per predictor in the given order.
  std::vector<std::string> names;
  std::vector<double> coefficients;
  std::vector<double> standard_errors;
  std::vector<double> t_stats;
  double r_squared = 0;
  size_t observations = 0;
  size_t clusters = 0;  // 0: classical standard errors

  // Index of a predictor by name; -1 if absent.
  int Find(const std::string& name) const;
};

// Fits y = b0 + sum_j b_j * columns[j]. Every column and y (and clusters, when not empty) must
// have the same length n > number of predictors + 1. Errors: kInvalidArgument for mismatched
// sizes or too few rows; kFailedPrecondition (naming the column) when a predictor is constant or
// a linear combination of the others.
core::Result<OlsFit> FitOls(std::span<const std::vector<double>> columns,
                            std::span<const std::string> names, std::span<const double> y,
                            std::span<const uint64_t> clusters = {});

}  // namespace vivalink::sim
