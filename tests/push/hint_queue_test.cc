// HintQueue (push/hint_queue.h): bounded, de-duplicating, closable, safe across threads.
#include "push/hint_queue.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

namespace vivalink::push {
namespace {

using namespace std::chrono_literals;

constexpr const char* kTenant = "0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c";

// A hint for run number n (distinct runs are distinct drops).
DropHint Hint(int n, HintSource source = HintSource::kWebActivity,
              const std::string& kind = "VivaInsights") {
  DropHint h;
  h.source = source;
  h.ref.run_id = fmt::format("00000000-0000-4000-8000-{:012}", n);
  h.ref.kind = kind;
  h.ref.tenant_id = kTenant;
  h.id = std::to_string(n);
  return h;
}

TEST(PushHintQueue, PopsInOfferOrder) {
  HintQueue q(8);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.Offer(Hint(i)));
  EXPECT_EQ(q.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    auto h = q.WaitPop(0ms);
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->id, std::to_string(i));
  }
  EXPECT_EQ(q.size(), 0u);
  EXPECT_FALSE(q.WaitPop(0ms).has_value());
}

TEST(PushHintQueue, DuplicateOfAWaitingDropIsAcceptedButQueuedOnce) {
  HintQueue q(8);
  ASSERT_TRUE(q.Offer(Hint(1, HintSource::kWebActivity)));
  EXPECT_TRUE(q.Offer(Hint(1, HintSource::kEventGrid)));  // same drop from another channel
  EXPECT_EQ(q.size(), 1u);
  auto h = q.WaitPop(0ms);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->source, HintSource::kWebActivity);  // the first one is kept
  EXPECT_FALSE(q.WaitPop(0ms).has_value());
}

TEST(PushHintQueue, OtherKindOfTheSameRunIsAnotherDrop) {
  HintQueue q(8);
  ASSERT_TRUE(q.Offer(Hint(1)));
  ASSERT_TRUE(q.Offer(Hint(1, HintSource::kWebActivity, "AADUser")));
  EXPECT_EQ(q.size(), 2u);
}

TEST(PushHintQueue, SameDropCanBeQueuedAgainAfterItWasPopped) {
  HintQueue q(8);
  ASSERT_TRUE(q.Offer(Hint(1)));
  ASSERT_TRUE(q.WaitPop(0ms).has_value());
  ASSERT_TRUE(q.Offer(Hint(1)));
  EXPECT_EQ(q.size(), 1u);
}

TEST(PushHintQueue, FullQueueRefusesNewDropsButNotDuplicates) {
  HintQueue q(2);
  EXPECT_EQ(q.capacity(), 2u);
  ASSERT_TRUE(q.Offer(Hint(1)));
  ASSERT_TRUE(q.Offer(Hint(2)));
  EXPECT_FALSE(q.Offer(Hint(3)));
  EXPECT_TRUE(q.Offer(Hint(2)));  // already waiting: nothing to add
  EXPECT_EQ(q.size(), 2u);
  ASSERT_TRUE(q.WaitPop(0ms).has_value());
  EXPECT_TRUE(q.Offer(Hint(3)));  // room again
}

TEST(PushHintQueue, ZeroCapacityIsTakenAsOne) {
  HintQueue q(0);
  EXPECT_EQ(q.capacity(), 1u);
  EXPECT_TRUE(q.Offer(Hint(1)));
  EXPECT_FALSE(q.Offer(Hint(2)));
}

TEST(PushHintQueue, WaitPopTimesOutOnAnEmptyQueue) {
  HintQueue q(2);
  EXPECT_FALSE(q.WaitPop(20ms).has_value());
}

TEST(PushHintQueue, WaitPopWakesForAnOfferFromAnotherThread) {
  HintQueue q(2);
  std::optional<DropHint> got;
  std::thread waiter([&] { got = q.WaitPop(60s); });
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(q.Offer(Hint(7)));
  waiter.join();  // would take a minute if the offer did not wake it
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, "7");
}

TEST(PushHintQueue, CloseWakesEveryWaiter) {
  HintQueue q(2);
  std::atomic<int> woken{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&] {
      if (!q.WaitPop(60s).has_value()) ++woken;
    });
  }
  std::this_thread::sleep_for(50ms);
  q.Close();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(woken.load(), 3);
  EXPECT_TRUE(q.closed());
}

TEST(PushHintQueue, ClosedQueueRefusesOffersButHandsOutWhatWaits) {
  HintQueue q(4);
  ASSERT_TRUE(q.Offer(Hint(1)));
  q.Close();
  q.Close();  // idempotent
  EXPECT_FALSE(q.Offer(Hint(2)));
  EXPECT_FALSE(q.Offer(Hint(1)));  // even a duplicate: the queue is closed
  auto h = q.WaitPop(60s);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->id, "1");
  EXPECT_FALSE(q.WaitPop(60s).has_value());  // closed and empty: at once
}

TEST(PushHintQueue, ConcurrentProducersAndConsumersLoseNothing) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 500;
  HintQueue q(16);
  std::mutex mu;
  std::multiset<std::string> seen;
  std::vector<std::thread> threads;
  for (int c = 0; c < 2; ++c) {
    threads.emplace_back([&] {
      while (auto h = q.WaitPop(5s)) {
        std::lock_guard<std::mutex> lock(mu);
        seen.insert(h->id);
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        const int n = p * kPerProducer + i;
        while (!q.Offer(Hint(n))) std::this_thread::yield();  // full: retry like a sender would
      }
    });
  }
  for (auto& t : producers) t.join();
  q.Close();
  for (auto& t : threads) t.join();
  ASSERT_EQ(seen.size(), static_cast<size_t>(kProducers * kPerProducer));
  for (int n = 0; n < kProducers * kPerProducer; ++n) {
    EXPECT_EQ(seen.count(std::to_string(n)), 1u) << n;
  }
}

}  // namespace
}  // namespace vivalink::push
