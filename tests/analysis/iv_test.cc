#include "analysis/iv.h"

#include <gtest/gtest.h>

#include <cmath>

#include "analysis/stats.h"
#include "test_frames.h"

namespace vivalink::analysis {
namespace {

using testing::kNaN;

Frame IvFrame() {
  Frame f;
  // Outcome y = (Out >= 1); Strong separates well, Weak barely.
  EXPECT_TRUE(f.AddNumeric("Out", {0, 0, 0, 1, 0, 1, 1, 1, 1, 0}).ok());
  EXPECT_TRUE(f.AddNumeric("Strong", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}).ok());
  EXPECT_TRUE(f.AddNumeric("Weak", {5, 1, 9, 2, 8, 3, 7, 4, 6, 10}).ok());
  EXPECT_TRUE(f.AddStrings("PersonId", {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}).ok());
  return f;
}

TEST(IvCuts, FollowTheType6Definition) {
  const std::vector<double> xs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(IvCuts(xs, 4), (std::vector<double>{2.75, 5.5, 8.25}));
  // Clamped at both ends for small n.
  EXPECT_EQ(IvCuts(std::vector<double>{1, 2}, 4), (std::vector<double>{1, 1.5, 2}));
  EXPECT_TRUE(IvCuts(xs, 1).empty());
  EXPECT_TRUE(IvCuts(std::vector<double>{3}, 5).empty());
}

TEST(InformationValue, WoeAndIvMatchHandComputation) {
  // bins = 2: cut 3.5. Bin 0: y = 0,1,0 (n1 1, n0 2); bin 1: y = 1,1,1 (n0 0: WOE 0).
  // N1 = 4, N0 = 2: WOE0 = ln((1/4)/(2/2)); IV = WOE0 * (1/4 - 1) = 0.75 ln 4.
  Frame f;
  ASSERT_TRUE(f.AddNumeric("y", {0, 1, 0, 1, 1, 1}).ok());
  ASSERT_TRUE(f.AddNumeric("x", {1, 2, 3, 4, 5, 6}).ok());
  auto r = InformationValue(f, "y>0", {.bins = 2});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->predictors.size(), 1u);
  const IvPredictor& p = r->predictors[0];
  ASSERT_EQ(p.bins.size(), 2u);
  EXPECT_EQ(p.bins[0].label, "[-inf, 3.5)");
  EXPECT_EQ(p.bins[1].label, "[3.5, inf)");
  EXPECT_NEAR(p.bins[0].woe, std::log(0.25), 1e-15);
  EXPECT_EQ(p.bins[1].woe, 0);
  EXPECT_NEAR(p.iv, 0.75 * std::log(4.0), 1e-15);
  EXPECT_NEAR(p.bins[0].iv_cumulative, p.iv, 1e-15);
  EXPECT_NEAR(p.bins[0].event_rate, 1.0 / 3, 1e-15);
  EXPECT_NEAR(p.bins[1].share, 0.5, 1e-15);
}

TEST(InformationValue, IvSortedDescending) {
  auto r = InformationValue(IvFrame(), "Out>=1", {.bins = 2});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->predictors.size(), 2u);  // PersonId is text: not a default predictor
  EXPECT_EQ(r->predictors[0].name, "Strong");
  for (size_t i = 1; i < r->predictors.size(); ++i) {
    EXPECT_GE(r->predictors[i - 1].iv, r->predictors[i].iv);
  }
}

TEST(InformationValue, ConstantColumnHasOneBinZeroIvAndNoPValue) {
  Frame f = IvFrame();
  ASSERT_TRUE(f.AddNumeric("Flat", std::vector<double>(10, 4.0)).ok());
  auto r = InformationValue(f, "Out>=1", {.predictors = {"Flat"}});
  ASSERT_TRUE(r.ok());
  const IvPredictor& p = r->predictors[0];
  ASSERT_EQ(p.bins.size(), 1u);
  EXPECT_EQ(p.bins[0].label, "[4, inf)");  // every cut is 4: one bin from the cut up
  EXPECT_EQ(p.iv, 0);
  EXPECT_TRUE(std::isnan(p.p_value));
}

TEST(InformationValue, AllOneOutcomeGivesZeroIvAndAWarning) {
  auto r = InformationValue(IvFrame(), "Out>=0");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->outcome_degenerate);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("Out>=0"), std::string::npos);
  for (const auto& p : r->predictors) {
    EXPECT_EQ(p.iv, 0) << p.name;
    for (const auto& b : p.bins) EXPECT_EQ(b.woe, 0);
  }
}

TEST(InformationValue, RowsMissingAnyUsedColumnAreDropped) {
  Frame f;
  ASSERT_TRUE(f.AddNumeric("y", {1, 0, kNaN, 1, 0, 1}).ok());
  ASSERT_TRUE(f.AddNumeric("a", {1, 2, 3, kNaN, 5, 6}).ok());
  ASSERT_TRUE(f.AddNumeric("b", {1, 2, 3, 4, 5, 6}).ok());
  auto r = InformationValue(f, "y==1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows_used, 4);
  EXPECT_EQ(r->rows_dropped, 2);
  for (const auto& p : r->predictors) {
    int64_t n = 0;
    for (const auto& b : p.bins) n += b.n;
    EXPECT_EQ(n, 4) << p.name;  // b is dropped where a is missing too
  }
}

TEST(InformationValue, CategoricalPredictorHasOneBinPerCategoryInNameOrder) {
  Frame f;
  ASSERT_TRUE(f.AddNumeric("y", {1, 1, 0, 0, 1, 0, 0, 1}).ok());
  ASSERT_TRUE(f.AddStrings("Org", {"Sales", "Sales", "IT", "IT", "Sales", "HR", "HR", "IT"}).ok());
  auto r = InformationValue(f, "y>0", {.predictors = {"Org"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const IvPredictor& p = r->predictors[0];
  EXPECT_TRUE(p.categorical);
  ASSERT_EQ(p.bins.size(), 3u);
  EXPECT_EQ(p.bins[0].label, "HR");
  EXPECT_EQ(p.bins[1].label, "IT");
  EXPECT_EQ(p.bins[2].label, "Sales");
  // Table (n1, n0): HR (0, 2), IT (1, 2), Sales (3, 0); expected from N1 = N0 = 4 of 8.
  const double stat = (1 + 1) / 1.0 + (0.25 + 0.25) / 1.5 + (1.5 * 1.5 * 2) / 1.5;
  EXPECT_NEAR(p.p_value, stats::ChiSquareSf(stat, 2), 1e-15);
}

TEST(InformationValue, DuplicateCutsAreRemovedAndEmptyBinsSkipped) {
  Frame f;
  ASSERT_TRUE(f.AddNumeric("y", {0, 1, 0, 1, 0, 1, 0, 1}).ok());
  ASSERT_TRUE(f.AddNumeric("x", {0, 0, 0, 0, 0, 0, 1, 2}).ok());
  auto r = InformationValue(f, "y>0", {.bins = 4});
  ASSERT_TRUE(r.ok());
  const IvPredictor& p = r->predictors[0];
  int64_t n = 0;
  for (const auto& b : p.bins) {
    EXPECT_GT(b.n, 0);
    n += b.n;
  }
  EXPECT_EQ(n, 8);
  // Cuts 0, 0, 0.75 -> {0, 0.75}; [-inf, 0) is empty and skipped.
  ASSERT_EQ(p.bins.size(), 2u);
  EXPECT_EQ(p.bins[0].label, "[0, 0.75)");
  EXPECT_EQ(p.bins[0].n, 6);
}

TEST(InformationValue, InvalidInputsAreInvalidArgument) {
  const Frame f = IvFrame();
  EXPECT_EQ(InformationValue(f, "Out>>1").status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(InformationValue(f, "Nope>1").status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(InformationValue(f, "PersonId>1").status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(InformationValue(f, "Out>1", {.bins = 0}).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(InformationValue(f, "Out>1", {.predictors = {"Out"}}).status().code(),
            core::StatusCode::kInvalidArgument);
}

TEST(InformationValue, RendersCsvAndJson) {
  auto r = InformationValue(IvFrame(), "Out>=1", {.bins = 2});
  ASSERT_TRUE(r.ok());
  const std::string csv = ToCsv(*r);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "predictor,kind,iv,p_value,bin,label,n,n1,share,woe,iv_cumulative,event_rate");
  EXPECT_NE(csv.find("Strong,numeric,"), std::string::npos);
  EXPECT_NE(csv.find("\"[-inf, 5.5)\""), std::string::npos);  // labels hold commas: quoted
  const std::string json = ToJson(*r);
  EXPECT_NE(json.find("\"analysis\": \"iv\""), std::string::npos);
  EXPECT_NE(json.find("\"outcome\": \"Out>=1\""), std::string::npos);
}

}  // namespace
}  // namespace vivalink::analysis
