#include "sim/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "sim/crm.h"
#include "sim/ols.h"
#include "sim_test_util.h"

namespace vivalink::sim {
namespace {

using M = Metric;
using testing::MustGenerate;
using testing::SmallOptions;

// The panel an analyst would build: CRM rows joined to that person-week's metrics.
struct Panel {
  std::vector<std::vector<double>> x;
  std::vector<std::string> names;
  std::vector<double> revenue, deals;
  std::vector<uint64_t> person;
};

Panel BuildPanel(const Organization& org) {
  Panel panel;
  panel.names = {"External_collaboration_hours",
                 "Available_to_focus_hours",
                 "After_hours_collaboration_hours",
                 "Conflicting_meeting_hours",
                 "Meeting_hours",
                 "Meeting_hours_sq",
                 "Chat_hours",
                 "Chat_hours_x_Sales",
                 "Email_hours",
                 "Call_hours"};
  panel.x.resize(panel.names.size());
  core::Result<std::vector<CrmRow>> rows = CrmRows(org, 0);
  EXPECT_TRUE(rows.ok());
  for (const CrmRow& r : *rows) {
    if (r.duplicate) continue;  // an analyst de-duplicates first
    const WeekMetrics m = PersonWeekMetrics(org, org.tenants[0], *r.person, r.week);
    const bool sales = r.person->organization == "Sales";
    const double values[] = {m[M::kExternalCollaborationHours],
                             m[M::kAvailableToFocusHours],
                             m[M::kAfterHoursCollaborationHours],
                             m[M::kConflictingMeetingHours],
                             m[M::kMeetingHours],
                             m[M::kMeetingHours] * m[M::kMeetingHours],
                             m[M::kChatHours],
                             sales ? m[M::kChatHours] : 0.0,
                             m[M::kEmailHours],
                             m[M::kCallHours]};
    for (size_t j = 0; j < panel.names.size(); ++j) panel.x[j].push_back(values[j]);
    panel.revenue.push_back(r.outcomes.revenue);
    panel.deals.push_back(static_cast<double>(r.outcomes.deals_won));
    panel.person.push_back(r.person->index);
  }
  return panel;
}

class Recovery : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    org_ = new Organization(MustGenerate(SmallOptions(1500, 12, 2024)));
    panel_ = new Panel(BuildPanel(*org_));
  }
  static void TearDownTestSuite() {
    delete panel_;
    delete org_;
  }
  static Organization* org_;
  static Panel* panel_;
};
Organization* Recovery::org_ = nullptr;
Panel* Recovery::panel_ = nullptr;

TEST_F(Recovery, RevenueRegressionFindsEveryPlantedDriverWithItsSign) {
  core::Result<OlsFit> fit = FitOls(panel_->x, panel_->names, panel_->revenue, panel_->person);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  ASSERT_GT(fit->observations, 15000u);
  auto coef = [&](const std::string& n) { return fit->coefficients[fit->Find(n)]; };
  auto t = [&](const std::string& n) { return fit->t_stats[fit->Find(n)]; };

  // Each planted term: right sign, significant (person-clustered t), near its true size.
  const OutcomeModel& truth = Truth().revenue;
  for (const Term& term : truth.terms) {
    std::string name(CanonicalName(term.metric));
    if (term.kind == TermKind::kSquare) name += "_sq";
    if (term.kind == TermKind::kOnlyInSales) name += "_x_Sales";
    SCOPED_TRACE(name);
    EXPECT_GT(std::fabs(t(name)), 4.0);
    EXPECT_EQ(coef(name) > 0, term.coefficient > 0);
    EXPECT_NEAR(coef(name), term.coefficient, 0.3 * std::fabs(term.coefficient));
  }
  // The inverted U peaks near 12 meeting hours.
  EXPECT_NEAR(-coef("Meeting_hours") / (2 * coef("Meeting_hours_sq")), 12.0, 2.0);
  // Non-drivers: Email and Call hours, and Chat outside Sales, have no effect.
  for (const char* none : {"Email_hours", "Call_hours", "Chat_hours"}) {
    SCOPED_TRACE(none);
    EXPECT_LT(std::fabs(t(none)), 3.0);
    EXPECT_LT(std::fabs(coef(none)), 60.0);  // vs planted effects of 80..400 per hour
  }
}

TEST_F(Recovery, DealsRegressionGetsTheSignsOfTheMainDrivers) {
  core::Result<OlsFit> fit = FitOls(panel_->x, panel_->names, panel_->deals, panel_->person);
  ASSERT_TRUE(fit.ok());
  auto t = [&](const std::string& n) { return fit->t_stats[fit->Find(n)]; };
  EXPECT_GT(t("External_collaboration_hours"), 3.0);
  EXPECT_GT(t("Available_to_focus_hours"), 3.0);
  EXPECT_LT(t("After_hours_collaboration_hours"), -3.0);
  EXPECT_LT(t("Conflicting_meeting_hours"), -3.0);
  EXPECT_LT(t("Meeting_hours_sq"), -2.0);
  EXPECT_LT(std::fabs(t("Email_hours")), 3.0);
}

TEST_F(Recovery, AttritionIsHigherForSustainedAfterHours) {
  const Tenant& t = org_->tenants[0];
  double high = 0, low = 0;
  int n_high = 0, n_low = 0;
  for (const Person& p : t.people) {
    if (p.end_week < org_->options.weeks) continue;  // left in the window: not modelled
    const StaticOutcome s = PersonStaticOutcome(*org_, t, p);
    if (s.mean_after_hours > 5.0) {
      high += s.attrition;
      ++n_high;
    } else if (s.mean_after_hours < 1.5) {
      low += s.attrition;
      ++n_low;
    }
  }
  ASSERT_GT(n_high, 40);
  ASSERT_GT(n_low, 200);
  EXPECT_GT(high / n_high, 2.0 * low / n_low);
}

TEST(Model, GroundTruthJsonNamesDriversSignsAndSpecialEffects) {
  const Organization org = MustGenerate(SmallOptions(200, 4, 2));
  const nlohmann::json j = nlohmann::json::parse(GroundTruthJson(org));
  const auto& rev = j["outcomes"]["Revenue"];
  ASSERT_TRUE(rev["formula"].is_string());
  std::map<std::string, std::string> signs;
  for (const auto& d : rev["drivers"]) signs[d["column"]] = d["sign"];
  EXPECT_EQ(signs["External_collaboration_hours"], "+");
  EXPECT_EQ(signs["Available_to_focus_hours"], "+");
  EXPECT_EQ(signs["After_hours_collaboration_hours"], "-");
  EXPECT_EQ(signs["Conflicting_meeting_hours"], "-");
  ASSERT_EQ(rev["nonlinear"].size(), 1u);
  EXPECT_EQ(rev["nonlinear"][0]["column"], "Meeting_hours");
  EXPECT_EQ(rev["nonlinear"][0]["shape"], "inverted_u");
  EXPECT_DOUBLE_EQ(rev["nonlinear"][0]["peak"].get<double>(), 12.0);
  ASSERT_EQ(rev["conditional"].size(), 1u);
  EXPECT_EQ(rev["conditional"][0]["column"], "Chat_hours");
  EXPECT_EQ(rev["conditional"][0]["only_when"]["Organization"], "Sales");
  EXPECT_TRUE(j["outcomes"].contains("Deals_won"));
  EXPECT_TRUE(j["outcomes"].contains("Customer_satisfaction"));
  EXPECT_TRUE(j["outcomes"].contains("Attrition"));
  bool email_is_non_driver = false;
  for (const auto& n : rev["non_drivers"]) email_is_non_driver |= n == "Email_hours";
  EXPECT_TRUE(email_is_non_driver);
}

TEST(Model, OutcomesAreDeterministicPerPersonWeek) {
  const Organization org = MustGenerate(SmallOptions(50, 3, 2));
  const Tenant& t = org.tenants[0];
  const Person& p = t.people[7];
  const WeekMetrics m = PersonWeekMetrics(org, t, p, 1);
  const WeekOutcomes a = PersonWeekOutcomes(org, t, p, 1, m);
  const WeekOutcomes b = PersonWeekOutcomes(org, t, p, 1, m);
  EXPECT_EQ(a.revenue, b.revenue);
  EXPECT_EQ(a.deals_won, b.deals_won);
  EXPECT_EQ(a.satisfaction, b.satisfaction);
}

}  // namespace
}  // namespace vivalink::sim
