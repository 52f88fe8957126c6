// CurlTransport: HttpTransport over libcurl (easy handles reused per thread, HTTP/1.1 keep-alive,
// TLS verification on). Thread-safe.
//
// Each Send borrows an easy handle from a small pool owned by the transport (so concurrent sends
// each get their own handle) and gives it back afterwards; a returned handle keeps its open
// connections, so the next request to the same host reuses them (keep-alive). Request bodies are
// streamed to the socket from body_source (Content-Length header required) or the buffered body;
// "Expect: 100-continue" is suppressed unless the caller sets Expect. Redirects are not followed.
// Only http:// and https:// URLs are accepted. When a BodyCallback is given, a non-2xx body is
// buffered up to 1 MiB (error documents are small; the rest is dropped).
//
// Errors: a URL curl cannot parse or an unsupported scheme, a header value with CR/LF, or a
// body_source without a valid Content-Length give kInvalidArgument; every network failure
// (refused, reset, DNS, TLS, timeout, stalled transfer) gives kUnavailable with a message naming
// the method and the URL without its query string (which may hold a SAS token); an error returned
// by a BodyCallback or by the body_source is returned unchanged.
#pragma once

#include <memory>

#include "http/transport.h"

namespace vivalink::http {

struct CurlOptions {
  std::string ca_file;     // extra CA bundle; empty = system default
  bool verify_tls = true;  // never turn off in production
  std::string user_agent = "vivalink/0.1";
  long low_speed_limit = 1;  // bytes/s below which...
  long low_speed_time = 30;  // ...for this many seconds the transfer is aborted (stall)
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;
  core::Result<Response> Send(const Request& request, const BodyCallback& on_body = {}) override;

 private:
  class HandlePool;  // idle easy handles, reused for keep-alive
  CurlOptions options_;
  std::unique_ptr<HandlePool> pool_;
};

}  // namespace vivalink::http
