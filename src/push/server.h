// NotificationServer: the HTTP endpoint of `vivalink serve` that receives push notifications
// (PROTOCOL §6) and turns them into DropHints for the ingestion side. cpp-httplib underneath.
//
//   POST /v1/notifications/drops   Data Factory web activity. 404 while no way to authenticate
//        it is configured. The sender is authenticated BEFORE the body is parsed, by the first of
//          Authorization: Bearer <Entra ID token>  (ServerOptions::entra; the Data Factory's
//                                                    managed identity, push/entra.h)
//          x-vivalink-key: <key>                   (ServerOptions::tenant_keys, one per tenant)
//          X-Vivalink-Signature: sha256=<hmac>     (ServerOptions::webhook_secret, optional)
//        that the request carries: 401 when none is present, or the one present is wrong,
//        forged, expired or for another audience; 503 + Retry-After when the tenant's signing
//        keys cannot be fetched. A token or key authenticates ONE tenant: the body's TenantId
//        (which is also the drop path's, see ParseDropNotification) must be that tenant, else
//        403 and no hint. 400 with the parse error for a bad body; 503 + Retry-After when
//        on_hint cannot take the hint now; 202 {"accepted":true,"drop":...} otherwise.
//   POST /v1/events                 Event Grid (schema or CloudEvents 1.0). 404 when disabled;
//        401 without the right ?code=<events_key>; with no events key configured every delivery
//        is 401 unless events_unauthenticated says otherwise explicitly. A subscription
//        validation event is answered 200 {"validationResponse": code}; BlobCreated events of a
//        drop's metadata.json are offered to on_hint (others just counted) and answered 200
//        {"accepted":n,"ignored":m}, or 503 + Retry-After when on_hint refused one (Event Grid
//        then redelivers the batch; duplicates are harmless). 400 for a malformed batch.
//   OPTIONS /v1/events              CloudEvents webhook abuse protection: a WebHook-Request-Origin
//        in webhook_allowed_origins is answered 200 with WebHook-Allowed-Origin (and
//        WebHook-Allowed-Rate: * when WebHook-Request-Rate was sent); any other origin 403
//        without the header (never an echo of what was asked); 400 without the origin header.
//        Same key rule as POST.
//   GET /healthz                    200 {"status":"ok"} or 503 {"status":"unhealthy"}.
//   GET /metrics                    Prometheus text (version 0.0.4): the server's counters as
//        vivalink_push_* counters, then the ingestion side's metrics().
//   /healthz and /metrics are unauthenticated and /metrics names every customer tenant, so they
//   are served on a separate admin listener (admin_host:admin_port, loopback by default), and on
//   the main listener only when that one is bound to the same loopback address (it then exposes
//   nothing the admin listener does not).
// Every error is JSON {"error": "..."}: 404 unknown path, 405 (with Allow) wrong method, 413
// body over max_body_bytes (Content-Length or chunked), 400 malformed HTTP, 500 when a callback
// threw.
//
// Abuse limits on the main listener: each connection lives at most request_deadline (headers,
// body and handling; httplib's own timeouts are per recv), a peer address holds at most
// max_connections_per_source connections (push/internal/connection_guard.h), and each peer
// address has a token bucket of hints_per_second_per_source (burst hint_burst_per_source):
// a request costs one token, an events batch one per drop event; without enough tokens the
// request is answered 429 + Retry-After before any hint is offered.
//
// Request text that reaches the log (paths, event ids, container names) is escaped: control
// characters cannot forge log lines.
// Secrets (the webhook secret, the events key, signature header values) are never logged; the
// request's query string (which holds ?code=) is never logged either.
//
// Thread-safe: requests are served by a pool of `threads` threads, so the callbacks run
// concurrently; Stop() may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "push/entra.h"
#include "push/hint.h"

namespace vivalink::push {

// A snapshot of the server's counters (each only grows).
struct ServerCounters {
  int64_t requests = 0;               // every answered request
  int64_t accepted_hints = 0;         // hints on_hint accepted (webhook + events)
  int64_t rejected_signature = 0;     // 401: bad/missing token, key, signature or events key
  int64_t rejected_forbidden = 0;     // 403: authenticated for another tenant than the body's
  int64_t rejected_bad_request = 0;   // 400: malformed body or HTTP
  int64_t rejected_too_large = 0;     // 413
  int64_t rejected_unavailable = 0;   // 503: on_hint refused (queue full) or unhealthy
  int64_t ignored_events = 0;         // events that were not a drop's metadata.json BlobCreated
  int64_t validations = 0;            // Event Grid validations and CloudEvents OPTIONS handshakes
  int64_t rejected_rate_limited = 0;  // 429: over the per-source hint rate
  int64_t closed_by_deadline = 0;     // connections shut down after request_deadline
  int64_t closed_by_source_cap = 0;   // connections over max_connections_per_source
};
using ServerCountersSnapshot = ServerCounters;

struct ServerOptions {
  std::string host = "127.0.0.1";  // interface to bind
  int port = 0;                    // 0 = a free port (see NotificationServer::port())
  // HMAC secret of X-Vivalink-Signature; empty = signatures are not accepted.
  std::string webhook_secret;
  // Per-tenant notification keys (x-vivalink-key): tenant id (any case) -> key. Keys are
  // compared in constant time; each authenticates only its own tenant.
  std::map<std::string, std::string> tenant_keys;
  // Validator of Entra ID bearer tokens; not owned, must outlive the server; null = bearer
  // tokens are not accepted. With none of webhook_secret, tenant_keys and entra,
  // POST /v1/notifications/drops answers 404.
  EntraTokenValidator* entra = nullptr;
  // Non-empty: /v1/events requires ?code=<key> (compared in constant time), else 401.
  std::string events_key;
  bool events_enabled = true;  // false: /v1/events answers 404
  // true: /v1/events is accepted without ?code= when no events_key is set (an explicit opt-out
  // for a listener only Event Grid can reach). false (default): no key = every delivery 401.
  bool events_unauthenticated = false;
  // CloudEvents handshake origins answered with WebHook-Allowed-Origin.
  std::vector<std::string> webhook_allowed_origins = {"eventgrid.azure.net"};
  // GET /healthz and /metrics: the admin listener. admin_port 0 = a free port, -1 = none.
  std::string admin_host = "127.0.0.1";
  int admin_port = 0;
  // Abuse limits of the main listener (see the header comment); 0 = off.
  std::chrono::seconds request_deadline{30};
  int max_connections_per_source = 16;
  double hints_per_second_per_source = 20;
  int hint_burst_per_source = 200;
  std::string container;            // expected container of events ("" = any)
  size_t max_body_bytes = 1 << 20;  // larger request bodies are answered 413
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds write_timeout{10};
  int threads = 4;                      // request handler threads (>= 1)
  std::chrono::seconds retry_after{5};  // Retry-After of 503 answers
  // Receives each hint; must be thread-safe and fast (it runs on a request thread). Returns
  // false when it cannot accept now (the request is answered 503 with Retry-After). Required.
  std::function<bool(const DropHint&)> on_hint;
  // Prometheus text of the ingestion side, appended to GET /metrics; null = nothing appended.
  std::function<std::string()> metrics;
  // GET /healthz: true = 200, false = 503; null = always healthy.
  std::function<bool()> healthy;
};

class NotificationServer {
 public:
  // Binds host:port and starts serving on background threads. kInvalidArgument for bad options
  // (no on_hint, threads < 1, max_body_bytes 0, port outside 0..65535); kUnavailable when the
  // address cannot be bound (port in use).
  static core::Result<std::unique_ptr<NotificationServer>> Start(ServerOptions options);
  ~NotificationServer();  // Stop()
  NotificationServer(const NotificationServer&) = delete;
  NotificationServer& operator=(const NotificationServer&) = delete;

  int port() const;         // the bound port (the chosen one when options.port was 0)
  std::string url() const;  // "http://<host>:<port>" (IPv6 hosts in brackets)
  // The admin listener (/healthz, /metrics); 0 and "" when there is none.
  int admin_port() const;
  std::string admin_url() const;

  // Stops accepting, lets running requests finish and joins the threads. Idempotent.
  void Stop();

  ServerCounters counters() const;

  struct Impl;

 private:
  explicit NotificationServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivalink::push
