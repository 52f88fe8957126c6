// The planted relationships: how the partner's outcomes are generated from Viva Insights
// behaviours, so that an analysis of the simulated data can be checked against known truth
// (PROTOCOL §9). ground_truth.json is written from these same tables.
//
// Per person-week (rows exist for employed weeks with any activity):
//   eta(outcome) = intercept + sum_k coef_k * term_k + person_sd * z_person
//   term_k is a metric (kLinear), its square (kSquare: with the kLinear term of the same metric
//   this makes an inverted U, peak at -linear / (2 * square)), or a metric that counts only for
//   people whose Organization is "Sales" (kOnlyInSales: zero elsewhere).
//   Revenue               = eta + N(0, noise_sd), rounded to cents: net booked revenue of the
//                           week, negative in rare weeks (~0.4%) of cancellations. Deliberately
//                           not floored at 0, which would bend the planted curve.
//   Deals_won             ~ Poisson(exp(eta))
//   Customer_satisfaction = clamp(round(eta + N(0, noise_sd)), 1, 5), answered in 70% of weeks
// Per person (static):
//   Attrition ~ Bernoulli(logistic(a + b * mean weekly After_hours_collaboration_hours over the
//   person's active weeks + c * tenure years)); people who left during the window have
//   Attrition 1 and an exit date.
// Metrics absent from a model (Email_hours, Call_hours, Chat_hours outside Sales, ...) have no
// effect on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "sim/columns.h"
#include "sim/metrics.h"
#include "sim/organization.h"

namespace vivalink::sim {

enum class TermKind { kLinear, kSquare, kOnlyInSales };

struct Term {
  Metric metric;
  TermKind kind;
  double coefficient;
};

struct OutcomeModel {
  std::string_view name;  // CRM column: "Revenue", "Deals_won", "Customer_satisfaction"
  std::string_view link;  // "identity" or "log"
  double intercept;
  std::vector<Term> terms;
  double person_sd;  // sd of the unobserved per-person effect
  double noise_sd;   // sd of the per-week noise (identity link only)

  // intercept + sum of terms (no person effect, no noise).
  double LinearPredictor(const WeekMetrics& m, bool in_sales) const;
};

struct AttritionModel {
  double intercept = -2.6;
  double per_after_hours = 0.35;  // per hour of mean weekly after-hours collaboration
  double per_tenure_year = -0.08;
};

struct PlantedModel {
  OutcomeModel revenue, deals_won, customer_satisfaction;
  AttritionModel attrition;
};

// The planted truth. Immutable, thread-safe.
const PlantedModel& Truth();

struct WeekOutcomes {
  int64_t deals_won = 0;
  double revenue = 0;               // currency units, cents; may be negative (net)
  std::optional<int> satisfaction;  // 1..5, or no answer this week
};

// Outcomes of person p in week w given its metrics (PersonWeekMetrics). Deterministic.
WeekOutcomes PersonWeekOutcomes(const Organization& org, const Tenant& t, const Person& p, int week,
                                const WeekMetrics& metrics);

struct StaticOutcome {
  bool attrition = false;
  double tenure_years = 0;              // at the end of the window (or at exit)
  double mean_after_hours = 0;          // mean weekly After_hours_collaboration_hours, active weeks
  std::optional<core::Date> exit_date;  // for people who left during the window
};

// The per-person static outcome; recomputes the person's weekly metrics (cost: weeks).
StaticOutcome PersonStaticOutcome(const Organization& org, const Tenant& t, const Person& p);

// ground_truth.json: drivers, signs, strengths, formulas, the non-linear and conditional
// effects, non-drivers, and the CRM mess settings, as pretty-printed JSON.
std::string GroundTruthJson(const Organization& org);

}  // namespace vivalink::sim
