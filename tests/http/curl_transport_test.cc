// CurlTransport against a real HTTP server (cpp-httplib) on 127.0.0.1, port chosen by the OS.
#include "http/curl_transport.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "http/retry.h"
#include "http/server_thread.h"

namespace vivalink::http {
namespace {

using namespace std::chrono_literals;

// A server on 127.0.0.1:<any port> whose handlers the test installs before Start(). Stop() (also
// run by the destructor) releases handlers blocked in WaitForStop(), stops and joins.
class LocalServer {
 public:
  ~LocalServer() { Stop(); }

  httplib::Server& server() { return server_; }

  void Start() {
    core::Status listening = listener_.Listen(server_, "127.0.0.1", 0);
    ASSERT_TRUE(listening.ok()) << listening.ToString();
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    listener_.Stop();
  }

  // For handlers simulating a hung server: returns after d or when the test ends.
  void WaitForStop(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, d, [this] { return stopping_; });
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(listener_.port()) + path;
  }

 private:
  httplib::Server server_;
  ServerThread listener_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

// A port nothing listens on: bound to a fresh socket by the OS, then closed.
int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

// A source that hands out bytes in small pieces and counts the reads, to prove streaming.
class CountingSource final : public core::ByteSource {
 public:
  explicit CountingSource(std::string data) : data_(std::move(data)) {}
  core::Result<size_t> Read(std::span<std::byte> out) override {
    ++reads;
    size_t n = std::min({out.size(), data_.size() - pos_, size_t{4096}});
    std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  int reads = 0;

 private:
  std::string data_;
  size_t pos_ = 0;
};

TEST(CurlTransport, GetReturnsStatusHeadersAndBody) {
  LocalServer srv;
  srv.server().Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("x-ms-request-id", "req-42");
    res.set_header("X-Echo", req.get_header_value("X-Custom"));
    res.set_content("hello world", "text/plain");
  });
  srv.Start();
  CurlTransport curl;
  Request req;
  req.url = srv.Url("/hello");
  req.headers["X-Custom"] = "value 1";
  auto r = curl.Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
  EXPECT_EQ(r->Header("X-MS-REQUEST-ID"), "req-42");
  EXPECT_EQ(r->Header("x-echo"), "value 1");
  EXPECT_EQ(r->Header("content-type"), "text/plain");
}

TEST(CurlTransport, NonSuccessStatusIsAResponseNotAnError) {
  LocalServer srv;
  srv.server().Get("/missing", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_header("x-ms-error-code", "BlobNotFound");
    res.set_content("<Error><Code>BlobNotFound</Code></Error>", "application/xml");
  });
  srv.Start();
  CurlTransport curl;
  Request req;
  req.url = srv.Url("/missing");
  auto r = curl.Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->Header("x-ms-error-code"), "BlobNotFound");
  EXPECT_EQ(r->body, "<Error><Code>BlobNotFound</Code></Error>");
}

TEST(CurlTransport, PutSendsBufferedBodyWithContentLengthAndNoContentType) {
  LocalServer srv;
  std::string got_body, got_length, got_type, got_expect;
  srv.server().Put("/blob", [&](const httplib::Request& req, httplib::Response& res) {
    got_body = req.body;
    got_length = req.get_header_value("Content-Length");
    got_type = req.get_header_value("Content-Type");
    got_expect = req.get_header_value("Expect");
    res.status = 201;
  });
  srv.Start();
  CurlTransport curl;
  Request req;
  req.method = "PUT";
  req.url = srv.Url("/blob");
  req.body = Pattern(3 << 20);  // large enough that curl would otherwise send Expect
  req.headers["x-ms-blob-type"] = "BlockBlob";
  auto r = curl.Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(got_body, req.body);
  EXPECT_EQ(got_length, std::to_string(req.body.size()));
  EXPECT_EQ(got_type, "");  // unsigned extra headers would break SharedKey signatures
  EXPECT_EQ(got_expect, "");
}

TEST(CurlTransport, PutWithEmptyBodySendsContentLengthZero) {
  LocalServer srv;
  std::string got_length = "unset";
  srv.server().Put("/container", [&](const httplib::Request& req, httplib::Response& res) {
    got_length = req.get_header_value("Content-Length");
    res.status = 201;
  });
  srv.Start();
  CurlTransport curl;
  Request req;
  req.method = "PUT";
  req.url = srv.Url("/container");
  auto r = curl.Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(got_length, "0");
}

TEST(CurlTransport, PostSendsBodyAndMethod) {
  LocalServer srv;
  std::string got_body, got_type;
  srv.server().Post("/token", [&](const httplib::Request& req, httplib::Response& res) {
    got_body = req.body;
    got_type = req.get_header_value("Content-Type");
    res.set_content(R"({"access_token":"x"})", "application/json");
  });
  srv.Start();
  CurlTransport curl;
  Request req;
  req.method = "POST";
  req.url = srv.Url("/token");
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.body = "grant_type=client_credentials&scope=x";
  auto r = curl.Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(got_body, req.body);
  EXPECT_EQ(got_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(r->body, R"({"access_token":"x"})");
}

TEST(CurlTransport, DeleteAndHeadUseTheirMethods) {
  LocalServer srv;
  std::atomic<int> deletes{0};
  srv.server().Delete("/blob", [&](const httplib::Request&, httplib::Response& res) {
    ++deletes;
    res.status = 202;
  });
  srv.server().Get("/blob", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("x-ms-meta-a", "1");
    res.set_content("0123456789", "application/octet-stream");
  });
  srv.Start();
  CurlTransport curl;
  Request del;
  del.method = "DELETE";
  del.url = srv.Url("/blob");
  auto r = curl.Send(del);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(deletes.load(), 1);
  Request head;
  head.method = "HEAD";
  head.url = srv.Url("/blob");
  auto h = curl.Send(head);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->Header("Content-Length"), "10");
  EXPECT_EQ(h->Header("x-ms-meta-a"), "1");
  EXPECT_TRUE(h->body.empty());
}

TEST(CurlTransport, StreamsDownloadToCallbackInChunks) {
  LocalServer srv;
  const std::string payload = Pattern(5 << 20);
  srv.server().Get("/big", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(payload.size(), "application/octet-stream",
                             [&](size_t offset, size_t length, httplib::DataSink& sink) {
                               size_t n = std::min<size_t>(length, 64 * 1024);
                               sink.write(payload.data() + offset, n);
                               return true;
                             });
  });
  srv.Start();
  CurlTransport curl;
  Request req;
  req.url = srv.Url("/big");
  std::string got;
  int chunks = 0;
  size_t largest = 0;
  auto r = curl.Send(req, [&](std::string_view c) {
    got.append(c);
    ++chunks;
    largest = std::max(largest, c.size());
    return core::OkStatus();
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  EXPECT_TRUE(got == payload);
  EXPECT_GT(chunks, 10);
  EXPECT_LE(largest, size_t{CURL_MAX_WRITE_SIZE});
}

TEST(CurlTransport, BuffersErrorBodyEvenWhenStreaming) {
  LocalServer srv;
  srv.server().Get("/denied", [](const httplib::Request&, httplib::Response& res) {
    res.status = 403;
    res.set_content("<Error><Code>AuthorizationFailure</Code></Error>", "application/xml");
  });
  srv.Start();
  CurlTransport curl;
  Request req;
  req.url = srv.Url("/denied");
  bool called = false;
  auto r = curl.Send(req, [&](std::string_view) {
    called = true;
    return core::OkStatus();
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 403);
  EXPECT_FALSE(called);
  EXPECT_EQ(r->body, "<Error><Code>AuthorizationFailure</Code></Error>");
}

TEST(CurlTransport, CallbackErrorAbortsDownloadAndIsReturned) {
  LocalServer srv;
  const std::string payload = Pattern(4 << 20);
  srv.server().Get("/big", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(payload, "application/octet-stream");
  });
  srv.Start();
  CurlTransport curl;
  Request req;
  req.url = srv.Url("/big");
  size_t seen = 0;
  auto r = curl.Send(req, [&](std::string_view c) -> core::Status {
    seen += c.size();
    if (seen > 100000) return core::DataLossError("bad padding at byte 100000");
    return core::OkStatus();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("bad padding"), std::string::npos);
  EXPECT_LT(seen, payload.size());
}

TEST(CurlTransport, StreamsUploadFromBodySource) {
  LocalServer srv;
  std::string got;
  size_t server_chunks = 0;
  srv.server().Put("/upload", [&](const httplib::Request&, httplib::Response& res,
                                  const httplib::ContentReader& reader) {
    reader([&](const char* data, size_t n) {
      got.append(data, n);
      ++server_chunks;
      return true;
    });
    res.status = 201;
  });
  srv.Start();
  const std::string payload = Pattern(2 << 20);
  CountingSource src(payload);
  CurlTransport curl;
  Request req;
  req.method = "PUT";
  req.url = srv.Url("/upload");
  req.body_source = &src;
  req.headers["Content-Length"] = std::to_string(payload.size());
  auto r = curl.Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_TRUE(got == payload);
  EXPECT_GE(src.reads, static_cast<int>(payload.size() / 4096));  // pulled piece by piece
}

TEST(CurlTransport, StreamedUploadWithoutContentLengthIsInvalidArgument) {
  CurlTransport curl;
  core::MemorySource src("abc");
  Request req;
  req.method = "PUT";
  req.url = "http://127.0.0.1:1/x";
  req.body_source = &src;
  auto r = curl.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(CurlTransport, BodySourceShorterThanContentLengthFails) {
  LocalServer srv;
  srv.server().Put("/upload", [&](const httplib::Request&, httplib::Response& res,
                                  const httplib::ContentReader& reader) {
    reader([&](const char*, size_t) { return true; });
    res.status = 201;
  });
  srv.Start();
  core::MemorySource src("only ten b");
  CurlTransport curl;
  Request req;
  req.method = "PUT";
  req.url = srv.Url("/upload");
  req.body_source = &src;
  req.headers["Content-Length"] = "100";
  auto r = curl.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("10 of the 100 bytes"), std::string::npos)
      << r.status().message();
}

TEST(CurlTransport, ReusesTheConnectionForSequentialRequests) {
  LocalServer srv;
  std::mutex mu;
  std::vector<int> ports;
  srv.server().Get("/ping", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    ports.push_back(req.remote_port);
    res.set_content("pong", "text/plain");
  });
  srv.Start();
  CurlTransport curl;
  Request req;
  req.url = srv.Url("/ping");
  for (int i = 0; i < 3; ++i) {
    auto r = curl.Send(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(ports[0], ports[1]);  // same client socket: keep-alive
  EXPECT_EQ(ports[1], ports[2]);
}

TEST(CurlTransport, ConcurrentSendsFromThreadsAllSucceed) {
  LocalServer srv;
  srv.server().Get(R"(/n/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.matches[1].str(), "text/plain");
  });
  srv.Start();
  CurlTransport curl;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        Request req;
        std::string n = std::to_string(t * 100 + i);
        req.url = srv.Url("/n/" + n);
        auto r = curl.Send(req);
        if (r.ok() && r->status == 200 && r->body == n) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 40);
}

TEST(CurlTransport, ConnectionRefusedIsUnavailable) {
  CurlTransport curl;
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(UnusedPort()) + "/x?sig=SECRETSIG";
  auto r = curl.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("GET http://127.0.0.1:"), std::string::npos);
  EXPECT_EQ(r.status().message().find("SECRETSIG"), std::string::npos);  // no query in messages
}

TEST(CurlTransport, ServerTooSlowIsUnavailable) {
  LocalServer srv;
  srv.server().Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    srv.WaitForStop(10s);
    res.set_content("late", "text/plain");
  });
  srv.Start();
  CurlTransport curl;
  Request req;
  req.url = srv.Url("/slow");
  req.timeout = 300ms;
  auto r = curl.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("/slow"), std::string::npos);
}

TEST(CurlTransport, StalledDownloadIsAbortedAsUnavailable) {
  LocalServer srv;
  srv.server().Get("/stall", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(1000000, "application/octet-stream",
                             [&](size_t, size_t, httplib::DataSink&) {
                               // Headers are out; the body never comes.
                               srv.WaitForStop(20s);
                               return false;
                             });
  });
  srv.Start();
  CurlOptions options;
  options.low_speed_limit = 1;
  options.low_speed_time = 1;
  CurlTransport curl(options);
  Request req;
  req.url = srv.Url("/stall");
  req.timeout = 0ms;  // only the low-speed guard may end this
  std::string got;
  auto r = curl.Send(req, [&](std::string_view c) {
    got.append(c);
    return core::OkStatus();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_TRUE(got.empty());
  // The low-speed guard fired (not the server giving up).
  EXPECT_NE(r.status().message().find("too slow"), std::string::npos) << r.status().message();
}

TEST(CurlTransport, MalformedUrlIsInvalidArgument) {
  CurlTransport curl;
  Request req;
  req.url = "ftp://127.0.0.1/x";
  auto r = curl.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(CurlTransport, HeaderWithLineBreakIsRefused) {
  CurlTransport curl;
  Request req;
  req.url = "http://127.0.0.1:1/x";
  req.headers["X-Evil"] = "a\r\nInjected: yes";
  auto r = curl.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(CurlTransport, RetryingTransportRecoversFromServer503) {
  LocalServer srv;
  std::atomic<int> calls{0};
  srv.server().Get("/flaky", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls < 3) {
      res.status = 503;
      res.set_header("Retry-After", "0");
      return;
    }
    res.set_content("finally", "text/plain");
  });
  srv.Start();
  RetryOptions o;
  o.sleep = [](std::chrono::milliseconds) {};
  RetryingTransport retry(std::make_shared<CurlTransport>(), o);
  Request req;
  req.url = srv.Url("/flaky");
  auto r = retry.Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "finally");
  EXPECT_EQ(r->attempt, 3);
  EXPECT_EQ(calls.load(), 3);
}

}  // namespace
}  // namespace vivalink::http
