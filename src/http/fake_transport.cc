#include "http/fake_transport.h"

#include <algorithm>
#include <vector>

namespace vivalink::http {
namespace {

// Chunk size used to hand a scripted 2xx body to a BodyCallback, so callers see more than one
// chunk for larger bodies, as with a real transport.
constexpr size_t kFakeChunkBytes = 16 * 1024;

core::Result<Response> DefaultAnswer() {
  Response response;
  response.status = 500;
  response.body = "no scripted response";
  return response;
}

}  // namespace

void FakeTransport::Push(Response response) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.emplace_back(std::move(response));
}

void FakeTransport::PushError(core::Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.emplace_back(std::move(status));
}

void FakeTransport::SetHandler(std::function<core::Result<Response>(const Request&)> handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

core::Result<Response> FakeTransport::Send(const Request& request, const BodyCallback& on_body) {
  // Like a real transport, the upload is consumed; the recorded copy keeps its bytes in body.
  Request recorded = request;
  recorded.body_source = nullptr;
  if (request.body_source != nullptr) {
    auto body = core::ReadAll(*request.body_source);
    if (!body.ok()) return body.status().WithContext("FakeTransport reading the request body");
    recorded.body = std::move(body).value();
  }

  std::optional<core::Result<Response>> scripted;
  std::function<core::Result<Response>(const Request&)> handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(recorded);
    if (!script_.empty()) {
      scripted.emplace(std::move(script_.front()));
      script_.pop_front();
    } else {
      handler = handler_;
    }
  }

  // The handler runs outside the lock so it may call back into this transport.
  core::Result<Response> result = scripted.has_value() ? std::move(*scripted)
                                  : handler            ? handler(recorded)
                                                       : DefaultAnswer();
  if (!result.ok()) return result;

  Response response = std::move(result).value();
  if (on_body && response.status >= 200 && response.status < 300) {
    std::string body = std::move(response.body);
    response.body.clear();
    for (size_t pos = 0; pos < body.size(); pos += kFakeChunkBytes) {
      std::string_view chunk =
          std::string_view(body).substr(pos, std::min(kFakeChunkBytes, body.size() - pos));
      RETURN_IF_ERROR(on_body(chunk));
    }
  }
  return response;
}

std::vector<Request> FakeTransport::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

}  // namespace vivalink::http
