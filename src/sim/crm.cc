#include "sim/crm.h"

#include <fmt/format.h>

#include "core/strings.h"
#include "sim/random.h"
#include "sim/writers.h"

namespace vivalink::sim {
namespace {

std::string_view Territory(std::string_view region) {
  if (region == "Europe") return "EMEA";
  if (region == "Asia Pacific") return "APAC";
  if (region == "Latin America") return "LATAM";
  return "NA";
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// How the CRM spells one person's key (fixed per person, occasionally varied per row).
struct KeyStyle {
  std::string usual;  // the spelling of most rows
  std::string alias;  // non-empty: about half of the rows use this alias
};

KeyStyle StyleFor(const Organization& org, const Tenant& t, const Person& p) {
  Rng r(org.options.seed, Stream::kCrm, t.index, p.index);
  const double style = r.Uniform();
  KeyStyle k;
  if (org.options.crm_key == CrmKey::kObjectId) {
    k.usual = style < 0.1 ? Upper(p.object_id) : p.object_id;
    return k;
  }
  if (style < 0.6)
    k.usual = core::ToLower(p.mail);
  else if (style < 0.94)
    k.usual = p.mail;
  else
    k.usual = Upper(p.mail);
  const bool alias_person = r.Bernoulli(org.options.crm_alias_people);
  if (alias_person && p.proxy_addresses.size() > 1) {
    const std::string& a = p.proxy_addresses[1 + r.Below(p.proxy_addresses.size() - 1)];
    k.alias = a.substr(a.find(':') + 1);
  }
  return k;
}

}  // namespace

core::Result<std::vector<CrmRow>> CrmRows(const Organization& org, size_t tenant) {
  if (tenant >= org.tenants.size()) {
    return core::InvalidArgumentError("tenant " + std::to_string(tenant) + " does not exist");
  }
  const Tenant& t = org.tenants[tenant];
  std::vector<KeyStyle> styles;
  styles.reserve(t.people.size());
  for (const Person& p : t.people) styles.push_back(StyleFor(org, t, p));

  std::vector<CrmRow> rows;
  for (int w = 0; w < org.options.weeks; ++w) {
    for (const Person& p : t.people) {
      if (!p.EmployedIn(w)) continue;
      const WeekMetrics m = PersonWeekMetrics(org, t, p, w);
      if (!m.is_active) continue;  // nobody sells in a week away
      Rng r(org.options.seed, Stream::kCrm, t.index, p.index, static_cast<uint64_t>(w) + 1);
      const KeyStyle& style = styles[p.index];
      CrmRow row;
      row.person = &p;
      row.week = w;
      row.region = Territory(p.region);
      row.outcomes = PersonWeekOutcomes(org, t, p, w, m);
      const bool use_alias = !style.alias.empty() && r.Bernoulli(0.5);
      const double retype = r.Uniform();
      if (use_alias) {
        row.key = style.alias;
        row.keyed_by_alias = true;
      } else if (retype < 0.02 && org.options.crm_key == CrmKey::kEmail) {
        row.key = p.mail;  // typed by hand this week: the directory's spelling
      } else {
        row.key = style.usual;
      }
      const bool duplicate = r.Bernoulli(org.options.crm_duplicate_rows);
      rows.push_back(row);
      if (duplicate) {
        row.duplicate = true;
        rows.push_back(std::move(row));
      }
    }
  }
  return rows;
}

core::Status WriteCrm(const Organization& org, size_t tenant, core::ByteSink& sink) {
  ASSIGN_OR_RETURN(std::vector<CrmRow> rows, CrmRows(org, tenant));
  internal::SinkBuffer buffer(sink);
  std::string& out = buffer.text();
  out += org.options.crm_key == CrmKey::kEmail ? "Email" : "ObjectId";
  out += ",Week,Region,Deals_won,Revenue,Customer_satisfaction\n";
  for (const CrmRow& row : rows) {
    internal::AppendCsvField(out, row.key);
    out += ',';
    out += core::FormatDate(org.WeekStart(row.week));
    out += ',';
    out += row.region;
    out += ',';
    out += std::to_string(row.outcomes.deals_won);
    out += ',';
    out += fmt::format("{:.2f}", row.outcomes.revenue);
    out += ',';
    if (row.outcomes.satisfaction) out += std::to_string(*row.outcomes.satisfaction);
    out += '\n';
    RETURN_IF_ERROR(buffer.Flush());
  }
  return buffer.Flush(true);
}

core::Status WriteCrmStatic(const Organization& org, size_t tenant, core::ByteSink& sink) {
  if (tenant >= org.tenants.size()) {
    return core::InvalidArgumentError("tenant " + std::to_string(tenant) + " does not exist");
  }
  const Tenant& t = org.tenants[tenant];
  internal::SinkBuffer buffer(sink);
  std::string& out = buffer.text();
  out += org.options.crm_key == CrmKey::kEmail ? "Email" : "ObjectId";
  // The HR extract carries the person's Organization: the weekly Viva rows the pipeline delivers
  // (v0/v1) hold no HR attributes, and the planted Sales-only effect is found by group.
  out += ",Attrition,Tenure_years,Exit_date,Organization\n";
  for (const Person& p : t.people) {
    const StaticOutcome s = PersonStaticOutcome(org, t, p);
    internal::AppendCsvField(
        out, org.options.crm_key == CrmKey::kEmail ? core::ToLower(p.mail) : p.object_id);
    out += s.attrition ? ",1," : ",0,";
    out += fmt::format("{:.1f}", s.tenure_years);
    out += ',';
    if (s.exit_date) out += core::FormatDate(*s.exit_date);
    out += ',';
    internal::AppendCsvField(out, p.organization);
    out += '\n';
    RETURN_IF_ERROR(buffer.Flush());
  }
  return buffer.Flush(true);
}

}  // namespace vivalink::sim
