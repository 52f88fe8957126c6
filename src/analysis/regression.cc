#include "analysis/regression.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "analysis/stats.h"

namespace vivalink::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

double LinearFit::PValue(size_t j) const {
  const double se = standard_errors[j];
  if (!(se > 0)) return kNaN;
  return stats::StudentTTwoSidedP(coefficients[j] / se, residual_df);
}

double LinearFit::CiLow(size_t j) const {
  return coefficients[j] - stats::StudentTQuantile(0.975, residual_df) * standard_errors[j];
}

double LinearFit::CiHigh(size_t j) const {
  return coefficients[j] + stats::StudentTQuantile(0.975, residual_df) * standard_errors[j];
}

core::Result<LinearFit> FitLinear(std::span<const std::vector<double>> columns,
                                  std::span<const double> y, std::span<const int32_t> clusters) {
  const size_t n = y.size(), p = columns.size() + 1;
  if (n <= p) {
    return core::InvalidArgumentError(
        fmt::format("linear model: {} observations cannot fit {} coefficients", n, p));
  }
  for (size_t j = 0; j < columns.size(); ++j) {
    if (columns[j].size() != n) {
      return core::InvalidArgumentError(fmt::format(
          "linear model: column {} has {} values, the outcome {}", j, columns[j].size(), n));
    }
  }
  if (!clusters.empty() && clusters.size() != n) {
    return core::InvalidArgumentError("linear model: cluster ids do not match the observations");
  }
  const auto ni = static_cast<Eigen::Index>(n), pi = static_cast<Eigen::Index>(p);
  Eigen::MatrixXd x(ni, pi);
  x.col(0).setOnes();
  for (Eigen::Index j = 1; j < pi; ++j) {
    x.col(j) = Eigen::Map<const Eigen::VectorXd>(columns[static_cast<size_t>(j - 1)].data(), ni);
  }
  const Eigen::Map<const Eigen::VectorXd> yv(y.data(), ni);
  // Householder QR in the caller's column order: |R(j,j)| is what column j adds to the columns
  // before it, (almost) zero for a constant column or a combination of the others.
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(x);
  const Eigen::MatrixXd r = qr.matrixQR().topLeftCorner(pi, pi).triangularView<Eigen::Upper>();
  for (Eigen::Index j = 0; j < pi; ++j) {
    if (!(std::fabs(r(j, j)) > 1e-9 * x.col(j).norm())) {
      return core::FailedPreconditionError(fmt::format(
          "linear model: column {} is constant or a linear combination of the others", j - 1));
    }
  }
  const Eigen::VectorXd beta = qr.solve(yv);
  const Eigen::MatrixXd rinv =
      r.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(pi, pi));
  const Eigen::MatrixXd xtx_inv = rinv * rinv.transpose();
  const Eigen::VectorXd resid = yv - x * beta;
  const double rss = resid.squaredNorm();
  const double tss = (yv.array() - yv.mean()).matrix().squaredNorm();

  LinearFit fit;
  fit.observations = n;
  fit.r_squared = tss > 0 ? 1.0 - rss / tss : 0.0;
  Eigen::MatrixXd cov;
  if (clusters.empty()) {
    fit.residual_df = static_cast<double>(n - p);
    cov = (rss / fit.residual_df) * xtx_inv;
  } else {
    std::unordered_map<int32_t, Eigen::Index> index;
    for (int32_t c : clusters) index.emplace(c, static_cast<Eigen::Index>(index.size()));
    Eigen::MatrixXd scores = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(index.size()), pi);
    for (Eigen::Index i = 0; i < ni; ++i) {
      scores.row(index.at(clusters[static_cast<size_t>(i)])) += resid(i) * x.row(i);
    }
    const double g = static_cast<double>(index.size());
    const double factor =
        g > 1 ? g / (g - 1) * (static_cast<double>(n) - 1) / static_cast<double>(n - p) : 1.0;
    cov = factor * (xtx_inv * (scores.transpose() * scores) * xtx_inv);
    fit.clusters = index.size();
    fit.residual_df = std::max(1.0, g - 1);
  }
  fit.coefficients.assign(beta.data(), beta.data() + pi);
  fit.covariance.resize(p * p);
  for (Eigen::Index a = 0; a < pi; ++a) {
    for (Eigen::Index b = 0; b < pi; ++b)
      fit.covariance[static_cast<size_t>(a * pi + b)] = cov(a, b);
    fit.standard_errors.push_back(std::sqrt(std::max(0.0, cov(a, a))));
  }
  return fit;
}

std::vector<double> LassoCovariance(std::span<const double> gram, std::span<const double> c,
                                    double lambda, std::span<const double> start) {
  const size_t p = c.size();
  std::vector<double> b(p, 0.0);
  if (start.size() == p) b.assign(start.begin(), start.end());
  // g_j = (G b)_j kept up to date as coefficients move: one sweep is O(p * moved).
  std::vector<double> gb(p, 0.0);
  for (size_t j = 0; j < p; ++j) {
    if (b[j] == 0) continue;
    for (size_t k = 0; k < p; ++k) gb[k] += gram[k * p + j] * b[j];
  }
  for (int sweep = 0; sweep < 10000; ++sweep) {
    double moved = 0;
    for (size_t j = 0; j < p; ++j) {
      const double gjj = gram[j * p + j];
      if (!(gjj > 0)) continue;
      const double rho = c[j] - gb[j] + gjj * b[j];
      const double next = rho > lambda    ? (rho - lambda) / gjj
                          : rho < -lambda ? (rho + lambda) / gjj
                                          : 0.0;
      const double delta = next - b[j];
      if (delta == 0) continue;
      for (size_t k = 0; k < p; ++k) gb[k] += gram[k * p + j] * delta;
      b[j] = next;
      moved = std::max(moved, std::fabs(delta));
    }
    if (moved < 1e-8) break;
  }
  return b;
}

}  // namespace vivalink::analysis
