// QueueConsumer: the Storage Queue channel of push notifications (PROTOCOL §6). Each message holds
// the web activity's JSON body (base64, as vivasim and the Azure SDKs put it). Consumers compete:
// any number of them (threads or processes) may poll one queue, and the queue's visibility
// timeout gives each message to one of them at a time.
//
// For each received message:
//   - dequeue count above max_dequeue_count: the text goes to the poison queue ({queue}-poison,
//     created when missing), then the message is deleted. A warning names the message id, never
//     its text.
//   - unparseable (ParseDropNotification fails): poisoned at once; retrying cannot fix it.
//   - otherwise handle(hint) runs while a background thread keeps the message hidden, renewing
//     its visibility every renew_every (each renewal returns a new pop receipt; the latest is
//     kept). The renewer is stopped before the message is settled.
//     handle OK: the message is deleted with the latest pop receipt.
//     handle error: the message stays and reappears when its visibility ends (optionally after
//     failure_visibility instead), with a higher dequeue count.
// A lost lease (the message was deleted or its receipt went stale, e.g. renewal failed for
// longer than the visibility timeout) is logged; the message may then be handled twice, which the
// ledger makes harmless.
//
// Thread-safety: one QueueConsumer is used by one thread at a time; run several consumers for
// concurrency (they may share the same QueueClient objects, which are thread-safe).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "azure/queue_client.h"
#include "core/status.h"
#include "push/hint.h"

namespace vivalink::push {

struct QueueConsumerOptions {
  // How long a received message stays hidden from other consumers; renewed while it is handled.
  // 1 s .. 7 days.
  std::chrono::seconds visibility_timeout{60};
  // How often the visibility is renewed during handle(); 0 = visibility_timeout / 2. Must be
  // shorter than visibility_timeout.
  std::chrono::milliseconds renew_every{0};
  // A message received more often than this goes to the poison queue instead of handle().
  int max_dequeue_count = 5;
  // PollOnce receives at most this many messages (one at a time, so none waits hidden while
  // another is handled).
  int max_messages_per_poll = 16;
  // After handle() failed: hide the message this much longer (0 = visible again at once);
  // nullopt = leave it hidden for the rest of its visibility timeout.
  std::optional<std::chrono::seconds> failure_visibility;
  // The poison queue ({queue}-poison, see PoisonQueueUrl). Required. Shared (not owned alone)
  // because competing consumers in one process may use the same client.
  std::shared_ptr<azure::QueueClient> poison;
};

// Totals over the consumer's life.
struct QueueConsumerStats {
  int64_t received = 0;     // messages received
  int64_t handled = 0;      // handle() returned OK (the message was then deleted)
  int64_t failed = 0;       // handle() returned an error (or threw)
  int64_t poisoned = 0;     // moved to the poison queue
  int64_t renewals = 0;     // successful visibility renewals
  int64_t lost_leases = 0;  // renewal or delete found the receipt stale or the message gone
};

// The poison queue URL of queue_url: the queue name with "-poison" appended, query (SAS) kept.
// kInvalidArgument when the URL has no queue name or the result exceeds 63 characters.
core::Result<std::string> PoisonQueueUrl(std::string_view queue_url);

class QueueConsumer {
 public:
  // queue: the notification queue (shared for the same reason as options.poison).
  // kInvalidArgument for a null queue or poison client, or out-of-range options.
  static core::Result<std::unique_ptr<QueueConsumer>> Make(
      std::shared_ptr<azure::QueueClient> queue, QueueConsumerOptions options);
  ~QueueConsumer();
  QueueConsumer(const QueueConsumer&) = delete;
  QueueConsumer& operator=(const QueueConsumer&) = delete;

  // Receives up to max_messages_per_poll messages, one at a time, and settles each as described
  // in the file comment. handle runs on the calling thread; an exception from it counts as a
  // failure. Returns how many messages were received (0 = the queue had none visible). A failed
  // Receive ends the poll: its error is returned when no message was received yet, else the
  // count so far (the next poll will see the error again if it persists).
  core::Result<int> PollOnce(const std::function<core::Status(const DropHint&)>& handle);

  QueueConsumerStats stats() const;

 private:
  QueueConsumer(std::shared_ptr<azure::QueueClient> queue, QueueConsumerOptions options);
  // Moves a message to the poison queue and deletes it; errors are logged (the message then
  // stays in the main queue and is poisoned again on its next delivery).
  void Poison(const azure::QueueMessage& message, std::string_view reason);
  void Process(const azure::QueueMessage& message,
               const std::function<core::Status(const DropHint&)>& handle);

  std::shared_ptr<azure::QueueClient> queue_;
  QueueConsumerOptions options_;
  std::atomic<int64_t> received_{0};
  std::atomic<int64_t> handled_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<int64_t> poisoned_{0};
  std::atomic<int64_t> renewals_{0};
  std::atomic<int64_t> lost_leases_{0};
};

}  // namespace vivalink::push
