// HTTP as vivalink's remote clients see it: a request/response value pair and an HttpTransport
// interface. Production uses CurlTransport (libcurl); tests use FakeTransport (scripted answers)
// or real servers on 127.0.0.1. Retry (retry.h) and request signing wrap a transport.
//
// Bodies can be buffered (std::string) or streamed: a request may carry a ByteSource to upload,
// and a response body may be delivered to a callback as it arrives (downloads of large blobs).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/io.h"
#include "core/status.h"

namespace vivalink::http {

// Case-insensitive header map (HTTP header names are case-insensitive).
struct HeaderLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::map<std::string, std::string, HeaderLess>;

// A ByteSource that can start over from its first byte. RetryingTransport retries a request with
// a body_source only when the source is one of these (it calls Rewind() before each new attempt).
class RewindableSource : public core::ByteSource {
 public:
  // Positions the source at its first byte again. Errors are returned as they are.
  virtual core::Status Rewind() = 0;
};

// A RewindableSource over bytes the caller keeps alive for the source's lifetime.
class RewindableMemorySource final : public RewindableSource {
 public:
  explicit RewindableMemorySource(std::string_view data) : data_(data) {}
  core::Result<size_t> Read(std::span<std::byte> out) override;
  core::Status Rewind() override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct Request {
  std::string method = "GET";  // GET, PUT, POST, DELETE, HEAD, OPTIONS
  std::string url;             // absolute, already percent-encoded
  Headers headers;
  std::string body;                          // used when body_source is null
  core::ByteSource* body_source = nullptr;   // streamed upload (not owned); needs Content-Length
  std::chrono::milliseconds timeout{60000};  // whole request; 0 = none
  std::chrono::milliseconds connect_timeout{10000};
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;  // empty when the body went to a BodyCallback
  int attempt = 1;   // 1-based attempt that produced this response (set by RetryingTransport)

  std::string Header(const std::string& name) const;  // "" when absent
};

// Receives response body bytes as they arrive. Returning a non-OK status aborts the transfer;
// that status is then returned by Send.
using BodyCallback = std::function<core::Status(std::string_view chunk)>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Performs one exchange. A received response of any status (including 4xx/5xx) is a success
  // at this layer; network failures (refused, reset, timeout, TLS) return kUnavailable.
  // When on_body is set, the body of a 2xx response is streamed to it instead of buffered
  // (non-2xx bodies are always buffered so errors can be parsed).
  virtual core::Result<Response> Send(const Request& request, const BodyCallback& on_body = {}) = 0;
};

// Percent-encodes for a URL path segment (keeps unreserved and '/'), or a query value (keeps
// only the RFC 3986 unreserved set A-Z a-z 0-9 - . _ ~). Bytes are encoded as upper-case %XX.
std::string UrlEncodePath(std::string_view s);
std::string UrlEncodeQuery(std::string_view s);
// Decodes %XX escapes (either case). '+' is kept as '+'; malformed escapes are kept verbatim.
std::string UrlDecode(std::string_view s);

// The URL without its query string and fragment, for error messages that must not carry a SAS
// token or other credentials.
std::string UrlWithoutQuery(std::string_view url);

// Parses "a=1&b=x%20y" into decoded pairs (in order). A leading '?' is skipped, '+' decodes to a
// space (form encoding), a key without '=' has an empty value and empty pieces are skipped.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace vivalink::http
