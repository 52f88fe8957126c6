// vivasim: a stand-in for the Microsoft side (weekly metrics, user export, pipeline, key API).
// It talks to vivalink only through storage, HTTP and queues. See README "Simulating a customer".
// Each command registers itself (cli/common.h, Commands); main parses once and runs it.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "azure/open_store.h"
#include "cli/common.h"
#include "core/log.h"
#include "core/time.h"
#include "sim/api_server.h"
#include "sim/arm_pipeline.h"
#include "sim/pipeline.h"
#include "sim/simulator.h"
#include "sim/writers.h"

namespace vivalink::cli {
namespace {

struct PipelineArgs {
  std::string dir;
  std::string store;
  std::string week;
  std::string staging;
  std::string tenant;
  std::string shape = "v1";
  std::string fail;
  bool duplicate_notify = false;
  bool inline_key = false;
  bool no_users = false;
  bool calendar = false;
  uint64_t part_rows = 0;
  std::string container;
  std::string notify_url;
  std::string notify_secret;
  std::string notify_queue;
  std::string notify_events;
  std::string event_schema = "eventgrid";
  // --template: run the Managed Application template instead (sim/arm_pipeline.h).
  std::string template_path;
  std::string parameters;
  std::string token_flaw = "none";
  bool metadata_early = false;
  std::string authority;
};

int TemplateRun(const PipelineArgs& a) {
  sim::TemplateRunOptions o;
  o.dir = a.dir;
  o.template_path = a.template_path;
  auto week = core::ParseDate(a.week);
  if (!week.ok() || a.week.size() != 10) {
    return ReportError(core::InvalidArgumentError("--week must be a YYYY-MM-DD date"));
  }
  o.week = *week;
  o.tenant = a.tenant;
  o.staging_account_url = a.staging;
  auto fail = sim::ParseFailMode(a.fail);
  if (!fail.ok()) return ReportError(fail.status());
  o.fail = *fail;
  auto flaw = sim::ParseTokenFlaw(a.token_flaw);
  if (!flaw.ok()) return ReportError(flaw.status());
  o.token_flaw = *flaw;
  o.metadata_early = a.metadata_early;
  o.duplicate_notify = a.duplicate_notify;
  o.part_rows = a.part_rows;
  o.authority = a.authority;
  auto result = sim::RunTemplateFromFiles(std::move(o), a.parameters);
  if (!result.ok()) return ReportError(result.status());
  for (const auto& act : result->activities) {
    std::printf("%-28s %-12s %s%s\n", act.name.c_str(), act.status.c_str(), act.type.c_str(),
                act.error.empty() ? "" : ("  " + core::Redact(act.error)).c_str());
  }
  for (const auto& d : result->drops) {
    std::printf("%s %s rows=%llu parts=%llu copied=%llu metadata=%s notified=%d\n",
                d.ref.ToString().c_str(), d.outcome.c_str(),
                static_cast<unsigned long long>(d.rows), static_cast<unsigned long long>(d.parts),
                static_cast<unsigned long long>(d.parts_copied), d.metadata_written ? "yes" : "no",
                d.notifications);
  }
  std::printf("pipeline run %s: %s\n", result->run_id.c_str(), result->status.c_str());
  return result->status == "Succeeded" ? 0 : 3;
}

int PipelineRun(const PipelineArgs& a) {
  if (!a.template_path.empty()) return TemplateRun(a);
  if (a.store.empty()) {
    return ReportError(core::InvalidArgumentError("--store is required (or give --template)"));
  }
  sim::PipelineOptions o;
  o.dir = a.dir;
  auto week = core::ParseDate(a.week);
  if (!week.ok() || a.week.size() != 10) {
    return ReportError(core::InvalidArgumentError("--week must be a YYYY-MM-DD date"));
  }
  o.week = *week;
  o.tenant = a.tenant;
  auto shape = sim::ParseRowShape(a.shape);
  if (!shape.ok()) return ReportError(shape.status());
  o.shape = *shape;
  auto fail = sim::ParseFailMode(a.fail);
  if (!fail.ok()) return ReportError(fail.status());
  o.fail = *fail;
  o.duplicate_notify = a.duplicate_notify;
  o.inline_key = a.inline_key;
  o.include_users = !a.no_users;
  o.include_calendar = a.calendar;
  o.part_rows = a.part_rows;
  o.metadata_early = a.metadata_early;
  o.container = a.container.empty() ? azure::ContainerNameFromUrl(a.store) : a.container;

  std::unique_ptr<sim::Notifier> notifier;
  if (!a.notify_queue.empty() + !a.notify_url.empty() + !a.notify_events.empty() > 1) {
    return ReportError(core::InvalidArgumentError(
        "give one of --notify-url, --notify-queue and --notify-events, not several"));
  }
  if (!a.notify_events.empty()) {
    auto schema = sim::ParseEventSchema(a.event_schema);
    if (!schema.ok()) return ReportError(schema.status());
    // Event data.url names the blob in the partner container; a local folder store stands for
    // a storage account of that container's name.
    std::string base = a.store.substr(0, a.store.find('?'));
    if (!base.starts_with("http://") && !base.starts_with("https://")) {
      base = "https://partner.blob.core.windows.net/" + o.container;
    }
    notifier = sim::MakeEventGridNotifier(a.notify_events, *schema, base);
    o.notifier = notifier.get();
  }
  if (!a.notify_queue.empty()) {
    auto q = sim::MakeQueueNotifier(a.notify_queue);
    if (!q.ok()) return ReportError(q.status());
    notifier = std::move(*q);
    o.notifier = notifier.get();
  }
  if (!a.notify_url.empty()) {
    std::string secret = a.notify_secret;
    if (secret.empty()) {
      const char* env = std::getenv("VIVASIM_NOTIFY_SECRET");
      if (env != nullptr) secret = env;
    }
    if (secret.empty()) {
      return ReportError(core::InvalidArgumentError(
          "--notify-url needs --notify-secret (or VIVASIM_NOTIFY_SECRET) to sign the body"));
    }
    notifier = sim::MakeWebActivityNotifier(a.notify_url, secret);
    o.notifier = notifier.get();
  }

  auto org = sim::LoadOrganization(a.dir);
  if (!org.ok()) return ReportError(org.status());
  auto partner = sim::OpenPipelineStore(a.store);
  if (!partner.ok()) return ReportError(partner.status());
  const std::string staging_url =
      a.staging.empty()
          ? "file://" + std::filesystem::absolute(std::filesystem::path(a.dir) / "staging").string()
          : a.staging;
  auto staging = sim::OpenPipelineStore(staging_url);
  if (!staging.ok()) return ReportError(staging.status());

  auto result = sim::RunPipeline(*org, **partner, **staging, o);
  if (!result.ok()) return ReportError(result.status());
  for (const auto& d : result->drops) {
    nlohmann::ordered_json j = {{"drop", d.ref.ToString()},
                                {"runId", d.ref.run_id},
                                {"tenantId", d.ref.tenant_id},
                                {"kind", d.ref.kind},
                                {"copyActivityId", d.copy_activity_id},
                                {"outcome", d.outcome},
                                {"rows", d.rows},
                                {"parts", d.parts},
                                {"partsCopied", d.parts_copied},
                                {"metadata", d.metadata_written ? d.ref.metadata_path() : ""},
                                {"notifications", d.notifications}};
    std::printf("%s\n", j.dump().c_str());
  }
  std::fflush(stdout);
  if (!result->notify_error.empty()) {
    std::fprintf(stderr, "error: %s\n", core::Redact(result->notify_error).c_str());
    return 1;
  }
  return 0;
}

// "client-id=secret" -> AppCredential.
core::Result<sim::AppCredential> ParseApp(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    return core::InvalidArgumentError("--extra-app must be CLIENT_ID=SECRET");
  }
  return sim::AppCredential{text.substr(0, eq), text.substr(eq + 1)};
}

struct DropWriteArgs {
  std::string store;
  sim::SingleDropRequest request;
};

struct ServeArgs {
  std::string dir;
  int64_t token_ttl = 3600;
  std::vector<std::string> extra_apps;
  sim::ApiServerOptions options;
};

void RegisterDropCommands(CLI::App& app, Commands& commands) {
  auto* drop_cmd = app.add_subcommand("drop", "write single drops");
  drop_cmd->require_subcommand(1);
  auto& dw = commands.Keep<DropWriteArgs>();
  auto* write = drop_cmd->add_subcommand(
      "write", "encrypt a rows file (JSON lines or CSV) into one drop of a store");
  write->add_option("--store", dw.store, "store URL (file:///path)")->required();
  write->add_option("--tenant", dw.request.tenant, "customer tenant id (GUID)")->required();
  write
      ->add_option("--public-key", dw.request.public_key,
                   "partner public key (PEM) to wrap keys for")
      ->required();
  write->add_option("--input", dw.request.input, "rows file: JSON lines or CSV with a header")
      ->required();
  write->add_option("--run", dw.request.run_id, "RunId (default: a new GUID)");
  write->add_option("--kind", dw.request.kind, "VivaInsights or AADUser")->capture_default_str();
  write->add_option("--keys-out", dw.request.keys_out,
                    "write the key API's answer for this drop to this file");
  write->add_flag("--inline-key", dw.request.inline_key, "also put the File key in metadata.json");
  write->add_option("--part-rows", dw.request.part_rows, "rows per data part (0 = one part)");
  write->add_option("--errors", dw.request.errors,
                    "write a failed run: metadata with Errors, no data");
  commands.Add(write, [&dw] {
    auto store = OpenStore(dw.store);
    if (!store.ok()) return ReportError(store.status());
    auto written = sim::WriteSingleDrop(**store, dw.request);
    if (!written.ok()) return ReportError(written.status());
    std::printf("%s\n", written->ToJson().c_str());
    return 0;
  });
}

void RegisterInitCommand(CLI::App& app, Commands& commands) {
  auto& init_args = commands.Keep<sim::InitArgs>();
  auto& init_dir = commands.Keep<std::string>();
  auto* init = app.add_subcommand("init", "generate a simulated customer world into a directory");
  init->add_option("--dir", init_dir, "directory of the world")->required();
  init->add_option("--tenants", init_args.tenants, "customer tenants")->capture_default_str();
  init->add_option("--people", init_args.people, "licensed people per tenant")
      ->capture_default_str();
  init->add_option("--weeks", init_args.weeks, "weeks simulated")->capture_default_str();
  init->add_option("--seed", init_args.seed, "seed of everything")->capture_default_str();
  init->add_option("--first-week", init_args.first_week, "start of week 0 (a Sunday, YYYY-MM-DD)");
  init->add_option("--crm-key", init_args.crm_key, "identifier of the CRM export: email|objectid")
      ->capture_default_str();
  init->add_flag("--force", init_args.force, "replace an existing world");
  commands.Add(init, [&init_args, &init_dir] {
    init_args.dir = init_dir;
    return sim::InitCommand(init_args);
  });
}

void RegisterPipelineCommands(CLI::App& app, Commands& commands) {
  auto* pipeline_cmd = app.add_subcommand("pipeline", "the weekly Data Factory pipeline");
  pipeline_cmd->require_subcommand(1);
  auto& pa = commands.Keep<PipelineArgs>();
  auto* run = pipeline_cmd->add_subcommand(
      "run",
      "deliver one week of every (or one) tenant into the partner store: the shipped Managed "
      "Application template's pipeline, run by vivasim");
  run->add_option("--dir", pa.dir, "the world (vivasim init)")->required();
  run->add_option("--store", pa.store,
                  "partner store URL (file:///path, or a container URL with a SAS)");
  run->add_option("--week", pa.week, "any day of the week to deliver (YYYY-MM-DD)")->required();
  run->add_option("--staging", pa.staging, "staging store URL (default file://<dir>/staging)");
  run->add_option("--tenant", pa.tenant, "only this tenant id (default: every tenant)");
  run->add_option("--shape", pa.shape, "row shape: v1|v0")->capture_default_str();
  run->add_option("--fail", pa.fail, "inject a failure: errors|partial|corrupt");
  run->add_flag("--duplicate-notify", pa.duplicate_notify, "send every notification twice");
  run->add_flag("--inline-key", pa.inline_key,
                "put the File key, wrapped with the registered partner key, in metadata.json");
  run->add_flag("--no-users", pa.no_users, "skip the AADUser export");
  run->add_flag("--calendar", pa.calendar,
                "also copy the Outlook calendars (CalendarView_v0) under {RunId}/CalendarView/");
  run->add_option("--part-rows", pa.part_rows, "rows per data part (0 = about 4 parts)");
  run->add_option("--container", pa.container,
                  "Container of notifications (default: from the store URL)");
  run->add_option("--notify-url", pa.notify_url, "web activity: POST each completed drop here");
  run->add_option("--notify-secret", pa.notify_secret,
                  "HMAC secret of X-Vivalink-Signature (or env VIVASIM_NOTIFY_SECRET)");
  run->add_option("--notify-queue", pa.notify_queue,
                  "Storage Queue URL: put each notification on it as a message (a SAS in the "
                  "URL, or AZURE_STORAGE_CONNECTION_STRING)");
  run->add_option("--notify-events", pa.notify_events,
                  "Event Grid: POST BlobCreated events of each drop to this webhook (after the "
                  "subscription validation handshake)");
  run->add_option("--event-schema", pa.event_schema, "eventgrid|cloudevents")
      ->capture_default_str();
  run->add_option("--template", pa.template_path,
                  "run this template file as installed with --parameters (the partner store and "
                  "notification come from them) instead of the shipped one with --store");
  run->add_option("--parameters", pa.parameters,
                  "install parameters of --template (JSON, as `vivalink onboard` prints them)");
  run->add_option("--token-flaw", pa.token_flaw,
                  "with --template: the Web activity's token is none|forged|expired|"
                  "not-yet-valid|wrong-audience|other-tenant|unknown-key")
      ->capture_default_str();
  run->add_flag("--metadata-early", pa.metadata_early,
                "inject a failure: metadata.json reaches the partner before the parts");
  run->add_option("--authority", pa.authority,
                  "with --template: Entra ID authority of the tokens (default: partner.json's)");
  commands.Add(run, [&pa] { return PipelineRun(pa); });
}

void RegisterServeCommand(CLI::App& app, Commands& commands) {
  auto& a = commands.Keep<ServeArgs>();
  sim::ApiServerOptions& so = a.options;
  auto* serve = app.add_subcommand(
      "serve", "serve the token endpoint and the Viva Insights key API on 127.0.0.1");
  serve->add_option("--dir", a.dir, "the world (vivasim init)")->required();
  serve->add_option("--port", so.port, "port (0 = any free port)")->capture_default_str();
  serve->add_option("--token-ttl", a.token_ttl, "access token lifetime in seconds")
      ->capture_default_str();
  serve->add_option("--throttle-every", so.throttle_every,
                    "answer every Nth key API call with 429 (0 = never)");
  serve->add_option("--fail-every", so.fail_every,
                    "answer every Nth key API call with --fail-status (0 = never)");
  serve->add_option("--retry-after", so.retry_after_seconds, "Retry-After of 429 answers (s)")
      ->capture_default_str();
  serve->add_option("--fail-status", so.fail_status, "status of injected failures (5xx)")
      ->capture_default_str();
  serve->add_option("--extra-app", a.extra_apps,
                    "another application that can get tokens: CLIENT_ID=SECRET (repeatable)");
  commands.Add(serve, [&a] {
    sim::ApiServerOptions options = a.options;
    options.dir = a.dir;
    options.token_ttl = std::chrono::seconds(a.token_ttl);
    for (const auto& e : a.extra_apps) {
      auto cred = ParseApp(e);
      if (!cred.ok()) return ReportError(cred.status());
      options.extra_apps.push_back(*cred);
    }
    return sim::ServeCommand(options);
  });
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{
      "vivasim: a stand-in for the Microsoft side of the Viva Insights partner integration"};
  app.require_subcommand(1);
  Commands commands;
  RegisterDropCommands(app, commands);
  RegisterInitCommand(app, commands);
  RegisterPipelineCommands(app, commands);
  RegisterServeCommand(app, commands);
  if (auto stop = Parse(app, argc, argv)) return *stop;
  core::LogOptions log_options;
  log_options.level = core::LogLevel::kWarn;
  core::InitLogging(log_options);
  return commands.RunParsed();
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
