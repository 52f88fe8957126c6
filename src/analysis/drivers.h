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
//   - partial_r: the partial correlation of outcome and behaviour given every OTHER behaviour of
//     the ranking (a multiple linear regression of the outcome on all of them), over the complete
//     cases of the level (rows with the outcome and every behaviour present; at person level the
//     persons' means over their complete rows), n = partial_n. It separates a behaviour's own
//     association from what it shares with the others (a planted driver and a metric that merely
//     moves with it). Behaviours are entered in the order of the Spearman ranking; one that is
//     (almost) a linear combination of those entered before it (residual variance < 1e-7 of its
//     own, e.g. a total after all its parts, or a constant) is ALIASED: its partial_* are NaN and
//     it is left out of the model, as R's lm() does. With K behaviours in the model,
//     partial_r = b / sqrt(b^2 + RSS * c) (b the standardized coefficient, c the diagonal element
//     of the inverse correlation matrix of the behaviours, RSS = 1 - R^2), its p-value from t with
//     n - K - 1 degrees of freedom and its 95% CI by Fisher z with se = 1/sqrt(n - K - 2) (i.e.
//     stats::TestCorrelation with n - K + 1 pairs). NaN when n - K - 2 < 1.
//   - sign: the sign of the ranking statistic (Spearman rho, or partial_r when ranking by it):
//     +1, -1, 0 when it is 0 or undefined.
// Behaviours are ranked by |Spearman rho| descending (rank 1 = strongest monotone association;
// robust to outliers and skew that hours metrics have), or with rank_by = kPartial by |partial_r|
// descending (what each behaviour adds given the others: use it on a curated list of candidate
// behaviours, not on every metric, whose totals and parts alias each other); undefined values
// rank last; ties by name.
// Complexity: O(n log n) per behaviour, plus O(n k^2 + k^3) for the partial correlations.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/frame.h"
#include "core/status.h"

namespace vivalink::analysis {

enum class DriverRank { kSpearman, kPartial };
// "spearman" / "partial".
std::string_view DriverRankName(DriverRank rank);
// Parses the names above (any case). kInvalidArgument otherwise.
core::Result<DriverRank> ParseDriverRank(std::string_view text);

struct DriverOptions {
  // Behaviour columns (numeric). Empty: every numeric column except the outcome and `exclude`.
  std::vector<std::string> behaviours = {};
  std::vector<std::string> exclude = {"PersonId", "MetricDate"};
  std::string person_column = "PersonId";      // categorical; for the person level
  int iv_bins = 5;                             // >= 1
  double spearman_se_factor = 1.03;            // see above
  DriverRank rank_by = DriverRank::kSpearman;  // see above
};

struct DriverRow {
  std::string behaviour;
  int64_t n = 0;  // pairs used
  double pearson_r = 0, pearson_ci_low = 0, pearson_ci_high = 0, pearson_p = 0;
  double spearman_rho = 0, spearman_ci_low = 0, spearman_ci_high = 0, spearman_p = 0;
  double quartile_diff = 0;
  double iv = 0;
  int64_t partial_n = 0;  // complete cases of the regression
  double partial_r = 0, partial_ci_low = 0, partial_ci_high = 0, partial_p = 0;  // NaN: aliased
  int sign = 0;
  int rank = 0;  // 1-based within its level
};

struct DriverResult {
  std::string outcome;
  DriverRank rank_by = DriverRank::kSpearman;
  std::vector<DriverRow> person_week;  // ranked
  std::vector<DriverRow> person;       // ranked
};

// Errors: kInvalidArgument for an unknown or non-numeric outcome/behaviour column, a missing or
// numeric person column, or iv_bins < 1.
core::Result<DriverResult> RankDrivers(const Frame& frame, std::string_view outcome_column,
                                       const DriverOptions& options = {});

// The statistics of one behaviour for complete pairs (no NaN), without rank and without the
// partial correlation (which needs the other behaviours).
DriverRow ComputeDriver(std::string behaviour, std::span<const double> x, std::span<const double> y,
                        const DriverOptions& options);

// CSV: one row per (level, behaviour). JSON: {"analysis":"drivers", outcome, rank_by,
// person_week:[...], person:[...]}.
std::string ToCsv(const DriverResult& result);
std::string ToJson(const DriverResult& result);

}  // namespace vivalink::analysis
