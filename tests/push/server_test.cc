// NotificationServer (push/server.h) over real HTTP on 127.0.0.1 (port 0), with
// http::CurlTransport as the client: every status path of every endpoint.
#include "push/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/curl_transport.h"
#include "push/notification.h"
#include "testutil.h"

namespace vivalink::push {
namespace {

using core::StatusCode;
using nlohmann::json;

constexpr const char* kSecret = "webhook-secret-123";
constexpr const char* kEventsKey = "events-key-456";
constexpr const char* kTenant = "0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c";
constexpr const char* kRun = "5c90a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b";

std::string Metadata() {
  return std::string(kRun) + "/VivaInsights/" + kTenant + "/metadata/JobMetadata/metadata.json";
}

std::string NotificationBody() {
  return json{{"TenantId", kTenant},
              {"RunId", kRun},
              {"Container", "drops"},
              {"MetadataPath", Metadata()},
              {"CopyActivityId", "copy-1"}}
      .dump();
}

std::string Sample(const std::string& name) {
  return testutil::ReadFile(testutil::SharedData("eventgrid/" + name));
}

// The Event Grid sample, moved to a drop's metadata.json in container.
std::string BlobCreatedBatch(const std::string& container = "drops") {
  json batch = json::parse(Sample("blobcreated_eventgrid_schema.json"));
  batch[0]["data"]["url"] =
      "https://my-storage-account.blob.core.windows.net/" + container + "/" + Metadata();
  batch.push_back(json::parse(Sample("blobcreated_eventgrid_schema.json"))[0]);  // ignored
  return batch.dump();
}

// A one-shot HTTP/1.1 exchange over a raw socket, for what curl will not send (chunked bodies of
// our choosing). Returns what the server wrote before closing or timing out.
std::string RawExchange(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    size_t sent = 0;
    while (sent < request.size()) {
      const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;  // the server may close early once it has answered
      sent += static_cast<size_t>(n);
    }
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) {
      out.append(buf, static_cast<size_t>(n));
      if (out.find("\r\n\r\n") != std::string::npos && out.find("}") != std::string::npos) break;
    }
  }
  ::close(fd);
  return out;
}

class PushServer : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.webhook_secret = kSecret;
    Start(std::move(o));
  }

  // Starts (or restarts) the server; on_hint records hints and answers accept_.
  void Start(ServerOptions o) {
    server_.reset();
    // These tests exercise parsing and routing of /v1/events; without a key they opt out of
    // the events key explicitly (PushAbuse covers the default: no key, no events).
    if (o.events_key.empty()) o.events_unauthenticated = true;
    if (!o.on_hint) {
      o.on_hint = [this](const DropHint& h) {
        std::lock_guard<std::mutex> lock(mu_);
        hints_.push_back(h);
        return accept_.load();
      };
    }
    auto s = NotificationServer::Start(std::move(o));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }

  http::Response Send(const std::string& method, const std::string& path_and_query,
                      const std::string& body = "", http::Headers headers = {}) {
    http::Request req;
    req.method = method;
    req.url = server_->url() + path_and_query;
    req.body = body;
    req.headers = std::move(headers);
    if (!body.empty() && req.headers.count("Content-Type") == 0) {
      req.headers["Content-Type"] = "application/json";
    }
    auto r = transport_.Send(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : http::Response{};
  }

  http::Response PostSigned(const std::string& body, const std::string& secret = kSecret) {
    return Send("POST", "/v1/notifications/drops", body,
                {{std::string(kSignatureHeader), SignatureHeaderValue(secret, body)}});
  }

  std::vector<DropHint> Hints() {
    std::lock_guard<std::mutex> lock(mu_);
    return hints_;
  }

  // The JSON error message of an error answer (and checks that it is one).
  static std::string ErrorOf(const http::Response& r) {
    EXPECT_NE(r.Header("Content-Type").find("application/json"), std::string::npos)
        << r.status << " " << r.body;
    const json j = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("error") && j["error"].is_string()) << r.body;
    return j.is_object() && j.contains("error") && j["error"].is_string()
               ? j["error"].get<std::string>()
               : "";
  }

  http::CurlTransport transport_;
  std::unique_ptr<NotificationServer> server_;
  std::mutex mu_;
  std::vector<DropHint> hints_;
  std::atomic<bool> accept_{true};
};

// ---- POST /v1/notifications/drops ----

TEST_F(PushServer, SignedNotificationIsAccepted) {
  const http::Response r = PostSigned(NotificationBody());
  EXPECT_EQ(r.status, 202) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["accepted"], true);
  EXPECT_EQ(j["drop"], std::string(kRun) + "/VivaInsights/" + kTenant);
  EXPECT_EQ(j["source"], "web_activity");
  const auto hints = Hints();
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(hints[0].source, HintSource::kWebActivity);
  EXPECT_EQ(hints[0].ref.metadata_path(), Metadata());
  EXPECT_EQ(hints[0].container, "drops");
  EXPECT_EQ(hints[0].id, "copy-1");
  const ServerCounters c = server_->counters();
  EXPECT_EQ(c.accepted_hints, 1);
  EXPECT_EQ(c.requests, 1);
}

TEST_F(PushServer, ForgedSignatureIs401AndNothingIsOffered) {
  const http::Response r = PostSigned(NotificationBody(), "guessed-secret");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(ErrorOf(r).find("does not match"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(kSecret), std::string::npos);
  EXPECT_TRUE(Hints().empty());
  EXPECT_EQ(server_->counters().rejected_signature, 1);
  EXPECT_EQ(server_->counters().accepted_hints, 0);
}

TEST_F(PushServer, MissingSignatureIs401) {
  const http::Response r = Send("POST", "/v1/notifications/drops", NotificationBody());
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(ErrorOf(r).find("X-Vivalink-Signature"), std::string::npos) << r.body;
  EXPECT_TRUE(Hints().empty());
}

TEST_F(PushServer, SignatureIsCheckedBeforeTheBodyIsParsed) {
  // A malformed body with a bad signature is an authentication failure, not a parse error: an
  // unauthenticated sender learns nothing about what the parser wants.
  const http::Response r = Send("POST", "/v1/notifications/drops", "{not json",
                                {{"X-Vivalink-Signature", "sha256=" + std::string(64, '0')}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(server_->counters().rejected_bad_request, 0);
}

TEST_F(PushServer, SignedButMalformedBodyIs400WithTheReason) {
  json body = json::parse(NotificationBody());
  body["TenantId"] = "11111111-2222-4333-8444-555555555555";  // another tenant than the path's
  const http::Response r = PostSigned(body.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(ErrorOf(r).find("TenantId"), std::string::npos) << r.body;
  const http::Response r2 = PostSigned("[]");
  EXPECT_EQ(r2.status, 400);
  EXPECT_NE(ErrorOf(r2).find("JSON object"), std::string::npos) << r2.body;
  EXPECT_TRUE(Hints().empty());
  EXPECT_EQ(server_->counters().rejected_bad_request, 2);
}

TEST_F(PushServer, WebhookWithoutSecretIs404) {
  Start(ServerOptions{});
  const http::Response r = PostSigned(NotificationBody(), "");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(ErrorOf(r).find("disabled"), std::string::npos) << r.body;
  EXPECT_TRUE(Hints().empty());
}

TEST_F(PushServer, RefusedHintIs503WithRetryAfter) {
  ServerOptions o;
  o.webhook_secret = kSecret;
  o.retry_after = std::chrono::seconds(7);
  Start(std::move(o));
  accept_ = false;
  const http::Response r = PostSigned(NotificationBody());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Header("Retry-After"), "7");
  EXPECT_FALSE(ErrorOf(r).empty());
  EXPECT_EQ(Hints().size(), 1u);  // offered, refused
  EXPECT_EQ(server_->counters().accepted_hints, 0);
  EXPECT_EQ(server_->counters().rejected_unavailable, 1);
}

TEST_F(PushServer, ThrowingCallbackIs500) {
  ServerOptions o;
  o.webhook_secret = kSecret;
  o.on_hint = [](const DropHint&) -> bool { throw std::runtime_error("boom"); };
  Start(std::move(o));
  const http::Response r = PostSigned(NotificationBody());
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(ErrorOf(r), "internal error");
  // The server survives it.
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
}

// ---- limits ----

TEST_F(PushServer, BodyOverTheLimitIs413) {
  ServerOptions o;
  o.webhook_secret = kSecret;
  o.max_body_bytes = 1024;
  Start(std::move(o));
  const std::string big(2000, ' ');
  const http::Response r = PostSigned(big + NotificationBody());
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(ErrorOf(r).find("1024"), std::string::npos) << r.body;
  EXPECT_EQ(Send("POST", "/v1/events", big + "[]").status, 413);
  EXPECT_EQ(server_->counters().rejected_too_large, 2);
  // Exactly at the limit is fine.
  std::string body = NotificationBody();
  body.append(1024 - body.size(), ' ');
  EXPECT_EQ(PostSigned(body).status, 202);
  EXPECT_TRUE(Hints().size() == 1u);
}

TEST_F(PushServer, ChunkedBodyOverTheLimitIs413) {
  // httplib 0.11 applies its payload limit to Content-Length bodies only; the server counts
  // chunked bytes itself.
  ServerOptions o;
  o.webhook_secret = kSecret;
  o.max_body_bytes = 4096;
  Start(std::move(o));
  std::string request =
      "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) request += "400\r\n" + std::string(1024, ' ') + "\r\n";
  request += "0\r\n\r\n";
  const std::string answer = RawExchange(server_->port(), request);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  // Unknown paths and wrong methods are limited too (not buffered whole before the 404/405).
  for (const char* line : {"POST /nowhere HTTP/1.1", "PUT /v1/events HTTP/1.1"}) {
    std::string other = request;
    other.replace(0, other.find("\r\n"), line);
    const std::string refused = RawExchange(server_->port(), other);
    EXPECT_EQ(refused.rfind("HTTP/1.1 413", 0), 0u) << line << ": " << refused;
  }
  EXPECT_EQ(server_->counters().rejected_too_large, 3);
  // A chunked body within the limit is read whole.
  const std::string batch = BlobCreatedBatch();
  ASSERT_LT(batch.size(), 4096u);
  char size_line[32];
  std::snprintf(size_line, sizeof(size_line), "%zx\r\n", batch.size());
  const std::string small =
      "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" +
      std::string(size_line) + batch + "\r\n0\r\n\r\n";
  const std::string ok = RawExchange(server_->port(), small);
  EXPECT_EQ(ok.rfind("HTTP/1.1 200", 0), 0u) << ok;
  EXPECT_EQ(Hints().size(), 1u);
}

// ---- routing ----

TEST_F(PushServer, UnknownPathIs404Json) {
  for (const char* path : {"/", "/v1", "/v1/events/", "/v1/notifications", "/admin"}) {
    const http::Response r = Send("GET", path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_NE(ErrorOf(r).find("no such endpoint"), std::string::npos) << r.body;
  }
  EXPECT_EQ(Send("POST", "/v1/notification/drops", NotificationBody()).status, 404);
}

TEST_F(PushServer, WrongMethodIs405WithAllow) {
  struct Case {
    const char* method;
    const char* path;
    const char* allow;
  };
  for (const Case& c :
       {Case{"GET", "/v1/notifications/drops", "POST"},
        Case{"PUT", "/v1/notifications/drops", "POST"},
        Case{"OPTIONS", "/v1/notifications/drops", "POST"},
        Case{"GET", "/v1/events", "POST, OPTIONS"}, Case{"DELETE", "/v1/events", "POST, OPTIONS"},
        Case{"POST", "/healthz", "GET, HEAD"}, Case{"PATCH", "/metrics", "GET, HEAD"}}) {
    const http::Response r = Send(c.method, c.path, c.method[0] == 'P' ? "{}" : "");
    EXPECT_EQ(r.status, 405) << c.method << " " << c.path;
    EXPECT_EQ(r.Header("Allow"), c.allow) << c.method << " " << c.path;
    EXPECT_FALSE(ErrorOf(r).empty());
  }
}

// ---- POST /v1/events ----

TEST_F(PushServer, EventGridValidationHandshakeEchoesTheCode) {
  const http::Response r = Send("POST", "/v1/events", Sample("subscription_validation_event.json"),
                                {{"aeg-event-type", "SubscriptionValidation"}});
  EXPECT_EQ(r.status, 200) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j, json({{"validationResponse", "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"}}));
  EXPECT_EQ(server_->counters().validations, 1);
}

TEST_F(PushServer, BlobCreatedEventsAreOfferedAndOthersCounted) {
  const http::Response r = Send("POST", "/v1/events", BlobCreatedBatch());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body), json({{"accepted", 1}, {"ignored", 1}}));
  const auto hints = Hints();
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(hints[0].source, HintSource::kEventGrid);
  EXPECT_EQ(hints[0].container, "drops");
  EXPECT_EQ(server_->counters().accepted_hints, 1);
  EXPECT_EQ(server_->counters().ignored_events, 1);
}

TEST_F(PushServer, CloudEventIsAccepted) {
  json event = json::parse(Sample("blobcreated_cloudevents_schema.json"));
  event["data"]["url"] = "http://127.0.0.1:10000/devstoreaccount1/drops/" + Metadata();
  const http::Response r = Send("POST", "/v1/events", event.dump(),
                                {{"Content-Type", "application/cloudevents+json; charset=utf-8"}});
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(Hints().size(), 1u);
  EXPECT_EQ(Hints()[0].source, HintSource::kCloudEvents);
}

TEST_F(PushServer, EventsForAnotherContainerAreIgnored) {
  ServerOptions o;
  o.container = "drops";
  Start(std::move(o));
  const http::Response r = Send("POST", "/v1/events", BlobCreatedBatch("elsewhere"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json({{"accepted", 0}, {"ignored", 2}}));
  EXPECT_TRUE(Hints().empty());
}

TEST_F(PushServer, MalformedEventsAre400) {
  http::Response r = Send("POST", "/v1/events", "[{\"eventType\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(ErrorOf(r).find("not valid JSON"), std::string::npos) << r.body;
  r = Send("POST", "/v1/events", "{\"hello\":1}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(ErrorOf(r).find("CloudEvent"), std::string::npos) << r.body;
  EXPECT_EQ(server_->counters().rejected_bad_request, 2);
}

TEST_F(PushServer, RefusedEventHintIs503SoEventGridRedelivers) {
  accept_ = false;
  const http::Response r = Send("POST", "/v1/events", BlobCreatedBatch());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Header("Retry-After"), "5");
  EXPECT_NE(ErrorOf(r).find("1 of 1"), std::string::npos) << r.body;
}

TEST_F(PushServer, EventsKeyIsRequiredWhenConfigured) {
  ServerOptions o;
  o.events_key = kEventsKey;
  Start(std::move(o));
  const std::string batch = BlobCreatedBatch();
  http::Response r = Send("POST", "/v1/events", batch);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body.find(kEventsKey), std::string::npos);
  r = Send("POST", "/v1/events?code=wrong", batch);
  EXPECT_EQ(r.status, 401);
  r = Send("POST", "/v1/events?code=events-key-45", batch);  // a prefix of the key
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(Hints().empty());
  r = Send("POST", std::string("/v1/events?code=") + kEventsKey, batch);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Hints().size(), 1u);
  EXPECT_EQ(server_->counters().rejected_signature, 3);
  // The handshake needs the key too (Event Grid calls the same URL).
  r = Send("OPTIONS", "/v1/events", "", {{"WebHook-Request-Origin", "eventgrid.azure.net"}});
  EXPECT_EQ(r.status, 401);
}

TEST_F(PushServer, EventsDisabledIs404) {
  ServerOptions o;
  o.events_enabled = false;
  Start(std::move(o));
  EXPECT_EQ(Send("POST", "/v1/events", BlobCreatedBatch()).status, 404);
  EXPECT_EQ(Send("OPTIONS", "/v1/events", "", {{"WebHook-Request-Origin", "x"}}).status, 404);
  EXPECT_TRUE(Hints().empty());
}

// ---- OPTIONS /v1/events (CloudEvents abuse protection) ----

TEST_F(PushServer, CloudEventsHandshakeAllowsTheOrigin) {
  http::Response r =
      Send("OPTIONS", "/v1/events", "",
           {{"WebHook-Request-Origin", "eventgrid.azure.net"}, {"WebHook-Request-Rate", "120"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("WebHook-Allowed-Origin"), "eventgrid.azure.net");
  EXPECT_EQ(r.Header("WebHook-Allowed-Rate"), "*");
  r = Send("OPTIONS", "/v1/events", "", {{"WebHook-Request-Origin", "eventgrid.azure.net"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("WebHook-Allowed-Rate"), "");  // not asked, not sent
  EXPECT_EQ(server_->counters().validations, 2);
}

TEST_F(PushServer, CloudEventsHandshakeWithoutOriginIs400) {
  const http::Response r = Send("OPTIONS", "/v1/events");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(ErrorOf(r).find("WebHook-Request-Origin"), std::string::npos) << r.body;
}

// ---- GET /healthz, GET /metrics ----

TEST_F(PushServer, HealthzFollowsTheCallback) {
  http::Response r = Send("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json({{"status", "ok"}}));
  std::atomic<bool> healthy{false};
  ServerOptions o;
  o.healthy = [&healthy] { return healthy.load(); };
  Start(std::move(o));
  r = Send("GET", "/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body), json({{"status", "unhealthy"}}));
  healthy = true;
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
}

TEST_F(PushServer, MetricsListCountersThenTheIngestionSide) {
  ServerOptions o;
  o.webhook_secret = kSecret;
  o.metrics = [] {
    return std::string(
        "# HELP vivalink_ingest_drops_total Drops imported.\n"
        "# TYPE vivalink_ingest_drops_total counter\n"
        "vivalink_ingest_drops_total 3");
  };
  Start(std::move(o));
  ASSERT_EQ(PostSigned(NotificationBody()).status, 202);
  ASSERT_EQ(PostSigned(NotificationBody(), "forged").status, 401);
  ASSERT_EQ(Send("POST", "/v1/events", BlobCreatedBatch()).status, 200);
  const http::Response r = Send("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u)
      << r.Header("Content-Type");
  const std::string& m = r.body;
  for (const char* line : {
           "# HELP vivalink_push_requests_total ",
           "# TYPE vivalink_push_requests_total counter\nvivalink_push_requests_total 4\n",
           "# TYPE vivalink_push_accepted_hints_total counter\n"
           "vivalink_push_accepted_hints_total 2\n",
           "\nvivalink_push_rejected_signature_total 1\n",
           "\nvivalink_push_rejected_bad_request_total 0\n",
           "\nvivalink_push_rejected_too_large_total 0\n",
           "\nvivalink_push_rejected_unavailable_total 0\n",
           "\nvivalink_push_ignored_events_total 1\n",
           "\nvivalink_push_validations_total 0\n",
       }) {
    EXPECT_NE(m.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << m;
  }
  // The ingestion side's text comes last, newline-terminated.
  const size_t ingest = m.find("# HELP vivalink_ingest_drops_total");
  ASSERT_NE(ingest, std::string::npos) << m;
  EXPECT_GT(ingest, m.find("vivalink_push_validations_total 0"));
  EXPECT_TRUE(m.ends_with("vivalink_ingest_drops_total 3\n")) << m;
  EXPECT_EQ(server_->counters().requests, 4);
}

// ---- lifecycle ----

TEST_F(PushServer, StartRefusesBadOptions) {
  ServerOptions o;  // no on_hint
  EXPECT_EQ(NotificationServer::Start(o).status().code(), StatusCode::kInvalidArgument);
  o.on_hint = [](const DropHint&) { return true; };
  o.threads = 0;
  EXPECT_EQ(NotificationServer::Start(o).status().code(), StatusCode::kInvalidArgument);
  o.threads = 1;
  o.max_body_bytes = 0;
  EXPECT_EQ(NotificationServer::Start(o).status().code(), StatusCode::kInvalidArgument);
  o.max_body_bytes = 10;
  o.port = 70000;
  EXPECT_EQ(NotificationServer::Start(o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PushServer, TakenPortIsUnavailable) {
  ServerOptions o;
  o.port = server_->port();
  o.on_hint = [](const DropHint&) { return true; };
  auto second = NotificationServer::Start(o);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST_F(PushServer, StopIsIdempotentAndClosesThePort) {
  const std::string url = server_->url() + "/healthz";
  EXPECT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  server_->Stop();
  server_->Stop();
  http::Request req;
  req.url = url;
  req.connect_timeout = std::chrono::milliseconds(2000);
  auto r = transport_.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

TEST_F(PushServer, ConcurrentSignedNotificationsAreAllAccepted) {
  ServerOptions o;
  o.webhook_secret = kSecret;
  o.threads = 4;
  Start(std::move(o));
  constexpr int kThreads = 6;
  constexpr int kEach = 15;
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      http::CurlTransport client;
      const std::string body = NotificationBody();
      for (int i = 0; i < kEach; ++i) {
        http::Request req;
        req.method = "POST";
        req.url = server_->url() + "/v1/notifications/drops";
        req.body = body;
        req.headers["X-Vivalink-Signature"] = SignatureHeaderValue(kSecret, body);
        auto r = client.Send(req);
        if (r.ok() && r->status == 202) ++accepted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), kThreads * kEach);
  EXPECT_EQ(Hints().size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(server_->counters().accepted_hints, kThreads * kEach);
  EXPECT_EQ(server_->counters().requests, kThreads * kEach);
}

}  // namespace
}  // namespace vivalink::push
