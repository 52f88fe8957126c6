#include "core/status.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "core/log.h"

namespace vivalink::core {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kUnauthenticated:
      return "Unauthenticated";
    case StatusCode::kPermissionDenied:
      return "PermissionDenied";
    case StatusCode::kUnavailable:
      return "Unavailable";
    case StatusCode::kDataLoss:
      return "DataLoss";
    case StatusCode::kFailedPrecondition:
      return "FailedPrecondition";
    case StatusCode::kInternal:
      return "Internal";
    case StatusCode::kCancelled:
      return "Cancelled";
  }
  return "Unknown";
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  // Idempotent: layers that each name the same file must not repeat it ("a: a: ...").
  if (message_.size() > context.size() + 1 && message_.starts_with(context) &&
      std::string_view(message_).substr(context.size(), 2) == ": ") {
    return *this;
  }
  Status s(code_, fmt::format("{}: {}", context, message_));
  s.remote_ = remote_;
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = fmt::format("{}: {}", StatusCodeName(code_), message_);
  if (remote_) {
    out += fmt::format(" [http {}", remote_->http_status);
    if (!remote_->service_code.empty()) out += fmt::format(", code {}", remote_->service_code);
    if (!remote_->request_id.empty()) out += fmt::format(", request {}", remote_->request_id);
    if (remote_->attempt > 0) out += fmt::format(", attempt {}", remote_->attempt);
    out += "]";
  }
  return out;
}

namespace internal {

void DieOnResultWithoutValue(const Status& status) {
  // Redacted like every log line: a message may quote a URL with a SAS.
  const std::string text = Redact(status.ToString());
  std::fprintf(stderr, "Result accessed without a value: %s\n", text.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace internal

}  // namespace vivalink::core
