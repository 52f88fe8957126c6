// Partner data: keys resolved, dates aligned to Viva weeks, duplicates and conflicts resolved.
#include "join/partner.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/io.h"

namespace vivalink::join {
namespace {

constexpr char kAnn[] = "8b1f2c3d-0000-4000-8000-00000000000a";
constexpr char kBob[] = "8b1f2c3d-0000-4000-8000-00000000000b";

IdentityIndex Users() {
  IdentityIndex index;
  index.AddUser(kAnn, {"ann@contoso.com", "alee@contoso.com", "team@contoso.com"});
  index.AddUser(kBob, {"bob@contoso.com", "team@contoso.com"});
  return index;
}

core::Date D(const char* text) { return *core::ParseDate(text); }

core::Result<PartnerTable> Load(const std::string& csv, const IdentityIndex* index,
                                PartnerOptions options) {
  return LoadPartner(core::MemorySource::Owning(csv), {.source_name = "partner.csv"}, index,
                     options);
}

size_t Col(const PartnerTable& t, const std::string& name) {
  for (size_t i = 0; i < t.columns().size(); ++i) {
    if (t.columns()[i].name == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

TEST(Partner, DailyRowsSumIntoTheirSundayWeekStart) {
  IdentityIndex users = Users();
  // 2024-01-07 is a Sunday: Mon 8th and Sat 13th belong to it, Sun 14th starts the next week.
  auto t = Load(
      "Email,Date,Revenue,Score\n"
      "ann@contoso.com,2024-01-08,100,4\n"
      "ann@contoso.com,2024-01-13T17:30:00Z,50.5,2\n"
      "ann@contoso.com,2024-01-14,7,\n"
      "bob@contoso.com,2024-01-07,1,5\n",
      &users, {.date_column = "Date", .columns = {{"Revenue", Aggregation::kSum}, {"Score"}}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_FALSE(t->is_static());
  size_t revenue = Col(*t, "Revenue"), score = Col(*t, "Score");
  EXPECT_EQ(t->columns()[score].aggregation, Aggregation::kMean);  // the documented default
  int32_t e = t->Find(kAnn, D("2024-01-07"));
  ASSERT_NE(e, PartnerTable::kNoEntry);
  EXPECT_DOUBLE_EQ(t->NumberAt(revenue, e), 150.5);
  EXPECT_DOUBLE_EQ(t->NumberAt(score, e), 3.0);
  int32_t next = t->Find(kAnn, D("2024-01-14"));
  ASSERT_NE(next, PartnerTable::kNoEntry);
  EXPECT_DOUBLE_EQ(t->NumberAt(revenue, next), 7);
  EXPECT_TRUE(std::isnan(t->NumberAt(score, next)));  // no value in that week: missing
  EXPECT_EQ(t->Find(kAnn, D("2024-01-08")), PartnerTable::kNoEntry);  // only week starts are keys
  EXPECT_DOUBLE_EQ(t->NumberAt(revenue, t->Find(kBob, D("2024-01-07"))), 1);
  EXPECT_EQ(t->stats().entries, 3);
  EXPECT_EQ(t->stats().rows_merged, 1);
  EXPECT_EQ(t->stats().persons, 2);
}

TEST(Partner, ExactDuplicateRowsAreDroppedAndCounted) {
  IdentityIndex users = Users();
  auto t = Load(
      "Email,Week,Deals_won\n"
      "ann@contoso.com,2024-01-07,3\n"
      "ann@contoso.com,2024-01-07,3\n"
      "ann@contoso.com,2024-01-07,3.0\n"  // the same value written differently: still a duplicate
      "bob@contoso.com,2024-01-07,1\n",
      &users, {.date_column = "Week", .aggregation_of = {{"Deals_won", Aggregation::kSum}}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->stats().rows_read, 4);
  EXPECT_EQ(t->stats().exact_duplicates_dropped, 2);
  EXPECT_EQ(t->stats().rows_merged, 0);
  EXPECT_DOUBLE_EQ(t->NumberAt(0, t->Find(kAnn, D("2024-01-07"))), 3);  // not 9
}

TEST(Partner, ConflictingRowsOfOnePersonWeekAreAggregatedPerColumn) {
  IdentityIndex users = Users();
  // One row by the primary address, one by an alias (different case): one person-week.
  auto t = Load(
      "Email,Week,Revenue,Customer_satisfaction,Region\n"
      "ann@contoso.com,2024-01-07,100,5,EMEA\n"
      "ALEE@contoso.com,2024-01-07,40,3,APAC\n",
      &users, {.date_column = "Week", .aggregation_of = {{"Revenue", Aggregation::kSum}}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  int32_t e = t->Find(kAnn, D("2024-01-07"));
  ASSERT_NE(e, PartnerTable::kNoEntry);
  EXPECT_DOUBLE_EQ(t->NumberAt(Col(*t, "Revenue"), e), 140);
  EXPECT_DOUBLE_EQ(t->NumberAt(Col(*t, "Customer_satisfaction"), e), 4);
  size_t region = Col(*t, "Region");
  EXPECT_EQ(t->columns()[region].aggregation, Aggregation::kFirst);
  EXPECT_EQ(t->Levels(region)[t->CodeAt(region, e)], "EMEA");
  EXPECT_EQ(t->stats().rows_merged, 1);
  EXPECT_EQ(t->stats().exact_duplicates_dropped, 0);
  EXPECT_EQ(t->stats().entries, 1);
}

TEST(Partner, StaticDataHasOneEntryPerPerson) {
  IdentityIndex users = Users();
  auto t = Load(
      "Email,Attrition,Tenure_years\n"
      "ann@contoso.com,1,3.5\n"
      "bob@contoso.com,0,10\n",
      &users, {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->is_static());
  // The week is ignored for static data.
  int32_t e = t->Find(kAnn, D("2030-05-05"));
  ASSERT_NE(e, PartnerTable::kNoEntry);
  EXPECT_DOUBLE_EQ(t->NumberAt(Col(*t, "Attrition"), e), 1);
  EXPECT_DOUBLE_EQ(t->NumberAt(Col(*t, "Tenure_years"), t->Find(kBob, core::Date{})), 10);
  EXPECT_EQ(t->stats().entries, 2);
}

TEST(Partner, UnknownAmbiguousAndEmptyKeysAreRefusedAndCounted) {
  IdentityIndex users = Users();
  auto t = Load(
      "Email,Week,Revenue\n"
      "stranger@fabrikam.com,2024-01-07,10\n"
      "Stranger@Fabrikam.com,2024-01-14,10\n"
      "team@contoso.com,2024-01-07,99\n"
      ",2024-01-07,5\n"
      "bob@contoso.com,2024-01-07,1\n",
      &users, {.date_column = "Week"});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const PartnerLoadStats& s = t->stats();
  EXPECT_EQ(s.rows_unknown_key, 2);
  EXPECT_EQ(s.unknown_keys, 1);  // one person, written in two cases
  EXPECT_EQ(s.rows_ambiguous_key, 1);
  EXPECT_EQ(s.ambiguous_keys, 1);
  EXPECT_EQ(s.rows_without_key, 1);
  EXPECT_EQ(s.rows_used, 1);
  EXPECT_EQ(s.persons, 1);
  // The ambiguous row went to nobody.
  EXPECT_EQ(t->Find(kAnn, D("2024-01-07")), PartnerTable::kNoEntry);
}

TEST(Partner, ObjectIdKeysNeedNoUserExport) {
  auto t = Load(
      "ObjectId,Week,Revenue\n"
      "8B1F2C3D-0000-4000-8000-00000000000A,2024-01-07,10\n",
      nullptr, {.key_column = "ObjectId", .key_type = KeyType::kObjectId, .date_column = "Week"});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_NE(t->Find(kAnn, D("2024-01-07")), PartnerTable::kNoEntry);
}

TEST(Partner, EmailKeysWithoutUserExportAreInvalidArgument) {
  auto t = Load("Email,Revenue\nann@contoso.com,1\n", nullptr, {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Partner, MissingKeyColumnIsInvalidArgument) {
  IdentityIndex users = Users();
  auto t = Load("Mail,Revenue\nann@contoso.com,1\n", &users, {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("Email"), std::string::npos);
}

TEST(Partner, DateThatIsNotADateIsDataLossNamingTheLine) {
  IdentityIndex users = Users();
  auto t = Load("Email,Week,Revenue\nann@contoso.com,2024-01-07,1\nbob@contoso.com,soon,2\n",
                &users, {.date_column = "Week"});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), core::StatusCode::kDataLoss);
  EXPECT_NE(t.status().message().find("line 3"), std::string::npos) << t.status().message();
  EXPECT_EQ(t.status().message().find("bob@"), std::string::npos) << "no identities in errors";
}

TEST(Partner, SumOfATextColumnIsInvalidArgument) {
  IdentityIndex users = Users();
  auto t = Load("Email,Region\nann@contoso.com,EMEA\n", &users,
                {.columns = {{"Region", Aggregation::kSum}}});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Partner, DeclaredColumnThatNeverAppearsIsNotFound) {
  IdentityIndex users = Users();
  auto t = Load("Email,Revenue\nann@contoso.com,1\n", &users, {.columns = {{"Deals_won"}}});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vivalink::join
