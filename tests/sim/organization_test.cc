#include "sim/organization.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "core/strings.h"
#include "core/uuid.h"
#include "sim_test_util.h"

namespace vivalink::sim {
namespace {

using testing::MustGenerate;
using testing::SmallOptions;

TEST(Organization, SameOptionsGiveSamePeople) {
  const Organization a = MustGenerate(SmallOptions(200, 6, 5));
  const Organization b = MustGenerate(SmallOptions(200, 6, 5));
  ASSERT_EQ(a.tenants[0].people.size(), b.tenants[0].people.size());
  EXPECT_EQ(a.tenants[0].id, b.tenants[0].id);
  for (size_t i = 0; i < a.tenants[0].people.size(); ++i) {
    const Person& p = a.tenants[0].people[i];
    const Person& q = b.tenants[0].people[i];
    EXPECT_EQ(p.object_id, q.object_id);
    EXPECT_EQ(p.mail, q.mail);
    EXPECT_EQ(p.manager, q.manager);
    EXPECT_EQ(p.traits.collaboration_hours, q.traits.collaboration_hours);
  }
}

TEST(Organization, OtherSeedGivesOtherPeople) {
  const Organization a = MustGenerate(SmallOptions(50, 2, 5));
  const Organization b = MustGenerate(SmallOptions(50, 2, 6));
  EXPECT_NE(a.tenants[0].id, b.tenants[0].id);
  EXPECT_NE(a.tenants[0].people[1].object_id, b.tenants[0].people[1].object_id);
}

TEST(Organization, APersonDoesNotDependOnHowManyOthersThereAre) {
  // Streams are seeded per person: person 10 is the same in a world of 100 and of 400 people
  // (its manager may differ, its identity and behaviour baselines may not).
  const Organization small = MustGenerate(SmallOptions(100, 4, 9));
  const Organization large = MustGenerate(SmallOptions(400, 4, 9));
  const Person& a = small.tenants[0].people[10];
  const Person& b = large.tenants[0].people[10];
  EXPECT_EQ(a.object_id, b.object_id);
  EXPECT_EQ(a.display_name, b.display_name);
  EXPECT_EQ(a.organization, b.organization);
}

TEST(Organization, TenantsHaveDistinctIdsDomainsAndPeople) {
  const Organization org = MustGenerate(SmallOptions(50, 2, 3, 3));
  ASSERT_EQ(org.tenants.size(), 3u);
  std::set<std::string> ids, domains, objects;
  for (const Tenant& t : org.tenants) {
    EXPECT_TRUE(core::IsUuid(t.id));
    ids.insert(t.id);
    domains.insert(t.domain);
    for (const Person& p : t.people) objects.insert(p.object_id);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(domains.size(), 3u);
  size_t total = 0;
  for (const Tenant& t : org.tenants) total += t.people.size();
  EXPECT_EQ(objects.size(), total);
}

TEST(Organization, ManagerTreeHasOneRootAndNoCycles) {
  const Organization org = MustGenerate(SmallOptions(2000, 10, 4));
  const Tenant& t = org.tenants[0];
  int roots = 0;
  for (const Person& p : t.people) {
    if (!p.in_directory) {
      EXPECT_EQ(p.manager, -1);
      continue;
    }
    if (p.manager < 0) {
      ++roots;
      continue;
    }
    // Walk up: must reach the root within the number of people.
    int32_t m = p.manager;
    size_t steps = 0;
    while (m >= 0 && steps <= t.people.size()) {
      EXPECT_TRUE(t.people[static_cast<size_t>(m)].in_directory);
      m = t.people[static_cast<size_t>(m)].manager;
      ++steps;
    }
    EXPECT_EQ(m, -1) << "cycle above person " << p.index;
    EXPECT_LT(steps, 12u) << "tree is implausibly deep";
  }
  EXPECT_EQ(roots, 1);
  EXPECT_EQ(t.people[0].manager, -1);
  EXPECT_EQ(t.people[0].level_designation, "Executive");
}

TEST(Organization, SupervisorIndicatorFollowsTheTree) {
  const Organization org = MustGenerate(SmallOptions(2000, 4, 4));
  const Tenant& t = org.tenants[0];
  std::vector<uint32_t> reports(t.people.size(), 0), manager_reports(t.people.size(), 0);
  for (const Person& p : t.people) {
    if (p.manager < 0) continue;
    reports[static_cast<size_t>(p.manager)]++;
    if (p.direct_reports > 0) manager_reports[static_cast<size_t>(p.manager)]++;
  }
  int ic = 0, mgr = 0, mgr_plus = 0;
  for (const Person& p : t.people) {
    if (!p.in_directory) continue;
    EXPECT_EQ(p.direct_reports, reports[p.index]);
    if (reports[p.index] == 0) {
      EXPECT_EQ(p.supervisor_indicator, "IC");
      ++ic;
    } else if (manager_reports[p.index] == 0) {
      EXPECT_EQ(p.supervisor_indicator, "Manager");
      EXPECT_EQ(p.function_type, "Manager");
      ++mgr;
    } else {
      EXPECT_EQ(p.supervisor_indicator, "Mgr+");
      ++mgr_plus;
    }
  }
  EXPECT_GT(ic, 1500);
  EXPECT_GT(mgr, 100);
  EXPECT_GT(mgr_plus, 10);
}

TEST(Organization, AddressesAreUniqueAndProxyAddressesStartWithThePrimary) {
  const Organization org = MustGenerate(SmallOptions(3000, 2, 8));
  const Tenant& t = org.tenants[0];
  std::set<std::string> addresses;
  int aliases = 0, upn_differs = 0, mixed_case = 0;
  for (const Person& p : t.people) {
    ASSERT_FALSE(p.proxy_addresses.empty());
    EXPECT_EQ(p.proxy_addresses[0], "SMTP:" + p.mail);
    EXPECT_NE(p.mail.find("@" + t.domain), std::string::npos);
    EXPECT_TRUE(addresses.insert(core::ToLower(p.mail)).second) << p.mail;
    for (size_t i = 1; i < p.proxy_addresses.size(); ++i) {
      EXPECT_EQ(p.proxy_addresses[i].rfind("smtp:", 0), 0u) << p.proxy_addresses[i];
      EXPECT_TRUE(addresses.insert(core::ToLower(p.proxy_addresses[i].substr(5))).second)
          << p.proxy_addresses[i];
      ++aliases;
    }
    if (p.user_principal_name != p.mail) ++upn_differs;
    if (p.mail != core::ToLower(p.mail)) ++mixed_case;
  }
  const double n = static_cast<double>(t.people.size());
  EXPECT_GT(aliases / n, 0.5);
  EXPECT_NEAR(upn_differs / n, 0.15, 0.04);
  EXPECT_NEAR(mixed_case / n, 0.7, 0.05);
}

TEST(Organization, JoinersAndLeaversHaveEmploymentWindows) {
  const OrgOptions o = SmallOptions(2000, 26, 12);
  const Organization org = MustGenerate(o);
  const Tenant& t = org.tenants[0];
  int joiners = 0, leavers = 0;
  for (const Person& p : t.people) {
    ASSERT_LE(p.first_week, p.end_week);
    ASSERT_LE(p.end_week, o.weeks);
    if (p.IsJoiner()) {
      ++joiners;
      EXPECT_FALSE(p.EmployedIn(p.first_week - 1));
      EXPECT_TRUE(p.EmployedIn(p.first_week));
      // Hired during their first week.
      EXPECT_GE(p.hire_date, org.WeekStart(p.first_week));
      EXPECT_LT(p.hire_date, org.WeekStart(p.first_week + 1));
      EXPECT_EQ(p.supervisor_indicator, "IC");
    } else if (p.in_directory) {
      EXPECT_LT(p.hire_date, o.first_week);
    }
    if (p.end_week < o.weeks) {
      ++leavers;
      EXPECT_EQ(p.direct_reports, 0u) << "only individual contributors leave";
      EXPECT_FALSE(p.EmployedIn(p.end_week));
    }
  }
  // 2000 * 0.004 * 25 = 200 joiners; leavers ~ 1 - 0.997^26 = 7.5% of ICs.
  EXPECT_EQ(joiners, 200);
  EXPECT_GT(leavers, 80);
  EXPECT_LT(leavers, 200);
}

TEST(Organization, DirectoryUnlicensedAndUnknownPeopleInProportion) {
  const Organization org = MustGenerate(SmallOptions(5000, 1, 2));
  int unlicensed = 0, unknown = 0, licensed = 0;
  for (const Person& p : org.tenants[0].people) {
    if (!p.in_directory)
      ++unknown;
    else if (!p.licensed)
      ++unlicensed;
    else
      ++licensed;
  }
  EXPECT_EQ(unknown, 150);  // 3% of 5000
  EXPECT_NEAR(unlicensed / 5000.0, 0.02, 0.006);
  EXPECT_GT(licensed, 4800);
}

TEST(Organization, HolidayWeeksLowerEveryonesPresence) {
  OrgOptions o = SmallOptions(10, 8, 1);
  o.first_week = core::Date{std::chrono::year{2023} / std::chrono::December / 3};
  const Organization org = MustGenerate(o);
  const auto& f = org.tenants[0].week_factor;
  // Week of 2023-12-24 holds Christmas, 2023-12-31 New Year's Day.
  EXPECT_LT(f[3], 0.5);
  EXPECT_LT(f[4], 0.7);
  EXPECT_DOUBLE_EQ(f[0], 1.0);
}

TEST(Organization, InvalidOptionsAreRejectedByName) {
  OrgOptions o = SmallOptions();
  o.people = 0;
  EXPECT_EQ(Generate(o).status().code(), core::StatusCode::kInvalidArgument);
  o = SmallOptions();
  o.first_week = core::Date{std::chrono::year{2024} / std::chrono::January / 8};  // a Monday
  core::Status st = Validate(o);
  EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("Sunday"), std::string::npos);
  o = SmallOptions();
  o.unknown_fraction = 1.5;
  EXPECT_NE(Validate(o).message().find("unknown_fraction"), std::string::npos);
}

TEST(Organization, RandomPartnerSecretUnlessOneIsGiven) {
  OrgOptions o = SmallOptions(5, 1, 1);
  o.partner_secret.clear();
  const Organization a = MustGenerate(o);
  const Organization b = MustGenerate(o);
  EXPECT_EQ(a.partner_client_id, b.partner_client_id);
  EXPECT_GE(a.partner_secret.size(), 32u);
  EXPECT_NE(a.partner_secret, b.partner_secret);
}

}  // namespace
}  // namespace vivalink::sim
