// QueueClient with a scripted transport: request shapes, XML parsing, error mapping.
#include "azure/queue_client.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "http/fake_transport.h"

namespace vivalink::azure {
namespace {

using namespace std::chrono_literals;

http::Response Resp(int status, std::string body = {}, http::Headers headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::unique_ptr<QueueClient> Client(std::shared_ptr<http::FakeTransport> fake,
                                    MessageEncoding encoding = MessageEncoding::kBase64) {
  QueueClientOptions o;
  o.transport = std::move(fake);
  o.encoding = encoding;
  auto key = SharedKeyCredential::Make("devstoreaccount1", kDevStoreKey);
  auto q = QueueClient::Make("http://127.0.0.1:10001/devstoreaccount1/drops", *key, o);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  return std::move(q).value();
}

constexpr char kReceived[] = R"(<?xml version="1.0" encoding="utf-8"?>
<QueueMessagesList><QueueMessage>
  <MessageId>m-1</MessageId>
  <InsertionTime>Fri, 27 Nov 2026 13:00:07 GMT</InsertionTime>
  <ExpirationTime>Fri, 04 Dec 2026 13:00:07 GMT</ExpirationTime>
  <PopReceipt>AgAAAAMAAAAAAAAA</PopReceipt>
  <TimeNextVisible>Fri, 27 Nov 2026 13:00:37 GMT</TimeNextVisible>
  <DequeueCount>3</DequeueCount>
  <MessageText>eyJSdW5JZCI6InIifQ==</MessageText>
</QueueMessage></QueueMessagesList>)";

TEST(QueueClient, SendPostsBase64MessageAndParsesReceipt) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(201, kReceived));
  auto q = Client(fake);
  SendMessageOptions o;
  o.visibility_timeout = 10s;
  o.time_to_live = 3600s;
  auto sent = q->Send(R"({"RunId":"r"})", o);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->message_id, "m-1");
  auto req = fake->requests().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url,
            "http://127.0.0.1:10001/devstoreaccount1/drops/messages?visibilitytimeout=10&"
            "messagettl=3600");
  EXPECT_EQ(req.body, "<QueueMessage><MessageText>" + core::Base64Encode(R"({"RunId":"r"})") +
                          "</MessageText></QueueMessage>");
  EXPECT_TRUE(req.headers.at("Authorization").starts_with("SharedKey devstoreaccount1:"));
}

TEST(QueueClient, ReceiveParsesMessagesAndDecodesText) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(200, kReceived));
  auto q = Client(fake);
  ReceiveMessagesOptions o;
  o.max_messages = 4;
  o.visibility_timeout = 45s;
  auto got = q->Receive(o);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  const QueueMessage& m = (*got)[0];
  EXPECT_EQ(m.text, R"({"RunId":"r"})");
  EXPECT_TRUE(m.decoded);
  EXPECT_EQ(m.dequeue_count, 3);
  EXPECT_EQ(m.pop_receipt, "AgAAAAMAAAAAAAAA");
  EXPECT_EQ(core::FormatIso8601(m.time_next_visible), "2026-11-27T13:00:37Z");
  EXPECT_EQ(core::FormatIso8601(m.expiration_time), "2026-12-04T13:00:07Z");
  EXPECT_EQ(fake->requests().at(0).url,
            "http://127.0.0.1:10001/devstoreaccount1/drops/messages?numofmessages=4&"
            "visibilitytimeout=45");
}

TEST(QueueClient, TextThatIsNotBase64IsKeptRaw) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(200,
                  "<QueueMessagesList><QueueMessage><MessageId>x</MessageId>"
                  "<MessageText>plain {text}</MessageText></QueueMessage></QueueMessagesList>"));
  auto got = Client(fake)->Peek(1);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)[0].text, "plain {text}");
  EXPECT_FALSE((*got)[0].decoded);
  EXPECT_NE(fake->requests().at(0).url.find("peekonly=true"), std::string::npos);
}

TEST(QueueClient, UnencodedModeEscapesXml) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(201, kReceived));
  ASSERT_TRUE(Client(fake, MessageEncoding::kNone)->Send("a<b&c").ok());
  EXPECT_EQ(fake->requests().at(0).body,
            "<QueueMessage><MessageText>a&lt;b&amp;c</MessageText></QueueMessage>");
}

TEST(QueueClient, UpdateReturnsNewPopReceiptAndDeleteMapsStaleReceipt) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(
      204, "",
      {{"x-ms-popreceipt", "NEW"}, {"x-ms-time-next-visible", "Fri, 27 Nov 2026 13:10:00 GMT"}}));
  fake->Push(Resp(400, "<Error><Code>PopReceiptMismatch</Code><Message>m</Message></Error>",
                  {{"x-ms-error-code", "PopReceiptMismatch"}}));
  fake->Push(Resp(404, "", {{"x-ms-error-code", "MessageNotFound"}}));
  auto q = Client(fake);
  auto updated = q->UpdateVisibility("m-1", "OLD/+=", 60s);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->pop_receipt, "NEW");
  EXPECT_EQ(core::FormatIso8601(updated->time_next_visible), "2026-11-27T13:10:00Z");
  auto req = fake->requests().at(0);
  EXPECT_EQ(req.method, "PUT");
  EXPECT_EQ(req.url,
            "http://127.0.0.1:10001/devstoreaccount1/drops/messages/m-1?popreceipt=OLD%2F%2B%3D&"
            "visibilitytimeout=60");
  core::Status stale = q->DeleteMessage("m-1", "OLD");
  EXPECT_EQ(stale.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_EQ(stale.remote()->http_status, 400);
  EXPECT_EQ(q->DeleteMessage("m-1", "NEW").code(), core::StatusCode::kNotFound);
  EXPECT_EQ(fake->requests().at(1).method, "DELETE");
}

TEST(QueueClient, CreateAcceptsExistingQueueAndValidatesCounts) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(201));
  fake->Push(Resp(204));
  auto q = Client(fake);
  EXPECT_TRUE(q->Create().ok());
  EXPECT_TRUE(q->Create().ok());
  ReceiveMessagesOptions o;
  o.max_messages = 0;
  EXPECT_EQ(q->Receive(o).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(q->Peek(33).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(QueueClient::Make("http://127.0.0.1:10001/devstoreaccount1", {}).status().code(),
            core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::azure
