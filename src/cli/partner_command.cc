#include "cli/partner_command.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/common.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "db/database.h"
#include "db/schema.h"
#include "identity/identity.h"
#include "join/stored.h"

namespace vivalink::cli {

struct PartnerCommands::Args {
  std::string file;
  std::string key;
  std::string key_type;
  std::string tenant;
  std::string source;
  std::string date;  // "": detect; "none": static
  std::vector<std::string> sum, mean;
  std::string numeric_default = "mean";
  bool json = false;
};

namespace {

using db::TextOf;

// The tenant to load for: --tenant, else the only tenant the database knows.
core::Result<std::string> ChooseTenant(db::Database& db, const std::string& flag) {
  if (!core::Trim(flag).empty()) {
    std::string t(core::Trim(flag));
    return core::IsUuid(t) ? core::NormalizeUuid(t) : core::ToLower(t);
  }
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT tenant_id FROM tenants UNION SELECT tenant_id FROM "
                                       "person_identity ORDER BY 1"));
  if (rows.size() == 1) return TextOf(rows.rows[0][0]);
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

core::Status Load(const ingest::Config& config, const PartnerCommands::Args& a) {
  join::PartnerLoadRequest request;
  request.path = a.file.empty() ? config.partner.path : a.file;
  if (request.path.empty()) {
    return core::InvalidArgumentError(
        "no partner file: pass --file, or set path in the [partner] section of the configuration");
  }
  request.options.key_column = !a.key.empty()                       ? a.key
                               : !config.partner.key_column.empty() ? config.partner.key_column
                                                                    : "Email";
  if (!a.key_type.empty()) {
    ASSIGN_OR_RETURN(request.options.key_type, join::ParseKeyType(a.key_type));
  } else {
    request.options.key_type = config.partner.key_type;
  }
  if (a.date.empty()) {
    request.options.detect_date_column = true;
  } else if (!core::EqualsIgnoreCase(a.date, "none")) {
    request.options.date_column = a.date;
  }
  ASSIGN_OR_RETURN(request.options.numeric_default, join::ParseAggregation(a.numeric_default));
  for (const auto& c : a.sum) request.options.aggregation_of[c] = join::Aggregation::kSum;
  for (const auto& c : a.mean) request.options.aggregation_of[c] = join::Aggregation::kMean;
  request.source = a.source;

  ASSIGN_OR_RETURN(auto db, db::OpenMigrated(config.database_url));
  ASSIGN_OR_RETURN(request.tenant_id, ChooseTenant(*db, a.tenant));
  core::SecureString key;
  if (config.pseudonymise) {
    // The key ingestion used; a missing one means nothing of this tenant was imported yet, and
    // creating a fresh key here would only make every match fail.
    const auto path =
        std::filesystem::path(config.keystore_dir) / request.tenant_id / "pseudonym.key";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return core::FailedPreconditionError(fmt::format(
          "pseudonymisation is configured but tenant {} has no pseudonym key ({}); run `vivalink "
          "run` first, or restore the key from its backup",
          request.tenant_id, path.string()));
    }
    ASSIGN_OR_RETURN(key,
                     identity::LoadOrCreatePseudonymKey(config.keystore_dir, request.tenant_id));
  }
  request.pseudonym_key.assign(key.data(), key.size());
  auto summary = join::LoadPartnerIntoDatabase(*db, request);
  core::SecureWipe(request.pseudonym_key.data(), request.pseudonym_key.size());
  if (!summary.ok()) return summary.status();
  std::string out = a.json ? summary->ToJson() + "\n" : summary->ToText();
  std::fwrite(out.data(), 1, out.size(), stdout);
  return core::OkStatus();
}

core::Status List(const ingest::Config& config, const PartnerCommands::Args& a) {
  ASSIGN_OR_RETURN(auto db, db::OpenMigrated(config.database_url));
  std::string tenant(core::Trim(a.tenant));
  if (core::IsUuid(tenant)) tenant = core::NormalizeUuid(tenant);
  ASSIGN_OR_RETURN(auto sources, join::ListPartnerSources(*db, tenant));
  std::string out;
  if (a.json) {
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
    out = arr.dump() + "\n";
  } else if (sources.empty()) {
    out = "no partner data stored; load some with `vivalink partner load --file F`\n";
  } else {
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
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return core::OkStatus();
}

}  // namespace

bool PartnerCommands::parsed() const {
  return (load_ != nullptr && load_->parsed()) || (list_ != nullptr && list_->parsed());
}

int PartnerCommands::Run(const ingest::Config& config) const {
  core::Status st = load_->parsed() ? Load(config, *args_) : List(config, *args_);
  if (!st.ok()) return ReportError(st);
  return std::fflush(stdout) == 0
             ? 0
             : ReportError(core::UnavailableError("cannot write to standard output"));
}

PartnerCommands& AddPartnerCommands(CLI::App& app) {
  static PartnerCommands commands;
  static PartnerCommands::Args args;
  commands.args_ = &args;
  auto* partner = app.add_subcommand(
      "partner", "the partner's own data (CRM/HR export) stored per tenant for the report's join");
  partner->require_subcommand(1);
  auto* load = partner->add_subcommand(
      "load", "resolve a partner file against the imported user export and store it");
  load->add_option("--file", args.file,
                   "partner file, CSV or JSON lines (default: [partner] path)");
  load->add_option("--key", args.key, "key column (default: [partner] key_column, else Email)");
  load->add_option("--key-type", args.key_type, "email or object_id (default: [partner] key_type)")
      ->check(CLI::IsMember({"email", "object_id"}));
  load->add_option("--tenant", args.tenant,
                   "customer tenant id (default: the only tenant in the database)");
  load->add_option("--source", args.source,
                   "dataset name; a new load replaces the previous one of the same name "
                   "(default: the file name without extension)");
  load->add_option("--date", args.date,
                   "date column of daily/weekly data (default: MetricDate, Week, Date, Day or "
                   "WeekStart if present); none = static data, one row per person");
  load->add_option("--sum", args.sum, "additive columns, summed per person-week")->delimiter(',');
  load->add_option("--mean", args.mean, "columns averaged per person-week")->delimiter(',');
  load->add_option("--default", args.numeric_default, "aggregation of undeclared numeric columns")
      ->check(CLI::IsMember({"sum", "mean"}))
      ->capture_default_str();
  load->add_flag("--json", args.json, "print the counts as JSON");
  auto* list = partner->add_subcommand("list", "the partner datasets stored, with match rates");
  list->add_option("--tenant", args.tenant, "only this tenant");
  list->add_flag("--json", args.json, "machine-readable output");
  commands.load_ = load;
  commands.list_ = list;
  return commands;
}

}  // namespace vivalink::cli
