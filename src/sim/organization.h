// The synthetic customer organisation of the simulator (PROTOCOL §9): tenants, their people with
// Entra ID identities (object id, mail, userPrincipalName, proxyAddresses), a manager tree, HR
// attributes, joiners and leavers, and the behavioural baselines from which weekly metrics
// (sim/metrics.h) and the partner's outcomes (sim/model.h) are drawn.
//
// Everything is a pure function of OrgOptions: Generate() with equal options yields equal
// organisations on every platform, and each person or person-week draws from its own seeded
// stream (sim/random.h), so results do not depend on generation order. Later stages (the weekly
// pipeline, `vivasim serve`) regenerate the organisation from the options saved by
// WriteOrganization (sim/simulator.h) instead of parsing the written files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace vivalink::sim {

// How the partner's CRM export identifies a person.
enum class CrmKey {
  kEmail,     // column Email: primary mail or an alias, in mixed case (the usual case)
  kObjectId,  // column ObjectId: the Entra object id, sometimes upper case
};

struct OrgOptions {
  int tenants = 1;  // customer tenants, each an independent organisation
  // Licensed (Viva Insights) people per tenant employed in the first week. Joiners, unlicensed
  // directory users and people unknown to the directory come on top.
  int people = 1000;
  int weeks = 12;     // weeks simulated, starting at first_week
  uint64_t seed = 1;  // everything derives from it
  // Start (a Sunday, as Viva Insights weeks are) of week 0.
  core::Date first_week = core::Date{std::chrono::year{2024} / std::chrono::January / 7};
  double weekly_join_rate = 0.004;    // joiners per week, as a fraction of `people`
  double weekly_leave_rate = 0.003;   // weekly hazard of leaving, for individual contributors
  double unlicensed_fraction = 0.02;  // directory users without Viva data (CRM rows only)
  double unknown_fraction = 0.03;     // CRM people not in the directory at all
  CrmKey crm_key = CrmKey::kEmail;    // identifier column of crm.csv / crm_static.csv
  double crm_alias_people = 0.15;     // of people with aliases, those the CRM knows by an alias
  double crm_duplicate_rows = 0.005;  // exact duplicate rows in crm.csv
  // Partner client secret written to partner.json. Empty (default): a fresh random secret from
  // the OS CSPRNG, so two inits differ in this one value. Set it for byte-identical output.
  std::string partner_secret;
};

// kInvalidArgument naming the bad option (tenants/people/weeks < 1, rates outside [0, 1],
// first_week not a Sunday, people above 10,000,000).
core::Status Validate(const OrgOptions& options);

// Behavioural baselines of a person, drawn once (sim/metrics.cc turns them into weekly metrics).
struct PersonTraits {
  double collaboration_hours = 0;  // typical weekly collaboration hours
  double meeting_share = 0;        // share of collaboration spent in meetings
  double email_weight = 0, chat_weight = 0, call_weight = 0;  // split of the non-meeting rest
  double scheduled_call_share = 0;
  double multitask_rate = 0;       // share of min(meetings, email + chat) done at the same time
  double after_hours_share = 0;    // typical share of collaboration after hours
  double external_share = 0;       // share of collaboration with people outside the company
  double conflict_rate = 0;        // tendency to double-book meetings
  double focus_fragmentation = 0;  // share of meeting-free time in 2h+ blocks
  double recurring_share = 0;
  double small_meeting_share = 0, long_meeting_share = 0;
  double urgent_rate = 0;
  double weekend_rate = 0;
  double manager_meeting_share = 0;
  double emails_per_hour = 0, chats_per_hour = 0, meeting_length = 0, call_length = 0;
  double vacation_rate = 0;  // probability of a vacation week
  double internal_network = 0, external_network = 0;
  double revenue_skill = 0;  // person effect of the planted Revenue model (unobserved)
  double deals_skill = 0;    // person effect of the planted Deals_won model (log scale)
  double csat_skill = 0;     // person effect of the planted Customer_satisfaction model
};

struct Person {
  uint32_t index = 0;     // position in Tenant::people
  std::string object_id;  // Entra object id (lower-case GUID); PersonId / ObjectId of the rows
  std::string given_name, surname, display_name;  // display forms (may hold UTF-8)
  std::string mail;                               // primary SMTP address, mixed case
  std::string user_principal_name;                // usually equal to mail, not always
  std::vector<std::string> proxy_addresses;       // "SMTP:<mail>" first, then "smtp:<alias>"
  int32_t manager = -1;                           // index of the manager; -1 for none
  uint32_t direct_reports = 0;
  // HR attributes (person query): values from fixed tables, alive for the whole program.
  std::string_view organization, function_type, level_designation, supervisor_indicator, region;
  std::string job_title;
  core::Date hire_date;
  int first_week = 0;    // first employed week (0 for the initial population)
  int end_week = 0;      // one past the last employed week (== OrgOptions::weeks if still employed)
  bool licensed = true;  // has Viva Insights data (metrics rows)
  bool in_directory = true;  // appears in the Entra ID user export
  PersonTraits traits;

  bool EmployedIn(int week) const { return week >= first_week && week < end_week; }
  bool IsJoiner() const { return first_week > 0; }
};

struct Tenant {
  uint32_t index = 0;
  std::string id;              // tenant id (lower-case GUID)
  std::string company;         // "contoso"
  std::string domain;          // "contoso.com": mail domain
  std::string initial_domain;  // "contoso.onmicrosoft.com"
  // Org-wide presence factor per week (1 normal; < 1 in holiday weeks: everyone collaborates
  // less). Size OrgOptions::weeks.
  std::vector<double> week_factor;
  std::vector<Person> people;
};

struct Organization {
  OrgOptions options;
  std::vector<Tenant> tenants;
  std::string partner_client_id;  // the partner application (deterministic from the seed)
  std::string partner_secret;     // options.partner_secret or random (see OrgOptions)

  // Start date of week w (first_week + 7 w).
  core::Date WeekStart(int w) const { return options.first_week + std::chrono::days{7 * w}; }
};

// Generates the organisation. Deterministic for equal options (except a random partner secret
// when options.partner_secret is empty). Cost: linear in people; ~1 KB of memory per person.
// kInvalidArgument from Validate().
core::Result<Organization> Generate(const OrgOptions& options);

}  // namespace vivalink::sim
