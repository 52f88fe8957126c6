#include "join/partner_commands.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/secure.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "db/schema.h"
#include "db/value.h"
#include "join/partner.h"
#include "join/resolver.h"

namespace vivalink::join {

core::Result<std::string> ChoosePartnerTenant(db::Database& db, std::string_view flag) {
  if (!core::Trim(flag).empty()) {
    std::string t(core::Trim(flag));
    return core::IsUuid(t) ? core::NormalizeUuid(t) : core::ToLower(t);
  }
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT tenant_id FROM tenants UNION SELECT tenant_id FROM "
                                       "person_identity ORDER BY 1"));
  if (rows.size() == 1) return db::TextOf(rows.rows[0][0]);
  if (rows.empty()) {
    return core::FailedPreconditionError(fmt::format(
        "the database {} holds no tenant yet: run `vivalink run` to import the customer's drops "
        "(with the user export) before loading partner data",
        db.Describe()));
  }
  return core::InvalidArgumentError(fmt::format(
      "the database {} holds {} tenants; name the one this partner file belongs to with --tenant",
      db.Describe(), rows.size()));
}

namespace {

// The load request of the flags over the defaults, without tenant and key.
core::Result<PartnerLoadRequest> RequestOf(const PartnerStoreSettings& settings,
                                           const PartnerLoadFlags& flags) {
  PartnerLoadRequest request;
  request.path = flags.file.empty() ? settings.default_path : flags.file;
  if (request.path.empty()) {
    return core::InvalidArgumentError(
        "no partner file: pass --file, or set path in the [partner] section of the configuration");
  }
  request.options.key_column = !flags.key.empty()                     ? flags.key
                               : !settings.default_key_column.empty() ? settings.default_key_column
                                                                      : "Email";
  if (!flags.key_type.empty()) {
    ASSIGN_OR_RETURN(request.options.key_type, ParseKeyType(flags.key_type));
  } else {
    request.options.key_type = settings.default_key_type;
  }
  if (flags.date.empty()) {
    request.options.detect_date_column = true;
  } else if (!core::EqualsIgnoreCase(flags.date, "none")) {
    request.options.date_column = flags.date;
  }
  ASSIGN_OR_RETURN(request.options.numeric_default, ParseAggregation(flags.numeric_default));
  for (const auto& c : flags.sum) request.options.aggregation_of[c] = Aggregation::kSum;
  for (const auto& c : flags.mean) request.options.aggregation_of[c] = Aggregation::kMean;
  request.source = flags.source;
  return request;
}

std::string NormalTenant(std::string_view flag) {
  std::string tenant(core::Trim(flag));
  return core::IsUuid(tenant) ? core::NormalizeUuid(tenant) : tenant;
}

}  // namespace

core::Result<PartnerLoadSummary> LoadPartner(const PartnerStoreSettings& settings,
                                             const PartnerLoadFlags& flags) {
  ASSIGN_OR_RETURN(PartnerLoadRequest request, RequestOf(settings, flags));
  ASSIGN_OR_RETURN(auto db, db::OpenMigrated(settings.database_url));
  ASSIGN_OR_RETURN(request.tenant_id, ChoosePartnerTenant(*db, flags.tenant));
  core::SecureString key;
  if (settings.pseudonymise) {
    ASSIGN_OR_RETURN(key, identity::LoadPseudonymKey(settings.keystore_dir, request.tenant_id));
  }
  request.pseudonym_key.assign(key.data(), key.size());
  auto summary = LoadPartnerIntoDatabase(*db, request);
  core::SecureWipe(request.pseudonym_key.data(), request.pseudonym_key.size());
  return summary;
}

core::Result<std::vector<StoredSource>> ListPartner(const std::string& database_url,
                                                    std::string_view tenant) {
  ASSIGN_OR_RETURN(auto db, db::OpenMigrated(database_url));
  return ListPartnerSources(*db, NormalTenant(tenant));
}

std::string PartnerSourcesText(const std::vector<StoredSource>& sources) {
  if (sources.empty()) {
    return "no partner data stored; load some with `vivalink partner load --file F`\n";
  }
  std::string out;
  for (const auto& s : sources) {
    std::string columns;
    for (const auto& c : s.columns) columns += (columns.empty() ? "" : ",") + c.name;
    const double rate = s.partner_persons > 0 ? 100.0 * static_cast<double>(s.matched_persons) /
                                                    static_cast<double>(s.partner_persons)
                                              : 0.0;
    out += fmt::format(
        "{} {}: {} keys, {}, {} rows stored from {} read; match rate {:.1f}% ({} of {} partner "
        "persons); columns {}; loaded {}\n",
        s.tenant_id, s.source, s.key_type,
        s.is_static() ? std::string("static") : "weekly by " + s.date_column, s.entries,
        s.rows_read, rate, s.matched_persons, s.partner_persons, columns, s.loaded_at);
  }
  return out;
}

std::string PartnerSourcesJson(const std::vector<StoredSource>& sources) {
  auto arr = nlohmann::ordered_json::array();
  for (const auto& s : sources) {
    auto columns = nlohmann::ordered_json::array();
    for (const auto& c : s.columns) columns.push_back(c.name);
    arr.push_back({{"tenant_id", s.tenant_id},
                   {"source", s.source},
                   {"key_type", s.key_type},
                   {"date_column", s.date_column},
                   {"columns", columns},
                   {"rows_read", s.rows_read},
                   {"entries", s.entries},
                   {"partner_persons", s.partner_persons},
                   {"resolved_persons", s.resolved_persons},
                   {"matched_persons", s.matched_persons},
                   {"loaded_at", s.loaded_at}});
  }
  return arr.dump() + "\n";
}

}  // namespace vivalink::join
