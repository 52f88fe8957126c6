// RetryingTransport: wraps a transport with exponential backoff and full jitter for transient
// failures: network errors (kUnavailable), 408, 429, 500, 502, 503, 504. Retry-After (seconds or
// an HTTP date) is honoured when present. Streaming downloads are not retried here once body bytes
// have reached the BodyCallback (the caller resumes with a Range request); a failure before the
// first byte (refused connection, 503) is retried as usual. Requests with a body_source are retried
// only if the source can be rewound (RewindableSource); Rewind() is called before each new attempt.
//
// Waits: full jitter, uniform in [0, min(max_delay, initial_delay * 2^(attempt-1))], unless the
// response has a Retry-After header (or the error's RemoteDetails.retry_after_seconds is set):
// then exactly that long. A Retry-After longer than max_retry_after is not waited for: the
// response (or error) is returned at once for the caller to report. Each retry is logged at warn
// level with the method and the URL without its query string. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <random>

#include "core/time.h"
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
  // Clock used to turn a Retry-After HTTP date into a delay; null = core::SystemClock. Not owned;
  // must outlive the transport.
  const core::Clock* clock = nullptr;
};

// True for statuses worth retrying: 408, 429, 500, 502, 503, 504.
bool IsRetryableStatus(int status);

// The wait a Retry-After header asks for: delta-seconds ("120") or an HTTP date (RFC 1123, taken
// relative to now; a date in the past gives 0). nullopt when the value is empty or malformed.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         core::TimePoint now);

class RetryingTransport final : public HttpTransport {
 public:
  RetryingTransport(std::shared_ptr<HttpTransport> inner, RetryOptions options = {});
  // Returns the last response when attempts run out on a retryable status (the caller turns it
  // into an error with its details; Response.attempt says which attempt it was), or the last
  // network error (with RemoteDetails.attempt set; other errors are returned at once, also with
  // attempt set).
  core::Result<Response> Send(const Request& request, const BodyCallback& on_body = {}) override;

 private:
  std::shared_ptr<HttpTransport> inner_;
  RetryOptions options_;
  std::mt19937_64 rng_;
  std::mutex mu_;
};

}  // namespace vivalink::http
