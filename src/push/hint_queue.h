// HintQueue: the bounded hand-off between the push receivers (HTTP handler threads, queue
// consumers) and the ingestion workers. Receivers Offer() without blocking; workers WaitPop().
// A drop already waiting is not queued twice (a notification is often repeated: web activity
// retries, Event Grid at-least-once delivery, the pipeline notifying twice), and a full queue
// refuses new hints at once so the HTTP side can answer 503 and let the sender retry later.
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "push/hint.h"

namespace vivalink::push {

class HintQueue {
 public:
  // capacity: how many distinct drops may wait at once (at least 1; 0 is taken as 1).
  explicit HintQueue(size_t capacity);
  HintQueue(const HintQueue&) = delete;
  HintQueue& operator=(const HintQueue&) = delete;

  // Queues the hint. True when it was queued, or when a hint for the same drop (same run, kind
  // and tenant) is already waiting (the duplicate is dropped: harmless, the drop will be read
  // once). False when the queue is full or closed.
  bool Offer(DropHint hint);

  // The oldest waiting hint; waits up to timeout for one. nullopt on timeout, or at once when the
  // queue is closed and empty. Hints still waiting when Close() is called are still handed out.
  std::optional<DropHint> WaitPop(std::chrono::milliseconds timeout);

  // Refuses further offers and wakes every waiter. Idempotent.
  void Close();

  size_t size() const;
  size_t capacity() const { return capacity_; }
  bool closed() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<DropHint> hints_;
  std::set<std::string> waiting_;  // DropRef::ToString() of the hints in hints_
  bool closed_ = false;
};

}  // namespace vivalink::push
