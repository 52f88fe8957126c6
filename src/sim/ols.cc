#include "sim/ols.h"

#include <Eigen/Dense>
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

  // Design matrix with the intercept first. Householder QR without pivoting keeps the columns in
  // the caller's order, so |R(j,j)| is the norm of what column j adds to the columns before it:
  // (almost) zero names the column that is constant or a combination of the others.
  Eigen::MatrixXd x(n, p);
  x.col(0).setOnes();
  for (size_t j = 1; j < p; ++j) {
    x.col(static_cast<Eigen::Index>(j)) =
        Eigen::Map<const Eigen::VectorXd>(columns[j - 1].data(), static_cast<Eigen::Index>(n));
  }
  const Eigen::Map<const Eigen::VectorXd> yv(y.data(), static_cast<Eigen::Index>(n));
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(x);
  const auto pi = static_cast<Eigen::Index>(p);
  const Eigen::MatrixXd r = qr.matrixQR().topLeftCorner(pi, pi).triangularView<Eigen::Upper>();
  for (Eigen::Index j = 0; j < pi; ++j) {
    const double original = x.col(j).norm();
    const double norm = std::fabs(r(j, j));
    if (!(norm > 1e-9 * original) || norm == 0.0) {
      const std::string name = j == 0 ? "(Intercept)" : names[static_cast<size_t>(j - 1)];
      return core::FailedPreconditionError("OLS: column " + name +
                                           " is constant or a linear combination of the others");
    }
  }
  const Eigen::VectorXd beta = qr.solve(yv);
  // (X'X)^-1 = R^-1 R^-T.
  const Eigen::MatrixXd rinv =
      r.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(pi, pi));
  const Eigen::MatrixXd xtx_inv = rinv * rinv.transpose();

  const Eigen::VectorXd resid = yv - x * beta;
  const double rss = resid.squaredNorm();
  const double tss = (yv.array() - yv.mean()).matrix().squaredNorm();

  OlsFit fit;
  fit.observations = n;
  fit.r_squared = tss > 0 ? 1.0 - rss / tss : 0.0;
  fit.names.push_back("(Intercept)");
  for (const std::string& name : names) fit.names.push_back(name);
  fit.coefficients.assign(beta.data(), beta.data() + pi);
  Eigen::VectorXd variance(pi);
  if (clusters.empty()) {
    const double sigma2 = rss / static_cast<double>(n - p);
    variance = sigma2 * xtx_inv.diagonal();
  } else {
    // Sum of scores x_i * e_i within each cluster; meat = sum over clusters of s s'.
    std::unordered_map<uint64_t, Eigen::Index> cluster_index;
    for (size_t k = 0; k < n; ++k) {
      cluster_index.emplace(clusters[k], static_cast<Eigen::Index>(cluster_index.size()));
    }
    Eigen::MatrixXd scores =
        Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(cluster_index.size()), pi);
    for (size_t k = 0; k < n; ++k) {
      const auto row = static_cast<Eigen::Index>(k);
      scores.row(cluster_index.at(clusters[k])) += resid(row) * x.row(row);
    }
    const Eigen::MatrixXd meat = scores.transpose() * scores;
    const double g = static_cast<double>(cluster_index.size());
    const double factor =
        g > 1 ? g / (g - 1) * (static_cast<double>(n) - 1) / static_cast<double>(n - p) : 1.0;
    variance = factor * (xtx_inv * meat * xtx_inv).diagonal();
    fit.clusters = cluster_index.size();
  }
  for (Eigen::Index j = 0; j < pi; ++j) {
    const double se = std::sqrt(std::max(0.0, variance(j)));
    fit.standard_errors.push_back(se);
    fit.t_stats.push_back(se > 0 ? beta(j) / se : 0.0);
  }
  return fit;
}

}  // namespace vivalink::sim
