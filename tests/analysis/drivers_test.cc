#include "analysis/drivers.h"

#include <gtest/gtest.h>

#include <cmath>

#include "analysis/stats.h"
#include "test_frames.h"

namespace vivalink::analysis {
namespace {

TEST(Drivers, PearsonMatchesClosedForm) {
  const std::vector<double> x = {1, 2, 3, 4, 5}, y = {2, 4, 5, 4, 5};
  const DriverRow row = ComputeDriver("x", x, y, {});
  EXPECT_NEAR(row.pearson_r, 6 / std::sqrt(60.0), 1e-15);
  EXPECT_EQ(row.n, 5);
  // Top quartile (x >= 4): y 4, 5; bottom (x <= 2): y 2, 4.
  EXPECT_NEAR(row.quartile_diff, 4.5 - 3.0, 1e-15);
}

TEST(Drivers, SpearmanIntervalUsesInflatedStandardError) {
  std::vector<double> x, y;
  for (int i = 0; i < 30; ++i) {
    x.push_back(i);
    y.push_back(i % 7 + 0.1 * i);
  }
  const DriverRow row = ComputeDriver("x", x, y, {});
  const double z = std::atanh(row.spearman_rho);
  EXPECT_NEAR(row.spearman_ci_low, std::tanh(z - stats::kZ975 * 1.03 / std::sqrt(27.0)), 1e-14);
  EXPECT_NEAR(row.spearman_ci_high, std::tanh(z + stats::kZ975 * 1.03 / std::sqrt(27.0)), 1e-14);
}

TEST(Drivers, PerfectMonotoneRelationHasRhoOneAndZeroP) {
  const std::vector<double> x = {1, 2, 3, 4, 5, 6}, y = {1, 8, 27, 64, 125, 216};
  const DriverRow row = ComputeDriver("x", x, y, {});
  EXPECT_DOUBLE_EQ(row.spearman_rho, 1.0);
  EXPECT_EQ(row.spearman_p, 0.0);
  EXPECT_EQ(row.sign, 1);
  EXPECT_LT(row.pearson_r, 1.0);
}

Frame DriverFrame() {
  // Two persons a, b with 4 weeks each; Down falls with Revenue, Noise barely relates.
  Frame f;
  EXPECT_TRUE(f.AddStrings("PersonId", {"a", "a", "a", "a", "b", "b", "b", "b"}).ok());
  EXPECT_TRUE(f.AddNumeric("Revenue", {10, 20, 30, 40, 15, 25, 35, 45}).ok());
  EXPECT_TRUE(f.AddNumeric("Down", {9, 7, 5, 3, 8, 6, 4, 2}).ok());
  EXPECT_TRUE(f.AddNumeric("Noise", {1, 3, 2, 1, 3, 1, 2, 3}).ok());
  return f;
}

TEST(Drivers, RankedByAbsoluteSpearmanWithSign) {
  auto r = RankDrivers(DriverFrame(), "Revenue");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->person_week.size(), 2u);
  EXPECT_EQ(r->person_week[0].behaviour, "Down");
  EXPECT_EQ(r->person_week[0].rank, 1);
  EXPECT_EQ(r->person_week[0].sign, -1);
  EXPECT_DOUBLE_EQ(r->person_week[0].spearman_rho, -1.0);
  EXPECT_EQ(r->person_week[1].rank, 2);
}

TEST(Drivers, PersonLevelCorrelatesPersonMeans) {
  auto r = RankDrivers(DriverFrame(), "Revenue", {.behaviours = {"Down"}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->person.size(), 1u);
  EXPECT_EQ(r->person[0].n, 2);  // two persons: means (25, 6) and (30, 5)
  EXPECT_DOUBLE_EQ(r->person[0].pearson_r, -1.0);
  EXPECT_TRUE(std::isnan(r->person[0].pearson_ci_low));  // n <= 3
}

TEST(Drivers, UnknownOrTextColumnsAreInvalidArgument) {
  const Frame f = DriverFrame();
  EXPECT_EQ(RankDrivers(f, "Nope").status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(RankDrivers(f, "PersonId").status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(RankDrivers(f, "Revenue", {.behaviours = {"PersonId"}}).status().code(),
            core::StatusCode::kInvalidArgument);
}

TEST(Drivers, CsvHasOneRowPerLevelAndBehaviour) {
  auto r = RankDrivers(DriverFrame(), "Revenue");
  ASSERT_TRUE(r.ok());
  const std::string csv = ToCsv(*r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 2);
  EXPECT_NE(csv.find("person_week,1,Down,8,-1,"), std::string::npos);
}

}  // namespace
}  // namespace vivalink::analysis

namespace vivalink::analysis {
namespace {

// 200 person-weeks: Outcome = 3 * Driver + noise; Follower = Driver + small noise (no effect of
// its own); Total = Driver + Other exactly. Deterministic pseudo-random numbers (an LCG).
Frame ConfoundedFrame() {
  uint64_t state = 12345;
  auto uniform = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
  };
  std::vector<std::string> persons, weeks;
  std::vector<double> driver, follower, other, total, outcome;
  for (int i = 0; i < 200; ++i) {
    persons.push_back("p" + std::to_string(i % 40));
    weeks.push_back(i < 40 ? "2024-01-07" : i < 80 ? "2024-01-14" : "2024-01-21");
    driver.push_back(10 * uniform());
    follower.push_back(driver.back() + 2 * uniform());
    other.push_back(5 * uniform());
    total.push_back(driver.back() + other.back());
    outcome.push_back(3 * driver.back() + 6 * uniform());
  }
  Frame f;
  EXPECT_TRUE(f.AddStrings("PersonId", persons).ok());
  EXPECT_TRUE(f.AddStrings("MetricDate", weeks).ok());
  EXPECT_TRUE(f.AddNumeric("Driver", driver).ok());
  EXPECT_TRUE(f.AddNumeric("Follower", follower).ok());
  EXPECT_TRUE(f.AddNumeric("Other", other).ok());
  EXPECT_TRUE(f.AddNumeric("Total", total).ok());
  EXPECT_TRUE(f.AddNumeric("Outcome", outcome).ok());
  return f;
}

const DriverRow& Row(const std::vector<DriverRow>& rows, const std::string& name) {
  for (const auto& r : rows) {
    if (r.behaviour == name) return r;
  }
  ADD_FAILURE() << "no row " << name;
  return rows.front();
}

TEST(Drivers, PartialCorrelationSeparatesADriverFromWhatMovesWithIt) {
  DriverOptions options;
  options.behaviours = {"Driver", "Follower", "Other"};
  options.rank_by = DriverRank::kPartial;
  auto r = RankDrivers(ConfoundedFrame(), "Outcome", options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rank_by, DriverRank::kPartial);
  const auto& rows = r->person_week;
  EXPECT_EQ(rows[0].behaviour, "Driver");
  EXPECT_EQ(rows[0].sign, 1);
  // The follower's marginal association is strong, its own (partial) one is not.
  EXPECT_GT(Row(rows, "Follower").spearman_rho, 0.7);
  EXPECT_LT(std::fabs(Row(rows, "Follower").partial_r), 0.2);
  EXPECT_GT(Row(rows, "Driver").partial_r, 0.5);  // ~0.7: Follower carries most of Driver
  EXPECT_LT(Row(rows, "Driver").partial_p, 1e-10);
  EXPECT_EQ(Row(rows, "Driver").partial_n, 200);
  EXPECT_LT(Row(rows, "Driver").partial_ci_low, Row(rows, "Driver").partial_r);
  EXPECT_GT(Row(rows, "Driver").partial_ci_high, Row(rows, "Driver").partial_r);
}

TEST(Drivers, AnExactSumIsAliasedAndRanksLast) {
  DriverOptions options;
  options.behaviours = {"Driver", "Other", "Total"};
  options.rank_by = DriverRank::kPartial;
  auto r = RankDrivers(ConfoundedFrame(), "Outcome", options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Entered in Spearman order: Total (rho ~ Driver's) and Driver come before Other, which is
  // then their exact difference.
  int aliased = 0;
  for (const auto& row : r->person_week) aliased += std::isnan(row.partial_r) ? 1 : 0;
  EXPECT_EQ(aliased, 1);
  EXPECT_TRUE(std::isnan(r->person_week.back().partial_r));
  EXPECT_EQ(r->person_week.back().sign, 0);
}

TEST(Drivers, TooFewCompleteCasesLeaveThePartialUndefined) {
  Frame f;
  ASSERT_TRUE(f.AddStrings("PersonId", {"a", "b", "c", "d"}).ok());
  ASSERT_TRUE(f.AddNumeric("X", {1, 2, 3, 4}).ok());
  ASSERT_TRUE(f.AddNumeric("Z", {2, 1, 4, testing::kNaN}).ok());
  ASSERT_TRUE(f.AddNumeric("Y", {1, 3, 2, 5}).ok());
  auto r = RankDrivers(f, "Y", {.behaviours = {"X", "Z"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const auto& row : r->person_week) {
    EXPECT_EQ(row.partial_n, 3);  // complete cases only
    EXPECT_TRUE(std::isnan(row.partial_r)) << row.behaviour;
    EXPECT_FALSE(std::isnan(row.spearman_rho)) << row.behaviour;  // pairwise marginals stand
  }
}

TEST(Drivers, RankNamesParse) {
  EXPECT_EQ(*ParseDriverRank("Partial"), DriverRank::kPartial);
  EXPECT_EQ(*ParseDriverRank("spearman"), DriverRank::kSpearman);
  EXPECT_EQ(ParseDriverRank("pearson").status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(DriverRankName(DriverRank::kPartial), "partial");
}

}  // namespace
}  // namespace vivalink::analysis
