// QueueClient: the Azure Queue service REST API for one queue (notifications, PROTOCOL §6):
// create/delete the queue, put a message, receive with a visibility timeout, update visibility
// (which returns a new pop receipt), delete with the pop receipt, peek. Message text is sent as
// base64 (the Azure SDKs' and Event Grid's convention) unless options say otherwise.
//
// URLs: "https://{account}.queue.core.windows.net/{queue}" or Azurite
// "http://127.0.0.1:10001/{account}/{queue}". Credentials and errors as in blob_client.h;
// additionally a stale pop receipt (400 PopReceiptMismatch) is kFailedPrecondition and a message
// that is gone (404 MessageNotFound) is kNotFound. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "azure/credentials.h"
#include "core/status.h"
#include "core/time.h"
#include "http/retry.h"
#include "http/transport.h"

namespace vivalink::azure {

namespace internal {
class Pipeline;
}

enum class MessageEncoding {
  kBase64,  // text is base64-encoded on put and decoded on receive (default)
  kNone,    // text is sent as is (it must be valid XML character data)
};

struct QueueClientOptions {
  std::string service_version = std::string(kDefaultServiceVersion);  // x-ms-version
  std::shared_ptr<http::HttpTransport> transport;  // null = RetryingTransport over CurlTransport
  http::RetryOptions retry;                        // for the default transport
  const core::Clock* clock = nullptr;              // x-ms-date source; null = system clock
  MessageEncoding encoding = MessageEncoding::kBase64;
};

struct QueueMessage {
  std::string message_id;
  std::string pop_receipt;  // empty for peeked messages
  std::string text;         // decoded body (raw text when it is not valid base64)
  bool decoded = false;     // true when text was base64-decoded
  int dequeue_count = 0;
  core::TimePoint insertion_time{};
  core::TimePoint expiration_time{};
  core::TimePoint time_next_visible{};  // empty for peeked messages
};

struct SendMessageOptions {
  std::chrono::seconds visibility_timeout{0};  // hidden this long after the put; 0 = visible now
  std::chrono::seconds time_to_live{0};        // 0 = the service default (7 days); -1 = never
};

struct ReceiveMessagesOptions {
  int max_messages = 1;                         // 1..32
  std::chrono::seconds visibility_timeout{30};  // how long received messages stay hidden
};

struct UpdateReceipt {
  std::string pop_receipt;  // the new receipt: the old one is no longer valid
  core::TimePoint time_next_visible{};
};

class QueueClient {
 public:
  // queue_url: see the file comment; a SAS in its query is used when credential is monostate.
  static core::Result<std::unique_ptr<QueueClient>> Make(std::string_view queue_url,
                                                         Credential credential,
                                                         QueueClientOptions options = {});
  ~QueueClient();

  const std::string& queue_url() const { return queue_url_; }  // without query

  // Creates the queue; an existing queue (with the same metadata) is not an error.
  core::Status Create();
  core::Status Delete();

  // Puts a message; returns it with id, pop receipt and times (no text).
  core::Result<QueueMessage> Send(std::string_view text, const SendMessageOptions& options = {});
  // Receives up to max_messages and hides them for visibility_timeout; each carries a pop
  // receipt and its dequeue count. Empty when the queue has no visible message.
  core::Result<std::vector<QueueMessage>> Receive(const ReceiveMessagesOptions& options = {});
  // Up to max_messages visible messages without hiding them (no pop receipts).
  core::Result<std::vector<QueueMessage>> Peek(int max_messages = 1);
  // Changes a received message's visibility (and optionally its text). kFailedPrecondition for
  // a stale pop receipt, kNotFound when the message is gone.
  core::Result<UpdateReceipt> UpdateVisibility(std::string_view message_id,
                                               std::string_view pop_receipt,
                                               std::chrono::seconds visibility_timeout,
                                               const std::string* new_text = nullptr);
  // Deletes a received message. kFailedPrecondition for a stale pop receipt, kNotFound when gone.
  core::Status DeleteMessage(std::string_view message_id, std::string_view pop_receipt);

 private:
  QueueClient(std::string queue_url, std::unique_ptr<internal::Pipeline> pipeline,
              QueueClientOptions options);
  core::Result<http::Response> Call(http::Request request, std::initializer_list<int> ok_statuses);
  core::Result<std::vector<QueueMessage>> ParseMessages(const std::string& what,
                                                        const std::string& xml) const;
  std::string EncodeText(std::string_view text) const;

  std::string queue_url_;
  std::unique_ptr<internal::Pipeline> pipeline_;
  QueueClientOptions options_;
};

}  // namespace vivalink::azure
