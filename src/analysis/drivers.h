// Driver ranking: which behaviours move with a key (numeric) outcome, at two levels:
//   - person-week: every row with both values present;
//   - person: per person, the means of behaviour and outcome over that person's rows with both
//     values present (persons without an id are left out).
//
// For each behaviour (per level), over the n pairs:
//   - Pearson r; 95% CI by Fisher z, se = 1/sqrt(n-3); two-sided p from t = r sqrt((n-2)/(1-r^2))
//     with n-2 degrees of freedom.
//   - Spearman rho (Pearson of average ranks, ties averaged); 95% CI by Fisher z with
//     se = 1.03/sqrt(n-3) (the inflated Spearman variance, ~sqrt(1.06/(n-3)), used in place of
//     1/sqrt(n-3) as recommended for rank correlations, cf. Fieller-Hartley-Pearson and
//     Bonett & Wright 2000; configurable as spearman_se_factor); p as for Pearson with rho.
//   - quartile_diff: mean outcome over pairs with behaviour >= Q3 minus mean outcome over pairs
//     with behaviour <= Q1 (Q1, Q3 by linear interpolation, type 7).
//   - iv: information value (iv.h, `iv_bins` bins) of the behaviour for outcome > median(outcome)
//     over the same pairs.
//   - sign: the sign of Spearman rho (+1, -1, 0 when rho is 0 or undefined).
// Behaviours are ranked by |Spearman rho| descending (rank 1 = strongest monotone association;
// robust to outliers and skew that hours metrics have); undefined rho ranks last; ties by name.
// Complexity: O(n log n) per behaviour.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/frame.h"
#include "core/status.h"

namespace vivalink::analysis {

struct DriverOptions {
  // Behaviour columns (numeric). Empty: every numeric column except the outcome and `exclude`.
  std::vector<std::string> behaviours = {};
  std::vector<std::string> exclude = {"PersonId", "MetricDate"};
  std::string person_column = "PersonId";  // categorical; for the person level
  int iv_bins = 5;                         // >= 1
  double spearman_se_factor = 1.03;        // see above
};

struct DriverRow {
  std::string behaviour;
  int64_t n = 0;  // pairs used
  double pearson_r = 0, pearson_ci_low = 0, pearson_ci_high = 0, pearson_p = 0;
  double spearman_rho = 0, spearman_ci_low = 0, spearman_ci_high = 0, spearman_p = 0;
  double quartile_diff = 0;
  double iv = 0;
  int sign = 0;
  int rank = 0;  // 1-based within its level
};

struct DriverResult {
  std::string outcome;
  std::vector<DriverRow> person_week;  // ranked
  std::vector<DriverRow> person;       // ranked
};

// Errors: kInvalidArgument for an unknown or non-numeric outcome/behaviour column, a missing or
// numeric person column, or iv_bins < 1.
core::Result<DriverResult> RankDrivers(const Frame& frame, std::string_view outcome_column,
                                       const DriverOptions& options = {});

// The statistics of one behaviour for complete pairs (no NaN), without rank.
DriverRow ComputeDriver(std::string behaviour, std::span<const double> x, std::span<const double> y,
                        const DriverOptions& options);

// CSV: one row per (level, behaviour). JSON: {"analysis":"drivers", outcome, person_week:[...],
// person:[...]}.
std::string ToCsv(const DriverResult& result);
std::string ToJson(const DriverResult& result);

}  // namespace vivalink::analysis
