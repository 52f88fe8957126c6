// RetryingTransport: wraps a transport with exponential backoff and full jitter for transient
// failures: network errors (kUnavailable), 408, 429, 500, 502, 503, 504. Retry-After (seconds or
// an HTTP date) is honoured when present. Streaming downloads are not retried here (the caller
// resumes with a Range request); requests with a body_source are retried only if the source can
// be rewound (RewindableSource).
#pragma once

#include <functional>
#include <memory>
#include <random>

#include "http/transport.h"

namespace vivalink::http {

struct RetryOptions {
  int max_attempts = 5;                               // including the first
  std::chrono::milliseconds initial_delay{200};       // before the 2nd attempt
  std::chrono::milliseconds max_delay{30000};         // cap for one wait
  std::chrono::milliseconds max_retry_after{120000};  // longest Retry-After honoured
  // Sleeps for a duration; tests substitute a fake that records instead of sleeping.
  std::function<void(std::chrono::milliseconds)> sleep;  // default: std::this_thread::sleep_for
  uint64_t seed = 0;                                     // jitter seed; 0 = random
};

// True for statuses worth retrying: 408, 429, 500, 502, 503, 504.
bool IsRetryableStatus(int status);

class RetryingTransport final : public HttpTransport {
 public:
  RetryingTransport(std::shared_ptr<HttpTransport> inner, RetryOptions options = {});
  // Returns the last response when attempts run out on a retryable status (the caller turns it
  // into an error with its details), or the last network error (with RemoteDetails.attempt set).
  core::Result<Response> Send(const Request& request, const BodyCallback& on_body = {}) override;

 private:
  std::shared_ptr<HttpTransport> inner_;
  RetryOptions options_;
  std::mt19937_64 rng_;
  std::mutex mu_;
};

}  // namespace vivalink::http
