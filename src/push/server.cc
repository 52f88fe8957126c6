#include "push/server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <exception>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/log.h"
#include "core/strings.h"
#include "crypto/hash.h"
#include "http/server_thread.h"
#include "push/internal/connection_guard.h"
#include "push/notification.h"

namespace vivalink::push {
namespace {

using nlohmann::ordered_json;

constexpr const char* kJsonType = "application/json";
constexpr const char* kDropsPath = "/v1/notifications/drops";
constexpr const char* kEventsPath = "/v1/events";
constexpr const char* kHealthPath = "/healthz";
constexpr const char* kMetricsPath = "/metrics";

void SendJson(httplib::Response& res, int status, const ordered_json& body) {
  res.status = status;
  // replace: a message may quote a field of the body; never let a bad byte throw here.
  res.set_content(body.dump(-1, ' ', false, ordered_json::error_handler_t::replace), kJsonType);
}

void SendError(httplib::Response& res, int status, std::string_view message) {
  SendJson(res, status, ordered_json{{"error", message}});
}

// The methods each known path answers; other methods get 405 with this as Allow.
std::string_view AllowedMethods(std::string_view path, bool admin_routes) {
  if (path == kDropsPath) return "POST";
  if (path == kEventsPath) return "POST, OPTIONS";
  if (admin_routes && (path == kHealthPath || path == kMetricsPath)) return "GET, HEAD";
  return "";
}

// A loopback address: the main listener may then answer /healthz and /metrics as well.
bool IsLoopback(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

// Request text for logs: control bytes (a decoded path may hold "%0A") cannot forge log lines,
// and a huge path cannot flood them.
std::string Printable(std::string_view text) {
  constexpr size_t kMax = 200;
  std::string out;
  for (char c : text.substr(0, kMax)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? '?' : c);
  }
  if (text.size() > kMax) out += "...";
  return out;
}

void AppendCounter(std::string& out, std::string_view name, std::string_view help, int64_t v) {
  fmt::format_to(std::back_inserter(out), "# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name,
                 help, v);
}

}  // namespace

struct NotificationServer::Impl {
  ServerOptions options;
  std::string events_key_digest;  // SHA-256 of the key: compared in constant time at any length
  // (lower-case tenant, SHA-256 of its x-vivalink-key)
  std::vector<std::pair<std::string, std::string>> tenant_key_digests;
  httplib::Server server;
  httplib::Server admin_server;       // /healthz and /metrics
  http::ServerThread listener;        // after the servers: stopped (in its destructor) before
  http::ServerThread admin_listener;  // the server it runs dies
  std::unique_ptr<internal::ConnectionGuard> guard;  // destroyed first
  bool admin_on_main = false;  // the main listener is loopback: it answers the admin routes too

  // Per-source token buckets of the hint rate limit.
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  std::mutex buckets_mu;
  std::map<std::string, Bucket> buckets;

  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> accepted_hints{0};
  std::atomic<int64_t> rejected_signature{0};
  std::atomic<int64_t> rejected_forbidden{0};
  std::atomic<int64_t> rejected_bad_request{0};
  std::atomic<int64_t> rejected_too_large{0};
  std::atomic<int64_t> rejected_unavailable{0};
  std::atomic<int64_t> ignored_events{0};
  std::atomic<int64_t> validations{0};
  std::atomic<int64_t> rejected_rate_limited{0};

  // Counts a successful answer when the handler returns normally. Error answers (status >= 400)
  // are counted by the error handler, which sees every one of them, including httplib's own.
  class CountSuccess {
   public:
    CountSuccess(Impl& impl, const httplib::Response& res) : impl_(impl), res_(res) {}
    ~CountSuccess() {
      if (std::uncaught_exceptions() == 0 && res_.status < 400) ++impl_.requests;
    }

   private:
    Impl& impl_;
    const httplib::Response& res_;
  };

  ServerCounters Snapshot() const {
    ServerCounters c;
    c.requests = requests.load();
    c.accepted_hints = accepted_hints.load();
    c.rejected_signature = rejected_signature.load();
    c.rejected_forbidden = rejected_forbidden.load();
    c.rejected_bad_request = rejected_bad_request.load();
    c.rejected_too_large = rejected_too_large.load();
    c.rejected_unavailable = rejected_unavailable.load();
    c.ignored_events = ignored_events.load();
    c.validations = validations.load();
    c.rejected_rate_limited = rejected_rate_limited.load();
    if (guard) {
      c.closed_by_deadline = guard->closed_by_deadline();
      c.closed_by_source_cap = guard->closed_by_source_cap();
    }
    return c;
  }

  void Unavailable(httplib::Response& res, std::string_view message) {
    ++rejected_unavailable;
    res.set_header("Retry-After", std::to_string(options.retry_after.count()));
    SendError(res, 503, message);
  }

  // Takes cost tokens from the bucket of the request's peer address; false after answering 429.
  bool Admit(const httplib::Request& req, httplib::Response& res, double cost) {
    if (options.hints_per_second_per_source <= 0) return true;
    const auto now = std::chrono::steady_clock::now();
    const double burst = std::max(1, options.hint_burst_per_source);
    double wait_seconds = 0;
    {
      std::lock_guard lock(buckets_mu);
      if (buckets.size() > 10000) {
        // Forget peers idle long enough to have a full bucket again.
        for (auto it = buckets.begin(); it != buckets.end();) {
          const double idle = std::chrono::duration<double>(now - it->second.last).count();
          it = idle * options.hints_per_second_per_source >= burst ? buckets.erase(it) : ++it;
        }
      }
      auto [it, fresh] = buckets.try_emplace(req.remote_addr, Bucket{burst, now});
      Bucket& b = it->second;
      if (!fresh) {
        const double elapsed = std::chrono::duration<double>(now - b.last).count();
        b.tokens = std::min(burst, b.tokens + elapsed * options.hints_per_second_per_source);
        b.last = now;
      }
      if (b.tokens >= cost) {
        b.tokens -= cost;
        return true;
      }
      wait_seconds = (std::min(cost, burst) - b.tokens) / options.hints_per_second_per_source;
    }
    res.set_header("Retry-After", std::to_string(static_cast<int64_t>(wait_seconds) + 1));
    SendError(res, 429,
              fmt::format("too many notifications from {}: at most {} per second (burst {}); "
                          "retry later",
                          Printable(req.remote_addr), options.hints_per_second_per_source,
                          options.hint_burst_per_source));
    return false;
  }

  // Reads the body, at most max_body_bytes of it whatever the framing (httplib 0.11 enforces
  // its payload limit only for Content-Length bodies, not for chunked ones). False after the
  // error answer was set.
  bool ReadBody(const httplib::ContentReader& reader, httplib::Response& res, std::string& body) {
    bool too_large = false;
    const bool read = reader([&](const char* data, size_t len) {
      if (len > options.max_body_bytes - body.size()) {
        too_large = true;
        return false;
      }
      body.append(data, len);
      return true;
    });
    if (too_large || res.status == 413) {
      SendError(res, 413,
                fmt::format("the request body is larger than the limit of {} bytes",
                            options.max_body_bytes));
      return false;
    }
    if (!read) {
      SendError(res, 400, "the request body could not be read (truncated or malformed framing)");
      return false;
    }
    return true;
  }

  // Events key (?code=): true when none is configured or the right one was given.
  // The gate of both /v1/events routes: answers 404 (disabled) or 401 (events key missing or
  // wrong, compared in constant time) and returns false, or returns true.
  bool EventsAllowed(const httplib::Request& req, httplib::Response& res) {
    if (!options.events_enabled) {
      SendError(res, 404, "event notifications are disabled");
      return false;
    }
    if (options.events_key.empty()) {
      if (options.events_unauthenticated) return true;
      SendError(res, 401,
                "event deliveries need a key and none is configured: set [push] events_key and "
                "put ?code=<key> in the subscription's endpoint URL (or, for a listener only Event "
                "Grid can reach, events_unauthenticated = true)");
      return false;
    }
    const std::string given = req.has_param("code") ? req.get_param_value("code") : "";
    if (crypto::ConstantTimeEquals(crypto::Sha256(given), events_key_digest)) return true;
    SendError(res, 401, "the events key (?code=) is missing or wrong");
    return false;
  }

  // Who sent a web-activity notification: the tenant a bearer token or a tenant key
  // authenticates, "" for a valid shared-secret signature (any tenant). nullopt after the error
  // answer was set.
  std::optional<std::string> AuthenticateDrops(const httplib::Request& req, httplib::Response& res,
                                               const std::string& body) {
    const std::string authorization = req.get_header_value("Authorization");
    if (!authorization.empty()) {
      const std::string_view token = BearerToken(authorization);
      if (token.empty() || options.entra == nullptr) {
        SendError(res, 401,
                  options.entra == nullptr
                      ? "bearer tokens are not accepted here (no Entra ID audience configured)"
                      : "the Authorization header is not a bearer token");
        return std::nullopt;
      }
      auto id = options.entra->Validate(token);
      if (!id.ok()) {
        const core::StatusCode code = id.status().code();
        if (code == core::StatusCode::kPermissionDenied) {
          SendError(res, 403, id.status().message());
        } else if (code == core::StatusCode::kUnavailable) {
          VL_LOG_WARN("push: {}", id.status().message());
          Unavailable(res, "the tenant's token signing keys cannot be fetched now; retry later");
        } else {
          res.set_header("WWW-Authenticate", "Bearer");
          SendError(res, 401, id.status().message());
        }
        return std::nullopt;
      }
      return id->tenant_id;
    }
    const std::string key = req.get_header_value(std::string(kTenantKeyHeader));
    if (!key.empty()) {
      const std::string digest = crypto::Sha256(key);
      std::string tenant;
      for (const auto& [t, d] : tenant_key_digests) {
        // Every entry is compared (no early exit): the time does not say which tenant matched.
        if (crypto::ConstantTimeEquals(digest, d)) tenant = t;
      }
      if (tenant.empty()) {
        SendError(res, 401, fmt::format("the {} header matches no tenant's key", kTenantKeyHeader));
        return std::nullopt;
      }
      return tenant;
    }
    const std::string signature = req.get_header_value(std::string(kSignatureHeader));
    if (!signature.empty() && !options.webhook_secret.empty()) {
      if (!VerifySignature(options.webhook_secret, body, signature)) {
        SendError(res, 401,
                  fmt::format("the {} header does not match the body (HMAC-SHA256 with the "
                              "shared webhook secret)",
                              kSignatureHeader));
        return std::nullopt;
      }
      return std::string();
    }
    SendError(res, 401,
              fmt::format("the notification is not authenticated: send Authorization: Bearer "
                          "<token>, {} or {}",
                          kTenantKeyHeader, kSignatureHeader));
    return std::nullopt;
  }

  void Drops(const httplib::Request& req, httplib::Response& res,
             const httplib::ContentReader& reader) {
    CountSuccess count(*this, res);
    std::string body;
    if (!ReadBody(reader, res, body)) return;
    if (!Admit(req, res, 1)) return;
    if (options.webhook_secret.empty() && tenant_key_digests.empty() && options.entra == nullptr) {
      SendError(res, 404,
                "webhook notifications are disabled (no Entra ID audience, tenant keys or "
                "webhook secret is configured)");
      return;
    }
    // Authenticate before looking at the body at all.
    std::optional<std::string> tenant = AuthenticateDrops(req, res, body);
    if (!tenant) return;
    auto hint = ParseDropNotification(body, HintSource::kWebActivity);
    if (!hint.ok()) {
      SendError(res, 400, hint.status().message());
      return;
    }
    if (!tenant->empty() && !core::EqualsIgnoreCase(*tenant, hint->ref.tenant_id)) {
      SendError(res, 403,
                fmt::format("the sender is authenticated for tenant {} but the notification is "
                            "for tenant {}; nothing was imported",
                            *tenant, hint->ref.tenant_id));
      return;
    }
    if (!options.on_hint(*hint)) {
      VL_LOG_WARN("push: could not accept {} now; answered 503", hint->ToString());
      Unavailable(res, "the notification cannot be accepted now; retry later");
      return;
    }
    ++accepted_hints;
    VL_LOG_INFO("push: accepted {}", hint->ToString());
    SendJson(res, 202,
             ordered_json{{"accepted", true},
                          {"drop", hint->ref.ToString()},
                          {"source", HintSourceName(hint->source)}});
  }

  void Events(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& reader) {
    CountSuccess count(*this, res);
    std::string body;
    if (!ReadBody(reader, res, body)) return;
    if (!EventsAllowed(req, res)) return;
    if (!Admit(req, res, 1)) return;
    auto batch = ParseEvents(body, options.container);
    if (!batch.ok()) {
      SendError(res, 400, batch.status().message());
      return;
    }
    // Each drop event may cost a storage read: a batch pays for all but the first up front.
    if (batch->hints.size() > 1 && !Admit(req, res, static_cast<double>(batch->hints.size() - 1))) {
      return;
    }
    ignored_events += batch->ignored;
    int accepted = 0;
    int refused = 0;
    for (const DropHint& hint : batch->hints) {
      if (options.on_hint(hint)) {
        ++accepted;
        ++accepted_hints;
        VL_LOG_INFO("push: accepted {}", hint.ToString());
      } else {
        ++refused;
        VL_LOG_WARN("push: could not accept {} now", hint.ToString());
      }
    }
    if (batch->validation_code) {
      ++validations;
      VL_LOG_INFO("push: answered an Event Grid subscription validation");
      SendJson(res, 200, ordered_json{{"validationResponse", *batch->validation_code}});
      return;
    }
    if (refused > 0) {
      // Event Grid redelivers the whole batch later; the accepted ones repeat harmlessly.
      Unavailable(res, fmt::format("{} of {} drop events cannot be accepted now; retry later",
                                   refused, batch->hints.size()));
      return;
    }
    SendJson(res, 200, ordered_json{{"accepted", accepted}, {"ignored", batch->ignored}});
  }

  void EventsHandshake(const httplib::Request& req, httplib::Response& res) {
    CountSuccess count(*this, res);
    if (!EventsAllowed(req, res)) return;
    const std::string origin = req.get_header_value("WebHook-Request-Origin");
    if (origin.empty()) {
      SendError(res, 400,
                "OPTIONS /v1/events is the CloudEvents webhook validation handshake and needs a "
                "WebHook-Request-Origin header");
      return;
    }
    bool allowed = false;
    for (const std::string& o : options.webhook_allowed_origins) {
      allowed = allowed || core::EqualsIgnoreCase(o, core::Trim(origin));
    }
    if (!allowed) {
      SendError(res, 403,
                "this WebHook-Request-Origin is not an allowed event source; deliveries are "
                "accepted from Event Grid only");
      return;
    }
    ++validations;
    res.status = 200;
    res.set_header("Allow", "POST, OPTIONS");
    res.set_header("WebHook-Allowed-Origin", std::string(core::Trim(origin)));
    if (req.has_header("WebHook-Request-Rate")) res.set_header("WebHook-Allowed-Rate", "*");
    VL_LOG_INFO("push: answered a CloudEvents webhook validation handshake");
  }

  void Health(httplib::Response& res) {
    CountSuccess count(*this, res);
    if (options.healthy && !options.healthy()) {
      SendJson(res, 503, ordered_json{{"status", "unhealthy"}});
      return;
    }
    SendJson(res, 200, ordered_json{{"status", "ok"}});
  }

  void Metrics(httplib::Response& res) {
    CountSuccess count(*this, res);
    ServerCounters c = Snapshot();
    ++c.requests;  // this request (CountSuccess adds it to the counter when the handler returns)
    std::string out;
    AppendCounter(out, "vivalink_push_requests_total", "HTTP requests answered by the push server.",
                  c.requests);
    AppendCounter(out, "vivalink_push_accepted_hints_total",
                  "Drop hints handed to the ingestion side.", c.accepted_hints);
    AppendCounter(out, "vivalink_push_rejected_signature_total",
                  "Requests refused with 401 (bad or missing signature or events key).",
                  c.rejected_signature);
    AppendCounter(out, "vivalink_push_rejected_forbidden_total",
                  "Requests refused with 403 (authenticated for another tenant than the body's).",
                  c.rejected_forbidden);
    AppendCounter(out, "vivalink_push_rejected_bad_request_total",
                  "Requests refused with 400 (malformed body or HTTP).", c.rejected_bad_request);
    AppendCounter(out, "vivalink_push_rejected_too_large_total",
                  "Requests refused with 413 (body over the size limit).", c.rejected_too_large);
    AppendCounter(out, "vivalink_push_rejected_unavailable_total",
                  "Requests answered 503 because the ingestion side could not take a hint.",
                  c.rejected_unavailable);
    AppendCounter(out, "vivalink_push_ignored_events_total",
                  "Events that named no drop metadata.json (other blobs, types or containers).",
                  c.ignored_events);
    AppendCounter(out, "vivalink_push_validations_total",
                  "Event Grid subscription validations and CloudEvents handshakes answered.",
                  c.validations);
    if (options.metrics) {
      std::string more = options.metrics();
      if (!more.empty() && more.back() != '\n') more.push_back('\n');
      out += more;
    }
    res.status = 200;
    res.set_content(out, "text/plain; version=0.0.4; charset=utf-8");
  }

  // Wrong method on a known path (405) or an unknown path (404).
  void NoRoute(const httplib::Request& req, httplib::Response& res) {
    const std::string_view allow = AllowedMethods(req.path, admin_on_main);
    if (allow.empty()) {
      SendError(res, 404, fmt::format("no such endpoint: {} {}", req.method, req.path));
      return;
    }
    res.set_header("Allow", std::string(allow));
    SendError(res, 405,
              fmt::format("{} does not accept {}; allowed: {}", req.path, req.method, allow));
  }

  // Every answer with status >= 400 passes here (ours and httplib's own: 400 malformed HTTP,
  // 413 Content-Length over the limit, 500 after an exception): count it and make sure its body
  // is a JSON error.
  void OnError(const httplib::Request& req, httplib::Response& res) {
    ++requests;
    switch (res.status) {
      case 400:
        ++rejected_bad_request;
        break;
      case 401:
        ++rejected_signature;
        break;
      case 403:
        ++rejected_forbidden;
        break;
      case 413:
        ++rejected_too_large;
        break;
      case 429:
        ++rejected_rate_limited;
        break;
      default:
        break;
    }
    if (res.body.empty()) {
      std::string message;
      switch (res.status) {
        case 400:
          message = "malformed HTTP request";
          break;
        case 404:
          message = fmt::format("no such endpoint: {} {}", req.method, req.path);
          break;
        case 413:
          message = fmt::format("the request body is larger than the limit of {} bytes",
                                options.max_body_bytes);
          break;
        default:
          message = fmt::format("HTTP {}", res.status);
          break;
      }
      SendError(res, res.status, message);
    }
    // The path only: the query may hold the events key.
    if (res.status == 404 || res.status == 405) {
      VL_LOG_DEBUG("push: {} {} answered {}", Printable(req.method), Printable(req.path),
                   res.status);
    } else if (res.status != 503 && res.status != 429) {
      VL_LOG_WARN("push: {} {} answered {}", Printable(req.method), Printable(req.path),
                  res.status);
    }
  }

  void Install() {
    server.new_task_queue = [n = options.threads] {
      // httplib owns and deletes its task queue; this is its documented factory shape.
      return new httplib::ThreadPool(static_cast<size_t>(n));
    };
    server.set_payload_max_length(options.max_body_bytes);
    server.set_read_timeout(static_cast<time_t>(options.read_timeout.count()), 0);
    server.set_write_timeout(static_cast<time_t>(options.write_timeout.count()), 0);
    server.set_keep_alive_timeout(1);  // Stop() waits this long for idle keep-alive connections

    server.Post(kDropsPath,
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { Drops(req, res, reader); });
    server.Post(kEventsPath,
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { Events(req, res, reader); });
    server.Options(kEventsPath, [this](const httplib::Request& req, httplib::Response& res) {
      EventsHandshake(req, res);
    });
    admin_on_main = IsLoopback(options.host) && options.host == options.admin_host;
    if (admin_on_main) {
      server.Get(kHealthPath,
                 [this](const httplib::Request&, httplib::Response& res) { Health(res); });
      server.Get(kMetricsPath,
                 [this](const httplib::Request&, httplib::Response& res) { Metrics(res); });
    }
    // Registered last: httplib tries handlers in registration order.
    auto no_route = [this](const httplib::Request& req, httplib::Response& res) {
      NoRoute(req, res);
    };
    // Methods with a body read it through ReadBody too: httplib would buffer a chunked body of
    // any size, and an unread body would be taken for the next request on the connection.
    auto no_route_with_body = [this](const httplib::Request& req, httplib::Response& res,
                                     const httplib::ContentReader& reader) {
      std::string body;
      if (ReadBody(reader, res, body)) NoRoute(req, res);
    };
    server.Get(".*", no_route);
    server.Options(".*", no_route);
    server.Post(".*", no_route_with_body);
    server.Put(".*", no_route_with_body);
    server.Patch(".*", no_route_with_body);
    server.Delete(".*", no_route_with_body);

    server.set_error_handler(
        [this](const httplib::Request& req, httplib::Response& res) { OnError(req, res); });
    server.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
          VL_LOG_ERROR("push: {} {}: a callback threw; answered 500", Printable(req.method),
                       Printable(req.path));
          SendError(res, 500, "internal error");
        });

    // The admin listener: health and metrics only, read-only, small.
    admin_server.new_task_queue = [] { return new httplib::ThreadPool(1); };
    admin_server.set_payload_max_length(4096);
    admin_server.set_read_timeout(5, 0);
    admin_server.set_write_timeout(5, 0);
    admin_server.set_keep_alive_timeout(1);
    admin_server.Get(kHealthPath,
                     [this](const httplib::Request&, httplib::Response& res) { Health(res); });
    admin_server.Get(kMetricsPath,
                     [this](const httplib::Request&, httplib::Response& res) { Metrics(res); });
    admin_server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (res.body.empty()) {
        SendError(
            res, res.status,
            fmt::format("no such endpoint: {} {}", Printable(req.method), Printable(req.path)));
      }
    });
    admin_server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          SendError(res, 500, "internal error");
        });
  }
};

NotificationServer::NotificationServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NotificationServer::~NotificationServer() { Stop(); }

core::Result<std::unique_ptr<NotificationServer>> NotificationServer::Start(ServerOptions options) {
  if (!options.on_hint) {
    return core::InvalidArgumentError("notification server: on_hint is required");
  }
  if (options.threads < 1) {
    return core::InvalidArgumentError("notification server: threads must be at least 1");
  }
  if (options.max_body_bytes == 0) {
    return core::InvalidArgumentError("notification server: max_body_bytes must be positive");
  }
  if (options.port < 0 || options.port > 65535) {
    return core::InvalidArgumentError(
        fmt::format("notification server: port {} is outside 0..65535", options.port));
  }
  if (options.admin_port < -1 || options.admin_port > 65535 ||
      options.request_deadline.count() < 0 || options.max_connections_per_source < 0 ||
      options.hints_per_second_per_source < 0 || options.hint_burst_per_source < 0) {
    return core::InvalidArgumentError(
        "notification server: admin_port must be -1..65535 and the abuse limits non-negative");
  }
  if (options.read_timeout.count() < 1 || options.write_timeout.count() < 1 ||
      options.retry_after.count() < 0) {
    return core::InvalidArgumentError(
        "notification server: timeouts must be at least 1 second and retry_after >= 0");
  }
  auto impl = std::make_unique<Impl>();
  impl->events_key_digest = crypto::Sha256(options.events_key);
  for (const auto& [tenant, key] : options.tenant_keys) {
    if (key.empty()) {
      return core::InvalidArgumentError(
          fmt::format("notification server: the notification key of tenant {} is empty", tenant));
    }
    impl->tenant_key_digests.emplace_back(core::ToLower(tenant), crypto::Sha256(key));
  }
  impl->options = std::move(options);
  impl->Install();
  Impl& s = *impl;
  if (core::Status st = s.listener.Listen(s.server, s.options.host, s.options.port); !st.ok()) {
    return st.WithContext("notification server");
  }
  if (s.options.admin_port >= 0) {
    if (core::Status st =
            s.admin_listener.Listen(s.admin_server, s.options.admin_host, s.options.admin_port);
        !st.ok()) {
      s.listener.Stop();
      return st.WithContext("notification server: the admin listener (/healthz, /metrics)");
    }
  }
  if (s.options.request_deadline.count() > 0 || s.options.max_connections_per_source > 0) {
    internal::ConnectionGuardOptions g;
    g.port = s.listener.port();
    g.deadline = s.options.request_deadline;
    g.max_per_source = s.options.max_connections_per_source;
    s.guard = std::make_unique<internal::ConnectionGuard>(g);
  }
  VL_LOG_INFO(
      "push: notification server listening on {}:{} (Entra ID tokens {}, tenant keys {}, "
      "signatures {}, events {}); /healthz and /metrics on {}",
      s.options.host, s.listener.port(), s.options.entra != nullptr ? "on" : "off",
      s.tenant_key_digests.size(), s.options.webhook_secret.empty() ? "off" : "on",
      !s.options.events_enabled ? "off"
      : s.options.events_key.empty()
          ? (s.options.events_unauthenticated ? "on without a key" : "refused: no key")
          : "on",
      s.options.admin_port >= 0
          ? fmt::format("{}:{}", s.options.admin_host, s.admin_listener.port())
          : std::string("no admin listener"));
  return std::unique_ptr<NotificationServer>(new NotificationServer(std::move(impl)));
}

int NotificationServer::port() const { return impl_->listener.port(); }

int NotificationServer::admin_port() const { return impl_->admin_listener.port(); }

std::string NotificationServer::admin_url() const {
  const int port = impl_->admin_listener.port();
  if (port == 0) return "";
  const std::string& host = impl_->options.admin_host;
  if (host.find(':') != std::string::npos) return fmt::format("http://[{}]:{}", host, port);
  return fmt::format("http://{}:{}", host, port);
}

std::string NotificationServer::url() const {
  const std::string& host = impl_->options.host;
  const int port = impl_->listener.port();
  if (host.find(':') != std::string::npos) return fmt::format("http://[{}]:{}", host, port);
  return fmt::format("http://{}:{}", host, port);
}

void NotificationServer::Stop() {
  if (!impl_) return;
  if (impl_->guard) impl_->guard->Stop();
  impl_->listener.Stop();
  impl_->admin_listener.Stop();
}

ServerCounters NotificationServer::counters() const { return impl_->Snapshot(); }

}  // namespace vivalink::push
