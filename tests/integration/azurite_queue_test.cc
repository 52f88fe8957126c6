// QueueClient against the shared Azurite.
#include <gtest/gtest.h>

#include <thread>

#include "azure/queue_client.h"
#include "azurite.h"

namespace vivalink::azure {
namespace {

using testing::AzuriteEnvironment;
using namespace std::chrono_literals;

std::unique_ptr<QueueClient> NewQueue(std::string_view name) {
  auto key = SharedKeyCredential::Make(std::string(kDevStoreAccount), kDevStoreKey);
  auto q = QueueClient::Make(AzuriteEnvironment::Get().QueueUrl(name), *key);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_TRUE((*q)->Create().ok());
  return std::move(q).value();
}

TEST(AzuriteQueue, SendReceiveDeleteRoundTripWithBase64Body) {
  auto q = NewQueue("drops");
  ASSERT_TRUE(q->Create().ok());  // creating again is fine
  const std::string body = R"({"TenantId":"t","RunId":"r","Container":"c"} <&>)";
  auto sent = q->Send(body);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_FALSE(sent->message_id.empty());
  EXPECT_FALSE(sent->pop_receipt.empty());

  auto peeked = q->Peek(5);
  ASSERT_TRUE(peeked.ok()) << peeked.status().ToString();
  ASSERT_EQ(peeked->size(), 1u);
  EXPECT_EQ((*peeked)[0].text, body);
  EXPECT_TRUE((*peeked)[0].pop_receipt.empty());
  EXPECT_EQ((*peeked)[0].dequeue_count, 0);

  auto got = q->Receive();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  const QueueMessage& m = (*got)[0];
  EXPECT_EQ(m.message_id, sent->message_id);
  EXPECT_EQ(m.text, body);
  EXPECT_TRUE(m.decoded);
  EXPECT_EQ(m.dequeue_count, 1);
  EXPECT_NE(m.insertion_time, core::TimePoint{});
  EXPECT_GT(m.time_next_visible, m.insertion_time);
  ASSERT_TRUE(q->DeleteMessage(m.message_id, m.pop_receipt).ok());
  EXPECT_TRUE(q->Receive()->empty());
  EXPECT_EQ(q->DeleteMessage(m.message_id, m.pop_receipt).code(), core::StatusCode::kNotFound);
  ASSERT_TRUE(q->Delete().ok());
  EXPECT_EQ(q->Send("x").status().code(), core::StatusCode::kNotFound);
}

TEST(AzuriteQueue, VisibilityTimeoutHidesMessageAndDequeueCountGrows) {
  auto q = NewQueue("visibility");
  ASSERT_TRUE(q->Send("work").ok());
  ReceiveMessagesOptions o;
  o.visibility_timeout = 1s;
  auto first = q->Receive(o);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].dequeue_count, 1);
  // Hidden while its visibility timeout runs (a competing consumer sees nothing).
  EXPECT_TRUE(q->Receive(o)->empty());
  std::this_thread::sleep_for(2100ms);
  auto second = q->Receive(o);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].message_id, (*first)[0].message_id);
  EXPECT_EQ((*second)[0].dequeue_count, 2);
  EXPECT_NE((*second)[0].pop_receipt, (*first)[0].pop_receipt);
  // The first consumer's receipt is stale now.
  core::Status stale = q->DeleteMessage((*first)[0].message_id, (*first)[0].pop_receipt);
  EXPECT_EQ(stale.code(), core::StatusCode::kFailedPrecondition) << stale.ToString();
  ASSERT_TRUE(stale.remote().has_value());
  EXPECT_EQ(stale.remote()->http_status, 400);
  EXPECT_EQ(stale.remote()->service_code, "PopReceiptMismatch");
  EXPECT_TRUE(q->DeleteMessage((*second)[0].message_id, (*second)[0].pop_receipt).ok());
}

TEST(AzuriteQueue, UpdateVisibilityReturnsANewPopReceipt) {
  auto q = NewQueue("update");
  ASSERT_TRUE(q->Send("long job").ok());
  auto got = q->Receive();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  const QueueMessage m = (*got)[0];
  auto updated = q->UpdateVisibility(m.message_id, m.pop_receipt, 60s);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_FALSE(updated->pop_receipt.empty());
  EXPECT_NE(updated->pop_receipt, m.pop_receipt);
  EXPECT_GT(updated->time_next_visible, m.time_next_visible);

  core::Status old_receipt = q->UpdateVisibility(m.message_id, m.pop_receipt, 0s).status();
  EXPECT_EQ(old_receipt.code(), core::StatusCode::kFailedPrecondition) << old_receipt.ToString();

  // Making it visible again (with new text) lets the next receive see it at once.
  const std::string text = "retry me";
  auto visible = q->UpdateVisibility(m.message_id, updated->pop_receipt, 0s, &text);
  ASSERT_TRUE(visible.ok()) << visible.status().ToString();
  auto again = q->Receive();
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].text, "retry me");
  EXPECT_EQ((*again)[0].dequeue_count, 2);
  EXPECT_EQ(q->DeleteMessage(m.message_id, updated->pop_receipt).code(),
            core::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(q->DeleteMessage(m.message_id, (*again)[0].pop_receipt).ok());
}

TEST(AzuriteQueue, ReceiveManyAndDelayedSend) {
  auto q = NewQueue("batch");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q->Send("m" + std::to_string(i)).ok());
  SendMessageOptions later;
  later.visibility_timeout = 30s;
  ASSERT_TRUE(q->Send("later", later).ok());
  ReceiveMessagesOptions o;
  o.max_messages = 32;
  auto got = q->Receive(o);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 5u);  // the delayed message is not visible yet
  o.max_messages = 33;
  EXPECT_EQ(q->Receive(o).status().code(), core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::azure
