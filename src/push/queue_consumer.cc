#include "push/queue_consumer.h"

#include <fmt/format.h>

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "azure/credentials.h"
#include "core/log.h"
#include "push/notification.h"

namespace vivalink::push {
namespace {

constexpr std::chrono::seconds kMaxVisibility{7 * 24 * 3600};
constexpr size_t kMaxQueueName = 63;

bool LeaseLost(const core::Status& s) {
  return s.code() == core::StatusCode::kFailedPrecondition ||
         s.code() == core::StatusCode::kNotFound;
}

// Keeps one received message hidden while it is handled: every `every` it extends the
// visibility by `visibility` and keeps the new pop receipt (the old one is void after an
// update). Stops on Stop() or destruction, or for good once the lease is lost.
class VisibilityRenewer {
 public:
  VisibilityRenewer(azure::QueueClient& queue, std::string message_id, std::string pop_receipt,
                    std::chrono::seconds visibility, std::chrono::milliseconds every,
                    std::atomic<int64_t>& renewals, std::atomic<int64_t>& lost_leases)
      : queue_(queue),
        message_id_(std::move(message_id)),
        receipt_(std::move(pop_receipt)),
        visibility_(visibility),
        every_(every),
        renewals_(renewals),
        lost_leases_(lost_leases) {
    thread_ = std::thread([this] { Run(); });
  }
  ~VisibilityRenewer() { Stop(); }
  VisibilityRenewer(const VisibilityRenewer&) = delete;
  VisibilityRenewer& operator=(const VisibilityRenewer&) = delete;

  // Stops renewing (waits for a renewal in flight) and returns the latest pop receipt.
  std::string Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    return receipt_;
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, every_, [this] { return stop_; })) {
      const std::string receipt = receipt_;
      lock.unlock();
      auto updated = queue_.UpdateVisibility(message_id_, receipt, visibility_);
      lock.lock();
      if (updated.ok()) {
        receipt_ = updated->pop_receipt;
        ++renewals_;
        continue;
      }
      if (LeaseLost(updated.status())) {
        ++lost_leases_;
        VL_LOG_WARN(
            "push: queue message {}: visibility can no longer be renewed ({}); another consumer "
            "may handle it too",
            message_id_, updated.status().ToString());
        return;
      }
      VL_LOG_WARN("push: queue message {}: renewing its visibility failed, will retry: {}",
                  message_id_, updated.status().ToString());
    }
  }

  azure::QueueClient& queue_;
  const std::string message_id_;
  std::string receipt_;  // guarded by mu_ while the thread runs
  const std::chrono::seconds visibility_;
  const std::chrono::milliseconds every_;
  std::atomic<int64_t>& renewals_;
  std::atomic<int64_t>& lost_leases_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

core::Result<std::string> PoisonQueueUrl(std::string_view queue_url) {
  auto parsed = azure::ParseStorageUrl(queue_url);
  if (!parsed.ok()) return parsed.status();
  const std::string& name = parsed->resource;
  if (name.empty() || name.find('/') != std::string::npos) {
    return core::InvalidArgumentError(fmt::format(
        "queue URL {}: expected .../{{queue}} with one queue name as the last path segment",
        parsed->ServiceRoot() + "/" + name));
  }
  const std::string poison = name + "-poison";
  if (poison.size() > kMaxQueueName) {
    return core::InvalidArgumentError(
        fmt::format("queue name {}: its poison queue name {} would exceed {} characters; use a "
                    "shorter queue name",
                    name, poison, kMaxQueueName));
  }
  std::string url = parsed->ServiceRoot() + "/" + poison;
  if (!parsed->query.empty()) url += "?" + parsed->query;
  return url;
}

QueueConsumer::QueueConsumer(std::shared_ptr<azure::QueueClient> queue,
                             QueueConsumerOptions options)
    : queue_(std::move(queue)), options_(std::move(options)) {}

QueueConsumer::~QueueConsumer() = default;

core::Result<std::unique_ptr<QueueConsumer>> QueueConsumer::Make(
    std::shared_ptr<azure::QueueClient> queue, QueueConsumerOptions options) {
  if (queue == nullptr) return core::InvalidArgumentError("queue consumer: no queue client");
  if (options.poison == nullptr) {
    return core::InvalidArgumentError(
        "queue consumer: no poison queue client (options.poison; see PoisonQueueUrl)");
  }
  if (options.visibility_timeout < std::chrono::seconds(1) ||
      options.visibility_timeout > kMaxVisibility) {
    return core::InvalidArgumentError(
        fmt::format("queue consumer: visibility_timeout {} s is outside 1 s .. 7 days",
                    options.visibility_timeout.count()));
  }
  if (options.renew_every.count() == 0) {
    options.renew_every =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.visibility_timeout) / 2;
  }
  if (options.renew_every.count() < 0 || options.renew_every >= options.visibility_timeout) {
    return core::InvalidArgumentError(
        fmt::format("queue consumer: renew_every {} ms must be positive and shorter than the "
                    "visibility timeout ({} s)",
                    options.renew_every.count(), options.visibility_timeout.count()));
  }
  if (options.max_dequeue_count < 1 || options.max_messages_per_poll < 1) {
    return core::InvalidArgumentError(
        "queue consumer: max_dequeue_count and max_messages_per_poll must be at least 1");
  }
  if (options.failure_visibility &&
      (options.failure_visibility->count() < 0 || *options.failure_visibility > kMaxVisibility)) {
    return core::InvalidArgumentError(
        "queue consumer: failure_visibility must be between 0 s and 7 days");
  }
  return std::unique_ptr<QueueConsumer>(new QueueConsumer(std::move(queue), std::move(options)));
}

QueueConsumerStats QueueConsumer::stats() const {
  QueueConsumerStats s;
  s.received = received_.load();
  s.handled = handled_.load();
  s.failed = failed_.load();
  s.poisoned = poisoned_.load();
  s.renewals = renewals_.load();
  s.lost_leases = lost_leases_.load();
  return s;
}

core::Result<int> QueueConsumer::PollOnce(
    const std::function<core::Status(const DropHint&)>& handle) {
  azure::ReceiveMessagesOptions receive;
  receive.max_messages = 1;
  receive.visibility_timeout = options_.visibility_timeout;
  int count = 0;
  while (count < options_.max_messages_per_poll) {
    auto messages = queue_->Receive(receive);
    if (!messages.ok()) {
      if (count == 0) return messages.status().WithContext("receiving from " + queue_->queue_url());
      VL_LOG_WARN("push: receiving from {} failed: {}", queue_->queue_url(),
                  messages.status().ToString());
      break;
    }
    if (messages->empty()) break;
    for (const azure::QueueMessage& m : *messages) {
      ++count;
      ++received_;
      Process(m, handle);
    }
  }
  return count;
}

void QueueConsumer::Process(const azure::QueueMessage& m,
                            const std::function<core::Status(const DropHint&)>& handle) {
  if (m.dequeue_count > options_.max_dequeue_count) {
    Poison(m, fmt::format("it was received {} times (limit {})", m.dequeue_count,
                          options_.max_dequeue_count));
    return;
  }
  auto hint = ParseDropNotification(m.text, HintSource::kQueue);
  if (!hint.ok()) {
    Poison(m, "it is not a drop notification: " + hint.status().message());
    return;
  }
  core::Status status;
  std::string receipt;
  {
    VisibilityRenewer renewer(*queue_, m.message_id, m.pop_receipt, options_.visibility_timeout,
                              options_.renew_every, renewals_, lost_leases_);
    // Worker threads catch at the top: a throwing handler is a failed attempt, not a crash.
    try {
      status = handle(*hint);
    } catch (const std::exception& e) {
      status = core::InternalError(fmt::format("the handler threw: {}", e.what()));
    } catch (...) {
      status = core::InternalError("the handler threw");
    }
    receipt = renewer.Stop();
  }
  if (status.ok()) {
    ++handled_;
    core::Status deleted = queue_->DeleteMessage(m.message_id, receipt);
    if (!deleted.ok()) {
      if (LeaseLost(deleted)) ++lost_leases_;
      VL_LOG_WARN(
          "push: queue message {} ({}) was handled but could not be deleted; it will be "
          "delivered again (harmless: the ledger has the drop): {}",
          m.message_id, hint->ref.ToString(), deleted.ToString());
    }
    return;
  }
  ++failed_;
  VL_LOG_WARN("push: queue message {} ({}), delivery {} of {}: handling failed: {}", m.message_id,
              hint->ref.ToString(), m.dequeue_count, options_.max_dequeue_count, status.ToString());
  if (options_.failure_visibility) {
    auto updated = queue_->UpdateVisibility(m.message_id, receipt, *options_.failure_visibility);
    if (!updated.ok()) {
      if (LeaseLost(updated.status())) ++lost_leases_;
      VL_LOG_WARN("push: queue message {}: could not set its retry delay: {}", m.message_id,
                  updated.status().ToString());
    }
  }
}

void QueueConsumer::Poison(const azure::QueueMessage& m, std::string_view reason) {
  azure::SendMessageOptions keep;
  keep.time_to_live = std::chrono::seconds(-1);  // kept until someone looks at it
  auto sent = options_.poison->Send(m.text, keep);
  if (!sent.ok() && sent.status().code() == core::StatusCode::kNotFound) {
    core::Status created = options_.poison->Create();
    if (created.ok()) sent = options_.poison->Send(m.text, keep);
  }
  if (!sent.ok()) {
    VL_LOG_ERROR(
        "push: queue message {} should go to the poison queue {} because {}, but sending it "
        "there failed (it stays in {}): {}",
        m.message_id, options_.poison->queue_url(), reason, queue_->queue_url(),
        sent.status().ToString());
    return;
  }
  ++poisoned_;
  core::Status deleted = queue_->DeleteMessage(m.message_id, m.pop_receipt);
  if (!deleted.ok()) {
    if (LeaseLost(deleted)) ++lost_leases_;
    VL_LOG_WARN("push: queue message {} was copied to the poison queue but not deleted: {}",
                m.message_id, deleted.ToString());
  }
  VL_LOG_WARN("push: queue message {} moved to the poison queue {} because {}", m.message_id,
              options_.poison->queue_url(), reason);
}

}  // namespace vivalink::push
