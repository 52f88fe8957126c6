// QueueConsumer (push/queue_consumer.h) against a private Azurite: delete on success, redelivery
// after failure, visibility renewal during a long handler, poison queue, competing consumers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "azure/queue_client.h"
#include "azurite.h"
#include "push/queue_consumer.h"

namespace vivalink::push {
namespace {

using namespace std::chrono_literals;
using testing::AzuriteEnvironment;

::testing::Environment* const kAzurite =
    ::testing::AddGlobalTestEnvironment(new AzuriteEnvironment);

constexpr const char* kTenant = "0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c";

std::string RunId(int n) { return fmt::format("00000000-0000-4000-8000-{:012}", n); }

// The body vivasim's queue notifier puts on the queue (sim::Notification::ToJson).
std::string Body(int n, const std::string& tenant = kTenant) {
  const std::string run = RunId(n);
  return nlohmann::ordered_json{
      {"TenantId", tenant},
      {"RunId", run},
      {"Container", "drops"},
      {"MetadataPath", run + "/VivaInsights/" + tenant + "/metadata/JobMetadata/metadata.json"},
      {"CopyActivityId", fmt::format("copy-{}", n)}}
      .dump();
}

std::shared_ptr<azure::QueueClient> Client(
    const std::string& name, azure::MessageEncoding encoding = azure::MessageEncoding::kBase64) {
  auto key =
      azure::SharedKeyCredential::Make(std::string(azure::kDevStoreAccount), azure::kDevStoreKey);
  EXPECT_TRUE(key.ok());
  azure::QueueClientOptions o;
  o.encoding = encoding;
  auto q = azure::QueueClient::Make(AzuriteEnvironment::Get().QueueUrl(name), *key, o);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  return q.ok() ? std::shared_ptr<azure::QueueClient>(std::move(*q)) : nullptr;
}

// A fresh queue (created) and the client of its poison queue (not created: the consumer must).
struct Queues {
  std::shared_ptr<azure::QueueClient> main;
  std::shared_ptr<azure::QueueClient> poison;
};

Queues NewQueues(const std::string& name) {
  Queues q{Client(name), Client(name + "-poison")};
  EXPECT_TRUE(q.main->Create().ok());
  return q;
}

std::unique_ptr<QueueConsumer> NewConsumer(const Queues& q, QueueConsumerOptions o = {}) {
  o.poison = q.poison;
  auto c = QueueConsumer::Make(q.main, std::move(o));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

size_t Visible(azure::QueueClient& q) {
  auto peeked = q.Peek(32);
  return peeked.ok() ? peeked->size() : 0;
}

TEST(PushQueueAzurite, DeletesTheMessageAfterTheHandlerSucceeds) {
  Queues q = NewQueues("consume-ok");
  ASSERT_TRUE(q.main->Send(Body(1)).ok());
  auto consumer = NewConsumer(q);
  ASSERT_NE(consumer, nullptr);
  std::vector<DropHint> seen;
  auto n = consumer->PollOnce([&](const DropHint& h) {
    seen.push_back(h);
    return core::OkStatus();
  });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].source, HintSource::kQueue);
  EXPECT_EQ(seen[0].ref.run_id, RunId(1));
  EXPECT_EQ(seen[0].ref.tenant_id, kTenant);
  EXPECT_EQ(seen[0].container, "drops");
  EXPECT_EQ(seen[0].id, "copy-1");
  EXPECT_EQ(Visible(*q.main), 0u);
  EXPECT_TRUE(q.main->Receive()->empty());  // deleted, not merely hidden
  const QueueConsumerStats s = consumer->stats();
  EXPECT_EQ(s.received, 1);
  EXPECT_EQ(s.handled, 1);
  EXPECT_EQ(s.failed, 0);
  EXPECT_EQ(s.poisoned, 0);
  // Nothing left: the next poll receives nothing.
  auto again = consumer->PollOnce([](const DropHint&) { return core::OkStatus(); });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST(PushQueueAzurite, ReceivesOneAtATimeUpToThePollLimit) {
  Queues q = NewQueues("consume-limit");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q.main->Send(Body(i)).ok());
  QueueConsumerOptions o;
  o.max_messages_per_poll = 3;
  auto consumer = NewConsumer(q, o);
  ASSERT_NE(consumer, nullptr);
  int calls = 0;
  auto n = consumer->PollOnce([&](const DropHint&) {
    ++calls;
    // One at a time: while this one is handled the others are still visible to other consumers.
    EXPECT_EQ(Visible(*q.main), static_cast<size_t>(5 - calls));
    return core::OkStatus();
  });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(Visible(*q.main), 2u);
}

TEST(PushQueueAzurite, MessageReappearsAfterTheHandlerFails) {
  Queues q = NewQueues("consume-fail");
  ASSERT_TRUE(q.main->Send(Body(2)).ok());
  QueueConsumerOptions o;
  o.visibility_timeout = 2s;
  auto consumer = NewConsumer(q, o);
  ASSERT_NE(consumer, nullptr);
  auto n = consumer->PollOnce(
      [](const DropHint&) { return core::UnavailableError("database is down"); });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(consumer->stats().failed, 1);
  // Not deleted, only hidden for the rest of its visibility timeout.
  EXPECT_TRUE(q.main->Receive()->empty());
  std::this_thread::sleep_for(3s);
  auto back = q.main->Peek(1);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].dequeue_count, 1);
  std::vector<DropHint> seen;
  n = consumer->PollOnce([&](const DropHint& h) {
    seen.push_back(h);
    return core::OkStatus();
  });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].ref.run_id, RunId(2));
  EXPECT_EQ(Visible(*q.main), 0u);
  EXPECT_EQ(consumer->stats().handled, 1);
}

TEST(PushQueueAzurite, FailureVisibilitySetsTheRetryDelay) {
  Queues q = NewQueues("consume-retry");
  ASSERT_TRUE(q.main->Send(Body(3)).ok());
  QueueConsumerOptions o;
  o.visibility_timeout = 60s;
  o.failure_visibility = 0s;
  o.max_messages_per_poll = 1;
  auto consumer = NewConsumer(q, o);
  ASSERT_NE(consumer, nullptr);
  auto n = consumer->PollOnce([](const DropHint&) -> core::Status {
    throw std::runtime_error("handler bug");  // a throw is a failed attempt, not a crash
  });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(consumer->stats().failed, 1);
  // Visible again at once, not after the 60 s visibility timeout.
  auto back = q.main->Receive();
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].dequeue_count, 2);
}

TEST(PushQueueAzurite, VisibilityIsRenewedWhileAHandlerRunsLongerThanTheTimeout) {
  Queues q = NewQueues("consume-renew");
  ASSERT_TRUE(q.main->Send(Body(4)).ok());
  QueueConsumerOptions o;
  o.visibility_timeout = 2s;  // renewed every 1 s
  auto consumer = NewConsumer(q, o);
  auto rival = NewConsumer(q, o);
  ASSERT_NE(consumer, nullptr);
  ASSERT_NE(rival, nullptr);

  std::atomic<bool> handling{false};
  std::atomic<bool> done{false};
  std::atomic<int> rival_got{0};
  std::atomic<int> rival_polls{0};
  std::thread competitor([&] {
    while (!handling.load()) std::this_thread::sleep_for(10ms);
    while (!done.load()) {
      auto n = rival->PollOnce([&](const DropHint&) {
        ++rival_got;
        return core::OkStatus();
      });
      EXPECT_TRUE(n.ok()) << n.status().ToString();
      ++rival_polls;
      std::this_thread::sleep_for(200ms);
    }
  });
  auto n = consumer->PollOnce([&](const DropHint&) {
    handling = true;
    std::this_thread::sleep_for(5s);  // 2.5 visibility timeouts
    return core::OkStatus();
  });
  done = true;
  competitor.join();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  EXPECT_GT(rival_polls.load(), 10);
  EXPECT_EQ(rival_got.load(), 0) << "another consumer received the message while it was handled";
  const QueueConsumerStats s = consumer->stats();
  EXPECT_GE(s.renewals, 3);
  EXPECT_EQ(s.lost_leases, 0);  // the delete used the latest pop receipt
  EXPECT_EQ(s.handled, 1);
  EXPECT_EQ(Visible(*q.main), 0u);
  std::this_thread::sleep_for(2500ms);  // past any visibility: it was deleted, not hidden
  EXPECT_TRUE(q.main->Receive()->empty());
}

TEST(PushQueueAzurite, MessageGoesToThePoisonQueueAfterMaxDequeueCount) {
  Queues q = NewQueues("consume-poison");
  const std::string body = Body(5);
  ASSERT_TRUE(q.main->Send(body).ok());
  QueueConsumerOptions o;
  o.max_dequeue_count = 2;
  o.failure_visibility = 0s;  // retry at once, so one poll sees every delivery
  auto consumer = NewConsumer(q, o);
  ASSERT_NE(consumer, nullptr);
  int calls = 0;
  auto n = consumer->PollOnce([&](const DropHint&) {
    ++calls;
    return core::DataLossError("the drop is corrupt");
  });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(calls, 2);  // deliveries 1 and 2 handled, delivery 3 poisoned
  EXPECT_EQ(*n, 3);
  const QueueConsumerStats s = consumer->stats();
  EXPECT_EQ(s.failed, 2);
  EXPECT_EQ(s.poisoned, 1);
  EXPECT_EQ(Visible(*q.main), 0u);
  EXPECT_TRUE(q.main->Receive()->empty());
  // The poison queue was created on demand and holds the original text.
  auto poisoned = q.poison->Peek(32);
  ASSERT_TRUE(poisoned.ok()) << poisoned.status().ToString();
  ASSERT_EQ(poisoned->size(), 1u);
  EXPECT_EQ((*poisoned)[0].text, body);
}

TEST(PushQueueAzurite, UnparseableMessagesArePoisonedAtOnce) {
  Queues q = NewQueues("consume-garbage");
  // TenantId says one tenant, MetadataPath points at another's drop.
  nlohmann::json j = nlohmann::json::parse(Body(6));
  j["MetadataPath"] =
      nlohmann::json::parse(Body(6, "11111111-2222-4333-8444-555555555555"))["MetadataPath"];
  const std::string wrong = j.dump();
  ASSERT_TRUE(q.main->Send("this is not json").ok());
  ASSERT_TRUE(q.main->Send(wrong).ok());
  ASSERT_TRUE(q.main->Send(Body(7)).ok());
  auto consumer = NewConsumer(q);
  ASSERT_NE(consumer, nullptr);
  std::vector<std::string> handled;
  auto n = consumer->PollOnce([&](const DropHint& h) {
    handled.push_back(h.ref.run_id);
    return core::OkStatus();
  });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(handled, std::vector<std::string>{RunId(7)});
  EXPECT_EQ(consumer->stats().poisoned, 2);
  EXPECT_EQ(Visible(*q.main), 0u);
  auto poisoned = q.poison->Peek(32);
  ASSERT_TRUE(poisoned.ok());
  std::multiset<std::string> texts;
  for (const auto& m : *poisoned) texts.insert(m.text);
  EXPECT_EQ(texts, (std::multiset<std::string>{"this is not json", wrong}));
}

TEST(PushQueueAzurite, PlainTextMessagesAreAcceptedToo) {
  // Senders that do not base64-encode (MessageEncoding::kNone) put the JSON as is.
  Queues q = NewQueues("consume-plain");
  auto plain = Client("consume-plain", azure::MessageEncoding::kNone);
  ASSERT_TRUE(plain->Send(Body(8)).ok());
  auto consumer = NewConsumer(q);
  ASSERT_NE(consumer, nullptr);
  std::string run;
  auto n = consumer->PollOnce([&](const DropHint& h) {
    run = h.ref.run_id;
    return core::OkStatus();
  });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(run, RunId(8));
}

TEST(PushQueueAzurite, CompetingConsumersGetDistinctMessages) {
  constexpr int kMessages = 20;
  Queues q = NewQueues("consume-compete");
  for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(q.main->Send(Body(100 + i)).ok());
  std::mutex mu;
  std::multiset<std::string> all;
  std::atomic<int> total{0};
  std::vector<int> per_consumer(2, 0);
  std::vector<std::thread> threads;
  for (int c = 0; c < 2; ++c) {
    threads.emplace_back([&, c] {
      // Each consumer has its own clients, as two processes would.
      Queues mine{Client("consume-compete"), Client("consume-compete-poison")};
      auto consumer = NewConsumer(mine);
      if (consumer == nullptr) return;
      const auto deadline = std::chrono::steady_clock::now() + 60s;
      while (total.load() < kMessages && std::chrono::steady_clock::now() < deadline) {
        auto n = consumer->PollOnce([&](const DropHint& h) {
          std::this_thread::sleep_for(100ms);  // work, so the other consumer gets a turn
          std::lock_guard<std::mutex> lock(mu);
          all.insert(h.ref.run_id);
          ++per_consumer[static_cast<size_t>(c)];
          ++total;
          return core::OkStatus();
        });
        EXPECT_TRUE(n.ok()) << n.status().ToString();
        if (n.ok() && *n == 0) std::this_thread::sleep_for(50ms);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(all.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(all.count(RunId(100 + i)), 1u) << "message " << i << " handled more than once";
  }
  EXPECT_GT(per_consumer[0], 0);
  EXPECT_GT(per_consumer[1], 0);
  EXPECT_EQ(Visible(*q.main), 0u);
  EXPECT_EQ(Visible(*q.poison), 0u);
}

}  // namespace
}  // namespace vivalink::push
