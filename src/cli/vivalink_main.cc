// vivalink: the partner-side service and CLI. See README.md for every command.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "azure/credentials.h"
#include "azure/sas.h"
#include "cli/analyze_command.h"
#include "cli/common.h"
#include "cli/offboard_command.h"
#include "cli/onboard_command.h"
#include "cli/partner_command.h"
#include "cli/report_command.h"
#include "core/file.h"
#include "core/log.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "drop/cat.h"
#include "drop/keys.h"
#include "ingest/commands.h"
#include "ingest/config.h"
#include "store/blob_store.h"

namespace vivalink::cli {
namespace {

struct KeysCreateArgs {
  std::string tenant;
  std::string keystore = "./vivalink-data/keys";
};

int KeysCreate(const KeysCreateArgs& a) {
  drop::KeyStore ks(a.keystore);
  auto key = ks.Create(core::NormalizeUuid(a.tenant));
  if (!key.ok()) return ReportError(key.status());
  crypto::Jwk jwk = key->PublicKey().ToJwk();
  nlohmann::ordered_json j = {
      {"tenantId", core::NormalizeUuid(a.tenant)},
      {"rsaKey",
       {{"kty", jwk.kty}, {"e", jwk.e}, {"n", jwk.n}, {"encryptionAlgorithm", "RSA2048"}}},
      {"privateKeyFile", ks.PrivateKeyPath(a.tenant).string()}};
  std::printf("%s\n", j.dump(2).c_str());
  return 0;
}

struct DropCatArgs {
  std::string store;
  std::string drop;
  std::string keystore = "./vivalink-data/keys";
  std::string keys_file;
  bool summary = false;
};

// The key API's answer saved in --keys-file, or why there is none; drop::LoadDropKeys decides.
core::Result<std::vector<drop::WrappedKey>> KeysFileAnswer(const DropCatArgs& a,
                                                           const drop::DropMetadata& metadata) {
  if (a.keys_file.empty()) {
    return core::NotFoundError(
        "no key API answer: pass --keys-file with the key API's answer for CopyActivityId " +
        metadata.copy_activity_id);
  }
  ASSIGN_OR_RETURN(std::string text, core::ReadFile(a.keys_file, 1u << 20));
  auto parsed = drop::ParseKeysResponse(text);
  if (!parsed.ok()) return parsed.status().WithContext(a.keys_file);
  return parsed;
}

int DropCat(const DropCatArgs& a) {
  auto ref = drop::ParseDropRef(a.drop);
  if (!ref.ok()) return ReportError(ref.status());
  auto store = OpenStore(a.store);
  if (!store.ok()) return ReportError(store.status());
  auto metadata = drop::ReadMetadata(**store, *ref);
  if (!metadata.ok()) return ReportError(metadata.status());
  if (metadata->failed_upstream()) {
    return ReportError(core::FailedPreconditionError(fmt::format(
        "drop {} failed upstream: {}; it holds no data", ref->ToString(), metadata->errors)));
  }
  auto keys =
      drop::LoadDropKeys(drop::KeyStore(a.keystore), *ref, *metadata, KeysFileAnswer(a, *metadata));
  if (!keys.ok()) return ReportError(keys.status());
  if (a.summary) {
    drop::DropSummary summary;
    core::Status st = drop::VerifyDrop(**store, *ref, *metadata, *keys, summary);
    std::printf("%s", summary.ToText().c_str());
    return st.ok() ? 0 : ReportError(st);
  }
  StdoutSink out;
  core::Status st = drop::CatDrop(**store, *ref, *metadata, *keys, out);
  if (!st.ok()) return ReportError(st);
  st = out.Close();
  return st.ok() ? 0 : ReportError(st);
}

struct SasArgs {
  std::string container;
  std::string permissions = "cw";
  int days = 30;
  bool rotate = false;  // --rotate --tenant T: a new SAS for an onboarded tenant
  std::string tenant;
};

// Prints the container URL with a SAS for the customer's pipeline. The account and key come from
// AZURE_STORAGE_CONNECTION_STRING (never from the command line, where `ps` would show them).
int Sas(const SasArgs& a) {
  if (a.container.empty()) {
    return ReportError(
        core::InvalidArgumentError("--container is required (or --rotate --tenant T)"));
  }
  const char* env = std::getenv("AZURE_STORAGE_CONNECTION_STRING");
  if (env == nullptr || *env == '\0') {
    return ReportError(core::InvalidArgumentError(
        "set AZURE_STORAGE_CONNECTION_STRING to the partner storage account's connection string "
        "(AccountName and AccountKey; UseDevelopmentStorage=true for Azurite)"));
  }
  auto cs = azure::ParseConnectionString(env);
  if (!cs.ok()) return ReportError(cs.status());
  if (cs->account_key.empty()) {
    return ReportError(core::InvalidArgumentError(
        "the connection string has no AccountKey; a SAS can only be made with the account key"));
  }
  if (a.days < 1 || a.days > 365) {
    return ReportError(core::InvalidArgumentError("--days must be between 1 and 365"));
  }
  auto expiry = core::SystemClock::Instance().Now() + std::chrono::days(a.days);
  auto sas = azure::MakeContainerSas(cs->account_name, cs->account_key, a.container, a.permissions,
                                     expiry);
  if (!sas.ok()) return ReportError(sas.status());
  std::printf("%s/%s?%s\n", cs->blob_endpoint.c_str(), a.container.c_str(), sas->c_str());
  return 0;
}

// Loads the configuration (embedded defaults without --config) and starts logging from it; the
// --log-level flag, when given, wins.
core::Result<ingest::Config> Configure(const std::string& path, const std::string& log_level) {
  ASSIGN_OR_RETURN(ingest::Config config, ingest::LoadConfig(path));
  core::InitLogging({.level = core::ParseLogLevel(log_level.empty() ? config.log_level : log_level),
                     .json = false,
                     .file = config.log_file});
  return config;
}

int RunCommand(const ingest::Config& config, const std::string& tenant) {
  ingest::CommandOptions options;
  options.tenant = tenant;
  auto summary = ingest::RunOnce(config, options);
  if (!summary.ok()) return ReportError(summary.status());
  std::printf("%s", summary->ToText().c_str());
  return summary->any_failed() ? 1 : 0;
}

int StatusCommand(const ingest::Config& config, bool json) {
  auto report = ingest::GetStatus(config);
  if (!report.ok()) return ReportError(report.status());
  std::printf("%s\n", json ? report->ToJson().c_str() : report->ToText().c_str());
  PrintSasWarnings(config);
  return 0;
}

int ReplayCommand(const ingest::Config& config, const std::string& run_id) {
  auto n = ingest::Replay(config, run_id);
  if (!n.ok()) return ReportError(n.status());
  std::printf("%d drop(s) of run %s reset to pending; the next `vivalink run` imports them\n", *n,
              run_id.c_str());
  return 0;
}

int KeysRegister(const ingest::Config& config, const std::string& tenant, bool create) {
  auto reg = ingest::RegisterKeys(config, core::NormalizeUuid(tenant), create);
  if (!reg.ok()) return ReportError(reg.status());
  std::printf("registered the public key of tenant %s with the key API\n", tenant.c_str());
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"vivalink: receive, decrypt, validate and analyse Viva Insights partner drops"};
  app.require_subcommand(1);
  std::string log_level;
  std::string config_path;
  app.add_option("--log-level", log_level, "debug|info|warn|error|off (default: the config's)");
  app.add_option("--config", config_path,
                 "configuration file (TOML, see docs/vivalink.example.toml); default: the "
                 "embedded defaults under ./vivalink-data/");

  std::string tenant_filter;
  auto* run = app.add_subcommand("run", "one pass over all tenants: import every new drop");
  run->add_option("--tenant", tenant_filter, "only this tenant");
  auto* serve = app.add_subcommand(
      "serve",
      "the service: poll loop plus push notifications ([push]: HTTP endpoint, Storage Queue); "
      "SIGTERM stops cleanly");
  std::string serve_listen, serve_queue, serve_port_file;
  serve->add_option("--listen", serve_listen,
                    "HTTP endpoint host:port (overrides [push] listen; port 0 = any free port)");
  serve->add_option("--queue-url", serve_queue,
                    "Storage Queue of notifications (overrides "
                    "[push] queue_url)");
  serve->add_option("--port-file", serve_port_file,
                    "write the bound HTTP port to this file once requests are accepted");
  serve->add_option("--tenant", tenant_filter, "only this tenant");
  bool status_json = false;
  auto* status =
      app.add_subcommand("status", "per tenant: watermark, drops by state, last error, lag");
  status->add_flag("--json", status_json, "machine-readable output");
  std::string replay_run;
  auto* replay = app.add_subcommand("replay", "retry the quarantined drops of a run");
  replay->add_option("--run", replay_run, "RunId")->required();
  ReportArgs ra;
  auto* report_cmd = app.add_subcommand("report", "write the HTML report of what was imported");
  report_cmd->add_option("--output", ra.output, "report file (default <data_dir>/report.html)");
  report_cmd
      ->add_option("--outcome", ra.outcomes,
                   "key metric column(s) to explain (default: the stored partner metrics)")
      ->delimiter(',');
  report_cmd->add_option("--group-by", ra.group_by, "grouping attribute(s)")->capture_default_str();
  report_cmd->add_option("--min-group", ra.min_group_size, "minimum group size (distinct people)")
      ->capture_default_str();
  report_cmd->add_option("--tenant", ra.tenant, "only this tenant");
  report_cmd->add_option("--behaviours", ra.behaviours, "driver candidates (default: all metrics)")
      ->delimiter(',');
  report_cmd->add_option("--rank-by", ra.rank_by, "driver ranking: spearman or partial")
      ->check(CLI::IsMember({"spearman", "partial"}))
      ->capture_default_str();
  report_cmd->add_option("--json", ra.json, "also write drivers and join counts as JSON here");
  bool show_config = false;
  auto* config_cmd = app.add_subcommand("config", "show the effective configuration");
  config_cmd->add_flag("--show", show_config, "print it (secrets masked)");

  auto* keys = app.add_subcommand("keys", "manage the per-tenant RSA key pairs");
  keys->require_subcommand(1);
  KeysCreateArgs kc;
  auto* create = keys->add_subcommand("create", "create a tenant's RSA-2048 pair, print the JWK");
  create->add_option("--tenant", kc.tenant, "customer tenant id (GUID)")->required();
  create->add_option("--keystore", kc.keystore, "key store folder")->capture_default_str();

  std::string register_tenant;
  bool register_create = false;
  auto* reg =
      keys->add_subcommand("register", "register a tenant's public key with the Viva Insights API");
  reg->add_option("--tenant", register_tenant, "customer tenant id (GUID)")->required();
  reg->add_flag("--create", register_create, "create the key pair first when missing");

  auto* drop_cmd = app.add_subcommand("drop", "inspect drops");
  drop_cmd->require_subcommand(1);
  DropCatArgs dc;
  auto* cat = drop_cmd->add_subcommand(
      "cat", "verify a drop, then print its decrypted rows as JSON lines on stdout");
  cat->add_option("--store", dc.store, "store URL (file:///path or https://...)")->required();
  cat->add_option("--drop", dc.drop, "<RunId>/VivaInsights/<TenantId>")->required();
  cat->add_option("--keystore", dc.keystore, "key store folder")->capture_default_str();
  cat->add_option("--keys-file", dc.keys_file, "the key API's answer for the drop (JSON)");
  cat->add_flag("--summary", dc.summary, "print rows, columns, dates and validation instead");

  SasArgs sa;
  auto* sas = app.add_subcommand(
      "sas", "print a container SAS URL for the customer's pipeline (write-only by default)");
  sas->add_option("--container", sa.container, "container name (e.g. the tenant id)");
  sas->add_flag("--rotate", sa.rotate,
                "a new create+write SAS for an onboarded tenant (with --tenant), before the old "
                "one expires");
  sas->add_option("--tenant", sa.tenant, "with --rotate: the onboarded tenant");
  OnboardArgs onboard_args;
  auto* onboard_cmd = AddOnboardCommand(app, onboard_args);
  sas->add_option("--permissions", sa.permissions, "SAS permission letters")->capture_default_str();
  sas->add_option("--days", sa.days, "validity in days")->capture_default_str();

  OffboardArgs offboard_args;
  auto* offboard_cmd = AddOffboardCommand(app, offboard_args);
  ForgetArgs forget_args;
  auto* forget_cmd = AddForgetCommand(app, forget_args);

  AddAnalyzeCommands(app);
  PartnerCommands& partner = AddPartnerCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (auto code = AnalyzeExitCode()) return *code;
  if (run->parsed() || serve->parsed() || status->parsed() || replay->parsed() || reg->parsed() ||
      config_cmd->parsed() || report_cmd->parsed() || partner.parsed() || onboard_cmd->parsed() ||
      offboard_cmd->parsed() || forget_cmd->parsed() || (sas->parsed() && sa.rotate)) {
    auto config = Configure(config_path, log_level);
    if (!config.ok()) return ReportError(config.status());
    if (run->parsed()) return RunCommand(*config, tenant_filter);
    if (onboard_cmd->parsed()) return OnboardCommand(*config, onboard_args);
    if (offboard_cmd->parsed()) return OffboardCommand(*config, offboard_args);
    if (forget_cmd->parsed()) return ForgetCommand(*config, forget_args);
    if (sas->parsed()) {
      if (sa.tenant.empty()) {
        return ReportError(core::InvalidArgumentError("--rotate needs --tenant"));
      }
      return RotateSasCommand(*config, sa.tenant, sa.days);
    }
    if (status->parsed()) return StatusCommand(*config, status_json);
    if (replay->parsed()) return ReplayCommand(*config, replay_run);
    if (report_cmd->parsed()) return ReportCommand(*config, ra);
    if (partner.parsed()) return partner.Run(*config);
    if (reg->parsed()) return KeysRegister(*config, register_tenant, register_create);
    if (config_cmd->parsed()) {
      std::printf("%s\n", config->Describe().c_str());
      return 0;
    }
    if (!serve_listen.empty()) config->push.listen = serve_listen;
    if (!serve_queue.empty()) config->push.queue_url = serve_queue;
    ingest::CommandOptions so;
    so.tenant = tenant_filter;
    core::Status st = ingest::Serve(*config, so, [&](int port) {
      if (serve_port_file.empty()) return;
      // Written whole then renamed, so a reader never sees a partial number.
      const std::string tmp = serve_port_file + ".tmp";
      if (std::FILE* f = std::fopen(tmp.c_str(), "w")) {
        std::fprintf(f, "%d\n", port);
        std::fclose(f);
        std::rename(tmp.c_str(), serve_port_file.c_str());
      }
    });
    return st.ok() ? 0 : ReportError(st);
  }
  core::InitLogging({.level = core::ParseLogLevel(log_level.empty() ? "warn" : log_level),
                     .json = false,
                     .file = ""});
  if (create->parsed()) return KeysCreate(kc);
  if (cat->parsed()) return DropCat(dc);
  if (sas->parsed()) return Sas(sa);
  return 2;
}

}  // namespace vivalink::cli

int main(int argc, char** argv) {
  try {
    return vivalink::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: Internal: %s\n", vivalink::core::Redact(e.what()).c_str());
    return 1;
  }
}
