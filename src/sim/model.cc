#include "sim/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "sim/random.h"

namespace vivalink::sim {
namespace {

using M = Metric;

PlantedModel MakeTruth() {
  PlantedModel t;
  t.revenue = OutcomeModel{"Revenue",
                           "identity",
                           6000.0,
                           {
                               {M::kExternalCollaborationHours, TermKind::kLinear, 250.0},
                               {M::kAvailableToFocusHours, TermKind::kLinear, 80.0},
                               {M::kAfterHoursCollaborationHours, TermKind::kLinear, -180.0},
                               {M::kConflictingMeetingHours, TermKind::kLinear, -300.0},
                               {M::kMeetingHours, TermKind::kLinear, 192.0},
                               {M::kMeetingHours, TermKind::kSquare, -8.0},
                               {M::kChatHours, TermKind::kOnlyInSales, 400.0},
                           },
                           1200.0,
                           2000.0};
  t.deals_won = OutcomeModel{"Deals_won",
                             "log",
                             0.25,
                             {
                                 {M::kExternalCollaborationHours, TermKind::kLinear, 0.035},
                                 {M::kAvailableToFocusHours, TermKind::kLinear, 0.012},
                                 {M::kAfterHoursCollaborationHours, TermKind::kLinear, -0.03},
                                 {M::kConflictingMeetingHours, TermKind::kLinear, -0.06},
                                 {M::kMeetingHours, TermKind::kLinear, 0.05},
                                 {M::kMeetingHours, TermKind::kSquare, -0.002},
                                 {M::kChatHours, TermKind::kOnlyInSales, 0.06},
                             },
                             0.25,
                             0.0};
  t.customer_satisfaction =
      OutcomeModel{"Customer_satisfaction",
                   "identity",
                   3.3,
                   {
                       {M::kExternalCollaborationHours, TermKind::kLinear, 0.04},
                       {M::kAvailableToFocusHours, TermKind::kLinear, 0.015},
                       {M::kAfterHoursCollaborationHours, TermKind::kLinear, -0.08},
                       {M::kConflictingMeetingHours, TermKind::kLinear, -0.10},
                   },
                   0.3,
                   0.7};
  return t;
}

double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

std::string Num(double x) { return fmt::format("{}", x); }

std::string Formula(const OutcomeModel& m) {
  std::string eta = Num(m.intercept);
  for (const Term& t : m.terms) {
    eta += t.coefficient < 0 ? " - " : " + ";
    eta += Num(std::fabs(t.coefficient)) + "*";
    const std::string col(CanonicalName(t.metric));
    if (t.kind == TermKind::kSquare)
      eta += col + "^2";
    else if (t.kind == TermKind::kOnlyInSales)
      eta += col + "*[Organization==\"Sales\"]";
    else
      eta += col;
  }
  eta += " + " + Num(m.person_sd) + "*z_person";
  if (m.link == "log") return std::string(m.name) + " ~ Poisson(exp(" + eta + "))";
  if (m.name == "Revenue") {
    return "Revenue = " + eta + " + N(0, " + Num(m.noise_sd) + ")";
  }
  return std::string(m.name) + " = clamp(round(" + eta + " + N(0, " + Num(m.noise_sd) + ")), 1, 5)";
}

std::string Strength(double per_sd, double scale) {
  const double r = std::fabs(per_sd) / scale;
  return r > 0.25 ? "strong" : r > 0.08 ? "moderate" : "weak";
}

// Sd of each metric over a sample of the organisation (for "effect of one sd" in the truth).
std::vector<double> MetricSds(const Organization& org) {
  std::vector<double> sum(kMetricCount, 0.0), sum2(kMetricCount, 0.0);
  double n = 0;
  const Tenant& t = org.tenants.front();
  const size_t step = std::max<size_t>(1, t.people.size() / 2000);
  for (size_t i = 0; i < t.people.size(); i += step) {
    const Person& p = t.people[i];
    for (int w = 0; w < org.options.weeks; w += std::max(1, org.options.weeks / 6)) {
      const WeekMetrics m = PersonWeekMetrics(org, t, p, w);
      if (!m.is_active) continue;
      n += 1;
      for (size_t k = 0; k < kMetricCount; ++k) {
        sum[k] += m.values[k];
        sum2[k] += m.values[k] * m.values[k];
      }
    }
  }
  std::vector<double> sd(kMetricCount, 0.0);
  if (n > 1) {
    for (size_t k = 0; k < kMetricCount; ++k) {
      sd[k] = std::sqrt(std::max(0.0, (sum2[k] - sum[k] * sum[k] / n) / (n - 1)));
    }
  }
  return sd;
}

nlohmann::ordered_json OutcomeJson(const OutcomeModel& m, const std::vector<double>& sd,
                                   double scale) {
  nlohmann::ordered_json j;
  j["type"] = m.link == "log" ? "count" : (m.name == "Revenue" ? "continuous" : "ordinal 1-5");
  j["link"] = m.link;
  j["formula"] = Formula(m);
  j["intercept"] = m.intercept;
  j["person_effect_sd"] = m.person_sd;
  if (m.noise_sd > 0) j["noise_sd"] = m.noise_sd;
  auto drivers = nlohmann::ordered_json::array();
  auto nonlinear = nlohmann::ordered_json::array();
  auto conditional = nlohmann::ordered_json::array();
  for (const Term& t : m.terms) {
    const std::string col(CanonicalName(t.metric));
    if (t.kind == TermKind::kLinear) {
      bool has_square = false;
      double square = 0;
      for (const Term& u : m.terms) {
        if (u.metric == t.metric && u.kind == TermKind::kSquare) {
          has_square = true;
          square = u.coefficient;
        }
      }
      if (has_square) {
        nonlinear.push_back({{"column", col},
                             {"shape", square < 0 ? "inverted_u" : "u"},
                             {"linear_coefficient", t.coefficient},
                             {"quadratic_coefficient", square},
                             {"peak", -t.coefficient / (2 * square)}});
        continue;
      }
      const double per_sd = t.coefficient * sd[Index(t.metric)];
      drivers.push_back({{"column", col},
                         {"sign", t.coefficient > 0 ? "+" : "-"},
                         {"coefficient", t.coefficient},
                         {"effect_per_sd", per_sd},
                         {"strength", Strength(per_sd, scale)}});
    } else if (t.kind == TermKind::kOnlyInSales) {
      conditional.push_back({{"column", col},
                             {"only_when", {{"Organization", "Sales"}}},
                             {"sign", t.coefficient > 0 ? "+" : "-"},
                             {"coefficient", t.coefficient},
                             {"elsewhere", 0}});
    }
  }
  j["drivers"] = drivers;
  j["nonlinear"] = nonlinear;
  j["conditional"] = conditional;
  auto non_drivers = nlohmann::ordered_json::array();
  for (size_t k = 0; k < kMetricCount; ++k) {
    const auto metric = static_cast<Metric>(k);
    bool used = false;
    for (const Term& t : m.terms) used = used || t.metric == metric;
    // Columns built from a driver (its parts or sums) are not independent non-drivers.
    if (!used && (metric == M::kEmailHours || metric == M::kCallHours || metric == M::kEmailsSent ||
                  metric == M::kInternalNetworkSize || metric == M::kUrgentEmailHours)) {
      non_drivers.push_back(std::string(CanonicalName(metric)));
    }
  }
  j["non_drivers"] = non_drivers;
  return j;
}

}  // namespace

double OutcomeModel::LinearPredictor(const WeekMetrics& m, bool in_sales) const {
  double eta = intercept;
  for (const Term& t : terms) {
    const double x = m[t.metric];
    switch (t.kind) {
      case TermKind::kLinear:
        eta += t.coefficient * x;
        break;
      case TermKind::kSquare:
        eta += t.coefficient * x * x;
        break;
      case TermKind::kOnlyInSales:
        if (in_sales) eta += t.coefficient * x;
        break;
    }
  }
  return eta;
}

const PlantedModel& Truth() {
  static const PlantedModel kTruth = MakeTruth();
  return kTruth;
}

WeekOutcomes PersonWeekOutcomes(const Organization& org, const Tenant& t, const Person& p, int week,
                                const WeekMetrics& metrics) {
  const PlantedModel& truth = Truth();
  const bool sales = p.organization == "Sales";
  Rng r(org.options.seed, Stream::kOutcome, t.index, p.index, static_cast<uint64_t>(week));
  WeekOutcomes out;

  const OutcomeModel& rev = truth.revenue;
  const double revenue = rev.LinearPredictor(metrics, sales) +
                         rev.person_sd * p.traits.revenue_skill + r.Normal(0.0, rev.noise_sd);
  // No floor at zero: a floor would bend the planted model where meeting load is extreme (net
  // revenue may be negative in a week of cancellations, as CRMs book it).
  out.revenue = std::round(revenue * 100.0) / 100.0;

  const OutcomeModel& deals = truth.deals_won;
  out.deals_won = r.Poisson(
      std::exp(deals.LinearPredictor(metrics, sales) + deals.person_sd * p.traits.deals_skill));

  const OutcomeModel& csat = truth.customer_satisfaction;
  const double latent = csat.LinearPredictor(metrics, sales) +
                        csat.person_sd * p.traits.csat_skill + r.Normal(0.0, csat.noise_sd);
  const bool answered = r.Bernoulli(0.7);
  if (answered) out.satisfaction = static_cast<int>(std::clamp(std::round(latent), 1.0, 5.0));
  return out;
}

StaticOutcome PersonStaticOutcome(const Organization& org, const Tenant& t, const Person& p) {
  StaticOutcome out;
  double sum = 0;
  int active = 0;
  for (int w = std::max(0, p.first_week); w < p.end_week; ++w) {
    const WeekMetrics m = PersonWeekMetrics(org, t, p, w);
    if (!m.is_active) continue;
    sum += m[M::kAfterHoursCollaborationHours];
    ++active;
  }
  out.mean_after_hours = active > 0 ? sum / active : 0.0;
  const core::Date end = org.WeekStart(p.end_week);
  out.tenure_years = std::max(0.0, static_cast<double>((end - p.hire_date).count()) / 365.25);
  if (p.end_week < org.options.weeks) {
    out.attrition = true;
    out.exit_date = end;
    return out;
  }
  const AttritionModel& a = Truth().attrition;
  Rng r(org.options.seed, Stream::kStatic, t.index, p.index);
  out.attrition = r.Bernoulli(Logistic(a.intercept + a.per_after_hours * out.mean_after_hours +
                                       a.per_tenure_year * out.tenure_years));
  return out;
}

std::string GroundTruthJson(const Organization& org) {
  const PlantedModel& truth = Truth();
  const std::vector<double> sd = MetricSds(org);
  nlohmann::ordered_json j;
  j["description"] =
      "Planted relationships of the vivasim synthetic organisation. Outcomes are generated per "
      "person-week from that week's Viva Insights metrics (canonical underscore column names) "
      "plus an unobserved per-person effect (z_person ~ N(0,1)) and noise. Terms: 'linear' = "
      "coefficient * metric; 'square' = coefficient * metric^2 (with the linear term an "
      "inverted U); 'only_in_sales' = coefficient * metric when Organization == \"Sales\", 0 "
      "otherwise. CRM rows exist only for weeks with activity.";
  j["seed"] = org.options.seed;
  j["unit"] = "person-week";
  nlohmann::ordered_json outcomes;
  outcomes["Revenue"] = OutcomeJson(truth.revenue, sd, 2000.0);
  outcomes["Deals_won"] = OutcomeJson(truth.deals_won, sd, 1.0);
  outcomes["Customer_satisfaction"] = OutcomeJson(truth.customer_satisfaction, sd, 0.7);
  outcomes["Customer_satisfaction"]["response_rate"] = 0.7;
  const AttritionModel& a = truth.attrition;
  outcomes["Attrition"] = {
      {"type", "binary, per person (crm_static.csv)"},
      {"link", "logit"},
      {"formula", "Attrition ~ Bernoulli(logistic(" + Num(a.intercept) + " + " +
                      Num(a.per_after_hours) + "*mean_weekly_After_hours_collaboration_hours - " +
                      Num(-a.per_tenure_year) + "*Tenure_years))"},
      {"drivers",
       {{{"column", "After_hours_collaboration_hours"},
         {"aggregate", "mean over the person's active weeks"},
         {"sign", "+"},
         {"coefficient", a.per_after_hours},
         {"strength", "strong"}},
        {{"column", "Tenure_years"},
         {"sign", "-"},
         {"coefficient", a.per_tenure_year},
         {"strength", "weak"}}}},
      {"note",
       "people who left during the simulated window have Attrition 1 and an Exit_date "
       "regardless of the model; the model applies to people employed at the end"}};
  j["outcomes"] = outcomes;
  const OrgOptions& o = org.options;
  j["crm"] = {{"key", o.crm_key == CrmKey::kEmail ? "Email" : "ObjectId"},
              {"unknown_people_fraction", o.unknown_fraction},
              {"unlicensed_people_fraction", o.unlicensed_fraction},
              {"alias_people_fraction", o.crm_alias_people},
              {"duplicate_row_fraction", o.crm_duplicate_rows},
              {"satisfaction_response_rate", 0.7}};
  auto tenants = nlohmann::ordered_json::array();
  for (const Tenant& t : org.tenants) tenants.push_back({{"id", t.id}, {"domain", t.domain}});
  j["tenants"] = tenants;
  return j.dump(2) + "\n";
}

}  // namespace vivalink::sim
