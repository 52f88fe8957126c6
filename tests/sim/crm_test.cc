#include "sim/crm.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/strings.h"
#include "sim/writers.h"
#include "sim_test_util.h"

namespace vivalink::sim {
namespace {

using testing::CsvFields;
using testing::Lines;
using testing::MustGenerate;
using testing::SmallOptions;

// Resolves CRM keys the way a partner would: case-insensitively against every proxyAddress of
// the user export. Returns object id by lower-cased address.
std::map<std::string, std::string> AddressIndex(const Organization& org) {
  core::StringSink sink;
  EXPECT_TRUE(WriteUsers(org, 0, sink).ok());
  std::map<std::string, std::string> index;
  for (const std::string& line : Lines(sink.data())) {
    const nlohmann::json j = nlohmann::json::parse(line);
    for (const auto& a : j["proxyAddresses"]) {
      const std::string s = a.get<std::string>();
      index[core::ToLower(s.substr(s.find(':') + 1))] = j["id"].get<std::string>();
    }
  }
  return index;
}

TEST(Crm, MessIsWithinTheConfiguredProportions) {
  const Organization org = MustGenerate(SmallOptions(3000, 8, 31));
  const std::map<std::string, std::string> index = AddressIndex(org);
  core::StringSink sink;
  ASSERT_TRUE(WriteCrm(org, 0, sink).ok());
  const std::vector<std::string> lines = Lines(sink.data());
  ASSERT_GT(lines.size(), 20000u);
  EXPECT_EQ(lines[0], "Email,Week,Region,Deals_won,Revenue,Customer_satisfaction");

  std::set<std::string> people, unknown_people;
  size_t rows = 0, unresolved = 0, lower = 0, upper = 0, no_viva_rows = 0, duplicates = 0,
         by_alias = 0, blank_csat = 0;
  std::map<std::string, bool> licensed;  // object id -> has Viva data
  std::map<std::string, const Person*> by_id;
  for (const Person& p : org.tenants[0].people) {
    licensed[p.object_id] = p.licensed;
    by_id[p.object_id] = &p;
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> f = CsvFields(lines[i]);
    ASSERT_EQ(f.size(), 6u) << lines[i];
    ++rows;
    if (lines[i] == lines[i - 1]) ++duplicates;
    const std::string& email = f[0];
    if (email == core::ToLower(email))
      ++lower;
    else if (email == [&] {
               std::string u = email;
               for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
               return u;
             }()) {
      ++upper;
    }
    if (f[5].empty()) ++blank_csat;
    auto it = index.find(core::ToLower(email));
    if (it == index.end()) {
      ++unresolved;
      unknown_people.insert(core::ToLower(email));
      continue;
    }
    people.insert(it->second);
    if (!licensed[it->second]) ++no_viva_rows;
    // An alias: resolves, but is not the person's primary address.
    if (core::ToLower(by_id.at(it->second)->mail) != core::ToLower(email)) ++by_alias;
  }
  const double crm_people = static_cast<double>(people.size() + unknown_people.size());
  EXPECT_NEAR(static_cast<double>(unknown_people.size()) / crm_people, 0.03, 0.01);
  EXPECT_NEAR(static_cast<double>(no_viva_rows) / static_cast<double>(rows), 0.02, 0.008);
  // 60% of people are spelled in lower case, plus aliases and lower-case directory mails.
  EXPECT_GT(static_cast<double>(lower) / static_cast<double>(rows), 0.6);
  EXPECT_LT(static_cast<double>(lower) / static_cast<double>(rows), 0.85);
  EXPECT_GT(upper, rows / 50);
  EXPECT_GT(by_alias, rows / 100);
  EXPECT_LT(by_alias, rows / 5);
  EXPECT_GT(duplicates, 0u);
  EXPECT_LT(static_cast<double>(duplicates) / static_cast<double>(rows), 0.01);
  EXPECT_NEAR(static_cast<double>(blank_csat) / static_cast<double>(rows), 0.3, 0.03);
}

TEST(Crm, RowsExistOnlyForEmployedActiveWeeks) {
  const Organization org = MustGenerate(SmallOptions(800, 12, 5));
  core::Result<std::vector<CrmRow>> rows = CrmRows(org, 0);
  ASSERT_TRUE(rows.ok());
  size_t negative = 0;
  for (const CrmRow& r : *rows) {
    if (r.outcomes.revenue < 0) ++negative;  // net revenue: cancellations, rarely
    ASSERT_TRUE(r.person->EmployedIn(r.week));
    EXPECT_TRUE(PersonWeekMetrics(org, org.tenants[0], *r.person, r.week).is_active);
    EXPECT_GE(r.outcomes.deals_won, 0);
    if (r.outcomes.satisfaction) {
      EXPECT_GE(*r.outcomes.satisfaction, 1);
      EXPECT_LE(*r.outcomes.satisfaction, 5);
    }
  }
  EXPECT_LT(negative, rows->size() / 50);
}

TEST(Crm, ObjectIdKeyOptionUsesObjectIdsSomeInUpperCase) {
  OrgOptions o = SmallOptions(1000, 2, 5);
  o.crm_key = CrmKey::kObjectId;
  const Organization org = MustGenerate(o);
  core::StringSink sink;
  ASSERT_TRUE(WriteCrm(org, 0, sink).ok());
  const std::vector<std::string> lines = Lines(sink.data());
  EXPECT_EQ(lines[0].rfind("ObjectId,Week,", 0), 0u);
  std::set<std::string> ids;
  for (const Person& p : org.tenants[0].people) ids.insert(p.object_id);
  size_t upper = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string key = CsvFields(lines[i])[0];
    EXPECT_TRUE(ids.count(core::ToLower(key))) << key;
    if (key != core::ToLower(key)) ++upper;
  }
  EXPECT_NEAR(static_cast<double>(upper) / static_cast<double>(lines.size() - 1), 0.1, 0.04);
}

TEST(Crm, StaticFileHasOneRowPerCrmPerson) {
  const Organization org = MustGenerate(SmallOptions(500, 20, 5));
  core::StringSink sink;
  ASSERT_TRUE(WriteCrmStatic(org, 0, sink).ok());
  const std::vector<std::string> lines = Lines(sink.data());
  EXPECT_EQ(lines[0], "Email,Attrition,Tenure_years,Exit_date,Organization");
  ASSERT_EQ(lines.size(), org.tenants[0].people.size() + 1);
  int exits = 0, attrition = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> f = CsvFields(lines[i]);
    ASSERT_EQ(f.size(), 5u);
    EXPECT_TRUE(f[1] == "0" || f[1] == "1");
    EXPECT_EQ(f[4], org.tenants[0].people[i - 1].organization);
    if (f[1] == "1") ++attrition;
    if (!f[3].empty()) {
      ++exits;
      EXPECT_EQ(f[1], "1");
    }
  }
  EXPECT_GT(exits, 0);
  EXPECT_GT(attrition, exits);
}

}  // namespace
}  // namespace vivalink::sim
