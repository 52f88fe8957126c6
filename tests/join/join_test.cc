// The person-week join of Viva Insights metrics with partner data.
#include "join/join.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/io.h"

namespace vivalink::join {
namespace {

constexpr char kAnn[] = "8b1f2c3d-0000-4000-8000-00000000000a";
constexpr char kBob[] = "8b1f2c3d-0000-4000-8000-00000000000b";
constexpr char kCid[] = "8b1f2c3d-0000-4000-8000-00000000000c";

IdentityIndex Users() {
  IdentityIndex index;
  index.AddUser(kAnn, {"ann@contoso.com", "alee@contoso.com"});
  index.AddUser(kBob, {"bob@contoso.com"});
  index.AddUser(kCid, {"cid@contoso.com", "shared@contoso.com"});
  index.AddUser("8b1f2c3d-0000-4000-8000-00000000000d", {"shared@contoso.com"});
  return index;
}

// Viva person-weeks: Ann 3 weeks, Bob 2 weeks, Cid 1 week (person ids as the person query has
// them, with Bob's in upper case to check normalisation).
analysis::Frame Viva() {
  analysis::Frame f;
  std::string bob_upper = "8B1F2C3D-0000-4000-8000-00000000000B";
  EXPECT_TRUE(f.AddStrings("PersonId", {kAnn, kAnn, kAnn, bob_upper, bob_upper, kCid}).ok());
  EXPECT_TRUE(f.AddStrings("MetricDate", {"2024-01-07", "2024-01-14", "2024-01-21", "2024-01-07",
                                          "2024-01-14", "2024-01-07"})
                  .ok());
  EXPECT_TRUE(f.AddNumeric("Collaboration_hours", {10, 11, 12, 20, 21, 30}).ok());
  EXPECT_TRUE(f.AddStrings("Region", {"Europe", "Europe", "Europe", "Asia", "Asia", "Asia"}).ok());
  return f;
}

PartnerTable Weekly(const IdentityIndex& users) {
  auto t = LoadPartner(core::MemorySource::Owning("Email,Week,Revenue,Region\n"
                                                  "ann@contoso.com,2024-01-07,100,EMEA\n"
                                                  "ALEE@contoso.com,2024-01-16,50,EMEA\n"
                                                  "bob@contoso.com,2024-01-14,7,APAC\n"
                                                  "bob@contoso.com,2024-01-14,7,APAC\n"
                                                  "bob@contoso.com,2024-02-25,9,APAC\n"
                                                  "shared@contoso.com,2024-01-07,1,NA\n"
                                                  "gone@contoso.com,2024-01-07,5,NA\n"),
                       {.source_name = "crm.csv"}, &users,
                       {.date_column = "Week", .aggregation_of = {{"Revenue", Aggregation::kSum}}});
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(t).value();
}

PartnerTable Static(const IdentityIndex& users) {
  auto t = LoadPartner(core::MemorySource::Owning("Email,Attrition,Tenure_years\n"
                                                  "ann@contoso.com,1,2.5\n"
                                                  "bob@contoso.com,0,7\n"),
                       {.source_name = "crm_static.csv"}, &users, {});
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(t).value();
}

TEST(Join, InnerJoinKeepsMatchedPersonWeeksInVivaOrder) {
  IdentityIndex users = Users();
  PartnerTable weekly = Weekly(users);
  const PartnerTable* tables[] = {&weekly};
  auto r = JoinPartners(Viva(), tables, {}, &users);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const analysis::Frame& f = r->frame;
  // Ann 01-07 (100) and Ann 01-14 (50: the 16th is in the week of the 14th); Bob 01-14 (7, its
  // exact duplicate dropped).
  ASSERT_EQ(f.num_rows(), 3u);
  auto hours = f.GetNumeric("Collaboration_hours");
  auto revenue = f.GetNumeric("Revenue");
  ASSERT_TRUE(hours.ok() && revenue.ok());
  EXPECT_EQ((*hours)->numbers, (std::vector<double>{10, 11, 21}));
  EXPECT_EQ((*revenue)->numbers, (std::vector<double>{100, 50, 7}));
  // The CRM's Region clashes with the HR attribute and is renamed.
  ASSERT_NE(f.Find("partner_Region"), nullptr);
  EXPECT_EQ(f.Find("partner_Region")->StringAt(2), "APAC");
  EXPECT_EQ(f.Find("Region")->StringAt(2), "Asia");
  ASSERT_EQ(r->report.renamed_columns, std::vector<std::string>{"partner_Region"});
}

TEST(Join, ReportCountsEachSide) {
  IdentityIndex users = Users();
  PartnerTable weekly = Weekly(users);
  const PartnerTable* tables[] = {&weekly};
  auto r = JoinPartners(Viva(), tables, {}, &users);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const JoinReport& rep = r->report;
  EXPECT_EQ(rep.viva_rows, 6);
  EXPECT_EQ(rep.viva_persons, 3);
  // Partner persons: Ann, Bob (resolved); shared@ (ambiguous) and gone@ (unknown).
  EXPECT_EQ(rep.partner_resolved_persons, 2);
  EXPECT_EQ(rep.partner_unresolved_persons, 2);
  EXPECT_EQ(rep.partner_persons, 4);
  EXPECT_EQ(rep.matched_persons, 2);
  EXPECT_DOUBLE_EQ(rep.match_rate, 0.5);
  EXPECT_DOUBLE_EQ(rep.resolved_rate, 0.5);
  EXPECT_EQ(rep.viva_unmatched_persons, 1);     // Cid
  EXPECT_EQ(rep.partner_unmatched_persons, 2);  // the unresolved two
  EXPECT_EQ(rep.ambiguous_emails, 1);
  EXPECT_EQ(rep.partner_rows, 7);
  EXPECT_EQ(rep.partner_rows_refused, 2);
  EXPECT_EQ(rep.duplicate_rows_dropped, 1);
  EXPECT_EQ(rep.partner_entries_unmatched, 1);  // Bob's 02-25: no Viva week
  EXPECT_EQ(rep.matched_person_weeks, 3);
  EXPECT_EQ(rep.joined_rows, 3);
}

TEST(Join, ReportHoldsCountsNeverIdentities) {
  IdentityIndex users = Users();
  PartnerTable weekly = Weekly(users);
  const PartnerTable* tables[] = {&weekly};
  auto r = JoinPartners(Viva(), tables, {}, &users);
  ASSERT_TRUE(r.ok());
  for (const std::string& text : {ToText(r->report), ToJson(r->report)}) {
    EXPECT_EQ(text.find('@'), std::string::npos) << text;
    EXPECT_EQ(text.find("8b1f2c3d"), std::string::npos) << text;
    EXPECT_EQ(text.find("gone"), std::string::npos) << text;
  }
}

TEST(Join, StaticColumnsAreBroadcastToEveryPersonWeek) {
  IdentityIndex users = Users();
  PartnerTable stat = Static(users);
  const PartnerTable* tables[] = {&stat};
  auto r = JoinPartners(Viva(), tables, {}, &users);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->frame.num_rows(), 5u);  // every week of Ann and Bob
  EXPECT_EQ(r->frame.Find("Attrition")->numbers, (std::vector<double>{1, 1, 1, 0, 0}));
  EXPECT_EQ(r->frame.Find("Tenure_years")->numbers, (std::vector<double>{2.5, 2.5, 2.5, 7, 7}));
}

TEST(Join, WeeklyAndStaticTogetherJoinNaturally) {
  IdentityIndex users = Users();
  PartnerTable weekly = Weekly(users);
  PartnerTable stat = Static(users);
  const PartnerTable* tables[] = {&weekly, &stat};
  auto r = JoinPartners(Viva(), tables, {}, &users);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->frame.num_rows(), 3u);
  EXPECT_EQ(r->frame.Find("Revenue")->numbers, (std::vector<double>{100, 50, 7}));
  EXPECT_EQ(r->frame.Find("Attrition")->numbers, (std::vector<double>{1, 1, 0}));
}

TEST(Join, LeftJoinKeepsEveryVivaRowWithMissingPartnerValues) {
  IdentityIndex users = Users();
  PartnerTable weekly = Weekly(users);
  const PartnerTable* tables[] = {&weekly};
  auto r = JoinPartners(Viva(), tables, {.keep_unmatched_viva_rows = true}, &users);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->frame.num_rows(), 6u);
  const auto& revenue = r->frame.Find("Revenue")->numbers;
  EXPECT_EQ(revenue[0], 100);
  EXPECT_TRUE(std::isnan(revenue[2]));
  EXPECT_TRUE(std::isnan(revenue[5]));
  EXPECT_EQ(r->report.matched_person_weeks, 3);
  EXPECT_EQ(r->report.joined_rows, 6);
}

TEST(Join, NoPartnerTableIsInvalidArgument) {
  auto r = JoinPartners(Viva(), {}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Join, VivaFrameWithoutWeekColumnIsInvalidArgumentForWeeklyData) {
  IdentityIndex users = Users();
  PartnerTable weekly = Weekly(users);
  const PartnerTable* tables[] = {&weekly};
  analysis::Frame f;
  ASSERT_TRUE(f.AddStrings("PersonId", {kAnn}).ok());
  auto r = JoinPartners(f, tables, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::join
