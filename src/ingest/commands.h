// The library side of `vivalink run | serve | status | replay | keys register` (src/cli wires
// them to the command line). Every function opens the configured database (applying pending
// migrations) and storage itself.
//
//   RunOnce   one pass: list drops, register new ones in the ledger, process every unfinished
//             drop (oldest first, tenant by tenant), clean up blobs whose retention passed.
//   Serve     the long-running service (serve.cc): a poll pass every poll_interval plus the push
//             model when configured ([push]): the HTTP endpoint for web-activity and Event Grid
//             notifications, /healthz and /metrics, and a Storage Queue consumer. Notifications
//             are hints (Ingestor::Hint); the poll loop stays the safety net. Runs until stopped
//             (SIGTERM/SIGINT or the stop flag); a stop is honoured between batches: the current
//             drop is rolled back and stays pending, never half-written.
//   GetStatus per tenant: watermark, drop counts by state, last error, lag.
//   Replay    quarantined/failed drops of a run back to pending, then (optionally) a RunOnce.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "http/transport.h"
#include "ingest/config.h"
#include "ingest/key_client.h"
#include "ingest/ledger.h"
#include "ingest/processor.h"

namespace vivalink::ingest {

struct CommandOptions {
  // Set to true to stop (Serve: also set by SIGTERM/SIGINT). Null: Serve uses its own flag.
  std::atomic<bool>* stop = nullptr;
  // Progress line on stderr: -1 follows isatty(2), 0 never, 1 always.
  int progress = -1;
  // HTTP transport for the key API; null = a CurlTransport.
  std::shared_ptr<http::HttpTransport> transport;
  const core::Clock* clock = nullptr;  // null = core::SystemClock
  std::string tenant;                  // only this tenant; empty = all
};

struct RunSummary {
  int listed = 0;      // complete drops found in storage
  int registered = 0;  // newly added to the ledger
  int processed = 0;   // drops taken up in this pass
  int done = 0;
  int failed = 0;  // failed this pass, will be retried
  int quarantined = 0;
  int failed_upstream = 0;
  int cancelled = 0;
  int cleaned = 0;  // drops whose blobs were deleted
  int64_t rows = 0;
  int64_t bytes = 0;
  std::vector<DropResult> results;

  // True when any drop failed or was quarantined in this pass (exit code 1 for `vivalink run`).
  bool any_failed() const { return failed > 0 || quarantined > 0; }
  std::string ToText() const;  // one line per drop plus a total line
};

// One pass over all tenants. Errors: the configuration's database or storage cannot be opened
// (codes of db::Database::Open / azure::OpenBlobStore), listing fails (store errors). Failed
// drops are not errors: see RunSummary.
core::Result<RunSummary> RunOnce(const Config& config, const CommandOptions& options = {});

// The service loop. Installs SIGTERM/SIGINT handlers (restored on return) that set the stop flag.
// Returns OK after a stop request; a pass that errors (storage down, ...) is logged and retried
// at the next interval, so only start-up errors are returned (database cannot be opened, the
// listen address is taken, the queue URL is malformed).
// on_listening, when set, is called once with the bound HTTP port (0 without [push] listen) as
// soon as the service accepts requests (tests, and the "listening on" log line).
core::Status Serve(const Config& config, const CommandOptions& options = {},
                   const std::function<void(int port)>& on_listening = nullptr);

struct TenantStatus {
  std::string tenant_id;
  std::string watermark;  // ISO 8601, empty before the first drop
  int pending = 0, processing = 0, done = 0, failed = 0, failed_upstream = 0, quarantined = 0;
  std::string last_error;       // the newest failure's message (failed/quarantined drops)
  std::string last_error_drop;  // its "{run}/{kind}/{tenant}"
  std::string last_done;        // finished_at of the newest done drop
  int64_t lag_seconds = -1;     // now - watermark; -1 without a watermark
  int64_t rows = 0;             // rows imported in total
  int64_t bytes = 0;            // encrypted bytes of the done drops
};

struct StatusReport {
  std::vector<TenantStatus> tenants;
  std::vector<LedgerEntry> problems;  // failed and quarantined drops (for `status --verbose`)
  std::string ToText() const;
  std::string ToJson() const;
};

core::Result<StatusReport> GetStatus(const Config& config, const CommandOptions& options = {});

// Resets the quarantined/failed drops of run_id to pending (kNotFound when it has none) and
// returns how many. The next RunOnce/Serve pass processes them.
core::Result<int> Replay(const Config& config, const std::string& run_id);

// `vivalink keys register --tenant T`: registers the public key of T from the keystore with the
// key API (creating the pair first when create_if_missing).
core::Result<PartnerKeyRegistration> RegisterKeys(const Config& config, const std::string& tenant,
                                                  bool create_if_missing,
                                                  const CommandOptions& options = {});

// A KeyClient built from the configuration (transport null = CurlTransport).
std::unique_ptr<KeyClient> MakeKeyClient(const Config& config,
                                         std::shared_ptr<http::HttpTransport> transport,
                                         const core::Clock* clock = nullptr);

}  // namespace vivalink::ingest
