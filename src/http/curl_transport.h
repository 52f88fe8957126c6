// CurlTransport: HttpTransport over libcurl (easy handles reused per thread, HTTP/1.1 keep-alive,
// TLS verification on). Thread-safe.
#pragma once

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
  core::Result<Response> Send(const Request& request, const BodyCallback& on_body = {}) override;

 private:
  CurlOptions options_;
};

}  // namespace vivalink::http
