#include "http/retry.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "core/log.h"
#include "core/strings.h"

namespace vivalink::http {
namespace {

using std::chrono::milliseconds;

uint64_t SeedFrom(uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

bool IsRetryableStatus(int status) {
  switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      return false;
  }
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value, core::TimePoint now) {
  value = core::Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    // Absurdly large values saturate; the caller compares against max_retry_after anyway.
    if (ec == std::errc::result_out_of_range || seconds > 100'000'000) {
      return milliseconds(int64_t{100'000'000} * 1000);
    }
    if (ec != std::errc() || ptr != value.data() + value.size()) return std::nullopt;
    return milliseconds(seconds * 1000);
  }
  auto when = core::ParseRfc1123(value);
  if (!when.ok()) return std::nullopt;
  auto delta = std::chrono::duration_cast<milliseconds>(*when - now);
  return std::max(delta, milliseconds(0));
}

RetryingTransport::RetryingTransport(std::shared_ptr<HttpTransport> inner, RetryOptions options)
    : inner_(std::move(inner)), options_(std::move(options)), rng_(SeedFrom(options_.seed)) {
  if (options_.max_attempts < 1) options_.max_attempts = 1;
  if (!options_.sleep) {
    options_.sleep = [](milliseconds d) { std::this_thread::sleep_for(d); };
  }
}

core::Result<Response> RetryingTransport::Send(const Request& request,
                                               const BodyCallback& on_body) {
  // A streamed upload can only be sent again if it can start over.
  auto* rewindable = dynamic_cast<RewindableSource*>(request.body_source);
  const bool body_replayable = request.body_source == nullptr || rewindable != nullptr;

  // Once body bytes went to the caller, a new attempt would deliver them twice; the caller
  // resumes with a Range request instead.
  bool delivered = false;
  BodyCallback counting;
  if (on_body) {
    counting = [&](std::string_view chunk) {
      if (!chunk.empty()) delivered = true;
      return on_body(chunk);
    };
  }

  const std::string where = request.method + " " + UrlWithoutQuery(request.url);
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1 && rewindable != nullptr) {
      core::Status rewound = rewindable->Rewind();
      if (!rewound.ok()) return rewound.WithContext(where + ": rewinding the body for a retry");
    }
    core::Result<Response> result = inner_->Send(request, counting);
    const bool can_retry = attempt < options_.max_attempts && body_replayable && !delivered;

    std::optional<milliseconds> retry_after;
    if (result.ok()) {
      result->attempt = attempt;
      if (!IsRetryableStatus(result->status) || !can_retry) return result;
      std::string header = result->Header("Retry-After");
      if (!header.empty()) {
        const core::Clock& clock =
            options_.clock != nullptr ? *options_.clock : core::SystemClock::Instance();
        retry_after = ParseRetryAfter(header, clock.Now());
        // The server asks for a longer pause than we are willing to wait: hand the response back
        // now so the caller can report it (with its Retry-After) instead of blocking for minutes.
        if (retry_after && *retry_after > options_.max_retry_after) return result;
      }
    } else {
      // A layer below may have turned a throttling answer into an error that keeps Retry-After.
      const auto& remote = result.status().remote();
      if (remote && remote->retry_after_seconds >= 0) {
        retry_after = std::chrono::seconds(remote->retry_after_seconds);
      }
      if (result.status().code() != core::StatusCode::kUnavailable || !can_retry ||
          (retry_after && *retry_after > options_.max_retry_after)) {
        core::Status failed = result.status();
        core::RemoteDetails details = failed.remote().value_or(core::RemoteDetails{});
        details.attempt = attempt;
        failed.SetRemote(std::move(details));
        return failed;
      }
    }

    milliseconds delay{0};
    if (retry_after) {
      delay = *retry_after;
    } else {
      // Full jitter: uniform in [0, min(max_delay, initial * 2^(attempt-1))].
      int64_t cap = options_.initial_delay.count();
      for (int i = 1; i < attempt && cap < options_.max_delay.count(); ++i) cap *= 2;
      cap = std::min(cap, static_cast<int64_t>(options_.max_delay.count()));
      cap = std::max<int64_t>(cap, 0);
      std::lock_guard<std::mutex> lock(mu_);
      delay = milliseconds(std::uniform_int_distribution<int64_t>(0, cap)(rng_));
    }
    VL_LOG_WARN("{}: attempt {} of {} failed ({}); retrying in {} ms", where, attempt,
                options_.max_attempts,
                result.ok() ? "HTTP " + std::to_string(result->status) : result.status().ToString(),
                delay.count());
    options_.sleep(delay);
  }
}

}  // namespace vivalink::http
