#include "sim/ols.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace vivalink::sim {

int OlsFit::Find(const std::string& name) const {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

core::Result<OlsFit> FitOls(std::span<const std::vector<double>> columns,
                            std::span<const std::string> names, std::span<const double> y,
                            std::span<const uint64_t> clusters) {
  const size_t n = y.size();
  const size_t p = columns.size() + 1;
  if (names.size() != columns.size()) {
    return core::InvalidArgumentError("OLS: " + std::to_string(columns.size()) +
                                      " predictor columns but " + std::to_string(names.size()) +
                                      " names");
  }
  if (n <= p) {
    return core::InvalidArgumentError("OLS: " + std::to_string(n) + " observations cannot fit " +
                                      std::to_string(p) + " coefficients");
  }
  for (size_t j = 0; j < columns.size(); ++j) {
    if (columns[j].size() != n) {
      return core::InvalidArgumentError("OLS: column " + names[j] + " has " +
                                        std::to_string(columns[j].size()) + " values, y has " +
                                        std::to_string(n));
    }
  }
  if (!clusters.empty() && clusters.size() != n) {
    return core::InvalidArgumentError("OLS: cluster ids do not match the observations");
  }

  // Q (n x p, column-major) starts as X; R is p x p upper triangular.
  std::vector<std::vector<double>> q(p);
  q[0].assign(n, 1.0);
  for (size_t j = 1; j < p; ++j) q[j] = columns[j - 1];
  std::vector<double> r(p * p, 0.0);
  for (size_t j = 0; j < p; ++j) {
    double original = 0;
    for (double v : q[j]) original += v * v;
    original = std::sqrt(original);
    for (size_t i = 0; i < j; ++i) {
      double dot = 0;
      for (size_t k = 0; k < n; ++k) dot += q[i][k] * q[j][k];
      r[i * p + j] = dot;
      for (size_t k = 0; k < n; ++k) q[j][k] -= dot * q[i][k];
    }
    double norm = 0;
    for (double v : q[j]) norm += v * v;
    norm = std::sqrt(norm);
    if (!(norm > 1e-9 * original) || norm == 0.0) {
      const std::string name = j == 0 ? "(Intercept)" : names[j - 1];
      return core::FailedPreconditionError("OLS: column " + name +
                                           " is constant or a linear combination of the others");
    }
    r[j * p + j] = norm;
    for (double& v : q[j]) v /= norm;
  }

  // beta = R^-1 Q'y
  std::vector<double> qty(p, 0.0);
  for (size_t j = 0; j < p; ++j) {
    for (size_t k = 0; k < n; ++k) qty[j] += q[j][k] * y[k];
  }
  std::vector<double> beta(p, 0.0);
  for (size_t j = p; j-- > 0;) {
    double s = qty[j];
    for (size_t i = j + 1; i < p; ++i) s -= r[j * p + i] * beta[i];
    beta[j] = s / r[j * p + j];
  }
  // R^-1 (upper triangular), then (X'X)^-1 = R^-1 R^-T.
  std::vector<double> rinv(p * p, 0.0);
  for (size_t c = 0; c < p; ++c) {
    for (size_t j = c + 1; j-- > 0;) {
      double s = j == c ? 1.0 : 0.0;
      for (size_t i = j + 1; i <= c; ++i) s -= r[j * p + i] * rinv[i * p + c];
      rinv[j * p + c] = s / r[j * p + j];
    }
  }
  std::vector<double> xtx_inv(p * p, 0.0);
  for (size_t a = 0; a < p; ++a) {
    for (size_t b = 0; b < p; ++b) {
      double s = 0;
      for (size_t k = std::max(a, b); k < p; ++k) s += rinv[a * p + k] * rinv[b * p + k];
      xtx_inv[a * p + b] = s;
    }
  }

  // Residuals and fit quality.
  std::vector<double> resid(n);
  double mean_y = 0;
  for (double v : y) mean_y += v;
  mean_y /= static_cast<double>(n);
  double rss = 0, tss = 0;
  for (size_t k = 0; k < n; ++k) {
    double fitted = beta[0];
    for (size_t j = 1; j < p; ++j) fitted += beta[j] * columns[j - 1][k];
    resid[k] = y[k] - fitted;
    rss += resid[k] * resid[k];
    tss += (y[k] - mean_y) * (y[k] - mean_y);
  }

  OlsFit fit;
  fit.observations = n;
  fit.r_squared = tss > 0 ? 1.0 - rss / tss : 0.0;
  fit.names.push_back("(Intercept)");
  for (const std::string& name : names) fit.names.push_back(name);
  fit.coefficients = beta;
  std::vector<double> variance(p, 0.0);
  if (clusters.empty()) {
    const double sigma2 = rss / static_cast<double>(n - p);
    for (size_t j = 0; j < p; ++j) variance[j] = sigma2 * xtx_inv[j * p + j];
  } else {
    // Sum of scores x_i * e_i within each cluster.
    std::unordered_map<uint64_t, std::vector<double>> scores;
    for (size_t k = 0; k < n; ++k) {
      auto& s = scores[clusters[k]];
      if (s.empty()) s.assign(p, 0.0);
      s[0] += resid[k];
      for (size_t j = 1; j < p; ++j) s[j] += columns[j - 1][k] * resid[k];
    }
    std::vector<double> meat(p * p, 0.0);
    for (const auto& [id, s] : scores) {
      for (size_t a = 0; a < p; ++a) {
        for (size_t b = 0; b < p; ++b) meat[a * p + b] += s[a] * s[b];
      }
    }
    const double g = static_cast<double>(scores.size());
    const double factor =
        g > 1 ? g / (g - 1) * (static_cast<double>(n) - 1) / static_cast<double>(n - p) : 1.0;
    for (size_t j = 0; j < p; ++j) {
      double v = 0;
      for (size_t a = 0; a < p; ++a) {
        for (size_t b = 0; b < p; ++b)
          v += xtx_inv[j * p + a] * meat[a * p + b] * xtx_inv[b * p + j];
      }
      variance[j] = factor * v;
    }
    fit.clusters = scores.size();
  }
  for (size_t j = 0; j < p; ++j) {
    const double se = std::sqrt(std::max(0.0, variance[j]));
    fit.standard_errors.push_back(se);
    fit.t_stats.push_back(se > 0 ? beta[j] / se : 0.0);
  }
  return fit;
}

}  // namespace vivalink::sim
