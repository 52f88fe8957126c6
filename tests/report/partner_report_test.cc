// report::BuildPartnerReport: the policy of `vivalink report` (key metrics, candidates, grouping,
// join summary), tested without a database.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "report/report.h"
#include "report_testing.h"

namespace vivalink::report {
namespace {

// SmallFrame plus partner columns: weekly Revenue, static Attrition (0/1) and Tenure_years.
analysis::Frame PartnerFrame() {
  analysis::Frame f = testing::SmallFrame();
  std::vector<double> revenue, attrition, tenure;
  const auto* person = f.Find("PersonId");
  for (size_t r = 0; r < f.num_rows(); ++r) {
    const double code = static_cast<double>(person->codes[r]);
    revenue.push_back(1000 + 10 * code + static_cast<double>(r % 4));
    attrition.push_back(person->codes[r] % 3 == 0 ? 1.0 : 0.0);
    tenure.push_back(0.5 + 0.7 * code);
  }
  EXPECT_TRUE(f.AddNumeric("Revenue", revenue).ok());
  EXPECT_TRUE(f.AddNumeric("Attrition", attrition).ok());
  EXPECT_TRUE(f.AddNumeric("Tenure_years", tenure).ok());
  return f;
}

JoinedPersonWeeks Joined(const analysis::Frame& frame) {
  JoinedPersonWeeks data;
  data.frame = &frame;
  data.partner_columns = {"Revenue", "Attrition", "Tenure_years"};
  data.sources = {{"crm", "email", false, {"Revenue"}, 100},
                  {"hr", "email", true, {"Attrition", "Tenure_years"}, 50},
                  {"crm2", "object_id", false, {}, 10}};
  data.partner_entries_unmatched = 30;
  data.viva_persons = 15;
  data.matched_persons = 12;
  data.partner_persons = 14;
  data.partner_unresolved_persons = 2;
  return data;
}

std::vector<std::string> Behaviours(const analysis::DriverResult& d) {
  std::vector<std::string> out;
  for (const auto& r : d.person_week) out.push_back(r.behaviour);
  return out;
}

TEST(PartnerReport, KeyMetricsAreThePartnerMetricsButNotPersonAttributes) {
  const analysis::Frame frame = PartnerFrame();
  auto in = BuildPartnerReport(Joined(frame), {});
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_EQ(in->drivers.size(), 2u);
  EXPECT_EQ(in->drivers[0].outcome, "Revenue");
  EXPECT_EQ(in->drivers[1].outcome, "Attrition");
  // Tenure describes the person: a candidate driver. The key metrics never explain each other.
  const auto candidates = Behaviours(in->drivers[0]);
  EXPECT_NE(std::find(candidates.begin(), candidates.end(), "Tenure_years"), candidates.end());
  EXPECT_EQ(std::find(candidates.begin(), candidates.end(), "Attrition"), candidates.end());
  const auto of_attrition = Behaviours(in->drivers[1]);
  EXPECT_EQ(std::find(of_attrition.begin(), of_attrition.end(), "Revenue"), of_attrition.end());
}

TEST(PartnerReport, RequestedOutcomesWinAndWithoutPartnerDataAfterHoursIsTheMetric) {
  const analysis::Frame frame = PartnerFrame();
  ReportRequest request;
  request.outcomes = {"Tenure_years"};
  auto in = BuildPartnerReport(Joined(frame), request);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_EQ(in->drivers.size(), 1u);
  EXPECT_EQ(in->drivers[0].outcome, "Tenure_years");

  const analysis::Frame plain = testing::SmallFrame();
  JoinedPersonWeeks none;
  none.frame = &plain;
  auto fallback = BuildPartnerReport(none, {});
  ASSERT_TRUE(fallback.ok()) << fallback.status().ToString();
  ASSERT_EQ(fallback->drivers.size(), 1u);
  EXPECT_EQ(fallback->drivers[0].outcome, "After_hours_collaboration_hours");
  EXPECT_FALSE(fallback->join.has_value());
}

TEST(PartnerReport, GroupsByTheRequestedAttributesTheDataHas) {
  const analysis::Frame frame = PartnerFrame();
  ReportRequest request;
  request.group_by = {"Region", "Organization"};
  auto in = BuildPartnerReport(Joined(frame), request);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_TRUE(in->groups.has_value());
  for (const auto& row : in->groups->rows) EXPECT_EQ(row.attribute, "Organization");
}

TEST(PartnerReport, TheJoinSummaryAddsUpTheSources) {
  const analysis::Frame frame = PartnerFrame();
  auto in = BuildPartnerReport(Joined(frame), {});
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_TRUE(in->join.has_value());
  EXPECT_EQ(in->join->partner_name, "crm, hr, crm2");
  EXPECT_EQ(in->join->join_key, "e-mail, object id");
  EXPECT_EQ(in->join->partner_records, 160);
  EXPECT_EQ(in->join->matched_records, 130);
  EXPECT_EQ(in->join->viva_persons, 15);
  EXPECT_EQ(in->join->matched_persons, 12);
  EXPECT_EQ(in->join->partner_persons, 14);
  EXPECT_EQ(in->join->partner_unresolved_persons, 2);
}

TEST(PartnerReport, NoRowsAndAnUnknownRankingAreRefused) {
  const analysis::Frame empty;
  JoinedPersonWeeks data;
  data.frame = &empty;
  auto none = BuildPartnerReport(data, {});
  EXPECT_EQ(none.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_NE(none.status().message().find("vivalink run"), std::string::npos);
  const analysis::Frame frame = PartnerFrame();
  ReportRequest request;
  request.rank_by = "loudest";
  EXPECT_EQ(BuildPartnerReport(Joined(frame), request).status().code(),
            core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::report
