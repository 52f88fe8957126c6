// Status and Result<T>: how every expected failure travels through vivalink.
//
// A Status is a code from a small fixed set plus a message that says what was wrong, where, and
// what to do. Remote failures also keep the HTTP status, the service's error code, its request id
// and the attempt number. No exceptions cross our interfaces; functions that can fail return
// [[nodiscard]] Status or Result<T> and callers propagate with RETURN_IF_ERROR / ASSIGN_OR_RETURN.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace vivalink::core {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong (bad flag, malformed request)
  kNotFound,            // a blob, drop, key or row does not exist
  kUnauthenticated,     // no or invalid credentials (HTTP 401)
  kPermissionDenied,    // credentials valid but not allowed (HTTP 403, wrong tenant's key)
  kUnavailable,         // transient: retrying later may succeed (network, 429, 5xx)
  kDataLoss,            // corrupt or tampered input (bad padding, CRC, row count mismatch)
  kFailedPrecondition,  // state conflict (ETag mismatch 412, lease held 409, already exists)
  kInternal,            // our own bug or an impossible state
  kCancelled,           // the operation was stopped on request (SIGTERM, shutdown)
};

// "InvalidArgument", "DataLoss", ...: stable names used in logs, the ledger and metrics.
std::string_view StatusCodeName(StatusCode code);

// Details of a failed remote call. Empty for local failures.
struct RemoteDetails {
  int http_status = 0;           // e.g. 403; 0 when no response arrived
  std::string service_code;      // x-ms-error-code or the API's error code
  std::string request_id;        // x-ms-request-id or equivalent
  int attempt = 0;               // 1-based attempt that produced this error
  int retry_after_seconds = -1;  // Retry-After when the service sent one
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::optional<RemoteDetails>& remote() const { return remote_; }

  Status& SetRemote(RemoteDetails details) {
    remote_ = std::move(details);
    return *this;
  }
  // Returns a copy whose message is "<context>: <message>"; the code is kept.
  // "context: message", unless the message already starts with "context: " (then unchanged).
  Status WithContext(std::string_view context) const;
  // "DataLoss: <message>" plus remote details when present.
  std::string ToString() const;
  // Marks a status that was already checked or deliberately ignored.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::optional<RemoteDetails> remote_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status UnauthenticatedError(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status PermissionDeniedError(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DataLossError(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status CancelledError(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }

namespace internal {
// Prints "Result accessed without a value: <status>" (redacted) to stderr and aborts. Reaching
// it is a bug in the caller, which must test ok() first.
[[noreturn]] void DieOnResultWithoutValue(const Status& status);
}  // namespace internal

// A value or the Status that explains why there is none. value(), operator* and operator-> on a
// Result without a value (an error) crash deterministically with the status in the message, as
// absl::StatusOr does: never undefined behaviour.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "Result constructed from an OK status without a value");
    if (status_.ok()) status_ = InternalError("Result constructed from OK status without value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    EnsureValue();
    return *value_;
  }
  const T& value() const& {
    EnsureValue();
    return *value_;
  }
  // On an rvalue Result the value is moved out by value, so `for (auto& x : *F())` and
  // `auto&& v = F().value()` never refer into a destroyed temporary.
  T value() && {
    EnsureValue();
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void EnsureValue() const {
    if (!value_.has_value()) [[unlikely]] {
      internal::DieOnResultWithoutValue(status_);
    }
  }

  Status status_;
  std::optional<T> value_;
};

}  // namespace vivalink::core

#define VL_CONCAT_INNER_(a, b) a##b
#define VL_CONCAT_(a, b) VL_CONCAT_INNER_(a, b)

// Evaluates expr (a Status); returns it from the enclosing function when not OK.
#define RETURN_IF_ERROR(expr)                     \
  do {                                            \
    ::vivalink::core::Status vl_status_ = (expr); \
    if (!vl_status_.ok()) return vl_status_;      \
  } while (0)

// ASSIGN_OR_RETURN(auto x, MakeX()) / ASSIGN_OR_RETURN(x, MakeX()): binds the value or returns
// the error status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(VL_CONCAT_(vl_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()
