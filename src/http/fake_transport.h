// FakeTransport: a scripted HttpTransport for unit tests. Each Send pops the next scripted
// answer (a Response or an error Status) and records the request. Thread-safe.
#pragma once

#include <deque>
#include <mutex>

#include "http/transport.h"

namespace vivalink::http {

class FakeTransport final : public HttpTransport {
 public:
  void Push(Response response);
  void PushError(core::Status status);
  // Handler used when the script is empty; default answers 500 "no scripted response".
  void SetHandler(std::function<core::Result<Response>(const Request&)> handler);

  core::Result<Response> Send(const Request& request, const BodyCallback& on_body = {}) override;

  std::vector<Request> requests() const;  // copies of every request seen (body_source dropped)

 private:
  mutable std::mutex mu_;
  std::deque<core::Result<Response>> script_;
  std::function<core::Result<Response>(const Request&)> handler_;
  std::vector<Request> requests_;
};

}  // namespace vivalink::http
