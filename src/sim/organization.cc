#include "sim/organization.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/strings.h"
#include "core/uuid.h"
#include "sim/internal/names.h"
#include "sim/random.h"

namespace vivalink::sim {
namespace {

using namespace std::chrono;

struct Weighted {
  std::string_view value;
  double weight;
};

constexpr std::array<Weighted, 8> kOrganizations = {{
    {"Sales", 0.22},
    {"IT", 0.15},
    {"Operations", 0.15},
    {"Research", 0.14},
    {"Finance", 0.12},
    {"Marketing", 0.10},
    {"Legal", 0.06},
    {"HR", 0.06},
}};

constexpr std::array<Weighted, 4> kRegions = {{
    {"North America", 0.45},
    {"Europe", 0.30},
    {"Asia Pacific", 0.17},
    {"Latin America", 0.08},
}};

constexpr std::array<Weighted, 4> kIcFunctions = {{
    {"Specialist", 0.35},
    {"Technician", 0.25},
    {"Consultant", 0.20},
    {"Advisor", 0.20},
}};

template <size_t N>
std::string_view Pick(Rng& rng, const std::array<Weighted, N>& table) {
  double u = rng.Uniform();
  for (const Weighted& w : table) {
    if (u < w.weight) return w.value;
    u -= w.weight;
  }
  return table.back().value;
}

double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double Logit(double p) { return std::log(p / (1.0 - p)); }

// Everything drawn for a person before the manager tree exists.
struct Draft {
  uint32_t given = 0, surname = 0;
  bool lower_case_mail = false;
  double upn_style = 0, alias_style = 0, alias_initial = 0, alias_old_name = 0;
  uint32_t old_surname = 0;
  double leave_u = 1;
  double senior_u = 0;
  uint32_t span = 0;    // direct reports this person takes on when a manager
  uint64_t pick = 0;    // joiners: which manager
  int hire_offset = 0;  // joiners: day of the first week
  double tenure_days = 0;
};

std::string Lower(std::string_view s) { return core::ToLower(s); }

// Holiday and seasonal presence of everyone in a tenant, week by week.
std::vector<double> WeekFactors(const OrgOptions& o, uint32_t tenant) {
  std::vector<double> factors(static_cast<size_t>(o.weeks), 1.0);
  for (int w = 0; w < o.weeks; ++w) {
    Rng rng(o.seed, Stream::kTenant, tenant, 1, static_cast<uint64_t>(w));
    const double company_holiday = rng.Uniform();
    const double depth = rng.Uniform(0.45, 0.7);
    bool christmas = false, new_year = false, summer = false;
    for (int d = 0; d < 7; ++d) {
      const year_month_day ymd{o.first_week + days{7 * w + d}};
      if (ymd.month() == December && ymd.day() == day{25}) christmas = true;
      if (ymd.month() == January && ymd.day() == day{1}) new_year = true;
      if (ymd.month() == July || ymd.month() == August) summer = true;
    }
    double f = 1.0;
    if (christmas)
      f = 0.3;
    else if (new_year)
      f = 0.55;
    else if (company_holiday < 0.03)
      f = depth;  // a company-wide holiday or shutdown week
    else if (summer)
      f = 0.88;
    factors[static_cast<size_t>(w)] = f;
  }
  return factors;
}

PersonTraits DrawTraits(const OrgOptions& o, uint32_t tenant, const Person& p) {
  Rng r(o.seed, Stream::kPerson, tenant, p.index, 1);
  const bool manager = p.direct_reports > 0;
  const bool sales = p.organization == "Sales";
  double role = 1.0;
  if (p.level_designation == "Executive")
    role = 1.35;
  else if (p.supervisor_indicator == "Mgr+")
    role = 1.3;
  else if (manager)
    role = 1.2;
  PersonTraits t;
  t.collaboration_hours = r.LogNormal(std::log(20.0), 0.35) * role;
  t.meeting_share = Logistic(r.Normal(Logit(0.38) + (manager ? 0.5 : 0.0), 0.45));
  t.email_weight = r.LogNormal(std::log(0.45), 0.3);
  t.chat_weight = r.LogNormal(std::log(0.25), 0.5);
  t.call_weight = r.LogNormal(std::log(0.2), 0.5);
  t.scheduled_call_share = r.Uniform(0.4, 0.8);
  t.multitask_rate = r.Uniform(0.05, 0.25);
  t.after_hours_share = std::min(0.55, r.LogNormal(std::log(0.11), 0.6));
  t.external_share =
      sales ? r.Uniform(0.25, 0.55) : std::min(0.6, r.LogNormal(std::log(0.10), 0.6));
  t.conflict_rate = r.Uniform(0.05, 0.2);
  t.focus_fragmentation = r.Uniform(0.35, 0.85);
  t.recurring_share = r.Uniform(0.3, 0.7);
  t.small_meeting_share = r.Uniform(0.3, 0.7);
  t.long_meeting_share = r.Uniform(0.2, 0.5);
  t.urgent_rate = r.Uniform(0.0, 0.1);
  t.weekend_rate = std::min(0.3, r.LogNormal(std::log(0.03), 0.8));
  t.manager_meeting_share = p.manager < 0 ? 0.0 : r.Uniform(0.04, 0.18);
  t.emails_per_hour = r.Uniform(4.0, 9.0);
  t.chats_per_hour = r.Uniform(20.0, 45.0);
  t.meeting_length = r.Uniform(0.5, 1.0);
  t.call_length = r.Uniform(0.2, 0.6);
  t.vacation_rate = r.Uniform(0.02, 0.06);
  t.internal_network = r.LogNormal(std::log(90.0), 0.4) * (manager ? 1.3 : 1.0);
  t.external_network = r.LogNormal(std::log(20.0), 0.6) * (sales ? 2.0 : 1.0);
  t.revenue_skill = r.Normal();
  t.deals_skill = r.Normal();
  t.csat_skill = r.Normal();
  return t;
}

std::string JobTitle(const Person& p, bool senior) {
  const std::string org(p.organization);
  if (p.manager < 0) return "Chief Executive Officer";
  if (p.level_designation == "Executive") return "Vice President, " + org;
  if (p.supervisor_indicator == "Mgr+") return "Director, " + org;
  if (p.supervisor_indicator == "Manager") return org + " Manager";
  std::string title = senior ? "Senior " : "";
  if (p.organization == "Sales" && p.function_type != "Technician")
    return title + "Account Executive";
  return title + org + " " + std::string(p.function_type);
}

class AddressBook {
 public:
  explicit AddressBook(size_t people) {
    taken_.reserve(people * 3);
    next_suffix_.reserve(people / 4);
  }
  // True (and reserved) when the lower-cased address was free.
  bool Reserve(const std::string& address) { return taken_.insert(Lower(address)).second; }
  // The next number to try after `base` for a repeated name: john.smith, john.smith2, ...
  // Remembered per name so that a common name costs O(1), not one probe per earlier holder.
  int& NextSuffix(const std::string& base) {
    return next_suffix_.try_emplace(Lower(base), 2).first->second;
  }

 private:
  std::unordered_set<std::string> taken_;
  std::unordered_map<std::string, int> next_suffix_;
};

void AssignAddresses(const Tenant& tenant, Person& p, const Draft& d, AddressBook& book) {
  const internal::Name& given = internal::GivenNames()[d.given];
  const internal::Name& sur = internal::Surnames()[d.surname];
  std::string base = std::string(given.ascii) + "." + std::string(sur.ascii);
  if (d.lower_case_mail) base = Lower(base);
  std::string local = base;
  if (!book.Reserve(local + "@" + tenant.domain)) {
    int& n = book.NextSuffix(base);
    do {
      local = base + std::to_string(n++);
    } while (!book.Reserve(local + "@" + tenant.domain));
  }
  p.mail = local + "@" + tenant.domain;
  p.proxy_addresses.push_back("SMTP:" + p.mail);

  const std::string initial_address = Lower(local) + "@" + tenant.initial_domain;
  if (d.upn_style < 0.85) {
    p.user_principal_name = p.mail;
  } else if (d.upn_style < 0.95) {
    p.user_principal_name = initial_address;  // cloud-only account: UPN on the initial domain
  } else {
    // An employee-number UPN, as some directories synchronised from HR systems have.
    // (Built by appending: GCC 12 warns falsely (-Wrestrict) on "u" + std::to_string(...).)
    p.user_principal_name = std::to_string(100000 + p.index);
    p.user_principal_name.insert(0, 1, 'u');
    p.user_principal_name += "@";
    p.user_principal_name += tenant.domain;
  }
  if (p.user_principal_name != p.mail) book.Reserve(p.user_principal_name);

  if (d.alias_style < 0.6 && book.Reserve(initial_address)) {
    p.proxy_addresses.push_back("smtp:" + initial_address);
  }
  if (d.alias_initial < 0.3) {
    std::string alias =
        Lower(std::string(given.ascii.substr(0, 1)) + std::string(sur.ascii)) + "@" + tenant.domain;
    if (book.Reserve(alias)) p.proxy_addresses.push_back("smtp:" + alias);
  }
  if (d.alias_old_name < 0.05) {  // a former surname (marriage, correction)
    const internal::Name& old = internal::Surnames()[d.old_surname];
    std::string alias =
        Lower(std::string(given.ascii) + "." + std::string(old.ascii)) + "@" + tenant.domain;
    if (book.Reserve(alias)) p.proxy_addresses.push_back("smtp:" + alias);
  }
}

Tenant GenerateTenant(const OrgOptions& o, uint32_t t) {
  Tenant tenant;
  tenant.index = t;
  Rng trng(o.seed, Stream::kTenant, t);
  tenant.id = core::UuidFromSeed(trng.Next(), trng.Next());
  const auto companies = internal::CompanyNames();
  const uint64_t offset = Mix64(o.seed) % companies.size();
  tenant.company = std::string(companies[(offset + t) % companies.size()]);
  if (t >= companies.size()) tenant.company += std::to_string(t / companies.size() + 1);
  tenant.domain = tenant.company + ".com";
  tenant.initial_domain = tenant.company + ".onmicrosoft.com";
  tenant.week_factor = WeekFactors(o, t);

  const auto n_initial = static_cast<uint32_t>(o.people);
  const auto n_joiners =
      static_cast<uint32_t>(std::llround(o.people * o.weekly_join_rate * (o.weeks - 1)));
  const auto n_unknown = static_cast<uint32_t>(std::llround(o.people * o.unknown_fraction));
  const uint32_t total = n_initial + n_joiners + n_unknown;
  tenant.people.resize(total);
  std::vector<Draft> drafts(total);

  const auto given_count = static_cast<uint64_t>(internal::GivenNames().size());
  const auto surname_count = static_cast<uint64_t>(internal::Surnames().size());
  for (uint32_t i = 0; i < total; ++i) {
    Person& p = tenant.people[i];
    Draft& d = drafts[i];
    Rng r(o.seed, Stream::kPerson, t, i);
    p.index = i;
    p.object_id = core::UuidFromSeed(r.Next(), r.Next());
    d.given = static_cast<uint32_t>(r.Below(given_count));
    d.surname = static_cast<uint32_t>(r.Below(surname_count));
    d.old_surname = static_cast<uint32_t>(r.Below(surname_count));
    d.lower_case_mail = r.Bernoulli(0.3);
    d.upn_style = r.Uniform();
    d.alias_style = r.Uniform();
    d.alias_initial = r.Uniform();
    d.alias_old_name = r.Uniform();
    d.leave_u = r.Uniform();
    d.senior_u = r.Uniform();
    d.span = static_cast<uint32_t>(4 + r.Below(6));
    d.pick = r.Next();
    d.hire_offset = static_cast<int>(1 + r.Below(5));
    d.tenure_days = std::clamp(r.LogNormal(std::log(3.0 * 365), 0.9), 14.0, 30.0 * 365);
    const bool unlicensed = r.Bernoulli(o.unlicensed_fraction);
    p.organization = i == 0 ? std::string_view("Operations") : Pick(r, kOrganizations);
    p.region = Pick(r, kRegions);
    p.function_type = Pick(r, kIcFunctions);

    p.given_name = std::string(internal::GivenNames()[d.given].display);
    p.surname = std::string(internal::Surnames()[d.surname].display);
    p.display_name = p.given_name + " " + p.surname;
    if (i < n_initial) {
      p.first_week = 0;
      p.licensed = i == 0 || !unlicensed;
    } else if (i < n_initial + n_joiners) {
      p.first_week = static_cast<int>(1 + r.Below(static_cast<uint64_t>(o.weeks - 1)));
      p.licensed = !unlicensed;
    } else {
      p.licensed = false;
      p.in_directory = false;
    }
    p.end_week = o.weeks;
  }

  // Manager tree: the CEO (person 0) leads one head per organisation; inside an organisation
  // people are placed breadth first under managers with a span of control of 4 to 9.
  std::vector<std::vector<uint32_t>> managers_by_org(kOrganizations.size());
  for (size_t org = 0; org < kOrganizations.size(); ++org) {
    std::deque<std::pair<uint32_t, uint32_t>> open;  // (manager, places left)
    bool head = true;
    for (uint32_t i = 1; i < n_initial; ++i) {
      Person& p = tenant.people[i];
      if (p.organization != kOrganizations[org].value) continue;
      if (head) {
        p.manager = 0;
        head = false;
      } else {
        auto& [m, left] = open.front();
        p.manager = static_cast<int32_t>(m);
        if (--left == 0) open.pop_front();
      }
      open.emplace_back(i, drafts[i].span);
    }
  }
  for (uint32_t i = 1; i < n_initial; ++i) {
    tenant.people[static_cast<size_t>(tenant.people[i].manager)].direct_reports++;
  }
  for (uint32_t i = 1; i < n_initial; ++i) {
    const Person& p = tenant.people[i];
    if (p.direct_reports > 0) {
      for (size_t org = 0; org < kOrganizations.size(); ++org) {
        if (p.organization == kOrganizations[org].value) managers_by_org[org].push_back(i);
      }
    }
  }
  // Joiners are individual contributors under an existing manager of their organisation.
  for (uint32_t i = n_initial; i < n_initial + n_joiners; ++i) {
    Person& p = tenant.people[i];
    for (size_t org = 0; org < kOrganizations.size(); ++org) {
      if (p.organization != kOrganizations[org].value) continue;
      const auto& candidates = managers_by_org[org];
      p.manager = candidates.empty()
                      ? 0
                      : static_cast<int32_t>(candidates[drafts[i].pick % candidates.size()]);
    }
    tenant.people[static_cast<size_t>(p.manager)].direct_reports++;
  }

  // Roles from the tree; leavers (individual contributors only, so the tree stays whole).
  const double leave_log = o.weekly_leave_rate > 0 ? std::log1p(-o.weekly_leave_rate) : 0.0;
  for (uint32_t i = 0; i < n_initial + n_joiners; ++i) {
    Person& p = tenant.people[i];
    if (p.direct_reports == 0) {
      p.supervisor_indicator = "IC";
      p.level_designation = drafts[i].senior_u < 0.4 ? "Senior IC" : "Junior IC";
      if (o.weekly_leave_rate > 0 && drafts[i].leave_u < 1.0) {
        const double weeks_to_leave =
            1.0 + std::floor(std::log(1.0 - drafts[i].leave_u) / leave_log);
        if (weeks_to_leave < o.weeks - p.first_week) {
          p.end_week = p.first_week + static_cast<int>(weeks_to_leave);
        }
      }
    } else {
      p.function_type = "Manager";
    }
  }
  // Manager (only individual contributors report) or Mgr+ (a manager reports).
  for (uint32_t i = 1; i < n_initial + n_joiners; ++i) {
    const Person& p = tenant.people[i];
    if (p.direct_reports > 0) {
      Person& m = tenant.people[static_cast<size_t>(p.manager)];
      m.supervisor_indicator = "Mgr+";
    }
  }
  for (uint32_t i = 0; i < n_initial + n_joiners; ++i) {
    Person& p = tenant.people[i];
    if (p.direct_reports > 0 && p.supervisor_indicator.empty()) p.supervisor_indicator = "Manager";
    if (p.manager <= 0 && p.direct_reports > 0) {
      p.level_designation = "Executive";
    } else if (p.supervisor_indicator == "Mgr+") {
      p.level_designation = "Senior Manager";
    } else if (p.supervisor_indicator == "Manager") {
      p.level_designation = "Manager";
    }
  }
  // People unknown to the directory still need HR-like values for their (CRM-only) behaviour.
  for (uint32_t i = n_initial + n_joiners; i < total; ++i) {
    Person& p = tenant.people[i];
    p.supervisor_indicator = "IC";
    p.level_designation = drafts[i].senior_u < 0.4 ? "Senior IC" : "Junior IC";
  }

  AddressBook book(total);
  const core::Date first = o.first_week;
  for (uint32_t i = 0; i < total; ++i) {
    Person& p = tenant.people[i];
    const Draft& d = drafts[i];
    AssignAddresses(tenant, p, d, book);
    double tenure = d.tenure_days * (p.level_designation == "Executive" ? 2.0 : 1.0);
    if (p.IsJoiner()) {
      p.hire_date = first + days{7 * p.first_week + d.hire_offset};
    } else {
      p.hire_date = first - days{static_cast<int>(tenure)};
    }
    p.job_title = JobTitle(p, d.senior_u < 0.4);
    p.traits = DrawTraits(o, t, p);
  }
  return tenant;
}

}  // namespace

core::Status Validate(const OrgOptions& o) {
  auto bad = [](const std::string& what) {
    return core::InvalidArgumentError("simulator option " + what);
  };
  if (o.tenants < 1 || o.tenants > 1000) return bad("tenants must be 1..1000");
  if (o.people < 1 || o.people > 10'000'000) return bad("people must be 1..10000000");
  if (o.weeks < 1 || o.weeks > 520) return bad("weeks must be 1..520");
  if (weekday{o.first_week} != Sunday) {
    return bad("first_week " + core::FormatDate(o.first_week) +
               " is not a Sunday (Viva Insights weeks start on Sunday)");
  }
  const std::pair<const char*, double> rates[] = {
      {"weekly_join_rate", o.weekly_join_rate},       {"weekly_leave_rate", o.weekly_leave_rate},
      {"unlicensed_fraction", o.unlicensed_fraction}, {"unknown_fraction", o.unknown_fraction},
      {"crm_alias_people", o.crm_alias_people},       {"crm_duplicate_rows", o.crm_duplicate_rows},
  };
  for (const auto& [name, value] : rates) {
    if (!(value >= 0.0 && value < 1.0)) return bad(std::string(name) + " must be in [0, 1)");
  }
  return core::OkStatus();
}

core::Result<Organization> Generate(const OrgOptions& options) {
  RETURN_IF_ERROR(Validate(options));
  Organization org;
  org.options = options;
  Rng prng(options.seed, Stream::kPartner);
  org.partner_client_id = core::UuidFromSeed(prng.Next(), prng.Next());
  if (!options.partner_secret.empty()) {
    org.partner_secret = options.partner_secret;
  } else {
    // Two v4 UUIDs from the OS CSPRNG: 244 random bits, never derived from the public seed.
    for (int i = 0; i < 2; ++i) {
      for (char c : core::NewUuid()) {
        if (c != '-') org.partner_secret += c;
      }
    }
  }
  org.tenants.reserve(static_cast<size_t>(options.tenants));
  for (int t = 0; t < options.tenants; ++t) {
    org.tenants.push_back(GenerateTenant(options, static_cast<uint32_t>(t)));
  }
  return org;
}

}  // namespace vivalink::sim
