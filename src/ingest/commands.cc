#include "ingest/commands.h"

#include <fmt/format.h>

#include <csignal>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "azure/open_store.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/strings.h"
#include "db/schema.h"
#include "drop/keys.h"
#include "drop/layout.h"
#include "http/curl_transport.h"

namespace vivalink::ingest {
namespace {

using core::Result;
using core::Status;

Result<std::unique_ptr<db::Database>> OpenDatabase(const Config& config) {
  ASSIGN_OR_RETURN(auto db, db::Database::Open(config.database_url, {}));
  auto migrated = db::MigrateToLatest(*db);
  if (!migrated.ok()) return migrated.status();
  return db;
}

std::atomic<bool>* g_signal_stop = nullptr;
extern "C" void OnStopSignal(int /*signo*/) {
  if (g_signal_stop != nullptr) g_signal_stop->store(true);
}

// Installs SIGTERM/SIGINT handlers for its lifetime.
class StopSignals {
 public:
  explicit StopSignals(std::atomic<bool>* flag) {
    g_signal_stop = flag;
    struct sigaction sa {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGTERM, &sa, &old_term_);
    ::sigaction(SIGINT, &sa, &old_int_);
  }
  ~StopSignals() {
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::sigaction(SIGINT, &old_int_, nullptr);
    g_signal_stop = nullptr;
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_term_ {};
  struct sigaction old_int_ {};
};

}  // namespace

std::unique_ptr<KeyClient> MakeKeyClient(const Config& config,
                                         std::shared_ptr<http::HttpTransport> transport,
                                         const core::Clock* clock) {
  KeyClientOptions o;
  o.api_base_url = config.keys.api_base_url;
  o.authority = config.keys.authority;
  o.scope = config.keys.scope;
  o.client_id = config.keys.client_id;
  o.client_secret = config.keys.client_secret;
  o.clock = clock;
  if (!transport) transport = std::make_shared<http::CurlTransport>();
  return std::make_unique<KeyClient>(std::move(o), std::move(transport));
}

std::string RunSummary::ToText() const {
  std::string out;
  for (const DropResult& r : results) {
    out += fmt::format("{:<16} {}", DropStateName(r.state), r.key.ref().ToString());
    if (r.state == DropState::kDone) out += fmt::format("  {} rows", r.rows);
    if (!r.error.ok()) out += "  " + r.error.ToString();
    out += "\n";
  }
  out += fmt::format(
      "listed {}, new {}, processed {}: {} done, {} failed, {} quarantined, {} failed upstream, "
      "{} stopped; {} rows; {} cleaned up\n",
      listed, registered, processed, done, failed, quarantined, failed_upstream, cancelled, rows,
      cleaned);
  return out;
}

Result<RunSummary> RunOnce(const Config& config, const CommandOptions& options) {
  RunSummary summary;
  ASSIGN_OR_RETURN(auto db, OpenDatabase(config));
  ASSIGN_OR_RETURN(auto store, azure::OpenBlobStore(config.store_url));
  Ledger ledger(*db, options.clock);

  std::unique_ptr<KeyClient> client;
  std::unique_ptr<ApiKeySource> api;
  std::vector<KeySource*> sources;
  std::unique_ptr<DirKeySource> dir;
  if (!config.keys.keys_dir.empty()) {
    dir = std::make_unique<DirKeySource>(config.keys.keys_dir);
    sources.push_back(dir.get());
  }
  if (!config.keys.api_base_url.empty()) {
    client = MakeKeyClient(config, options.transport, options.clock);
    api = std::make_unique<ApiKeySource>(*client);
    sources.push_back(api.get());
  }
  ChainKeySource keys(sources);
  core::Progress progress("vivalink run", options.progress);
  ProcessorOptions po;
  po.config = &config;
  po.keys = &keys;
  po.stop = options.stop;
  po.progress = &progress;
  po.clock = options.clock;
  Processor processor(*db, *store, ledger, po);

  progress.SetStage("listing");
  ASSIGN_OR_RETURN(auto found, drop::ListDrops(*store));
  if (!options.tenant.empty()) {
    std::erase_if(found, [&](const drop::FoundDrop& f) {
      return !core::EqualsIgnoreCase(f.ref.tenant_id, options.tenant);
    });
  }
  summary.listed = static_cast<int>(found.size());
  ASSIGN_OR_RETURN(RegisterResult reg, ledger.Register(found, config.lookback));
  summary.registered = reg.new_drops;

  ASSIGN_OR_RETURN(auto todo, ledger.Unfinished(options.tenant));
  for (const LedgerEntry& e : todo) {
    if (options.stop != nullptr && options.stop->load()) break;
    DropResult r = processor.Process(e.key);
    ++summary.processed;
    switch (r.state) {
      case DropState::kDone:
        ++summary.done;
        summary.rows += r.rows;
        summary.bytes += r.bytes;
        break;
      case DropState::kFailedUpstream:
        ++summary.failed_upstream;
        break;
      case DropState::kQuarantined:
        ++summary.quarantined;
        break;
      case DropState::kPending:
        ++summary.cancelled;
        break;
      default:
        ++summary.failed;
    }
    summary.results.push_back(std::move(r));
  }

  // Blobs of done drops still in storage: retention passed, or a crash between commit and
  // cleanup.
  if (!(options.stop != nullptr && options.stop->load())) {
    progress.SetStage("cleanup");
    ASSIGN_OR_RETURN(auto due, ledger.DueForCleanup(config.retention_days));
    for (const LedgerEntry& e : due) {
      if (!options.tenant.empty() && !core::EqualsIgnoreCase(e.key.tenant_id, options.tenant)) {
        continue;
      }
      Status s = processor.Cleanup(e.key);
      if (s.ok()) {
        ++summary.cleaned;
      } else {
        VL_LOG_WARN("drop {}: blobs not deleted yet: {}", e.key.ref().ToString(), s.ToString());
      }
    }
  }
  for (const DropResult& r : summary.results) {
    if (r.state == DropState::kDone && config.retention_days == 0) ++summary.cleaned;
  }
  progress.Finish();
  return summary;
}

Status Serve(const Config& config, const CommandOptions& options) {
  std::atomic<bool> own_stop{false};
  CommandOptions o = options;
  if (o.stop == nullptr) o.stop = &own_stop;
  StopSignals signals(o.stop);
  // Start-up check: the database must open (and migrate) before we loop.
  { ASSIGN_OR_RETURN(auto db, OpenDatabase(config)); }
  VL_LOG_INFO("vivalink serve: polling {} every {} s", config.store_url,
              config.poll_interval.count());
  while (!o.stop->load()) {
    auto pass = RunOnce(config, o);
    if (!pass.ok()) {
      VL_LOG_ERROR("ingestion pass failed: {}; retrying in {} s", pass.status().ToString(),
                   config.poll_interval.count());
    } else if (pass->processed > 0) {
      VL_LOG_INFO("pass: {} done, {} failed, {} quarantined, {} failed upstream, {} rows",
                  pass->done, pass->failed, pass->quarantined, pass->failed_upstream, pass->rows);
    }
    auto until = std::chrono::steady_clock::now() + config.poll_interval;
    while (!o.stop->load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  VL_LOG_INFO("vivalink serve: stopped");
  return core::OkStatus();
}

Result<StatusReport> GetStatus(const Config& config, const CommandOptions& options) {
  ASSIGN_OR_RETURN(auto db, OpenDatabase(config));
  Ledger ledger(*db, options.clock);
  const core::Clock& clock =
      options.clock != nullptr ? *options.clock : core::SystemClock::Instance();
  StatusReport report;
  ASSIGN_OR_RETURN(auto tenants, ledger.Tenants());
  for (const std::string& t : tenants) {
    if (!options.tenant.empty() && !core::EqualsIgnoreCase(t, options.tenant)) continue;
    TenantStatus s;
    s.tenant_id = t;
    ASSIGN_OR_RETURN(auto wm, ledger.Watermark(t));
    if (wm.has_value()) {
      s.watermark = core::FormatIso8601(*wm);
      s.lag_seconds = std::chrono::duration_cast<std::chrono::seconds>(clock.Now() - *wm).count();
    }
    ASSIGN_OR_RETURN(auto entries, ledger.Entries(t));
    std::string last_error_time;
    for (const LedgerEntry& e : entries) {
      switch (e.state) {
        case DropState::kPending:
          ++s.pending;
          break;
        case DropState::kProcessing:
          ++s.processing;
          break;
        case DropState::kDone:
          ++s.done;
          s.rows += e.rows;
          if (e.finished_at > s.last_done) s.last_done = e.finished_at;
          break;
        case DropState::kFailed:
          ++s.failed;
          break;
        case DropState::kFailedUpstream:
          ++s.failed_upstream;
          break;
        case DropState::kQuarantined:
          ++s.quarantined;
          break;
      }
      if (!e.last_error.empty() && e.finished_at >= last_error_time) {
        last_error_time = e.finished_at;
        s.last_error = e.last_error;
        s.last_error_drop = e.key.ref().ToString();
      }
      if (e.state == DropState::kFailed || e.state == DropState::kQuarantined) {
        report.problems.push_back(e);
      }
    }
    report.tenants.push_back(std::move(s));
  }
  return report;
}

std::string StatusReport::ToText() const {
  if (tenants.empty()) return "no tenant has delivered a drop yet\n";
  std::string out;
  for (const TenantStatus& t : tenants) {
    out += fmt::format(
        "tenant {}\n  watermark   {}{}\n", t.tenant_id,
        t.watermark.empty() ? "(none yet)" : t.watermark,
        t.lag_seconds >= 0 ? fmt::format(" (lag {} h)", t.lag_seconds / 3600) : std::string());
    out += fmt::format(
        "  drops       {} done, {} pending, {} processing, {} failed, {} quarantined, {} failed "
        "upstream\n  rows        {}\n",
        t.done, t.pending, t.processing, t.failed, t.quarantined, t.failed_upstream, t.rows);
    if (!t.last_error.empty()) {
      out += fmt::format("  last error  {}: {}\n", t.last_error_drop, t.last_error);
    }
  }
  for (const LedgerEntry& e : problems) {
    out += fmt::format("{:<12} {} attempts {}: {}\n", DropStateName(e.state),
                       e.key.ref().ToString(), e.attempts, e.error_code);
  }
  return out;
}

std::string StatusReport::ToJson() const {
  nlohmann::json j = nlohmann::json::array();
  for (const TenantStatus& t : tenants) {
    j.push_back({{"tenantId", t.tenant_id},
                 {"watermark", t.watermark},
                 {"lagSeconds", t.lag_seconds},
                 {"pending", t.pending},
                 {"processing", t.processing},
                 {"done", t.done},
                 {"failed", t.failed},
                 {"failedUpstream", t.failed_upstream},
                 {"quarantined", t.quarantined},
                 {"rows", t.rows},
                 {"lastError", t.last_error},
                 {"lastErrorDrop", t.last_error_drop}});
  }
  return nlohmann::json{{"tenants", j}}.dump();
}

Result<int> Replay(const Config& config, const std::string& run_id) {
  ASSIGN_OR_RETURN(auto db, OpenDatabase(config));
  Ledger ledger(*db);
  return ledger.Replay(run_id);
}

Result<PartnerKeyRegistration> RegisterKeys(const Config& config, const std::string& tenant,
                                            bool create_if_missing, const CommandOptions& options) {
  drop::KeyStore keystore(config.keystore_dir);
  auto key = keystore.Load(tenant);
  if (!key.ok() && key.status().code() == core::StatusCode::kNotFound && create_if_missing) {
    key = keystore.Create(tenant);
  }
  if (!key.ok()) return key.status();
  auto client = MakeKeyClient(config, options.transport, options.clock);
  return client->RegisterPartnerKey(tenant, key->PublicKey());
}

}  // namespace vivalink::ingest
