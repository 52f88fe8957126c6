// Regression tests of issue 10 item 8: the push listener was open by default. Each test names
// the hole it closes: events without a configured key, /metrics on the public listener, OPTIONS
// echoing any origin, slow clients holding workers, one source flooding hints, and request text
// forging log lines.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "http/curl_transport.h"
#include "push/notification.h"
#include "push/server.h"

namespace vivalink::push {
namespace {

constexpr const char* kTenant = "0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c";
constexpr const char* kRun = "5c90a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b";
constexpr const char* kSecret = "s3cret";

std::string Body() {
  return nlohmann::json{{"TenantId", kTenant},
                        {"RunId", kRun},
                        {"MetadataPath", std::string(kRun) + "/VivaInsights/" + kTenant +
                                             "/metadata/JobMetadata/metadata.json"}}
      .dump();
}

struct Server {
  std::atomic<int> hints{0};
  std::unique_ptr<NotificationServer> server;
  http::CurlTransport client;

  explicit Server(ServerOptions o) {
    if (o.webhook_secret.empty()) o.webhook_secret = kSecret;
    o.on_hint = [this](const DropHint&) {
      ++hints;
      return true;
    };
    auto s = NotificationServer::Start(std::move(o));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (s.ok()) server = std::move(s).value();
  }

  http::Response Send(const std::string& base, const std::string& method, const std::string& path,
                      const std::string& body = "", http::Headers headers = {}) {
    http::Request r;
    r.method = method;
    r.url = base + path;
    r.body = body;
    r.headers = std::move(headers);
    if (!body.empty()) r.headers["Content-Type"] = "application/json";
    auto res = client.Send(r);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? *res : http::Response{};
  }
  http::Response Signed(const std::string& body = Body()) {
    return Send(server->url(), "POST", "/v1/notifications/drops", body,
                {{std::string(kSignatureHeader), SignatureHeaderValue(kSecret, body)}});
  }
};

// A raw connection to 127.0.0.1:port.
int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  return fd;
}

// True when the server closed fd (recv gives 0 or an error) within timeout.
bool ClosedWithin(int fd, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  char buf[512];
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n <= 0) return true;
    }
  }
  return false;
}

TEST(PushAbuse, EventsWithoutAConfiguredKeyAre401) {
  ServerOptions o;  // events enabled (the default), no events key, no explicit opt-out
  Server s(std::move(o));
  const http::Response r = s.Send(s.server->url(), "POST", "/v1/events", "[]");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("events_key"), std::string::npos);
  EXPECT_EQ(s.Send(s.server->url(), "OPTIONS", "/v1/events", "",
                   {{"WebHook-Request-Origin", "eventgrid.azure.net"}})
                .status,
            401);
}

TEST(PushAbuse, MetricsAndHealthAreOnlyOnTheAdminListener) {
  ServerOptions o;
  o.host = "127.0.0.2";  // a listener other than the admin one (127.0.0.1)
  o.metrics = [] { return std::string("vivalink_drops{tenant=\"") + kTenant + "\"} 1\n"; };
  Server s(std::move(o));
  ASSERT_NE(s.server->admin_port(), 0);
  EXPECT_EQ(s.Send(s.server->url(), "GET", "/metrics").status, 404);
  EXPECT_EQ(s.Send(s.server->url(), "GET", "/healthz").status, 404);
  const http::Response m = s.Send(s.server->admin_url(), "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find(kTenant), std::string::npos);
  EXPECT_EQ(s.Send(s.server->admin_url(), "GET", "/healthz").status, 200);
  // The admin listener serves nothing else.
  EXPECT_EQ(s.Send(s.server->admin_url(), "POST", "/v1/notifications/drops", Body()).status, 404);
}

TEST(PushAbuse, OptionsDoesNotEchoAnUnknownOrigin) {
  ServerOptions o;
  o.events_unauthenticated = true;
  Server s(std::move(o));
  const http::Response evil = s.Send(s.server->url(), "OPTIONS", "/v1/events", "",
                                     {{"WebHook-Request-Origin", "evil.example"}});
  EXPECT_EQ(evil.status, 403);
  EXPECT_EQ(evil.Header("WebHook-Allowed-Origin"), "");
  const http::Response grid = s.Send(s.server->url(), "OPTIONS", "/v1/events", "",
                                     {{"WebHook-Request-Origin", "eventgrid.azure.net"}});
  EXPECT_EQ(grid.status, 200);
  EXPECT_EQ(grid.Header("WebHook-Allowed-Origin"), "eventgrid.azure.net");
}

TEST(PushAbuse, SlowClientIsCutAtTheRequestDeadline) {
  ServerOptions o;
  o.request_deadline = std::chrono::seconds(1);
  o.read_timeout = std::chrono::seconds(30);  // per recv: would hold the worker for minutes
  Server s(std::move(o));
  const int fd = Connect(s.server->port());
  // Headers trickle in, well within the per-recv timeout each time.
  const std::string start = "POST /v1/notifications/drops HTTP/1.1\r\nHost: x\r\n";
  ASSERT_EQ(::send(fd, start.data(), start.size(), 0), static_cast<ssize_t>(start.size()));
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {
    ::send(fd, "X", 1, MSG_NOSIGNAL);
    closed = ClosedWithin(fd, std::chrono::milliseconds(200));
  }
  ::close(fd);
  EXPECT_TRUE(closed) << "the connection outlived the 1 s deadline by seconds";
  EXPECT_GE(s.server->counters().closed_by_deadline, 1);
  // The server still answers everyone else.
  EXPECT_EQ(s.Signed().status, 202);
}

TEST(PushAbuse, ConnectionsPerSourceAreCapped) {
  ServerOptions o;
  o.max_connections_per_source = 2;
  o.threads = 8;
  Server s(std::move(o));
  std::vector<int> fds;
  for (int i = 0; i < 6; ++i) fds.push_back(Connect(s.server->port()));
  int closed = 0;
  for (int fd : fds) closed += ClosedWithin(fd, std::chrono::milliseconds(1500)) ? 1 : 0;
  for (int fd : fds) ::close(fd);
  EXPECT_GE(closed, 4);
  EXPECT_GE(s.server->counters().closed_by_source_cap, 4);
}

TEST(PushAbuse, OneSourceCannotFloodHints) {
  ServerOptions o;
  o.hints_per_second_per_source = 0.5;
  o.hint_burst_per_source = 3;
  Server s(std::move(o));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.Signed().status, 202) << i;
  const http::Response r = s.Signed();
  EXPECT_EQ(r.status, 429);
  EXPECT_FALSE(r.Header("Retry-After").empty());
  EXPECT_EQ(s.hints.load(), 3);
  EXPECT_EQ(s.server->counters().rejected_rate_limited, 1);
}

TEST(PushAbuse, AnEventBatchPaysPerDropEvent) {
  ServerOptions o;
  o.events_unauthenticated = true;
  o.hints_per_second_per_source = 0.5;
  o.hint_burst_per_source = 5;
  Server s(std::move(o));
  nlohmann::json batch = nlohmann::json::array();
  for (int i = 0; i < 10; ++i) {
    const std::string run = std::string(kRun).substr(0, 35) + std::to_string(i);
    batch.push_back(
        {{"id", std::to_string(i)},
         {"eventType", "Microsoft.Storage.BlobCreated"},
         {"subject", "/blobServices/default/containers/drops/blobs/" + run + "/VivaInsights/" +
                         kTenant + "/metadata/JobMetadata/metadata.json"},
         {"data", nlohmann::json::object()}});
  }
  EXPECT_EQ(s.Send(s.server->url(), "POST", "/v1/events", batch.dump()).status, 429);
  EXPECT_EQ(s.hints.load(), 0);  // refused whole, before any hint was offered
}

TEST(PushAbuse, LogFieldsAreEscaped) {
  DropHint h;
  h.ref = {kRun, "VivaInsights", kTenant};
  h.container = "drops\n2026-12-07T00:00:00Z info push: accepted forged";
  h.id = "id\r\x1b[31m";
  const std::string line = h.ToString();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  EXPECT_NE(line.find("drops\\x0a2026"), std::string::npos) << line;
}

}  // namespace
}  // namespace vivalink::push
