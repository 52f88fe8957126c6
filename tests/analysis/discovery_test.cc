#include "analysis/discovery.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace vivalink::analysis {
namespace {

// Normal draws from the engine's raw output (Box-Muller), the same on every standard library.
class Normal {
 public:
  explicit Normal(uint64_t seed) : rng_(seed) {}
  double Uniform() { return (static_cast<double>(rng_() >> 11) + 0.5) / 9007199254740992.0; }
  double operator()(double mean, double sd) {
    const double u = Uniform(), v = Uniform();
    return mean + sd * std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
  }

 private:
  std::mt19937_64 rng_;
};

// A simulated organisation: `persons` persons over `weeks` weeks, in Sales (30%), Legal (3
// persons) or Operations. Planted per person-week:
//   Outcome = 10 + 3 Focus_hours - 2 Conflicting_meeting_hours + 1.5
//   After_hours_collaboration_hours
//             + 4 Meeting_hours - 0.2 Meeting_hours^2 (peak 10) + 2 Chat_hours [Sales]
//             + person effect + noise,
// where After_hours_collaboration_hours = After_hours_email_hours + After_hours_meeting_hours
// (both move with one after-hours trait) and Email_hours, Urgent_email_hours do nothing. Legal's
// three persons have a Chat_hours effect of their own that must never be reported (below the
// minimum group size). Static: Left (0/1), more likely with more after-hours work.
Frame Organisation(int persons, int weeks, uint64_t seed) {
  Normal z(seed);
  std::vector<std::string> person, week, org;
  std::map<std::string, std::vector<double>> v;
  for (int p = 0; p < persons; ++p) {
    const std::string group = p < 3 ? "Legal" : (p % 10 < 3 ? "Sales" : "Operations");
    const double after_trait = std::max(0.2, z(2, 0.8));
    const double meeting_trait = std::max(1.0, z(10, 4));
    const double skill = z(0, 2);
    const double left_score = -3 + 0.9 * after_trait + z(0, 1);
    for (int w = 0; w < weeks; ++w) {
      person.push_back("p" + std::to_string(p));
      week.push_back("2024-01-" + std::to_string(10 + w));
      org.push_back(group);
      const double focus = std::max(0.0, z(12, 3));
      const double meeting = std::max(0.0, meeting_trait + z(0, 2));
      const double conflicting = std::max(0.0, 0.1 * meeting + z(1, 0.5));
      const double ah_email = std::max(0.0, after_trait * 0.6 + z(0, 0.3));
      const double ah_meeting = std::max(0.0, after_trait * 0.4 + z(0, 0.3));
      const double ah = ah_email + ah_meeting;
      const double chat = std::max(0.0, z(4, 1.5));
      const double email = std::max(0.0, z(6, 2) + 0.5 * ah_email);
      const double urgent = std::max(0.0, 0.1 * email + z(0, 0.2));
      double y = 10 + 3 * focus - 2 * conflicting + 2 * ah + 4 * meeting - 0.2 * meeting * meeting +
                 skill + z(0, 3);
      if (group == "Sales") y += 2 * chat;
      if (group == "Legal") y += 6 * chat;
      v["Available_to_focus_hours"].push_back(focus);
      v["Meeting_hours"].push_back(meeting);
      v["Conflicting_meeting_hours"].push_back(conflicting);
      v["After_hours_email_hours"].push_back(ah_email);
      v["After_hours_meeting_hours"].push_back(ah_meeting);
      v["After_hours_collaboration_hours"].push_back(ah);
      v["Chat_hours"].push_back(chat);
      v["Email_hours"].push_back(email);
      v["Urgent_email_hours"].push_back(urgent);
      v["Outcome"].push_back(y);
      v["Left"].push_back(left_score > 0 ? 1.0 : 0.0);
    }
  }
  Frame f;
  EXPECT_TRUE(f.AddStrings("PersonId", person).ok());
  EXPECT_TRUE(f.AddStrings("MetricDate", week).ok());
  EXPECT_TRUE(f.AddStrings("Organization", org).ok());
  for (auto& [name, values] : v) EXPECT_TRUE(f.AddNumeric(name, values).ok());
  return f;
}

DiscoveryOptions Options(const std::string& other_outcome) {
  DiscoveryOptions o;
  o.exclude.push_back(other_outcome);
  o.subsamples = 20;
  return o;
}

const DiscoveredBehaviour* Find(const DiscoveryResult& r, const std::string& name) {
  for (const auto& b : r.behaviours) {
    if (b.behaviour == name) return &b;
  }
  return nullptr;
}

class Discovery : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    frame_ = new Frame(Organisation(300, 6, 7));
    auto r = DiscoverDrivers(*frame_, "Outcome", Options("Left"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    result_ = new DiscoveryResult(std::move(r).value());
  }
  static void TearDownTestSuite() {
    delete result_;
    delete frame_;
  }
  static Frame* frame_;
  static DiscoveryResult* result_;
};
Frame* Discovery::frame_ = nullptr;
DiscoveryResult* Discovery::result_ = nullptr;

TEST_F(Discovery, PlantedDriversAreStableWithTheirSignsAndEffectsInOutcomeUnits) {
  EXPECT_EQ(result_->level, DiscoveryLevel::kPersonWeek);
  EXPECT_EQ(result_->observations, 1800);
  EXPECT_EQ(result_->persons, 300);
  const std::map<std::string, double> planted = {{"Available_to_focus_hours", 3},
                                                 {"Conflicting_meeting_hours", -2},
                                                 {"After_hours_collaboration_hours", 2}};
  for (const auto& [name, effect] : planted) {
    const DiscoveredBehaviour* b = Find(*result_, name);
    ASSERT_NE(b, nullptr) << name;
    EXPECT_TRUE(b->is_driver) << name;
    EXPECT_LE(b->rank, 4) << name;
    EXPECT_EQ(b->sign, effect > 0 ? 1 : -1) << name;
    EXPECT_GE(b->selection_probability, 0.6) << name;
    EXPECT_LT(b->ci_low, b->effect) << name;
    EXPECT_GT(b->ci_high, b->effect) << name;
    EXPECT_LT(b->p_value, 1e-3) << name;
  }
  // Effects per hour near the planted ones.
  EXPECT_NEAR(Find(*result_, "Available_to_focus_hours")->effect, 3, 0.3);
  const DiscoveredBehaviour* urgent = Find(*result_, "Urgent_email_hours");
  ASSERT_NE(urgent, nullptr);
  EXPECT_FALSE(urgent->is_driver);
  EXPECT_FALSE(std::isnan(urgent->ci_low));  // "no effect" comes with its interval too
}

TEST_F(Discovery, ATotalIsSelectedAndItsPartsAreReportedAsComponents) {
  for (const char* part : {"After_hours_email_hours", "After_hours_meeting_hours"}) {
    const DiscoveredBehaviour* b = Find(*result_, part);
    ASSERT_NE(b, nullptr) << part;
    EXPECT_EQ(b->component_of, "After_hours_collaboration_hours") << part;
    EXPECT_FALSE(b->is_driver) << part;
    EXPECT_TRUE(std::isnan(b->selection_probability)) << part;
  }
  // Equal effects per hour of both parts: the Wald test finds no difference.
  const DiscoveredBehaviour* total = Find(*result_, "After_hours_collaboration_hours");
  EXPECT_GT(total->parts_differ_p, 0.001);
  // Components rank after every behaviour that took part in the selection.
  int last_candidate = 0, first_component = 1000;
  for (const auto& b : result_->behaviours) {
    if (b.component_of.empty()) last_candidate = std::max(last_candidate, b.rank);
    if (!b.component_of.empty()) first_component = std::min(first_component, b.rank);
  }
  EXPECT_LT(last_candidate, first_component);
}

TEST_F(Discovery, AnInvertedUIsReportedWithItsPeak) {
  ASSERT_FALSE(result_->shapes.empty());
  const ShapeFinding& s = result_->shapes.front();
  EXPECT_EQ(s.behaviour, "Meeting_hours");
  EXPECT_EQ(s.shape, "inverted_u");
  EXPECT_NEAR(s.turning_point, 10, 1.0);
  EXPECT_LT(s.ci_low, s.turning_point);
  EXPECT_GT(s.ci_high, s.turning_point);
  EXPECT_LT(s.quadratic, 0);
}

TEST_F(Discovery, AConditionalEffectNamesItsGroupAndNeverASmallGroup) {
  ASSERT_FALSE(result_->conditional.empty());
  const ConditionalFinding& c = result_->conditional.front();
  EXPECT_EQ(c.behaviour, "Chat_hours");
  EXPECT_EQ(c.attribute, "Organization");
  EXPECT_EQ(c.group, "Sales");
  EXPECT_NEAR(c.effect_in_group, 2, 0.5);
  EXPECT_LT(c.else_ci_low, 0.6);
  EXPECT_GT(c.else_ci_high, -0.6);
  EXPECT_GE(c.group_persons, 5);
  for (const auto& f : result_->conditional) EXPECT_NE(f.group, "Legal");
  EXPECT_EQ(ToJson(*result_).find("Legal"), std::string::npos);
}

TEST_F(Discovery, EqualInputsGiveEqualResults) {
  auto again = DiscoverDrivers(*frame_, "Outcome", Options("Left"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ToJson(*again), ToJson(*result_));
}

TEST_F(Discovery, AnOutcomeConstantWithinPersonsIsAnalysedPerPerson) {
  auto r = DiscoverDrivers(*frame_, "Left", Options("Outcome"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->level, DiscoveryLevel::kPerson);
  EXPECT_EQ(r->observations, 300);
  ASSERT_FALSE(r->behaviours.empty());
  EXPECT_EQ(r->behaviours.front().behaviour, "After_hours_collaboration_hours");
  EXPECT_EQ(r->behaviours.front().sign, 1);
}

TEST(DiscoveryErrors, BadOptionsAndTooLittleDataAreRefused) {
  const Frame f = Organisation(3, 2, 1);
  DiscoveryOptions bad;
  bad.lambda_fractions = {0.0};
  EXPECT_EQ(DiscoverDrivers(f, "Outcome", bad).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(DiscoverDrivers(f, "Nope").status().code(), core::StatusCode::kInvalidArgument);
  auto small = DiscoverDrivers(f, "Outcome", Options("Left"));
  EXPECT_EQ(small.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_NE(small.status().message().find("at least 10 observations"), std::string::npos);
}

TEST(DiscoveryFamilies, EveryPartOfAFamilyIsAnotherMetricThanItsTotal) {
  for (const MetricFamily& f : VivaMetricFamilies()) {
    EXPECT_GE(f.parts.size(), 2u) << f.total;
    for (std::string_view part : f.parts) EXPECT_NE(part, f.total);
  }
}

}  // namespace
}  // namespace vivalink::analysis
