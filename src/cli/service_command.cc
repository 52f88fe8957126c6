#include "cli/service_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "core/file.h"
#include "core/time.h"
#include "ingest/commands.h"
#include "onboard/onboard.h"

namespace vivalink::cli {
namespace {

struct ServeArgs {
  std::string listen;
  std::string queue_url;
  std::string port_file;
  std::string tenant;
};

int RunCommand(const ingest::Config& config, const std::string& tenant) {
  ingest::CommandOptions options;
  options.tenant = tenant;
  auto summary = ingest::RunOnce(config, options);
  if (!summary.ok()) return ReportError(summary.status());
  std::printf("%s", summary->ToText().c_str());
  return summary->any_failed() ? 1 : 0;
}

int ServeCommand(ingest::Config config, const ServeArgs& a) {
  if (!a.listen.empty()) config.push.listen = a.listen;
  if (!a.queue_url.empty()) config.push.queue_url = a.queue_url;
  ingest::CommandOptions options;
  options.tenant = a.tenant;
  core::Status st = ingest::Serve(config, options, [&a](int port) {
    if (a.port_file.empty()) return;
    // Whole or not at all, so a reader never sees a partial number.
    core::WriteFileAtomic(a.port_file, fmt::format("{}\n", port)).IgnoreError();
  });
  return st.ok() ? 0 : ReportError(st);
}

int StatusCommand(const ingest::Config& config, bool json) {
  auto report = ingest::GetStatus(config);
  if (!report.ok()) return ReportError(report.status());
  std::printf("%s\n", json ? report->ToJson().c_str() : report->ToText().c_str());
  for (const auto& w :
       onboard::SasExpiryWarnings(config.keystore_dir, core::SystemClock::Instance().Now())) {
    std::fprintf(stderr, "warning: %s\n", w.message.c_str());
  }
  return 0;
}

int ReplayCommand(const ingest::Config& config, const std::string& run_id) {
  auto n = ingest::Replay(config, run_id);
  if (!n.ok()) return ReportError(n.status());
  std::printf("%d drop(s) of run %s reset to pending; the next `vivalink run` imports them\n", *n,
              run_id.c_str());
  return 0;
}

}  // namespace

void RegisterServiceCommands(CLI::App& app, Commands& commands, const GlobalFlags& flags) {
  auto& run_tenant = commands.Keep<std::string>();
  auto* run = app.add_subcommand("run", "one pass over all tenants: import every new drop");
  run->add_option("--tenant", run_tenant, "only this tenant");
  commands.Add(run, WithConfig(flags, [&run_tenant](const ingest::Config& config) {
                 return RunCommand(config, run_tenant);
               }));

  auto& serve_args = commands.Keep<ServeArgs>();
  auto* serve = app.add_subcommand(
      "serve",
      "the service: poll loop plus push notifications ([push]: HTTP endpoint, Storage Queue); "
      "SIGTERM stops cleanly");
  serve->add_option("--listen", serve_args.listen,
                    "HTTP endpoint host:port (overrides [push] listen; port 0 = any free port)");
  serve->add_option("--queue-url", serve_args.queue_url,
                    "Storage Queue of notifications (overrides [push] queue_url)");
  serve->add_option("--port-file", serve_args.port_file,
                    "write the bound HTTP port to this file once requests are accepted");
  serve->add_option("--tenant", serve_args.tenant, "only this tenant");
  commands.Add(serve, WithConfig(flags, [&serve_args](const ingest::Config& config) {
                 return ServeCommand(config, serve_args);
               }));

  auto& status_json = commands.Keep<bool>();
  auto* status =
      app.add_subcommand("status", "per tenant: watermark, drops by state, last error, lag");
  status->add_flag("--json", status_json, "machine-readable output");
  commands.Add(status, WithConfig(flags, [&status_json](const ingest::Config& config) {
                 return StatusCommand(config, status_json);
               }));

  auto& replay_run = commands.Keep<std::string>();
  auto* replay = app.add_subcommand("replay", "retry the quarantined drops of a run");
  replay->add_option("--run", replay_run, "RunId")->required();
  commands.Add(replay, WithConfig(flags, [&replay_run](const ingest::Config& config) {
                 return ReplayCommand(config, replay_run);
               }));

  auto* config_cmd = app.add_subcommand("config", "show the effective configuration");
  // Printing is all `config` does; --show stays accepted for the scripts that pass it.
  config_cmd->add_flag_callback(
      "--show", [] {}, "print it, secrets masked (the default)");
  commands.Add(config_cmd, WithConfig(flags, [](const ingest::Config& config) {
                 std::printf("%s\n", config.Describe().c_str());
                 return 0;
               }));
}

}  // namespace vivalink::cli
