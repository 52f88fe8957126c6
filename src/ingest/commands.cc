#include "ingest/commands.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "azure/open_store.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/strings.h"
#include "db/schema.h"
#include "drop/keys.h"
#include "drop/layout.h"
#include "http/curl_transport.h"
#include "ingest/ingestor.h"

namespace vivalink::ingest {

using core::Result;

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
  core::Progress progress("vivalink run", options.progress);
  ASSIGN_OR_RETURN(auto ingestor, Ingestor::Open(config, options, &progress));
  auto summary = ingestor->Pass();
  progress.Finish();
  return summary;
}

Result<StatusReport> GetStatus(const Config& config, const CommandOptions& options) {
  ASSIGN_OR_RETURN(auto db, db::OpenMigrated(config.database_url));
  Ledger ledger(*db, options.clock);
  const core::Clock& clock =
      options.clock != nullptr ? *options.clock : core::SystemClock::Instance();
  return BuildStatus(ledger, clock, options.tenant);
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
      // Most errors already name their drop (or a part path inside it): say it once.
      const bool named = t.last_error.find(t.last_error_drop) != std::string::npos;
      out += named ? fmt::format("  last error  {}\n", t.last_error)
                   : fmt::format("  last error  {}: {}\n", t.last_error_drop, t.last_error);
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
                 {"bytes", t.bytes},
                 {"lastError", t.last_error},
                 {"lastErrorDrop", t.last_error_drop}});
  }
  return nlohmann::json{{"tenants", j}}.dump();
}

Result<int> Replay(const Config& config, const std::string& run_id) {
  ASSIGN_OR_RETURN(auto db, db::OpenMigrated(config.database_url));
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
