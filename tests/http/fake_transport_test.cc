#include "http/fake_transport.h"

#include <gtest/gtest.h>

namespace vivalink::http {
namespace {

TEST(FakeTransport, AnswersInScriptOrderThenDefault500) {
  FakeTransport fake;
  Response a;
  a.status = 201;
  fake.Push(a);
  fake.PushError(core::UnavailableError("down"));
  Request req;
  req.url = "http://x/1";
  auto r1 = fake.Send(req);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->status, 201);
  auto r2 = fake.Send(req);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), core::StatusCode::kUnavailable);
  auto r3 = fake.Send(req);
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->status, 500);
  EXPECT_EQ(fake.requests().size(), 3u);
}

TEST(FakeTransport, RecordsRequestsWithStreamedBodies) {
  FakeTransport fake;
  core::MemorySource src("streamed");
  Request req;
  req.method = "PUT";
  req.url = "http://x/blob";
  req.headers["x-ms-blob-type"] = "BlockBlob";
  req.body_source = &src;
  ASSERT_TRUE(fake.Send(req).ok());
  auto seen = fake.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].body, "streamed");
  EXPECT_EQ(seen[0].body_source, nullptr);
  EXPECT_EQ(seen[0].headers.at("X-MS-BLOB-TYPE"), "BlockBlob");
}

TEST(FakeTransport, StreamsSuccessBodiesToTheCallbackInChunks) {
  FakeTransport fake;
  Response ok;
  ok.status = 200;
  ok.body = std::string(40000, 'z');
  fake.Push(ok);
  std::string got;
  int chunks = 0;
  auto r = fake.Send(Request{}, [&](std::string_view c) {
    got.append(c);
    ++chunks;
    return core::OkStatus();
  });
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(got, ok.body);
  EXPECT_GT(chunks, 1);
}

TEST(FakeTransport, BuffersErrorBodiesEvenWithCallback) {
  FakeTransport fake;
  Response err;
  err.status = 404;
  err.body = "<Error><Code>BlobNotFound</Code></Error>";
  fake.Push(err);
  bool called = false;
  auto r = fake.Send(Request{}, [&](std::string_view) {
    called = true;
    return core::OkStatus();
  });
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(called);
  EXPECT_EQ(r->body, err.body);
}

TEST(FakeTransport, HandlerAnswersWhenScriptIsEmpty) {
  FakeTransport fake;
  fake.SetHandler([](const Request& req) -> core::Result<Response> {
    Response r;
    r.status = 200;
    r.body = req.url;
    return r;
  });
  Request req;
  req.url = "http://x/echo";
  auto r = fake.Send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "http://x/echo");
}

}  // namespace
}  // namespace vivalink::http
