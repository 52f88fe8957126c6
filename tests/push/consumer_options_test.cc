// QueueConsumer option checks and poison queue naming (no queue service needed: nothing here
// sends a request). The consumer's behaviour against a real queue is in
// queue_consumer_azurite_test.cc.
#include <gtest/gtest.h>

#include "push/queue_consumer.h"

namespace vivalink::push {
namespace {

using core::StatusCode;
using namespace std::chrono_literals;

std::shared_ptr<azure::QueueClient> Client(const std::string& url) {
  auto c = azure::QueueClient::Make(url, azure::Credential{});
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::shared_ptr<azure::QueueClient>(std::move(*c)) : nullptr;
}

QueueConsumerOptions Valid() {
  QueueConsumerOptions o;
  o.poison = Client("http://127.0.0.1:9/devstoreaccount1/drops-poison");
  return o;
}

StatusCode MakeCode(QueueConsumerOptions o, bool with_queue = true) {
  auto c = QueueConsumer::Make(
      with_queue ? Client("http://127.0.0.1:9/devstoreaccount1/drops") : nullptr, std::move(o));
  return c.ok() ? StatusCode::kOk : c.status().code();
}

TEST(PushConsumerOptions, DefaultsWithAPoisonQueueAreValid) {
  EXPECT_EQ(MakeCode(Valid()), StatusCode::kOk);
}

TEST(PushConsumerOptions, QueueAndPoisonQueueAreRequired) {
  EXPECT_EQ(MakeCode(Valid(), false), StatusCode::kInvalidArgument);
  QueueConsumerOptions o = Valid();
  o.poison.reset();
  EXPECT_EQ(MakeCode(o), StatusCode::kInvalidArgument);
}

TEST(PushConsumerOptions, RefusesOutOfRangeValues) {
  QueueConsumerOptions o = Valid();
  o.visibility_timeout = 0s;
  EXPECT_EQ(MakeCode(o), StatusCode::kInvalidArgument);
  o = Valid();
  o.visibility_timeout = std::chrono::seconds(8 * 24 * 3600);
  EXPECT_EQ(MakeCode(o), StatusCode::kInvalidArgument);
  o = Valid();
  o.visibility_timeout = 2s;
  o.renew_every = 2000ms;  // not shorter than the visibility timeout
  EXPECT_EQ(MakeCode(o), StatusCode::kInvalidArgument);
  o.renew_every = -5ms;
  EXPECT_EQ(MakeCode(o), StatusCode::kInvalidArgument);
  o = Valid();
  o.max_dequeue_count = 0;
  EXPECT_EQ(MakeCode(o), StatusCode::kInvalidArgument);
  o = Valid();
  o.max_messages_per_poll = 0;
  EXPECT_EQ(MakeCode(o), StatusCode::kInvalidArgument);
  o = Valid();
  o.failure_visibility = -1s;
  EXPECT_EQ(MakeCode(o), StatusCode::kInvalidArgument);
  o.failure_visibility = 0s;
  EXPECT_EQ(MakeCode(o), StatusCode::kOk);
}

TEST(PushConsumerOptions, OneSecondVisibilityGetsAHalfSecondRenewal) {
  QueueConsumerOptions o = Valid();
  o.visibility_timeout = 1s;  // renew_every 0 -> 500 ms, still shorter: valid
  EXPECT_EQ(MakeCode(o), StatusCode::kOk);
}

TEST(PushConsumerOptions, PoisonQueueUrlAppendsToTheQueueName) {
  auto azurite = PoisonQueueUrl("http://127.0.0.1:10001/devstoreaccount1/drops");
  ASSERT_TRUE(azurite.ok()) << azurite.status().ToString();
  EXPECT_EQ(*azurite, "http://127.0.0.1:10001/devstoreaccount1/drops-poison");
  auto azure = PoisonQueueUrl("https://acct.queue.core.windows.net/drops?sv=2021&sig=abc");
  ASSERT_TRUE(azure.ok()) << azure.status().ToString();
  EXPECT_EQ(*azure, "https://acct.queue.core.windows.net/drops-poison?sv=2021&sig=abc");
}

TEST(PushConsumerOptions, PoisonQueueUrlRefusesUrlsWithoutOneQueueName) {
  EXPECT_EQ(PoisonQueueUrl("https://acct.queue.core.windows.net/").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PoisonQueueUrl("https://acct.queue.core.windows.net/a/b").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PoisonQueueUrl("ftp://x/y").status().code(), StatusCode::kInvalidArgument);
}

TEST(PushConsumerOptions, PoisonQueueUrlRefusesNamesThatWouldBeTooLong) {
  const std::string name(57, 'q');  // + "-poison" = 64 > 63
  auto r = PoisonQueueUrl("https://acct.queue.core.windows.net/" + name);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("63"), std::string::npos) << r.status().message();
  EXPECT_TRUE(PoisonQueueUrl("https://acct.queue.core.windows.net/" + name.substr(1)).ok());
}

}  // namespace
}  // namespace vivalink::push
