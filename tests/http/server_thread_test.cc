// ServerThread: binds strictly (no SO_REUSEPORT sharing), serves, stops idempotently.
#include "http/server_thread.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "http/curl_transport.h"

namespace vivalink::http {
namespace {

TEST(ServerThread, ServesOnAFreePortAndStopsTwice) {
  httplib::Server server;
  server.Get("/ping", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("pong", "text/plain");
  });
  ServerThread listener;
  ASSERT_TRUE(listener.Listen(server, "127.0.0.1", 0).ok());
  ASSERT_GT(listener.port(), 0);
  CurlTransport client;
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(listener.port()) + "/ping";
  auto resp = client.Send(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->body, "pong");
  listener.Stop();
  listener.Stop();
}

TEST(ServerThread, ASecondServerOnAPortInUseIsUnavailable) {
  httplib::Server first, second;
  ServerThread a, b;
  ASSERT_TRUE(a.Listen(first, "127.0.0.1", 0).ok());
  core::Status st = b.Listen(second, "127.0.0.1", a.port());
  EXPECT_EQ(st.code(), core::StatusCode::kUnavailable) << st.ToString();
}

}  // namespace
}  // namespace vivalink::http
