#include "push/hint_queue.h"

#include <algorithm>

namespace vivalink::push {

HintQueue::HintQueue(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

bool HintQueue::Offer(DropHint hint) {
  std::string key = hint.ref.ToString();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;
    if (waiting_.contains(key)) return true;
    if (hints_.size() >= capacity_) return false;
    waiting_.insert(std::move(key));
    hints_.push_back(std::move(hint));
  }
  cv_.notify_one();
  return true;
}

std::optional<DropHint> HintQueue::WaitPop(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return !hints_.empty() || closed_; });
  if (hints_.empty()) return std::nullopt;
  DropHint hint = std::move(hints_.front());
  hints_.pop_front();
  waiting_.erase(hint.ref.ToString());
  return hint;
}

void HintQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

size_t HintQueue::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hints_.size();
}

bool HintQueue::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

}  // namespace vivalink::push
