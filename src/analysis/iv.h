// Information value (IV): how well each predictor separates a binary outcome.
//
// Contract (this module's definition; vivainsights' create_IV differs in details):
// - The outcome is a comparison on a numeric column (expr.h), y in {0, 1}. Rows with a missing
//   value in ANY used column (the outcome column and every predictor) are dropped.
//   N1 = sum y, N0 = n - N1.
// - Numeric predictor cuts: for p = k/bins, k = 1..bins-1, with xs = the n values sorted
//   ascending (0-based): a = (n+1)p, j = floor(clamp(a, 1, n-1)), g = clamp(a - j, 0, 1),
//   cut = (1-g) xs[j-1] + g xs[j] (Hyndman-Fan type 6). Duplicate cuts are removed;
//   bin(x) = number of cuts <= x; only non-empty bins are reported. With n < 2: one bin.
// - Categorical predictor: one bin per category present, bins ordered by category (byte order).
// - Per bin: WOE = ln((n1/N1) / (n0/N0)) when n1 > 0 and n0 > 0, else 0;
//   IV = sum over bins of WOE * (n1/N1 - n0/N0).
// - p-value: numeric -> two-sided Mann-Whitney U (normal approximation, tie and continuity
//   corrections, stats::MannWhitneyP); categorical -> Pearson chi-square test of independence
//   (stats::ChiSquareIndependenceP). NaN (null in JSON) when undefined: an outcome class is
//   empty, or the predictor takes a single value.
// - N1 == 0 or N0 == 0: every WOE and IV is 0 and `outcome_degenerate` is set with a warning.
// - Predictors are sorted by IV descending (ties: by name).
//
// Complexity: O(n log n) per numeric predictor (one sort), O(n) per categorical predictor.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/frame.h"
#include "core/status.h"

namespace vivalink::analysis {

struct IvOptions {
  // Predictor columns (numeric or categorical). Empty: every numeric column except the outcome
  // column and the columns in `exclude`.
  std::vector<std::string> predictors = {};
  // Columns never used as default predictors (identifiers, dates).
  std::vector<std::string> exclude = {"PersonId", "MetricDate"};
  int bins = 5;  // >= 1; 5 like vivainsights' create_IV
};

struct IvBin {
  std::string label;         // "[-inf, 3.5)", "[3.5, 7.25)", "[7.25, inf)" or the category
  double lower = 0;          // numeric: inclusive lower bound (-inf for the first); NaN categorical
  double upper = 0;          // numeric: exclusive upper bound (inf for the last); NaN categorical
  int64_t n = 0;             // rows in the bin
  int64_t n1 = 0;            // rows with y = 1
  double share = 0;          // n / rows used
  double woe = 0;            // weight of evidence
  double iv_cumulative = 0;  // running IV up to and including this bin
  double event_rate = 0;     // n1 / n
};

struct IvPredictor {
  std::string name;
  bool categorical = false;
  double iv = 0;
  double p_value = 0;  // NaN when undefined (see above)
  std::vector<IvBin> bins;
};

struct IvResult {
  std::string outcome;    // canonical expression, e.g. "After_hours_collaboration_hours>=10"
  int64_t rows_used = 0;  // rows with no missing value in a used column
  int64_t rows_dropped = 0;
  int64_t n1 = 0;
  int64_t n0 = 0;
  bool outcome_degenerate = false;  // N1 == 0 or N0 == 0
  std::vector<std::string> warnings;
  std::vector<IvPredictor> predictors;  // IV descending
};

// Computes IV of every predictor for the outcome expression.
// Errors: kInvalidArgument for a malformed expression, an unknown column, a non-numeric outcome
// column, bins < 1, or when no row is left after dropping missing values.
core::Result<IvResult> InformationValue(const Frame& frame, std::string_view outcome_expr,
                                        const IvOptions& options = {});

// The per-predictor kernels, for callers that already hold complete rows: x and y (0/1) of equal
// length, n1/n0 the class totals of y. No missing values allowed.
IvPredictor NumericIv(std::string name, std::span<const double> x, std::span<const uint8_t> y,
                      int bins);
IvPredictor CategoricalIv(std::string name, std::span<const int32_t> codes,
                          std::span<const std::string> levels, std::span<const uint8_t> y);

// The numeric cut points (before de-duplication) for `bins` bins of the sorted values.
std::vector<double> IvCuts(std::span<const double> sorted, int bins);

// CSV: one row per bin: predictor,kind,iv,p_value,bin,label,n,n1,share,woe,iv_cumulative,
// event_rate. JSON: {"analysis":"iv", outcome, rows_used, ..., predictors:[{..., bins:[...]}]}.
std::string ToCsv(const IvResult& result);
std::string ToJson(const IvResult& result);

}  // namespace vivalink::analysis
