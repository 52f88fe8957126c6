#include "cli/partner_command.h"

#include <cstdio>
#include <string>

#include "join/partner_commands.h"

namespace vivalink::cli {
namespace {

struct LoadArgs {
  join::PartnerLoadFlags flags;
  bool json = false;
};

struct ListArgs {
  std::string tenant;
  bool json = false;
};

// Writes text to stdout; 0, or the error of a failed write (a full disk, a closed pipe).
int Print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0
             ? 0
             : ReportError(core::UnavailableError("cannot write to standard output"));
}

join::PartnerStoreSettings SettingsOf(const ingest::Config& config) {
  join::PartnerStoreSettings s;
  s.database_url = config.database_url;
  s.keystore_dir = config.keystore_dir;
  s.pseudonymise = config.pseudonymise;
  s.default_path = config.partner.path;
  s.default_key_column = config.partner.key_column;
  s.default_key_type = config.partner.key_type;
  return s;
}

}  // namespace

void RegisterPartnerCommands(CLI::App& app, Commands& commands, const GlobalFlags& flags) {
  auto* partner = app.add_subcommand(
      "partner", "the partner's own data (CRM/HR export) stored per tenant for the report's join");
  partner->require_subcommand(1);

  auto& la = commands.Keep<LoadArgs>();
  auto* load = partner->add_subcommand(
      "load", "resolve a partner file against the imported user export and store it");
  load->add_option("--file", la.flags.file,
                   "partner file, CSV or JSON lines (default: [partner] path)");
  load->add_option("--key", la.flags.key, "key column (default: [partner] key_column, else Email)");
  load->add_option("--key-type", la.flags.key_type,
                   "email or object_id (default: [partner] key_type)")
      ->check(CLI::IsMember({"email", "object_id"}));
  load->add_option("--tenant", la.flags.tenant,
                   "customer tenant id (default: the only tenant in the database)");
  load->add_option("--source", la.flags.source,
                   "dataset name; a new load replaces the previous one of the same name "
                   "(default: the file name without extension)");
  load->add_option("--date", la.flags.date,
                   "date column of daily/weekly data (default: MetricDate, Week, Date, Day or "
                   "WeekStart if present); none = static data, one row per person");
  load->add_option("--sum", la.flags.sum, "additive columns, summed per person-week")
      ->delimiter(',');
  load->add_option("--mean", la.flags.mean, "columns averaged per person-week")->delimiter(',');
  load->add_option("--default", la.flags.numeric_default,
                   "aggregation of undeclared numeric columns")
      ->check(CLI::IsMember({"sum", "mean"}))
      ->capture_default_str();
  load->add_flag("--json", la.json, "print the counts as JSON");
  commands.Add(load, WithConfig(flags, [&la](const ingest::Config& config) {
                 auto summary = join::LoadPartner(SettingsOf(config), la.flags);
                 if (!summary.ok()) return ReportError(summary.status());
                 return Print(la.json ? summary->ToJson() + "\n" : summary->ToText());
               }));

  auto& ls = commands.Keep<ListArgs>();
  auto* list = partner->add_subcommand("list", "the partner datasets stored, with match rates");
  list->add_option("--tenant", ls.tenant, "only this tenant");
  list->add_flag("--json", ls.json, "machine-readable output");
  commands.Add(list, WithConfig(flags, [&ls](const ingest::Config& config) {
                 auto sources = join::ListPartner(config.database_url, ls.tenant);
                 if (!sources.ok()) return ReportError(sources.status());
                 return Print(ls.json ? join::PartnerSourcesJson(*sources)
                                      : join::PartnerSourcesText(*sources));
               }));
}

}  // namespace vivalink::cli
