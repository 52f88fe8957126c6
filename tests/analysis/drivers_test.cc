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
