// Driver discovery: which behaviours drive a key metric, found without a list of candidates.
//
// Viva Insights metrics are parts and totals of one another (Collaboration = Meeting + Email +
// Chat + Call - Multitasking; After-hours collaboration = the after-hours parts; External
// collaboration = the external parts, ...), so a ranking by marginal association puts the parts
// and totals of one real driver on top and hides drivers that act against their correlates
// (docs/ANALYSIS.md compares the methods on simulated worlds). Discovery therefore asks what
// each behaviour adds given all the others, with a sparse model:
//
//  0. Metric families. Viva Insights defines some metrics as the sum of others by channel or
//     class: Collaboration hours = Meeting + Email + Chat + Call hours (less multitasking), Call
//     hours = Scheduled + Unscheduled call hours, After-hours / Working-hours / External
//     collaboration hours = their meeting, email, chat and call parts, Meeting hours = its four
//     size-and-length classes, ... (VivaMetricFamilies()). With group_components, a PART whose
//     total is among the behaviours is a COMPONENT: it does not compete with its total in the
//     selection (where parts that all move with one trait split the total's selection between
//     them, docs/ANALYSIS.md), and is reported after the selected behaviours with its own
//     effect given the drivers. For every driver that is a total, a Wald test of "all its
//     parts have the same effect per hour" (parts_differ_p) says whether the total is the right
//     level or one part carries the effect. Splits by time (working / after hours) and audience
//     (internal / external) are behaviours of their own, not parts.
//  1. Level. A weekly outcome is analysed per person-week; an outcome constant within every
//     person (attrition, a static partner field) per person, on the persons' mean behaviours.
//     Rows (or persons) with the outcome and every behaviour present; constant behaviours are
//     left out.
//  2. Stability selection (Meinshausen & Buehlmann 2010) of the lasso: behaviours and outcome
//     standardized; for `subsamples` random halves of the persons (whole persons, so repeated
//     weeks never straddle the halves) the lasso is solved at lambda = f * lambda_max for each f
//     in lambda_fractions. A behaviour's selection probability is its share of (subsample,
//     lambda) fits with a non-zero coefficient. The lasso keeps a total over its parts when the
//     total is what matters (its L1 cost is smaller) and a part over the total when only the
//     part matters, which is what resolves Viva's sums.
//  3. Ranking: by selection probability, then |standardized lasso coefficient| on all the data
//     at the second smallest lambda, then name. A behaviour with selection probability >=
//     selection_threshold is a DRIVER, any other a NON-DRIVER ("no stable evidence").
//  4. Effects with uncertainty: a least-squares refit of the outcome on the drivers (plus, once
//     found, the strongest curve of 5. and the strongest group effect of 6., whose omission
//     would bias the drivers that move with them) gives each driver's effect per unit (outcome
//     units per hour or per count) with a 95% CI and p-value (standard errors clustered by person
//     at person-week level); a non-driver's effect is the one it would get when added to the
//     drivers (so "no effect" comes with its CI too).
//  5. Shapes: for every behaviour x, the quadratic term of outcome ~ drivers + x + (x - mean)^2
//     (clustered errors). Curvature with Bonferroni p < alpha / behaviours and a turning point
//     inside the 5-95% range of x is reported as an inverted U (peak) or U (trough), with the
//     turning point's 95% CI by the delta method. Shapes are ranked by |t| of the square.
//  6. Conditional effects: for every categorical attribute (HR attributes; not the person,
//     week or tenant), every group of it with at least min_group_size persons AND at least
//     min_group_size persons outside it, and every behaviour x: the interaction in
//     outcome ~ drivers + x + [group] + x * [group]. Reported when Bonferroni-significant over
//     all (group, behaviour) pairs, with the effect of x inside the group and elsewhere, each
//     with its 95% CI. Groups below the minimum are never tested, named or counted here.
//
// The selection is random only through `seed` (a fixed default): equal inputs give equal
// results. Cost: O(n p^2) for the covariance matrices plus O(subsamples * lambdas * p^2 * sweeps)
// for the lasso (p = behaviours, n = rows), and O(n (k + 3)^2) per shape and interaction fit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/frame.h"
#include "core/status.h"

namespace vivalink::analysis {

struct DiscoveryOptions {
  // Behaviour columns (numeric). Empty: every numeric column except the outcome and `exclude`.
  std::vector<std::string> behaviours = {};
  std::vector<std::string> exclude = {"PersonId", "MetricDate"};
  // Columns never used as grouping attributes for conditional effects (besides the person).
  std::vector<std::string> not_attributes = {"MetricDate", "TenantId", "HireDate"};
  std::string person_column = "PersonId";                              // categorical
  int subsamples = 50;                                                 // >= 1
  std::vector<double> lambda_fractions = {0.3, 0.2, 0.1, 0.05, 0.03};  // each in (0, 1]
  double selection_threshold = 0.6;                                    // in (0, 1]
  double alpha = 0.05;            // family-wise level of shapes and conditional effects
  int min_group_size = 5;         // persons; >= 1
  int max_attribute_levels = 50;  // attributes with more groups are not searched
  int max_conditional = 5;        // conditional effects reported (strongest first)
  int max_shapes = 5;             // shapes reported (strongest first)
  uint64_t seed = 20240107;
  bool group_components = true;  // see 0. above
};

// A Viva Insights metric defined as the sum of others (canonical column names).
struct MetricFamily {
  std::string_view total;
  std::vector<std::string_view> parts;
};
// The sums of Viva Insights' metric definitions that discovery uses (see 0. above).
const std::vector<MetricFamily>& VivaMetricFamilies();

enum class DiscoveryLevel { kPersonWeek, kPerson };
std::string_view DiscoveryLevelName(DiscoveryLevel level);  // "person_week" / "person"

struct DiscoveredBehaviour {
  std::string behaviour;
  int rank = 0;  // 1-based
  bool is_driver = false;
  double selection_probability = 0;
  double lasso_coefficient = 0;  // standardized, all data
  int sign = 0;                  // of the effect: +1, -1, 0
  // Per unit of the behaviour, in outcome units (refit; see the header comment), with 95% CI.
  double effect = 0, ci_low = 0, ci_high = 0, p_value = 0;
  double effect_per_sd = 0;  // effect * sd of the behaviour
  // A component (see 0. above): the total it is a part of; it then took no part in the selection.
  std::string component_of;
  // Drivers that are totals: p-value of "all present parts have the same effect per unit" (NaN
  // otherwise, or when the parts cannot be fitted apart).
  double parts_differ_p = 0;
};

struct ShapeFinding {
  std::string behaviour;
  std::string shape;  // "inverted_u" | "u"
  double turning_point = 0, ci_low = 0, ci_high = 0;
  double quadratic = 0, quadratic_p = 0;  // coefficient of (x - mean)^2 and its p-value
  double x_p05 = 0, x_p95 = 0;            // range of the behaviour the curve was judged on
};

struct ConditionalFinding {
  std::string behaviour, attribute, group;
  int64_t group_persons = 0, other_persons = 0;
  double effect_in_group = 0, in_ci_low = 0, in_ci_high = 0;
  double effect_elsewhere = 0, else_ci_low = 0, else_ci_high = 0;
  double interaction_p = 0;  // unadjusted; reported ones pass alpha / tests
  int64_t tests = 0;         // (group, behaviour) pairs searched
};

struct DiscoveryResult {
  std::string outcome;
  DiscoveryLevel level = DiscoveryLevel::kPersonWeek;
  int64_t observations = 0;  // rows (person-weeks or persons) used
  int64_t persons = 0;
  double selection_threshold = 0;
  std::vector<DiscoveredBehaviour> behaviours;  // ranked
  std::vector<ShapeFinding> shapes;
  std::vector<ConditionalFinding> conditional;
};

// Errors: kInvalidArgument for an unknown or non-numeric outcome/behaviour, a missing or numeric
// person column, or an option out of range; kFailedPrecondition when fewer than 10 observations
// or 4 persons remain, or no behaviour varies.
core::Result<DiscoveryResult> DiscoverDrivers(const Frame& frame, std::string_view outcome_column,
                                              const DiscoveryOptions& options = {});

// {"analysis":"discovery", outcome, level, observations, persons, selection_threshold,
//  behaviours:[...], shapes:[...], conditional:[...]}.
std::string ToJson(const DiscoveryResult& result);

}  // namespace vivalink::analysis
