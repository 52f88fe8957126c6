#include "analysis/iv.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/expr.h"
#include "analysis/internal/render.h"
#include "analysis/stats.h"

namespace vivalink::analysis {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Fills woe / iv_cumulative / event_rate / share from the counts, given class totals.
double FinishBins(std::vector<IvBin>& bins, double n1_total, double n0_total) {
  const double total = n1_total + n0_total;
  const bool degenerate = n1_total == 0 || n0_total == 0;
  double iv = 0;
  for (auto& b : bins) {
    const auto n = static_cast<double>(b.n);
    const auto n1 = static_cast<double>(b.n1);
    const double n0 = n - n1;
    b.share = total > 0 ? n / total : 0;
    b.event_rate = n > 0 ? n1 / n : 0;
    b.woe = 0;
    if (!degenerate && n1 > 0 && n0 > 0) {
      b.woe = std::log((n1 / n1_total) / (n0 / n0_total));
      iv += b.woe * (n1 / n1_total - n0 / n0_total);
    }
    b.iv_cumulative = iv;
  }
  return iv;
}

}  // namespace

std::vector<double> IvCuts(std::span<const double> sorted, int bins) {
  std::vector<double> cuts;
  const size_t n = sorted.size();
  if (n < 2 || bins < 2) return cuts;
  const auto nd = static_cast<double>(n);
  for (int k = 1; k < bins; ++k) {
    const double p = static_cast<double>(k) / static_cast<double>(bins);
    const double a = (nd + 1) * p;
    const double j = std::floor(std::clamp(a, 1.0, nd - 1));
    const double g = std::clamp(a - j, 0.0, 1.0);
    const auto ji = static_cast<size_t>(j);
    cuts.push_back((1 - g) * sorted[ji - 1] + g * sorted[ji]);
  }
  return cuts;
}

IvPredictor NumericIv(std::string name, std::span<const double> x, std::span<const uint8_t> y,
                      int bins) {
  IvPredictor out;
  out.name = std::move(name);
  std::vector<double> sorted(x.begin(), x.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> cuts = IvCuts(sorted, bins);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

  std::vector<int64_t> n(cuts.size() + 1, 0), n1(cuts.size() + 1, 0);
  double n1_total = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const auto b =
        static_cast<size_t>(std::upper_bound(cuts.begin(), cuts.end(), x[i]) - cuts.begin());
    ++n[b];
    if (y[i] != 0) {
      ++n1[b];
      n1_total += 1;
    }
  }
  for (size_t b = 0; b < n.size(); ++b) {
    if (n[b] == 0) continue;
    IvBin bin;
    bin.lower = b == 0 ? -kInf : cuts[b - 1];
    bin.upper = b == cuts.size() ? kInf : cuts[b];
    bin.label = fmt::format("[{}, {})", internal::FormatLabelNumber(bin.lower),
                            internal::FormatLabelNumber(bin.upper));
    bin.n = n[b];
    bin.n1 = n1[b];
    out.bins.push_back(std::move(bin));
  }
  out.iv = FinishBins(out.bins, n1_total, static_cast<double>(x.size()) - n1_total);
  out.p_value = stats::MannWhitneyP(x, y);
  return out;
}

IvPredictor CategoricalIv(std::string name, std::span<const int32_t> codes,
                          std::span<const std::string> levels, std::span<const uint8_t> y) {
  IvPredictor out;
  out.name = std::move(name);
  out.categorical = true;
  std::vector<int64_t> n(levels.size(), 0), n1(levels.size(), 0);
  double n1_total = 0;
  for (size_t i = 0; i < codes.size(); ++i) {
    ++n[codes[i]];
    if (y[i] != 0) {
      ++n1[codes[i]];
      n1_total += 1;
    }
  }
  std::vector<size_t> order;
  for (size_t l = 0; l < levels.size(); ++l) {
    if (n[l] > 0) order.push_back(l);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return levels[a] < levels[b]; });
  std::vector<double> c1, c0;
  for (size_t l : order) {
    IvBin bin;
    bin.label = levels[l];
    bin.lower = bin.upper = kNaN;
    bin.n = n[l];
    bin.n1 = n1[l];
    c1.push_back(static_cast<double>(n1[l]));
    c0.push_back(static_cast<double>(n[l] - n1[l]));
    out.bins.push_back(std::move(bin));
  }
  out.iv = FinishBins(out.bins, n1_total, static_cast<double>(codes.size()) - n1_total);
  out.p_value = stats::ChiSquareIndependenceP(c1, c0);
  return out;
}

core::Result<IvResult> InformationValue(const Frame& frame, std::string_view outcome_expr,
                                        const IvOptions& options) {
  ASSIGN_OR_RETURN(Comparison cmp, ParseComparison(outcome_expr));
  if (options.bins < 1) {
    return core::InvalidArgumentError(
        fmt::format("information value: bins is {}, it must be at least 1", options.bins));
  }
  ASSIGN_OR_RETURN(const FrameColumn* outcome, frame.GetNumeric(cmp.column));

  std::vector<const FrameColumn*> predictors;
  if (options.predictors.empty()) {
    predictors = NumericColumnsExcept(frame, cmp.column, options.exclude);
  } else {
    for (const auto& name : options.predictors) {
      ASSIGN_OR_RETURN(const FrameColumn* c, frame.Get(name));
      if (c->name == cmp.column) {
        return core::InvalidArgumentError(fmt::format(
            "information value: '{}' is the outcome column and cannot also be a predictor", name));
      }
      predictors.push_back(c);
    }
  }

  // Complete rows over every used column.
  const size_t rows = frame.num_rows();
  std::vector<size_t> keep;
  keep.reserve(rows);
  for (size_t r = 0; r < rows; ++r) {
    if (outcome->IsMissing(r)) continue;
    bool complete = true;
    for (const FrameColumn* p : predictors) {
      if (p->IsMissing(r)) {
        complete = false;
        break;
      }
    }
    if (complete) keep.push_back(r);
  }
  if (keep.empty()) {
    return core::InvalidArgumentError(fmt::format(
        "information value for '{}': none of the {} rows has a value in every used column "
        "(the outcome column and {} predictors); choose predictors with fewer gaps",
        cmp.ToString(), rows, predictors.size()));
  }

  IvResult result;
  result.outcome = cmp.ToString();
  result.rows_used = static_cast<int64_t>(keep.size());
  result.rows_dropped = static_cast<int64_t>(rows - keep.size());
  std::vector<uint8_t> y(keep.size());
  for (size_t i = 0; i < keep.size(); ++i) {
    y[i] = cmp.Evaluate(outcome->numbers[keep[i]]) ? 1 : 0;
    result.n1 += y[i];
  }
  result.n0 = result.rows_used - result.n1;
  if (result.n1 == 0 || result.n0 == 0) {
    result.outcome_degenerate = true;
    result.warnings.push_back(fmt::format(
        "outcome '{}' is {} for every one of the {} rows used; information value is 0 for every "
        "predictor",
        result.outcome, result.n1 == 0 ? "false" : "true", result.rows_used));
  }

  std::vector<double> x(keep.size());
  std::vector<int32_t> codes(keep.size());
  for (const FrameColumn* p : predictors) {
    if (p->is_numeric()) {
      for (size_t i = 0; i < keep.size(); ++i) x[i] = p->numbers[keep[i]];
      result.predictors.push_back(NumericIv(p->name, x, y, options.bins));
    } else {
      for (size_t i = 0; i < keep.size(); ++i) codes[i] = p->codes[keep[i]];
      result.predictors.push_back(CategoricalIv(p->name, codes, p->levels, y));
    }
  }
  std::stable_sort(result.predictors.begin(), result.predictors.end(),
                   [](const IvPredictor& a, const IvPredictor& b) {
                     if (a.iv != b.iv) return a.iv > b.iv;
                     return a.name < b.name;
                   });
  return result;
}

std::string ToCsv(const IvResult& result) {
  internal::CsvTable t({"predictor", "kind", "iv", "p_value", "bin", "label", "n", "n1", "share",
                        "woe", "iv_cumulative", "event_rate"});
  for (const auto& p : result.predictors) {
    long long i = 0;
    for (const auto& b : p.bins) {
      t.AddRow({p.name, std::string(p.categorical ? "categorical" : "numeric"), p.iv, p.p_value,
                i++, b.label, static_cast<long long>(b.n), static_cast<long long>(b.n1), b.share,
                b.woe, b.iv_cumulative, b.event_rate});
    }
  }
  return t.Render();
}

std::string ToJson(const IvResult& result) {
  using internal::Json;
  using internal::JsonNumber;
  Json j;
  j["analysis"] = "iv";
  j["outcome"] = result.outcome;
  j["rows_used"] = result.rows_used;
  j["rows_dropped"] = result.rows_dropped;
  j["n1"] = result.n1;
  j["n0"] = result.n0;
  j["outcome_degenerate"] = result.outcome_degenerate;
  j["warnings"] = result.warnings;
  Json preds = Json::array();
  for (const auto& p : result.predictors) {
    Json pj;
    pj["name"] = p.name;
    pj["kind"] = p.categorical ? "categorical" : "numeric";
    pj["iv"] = JsonNumber(p.iv);
    pj["p_value"] = JsonNumber(p.p_value);
    Json bins = Json::array();
    for (const auto& b : p.bins) {
      Json bj;
      bj["label"] = b.label;
      bj["n"] = b.n;
      bj["n1"] = b.n1;
      bj["share"] = JsonNumber(b.share);
      bj["woe"] = JsonNumber(b.woe);
      bj["iv_cumulative"] = JsonNumber(b.iv_cumulative);
      bj["event_rate"] = JsonNumber(b.event_rate);
      bins.push_back(std::move(bj));
    }
    pj["bins"] = std::move(bins);
    preds.push_back(std::move(pj));
  }
  j["predictors"] = std::move(preds);
  return j.dump(2);
}

}  // namespace vivalink::analysis
