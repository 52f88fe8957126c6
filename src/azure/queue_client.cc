#include "azure/queue_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <pugixml.hpp>

#include "azure/internal/pipeline.h"
#include "azure/sas.h"
#include "core/base64.h"
#include "core/strings.h"

namespace vivalink::azure {
namespace {

using internal::Describe;
using internal::ErrorFromResponse;

}  // namespace

QueueClient::QueueClient(std::string queue_url, std::unique_ptr<internal::Pipeline> pipeline,
                         QueueClientOptions options)
    : queue_url_(std::move(queue_url)),
      pipeline_(std::move(pipeline)),
      options_(std::move(options)) {}

QueueClient::~QueueClient() = default;

core::Result<std::unique_ptr<QueueClient>> QueueClient::Make(std::string_view queue_url,
                                                             Credential credential,
                                                             QueueClientOptions options) {
  ASSIGN_OR_RETURN(StorageUrl url, ParseStorageUrl(queue_url));
  if (url.resource.empty() || url.resource.find('/') != std::string::npos) {
    return core::InvalidArgumentError(
        "queue URL \"" + http::UrlWithoutQuery(queue_url) +
        "\" must name exactly one queue (https://account.queue.core.windows.net/queue or "
        "http://127.0.0.1:10001/account/queue)");
  }
  SasUrl split = SplitSasUrl(queue_url);
  if (std::holds_alternative<std::monostate>(credential) && split.has_sas) {
    credential = SasCredential{split.token};
  }
  if (const auto* key = std::get_if<std::shared_ptr<const SharedKeyCredential>>(&credential)) {
    if (*key == nullptr) return core::InvalidArgumentError("queue client: null shared key");
    if ((*key)->account_name() != url.account) {
      return core::InvalidArgumentError("queue URL \"" + split.url + "\" is in account " +
                                        url.account + " but the shared key is for account " +
                                        (*key)->account_name());
    }
  }
  auto pipeline =
      std::make_unique<internal::Pipeline>(options.transport, options.retry, std::move(credential),
                                           options.service_version, options.clock);
  std::string base = url.ServiceRoot() + "/" + http::UrlEncodePath(url.resource);
  return std::unique_ptr<QueueClient>(
      new QueueClient(std::move(base), std::move(pipeline), std::move(options)));
}

core::Result<http::Response> QueueClient::Call(http::Request request,
                                               std::initializer_list<int> ok_statuses) {
  const std::string what = Describe(request.method, request.url);
  ASSIGN_OR_RETURN(http::Response response, pipeline_->Send(std::move(request), what));
  if (std::find(ok_statuses.begin(), ok_statuses.end(), response.status) == ok_statuses.end()) {
    return ErrorFromResponse(what, response);
  }
  return response;
}

core::Status QueueClient::Create() {
  http::Request r;
  r.method = "PUT";
  r.url = queue_url_;
  return Call(std::move(r), {201, 204}).status();
}

core::Status QueueClient::Delete() {
  http::Request r;
  r.method = "DELETE";
  r.url = queue_url_;
  return Call(std::move(r), {204}).status();
}

std::string QueueClient::EncodeText(std::string_view text) const {
  return options_.encoding == MessageEncoding::kBase64 ? core::Base64Encode(text)
                                                       : internal::XmlEscape(text);
}

core::Result<QueueMessage> QueueClient::Send(std::string_view text,
                                             const SendMessageOptions& options) {
  http::Request r;
  r.method = "POST";
  r.url = queue_url_ + "/messages";
  std::string sep = "?";
  if (options.visibility_timeout.count() > 0) {
    r.url += sep + "visibilitytimeout=" + std::to_string(options.visibility_timeout.count());
    sep = "&";
  }
  if (options.time_to_live.count() != 0) {
    r.url += sep + "messagettl=" + std::to_string(options.time_to_live.count());
  }
  r.body = "<QueueMessage><MessageText>" + EncodeText(text) + "</MessageText></QueueMessage>";
  r.headers["Content-Type"] = "application/xml";
  r.headers["Content-Length"] = std::to_string(r.body.size());
  const std::string what = Describe("POST", r.url);
  ASSIGN_OR_RETURN(http::Response response, Call(std::move(r), {201}));
  ASSIGN_OR_RETURN(auto messages, ParseMessages(what, response.body));
  if (messages.size() != 1) {
    return core::InternalError(what + ": expected one message in the answer, got " +
                               std::to_string(messages.size()));
  }
  return std::move(messages.front());
}

core::Result<std::vector<QueueMessage>> QueueClient::Receive(
    const ReceiveMessagesOptions& options) {
  if (options.max_messages < 1 || options.max_messages > 32) {
    return core::InvalidArgumentError(fmt::format(
        "receiving from {}: max_messages must be 1..32, not {}", queue_url_, options.max_messages));
  }
  http::Request r;
  r.url = fmt::format("{}/messages?numofmessages={}&visibilitytimeout={}", queue_url_,
                      options.max_messages, options.visibility_timeout.count());
  const std::string what = Describe("GET", r.url);
  ASSIGN_OR_RETURN(http::Response response, Call(std::move(r), {200}));
  return ParseMessages(what, response.body);
}

core::Result<std::vector<QueueMessage>> QueueClient::Peek(int max_messages) {
  if (max_messages < 1 || max_messages > 32) {
    return core::InvalidArgumentError(
        fmt::format("peeking at {}: max_messages must be 1..32, not {}", queue_url_, max_messages));
  }
  http::Request r;
  r.url = fmt::format("{}/messages?peekonly=true&numofmessages={}", queue_url_, max_messages);
  const std::string what = Describe("GET", r.url);
  ASSIGN_OR_RETURN(http::Response response, Call(std::move(r), {200}));
  return ParseMessages(what, response.body);
}

core::Result<UpdateReceipt> QueueClient::UpdateVisibility(std::string_view message_id,
                                                          std::string_view pop_receipt,
                                                          std::chrono::seconds visibility_timeout,
                                                          const std::string* new_text) {
  http::Request r;
  r.method = "PUT";
  r.url = fmt::format("{}/messages/{}?popreceipt={}&visibilitytimeout={}", queue_url_,
                      http::UrlEncodePath(message_id), http::UrlEncodeQuery(pop_receipt),
                      visibility_timeout.count());
  if (new_text != nullptr) {
    r.body =
        "<QueueMessage><MessageText>" + EncodeText(*new_text) + "</MessageText></QueueMessage>";
    r.headers["Content-Type"] = "application/xml";
  }
  r.headers["Content-Length"] = std::to_string(r.body.size());
  ASSIGN_OR_RETURN(http::Response response, Call(std::move(r), {204}));
  UpdateReceipt out;
  out.pop_receipt = std::string(core::Trim(response.Header("x-ms-popreceipt")));
  out.time_next_visible = internal::ParseHttpDate(response.Header("x-ms-time-next-visible"));
  return out;
}

core::Status QueueClient::DeleteMessage(std::string_view message_id, std::string_view pop_receipt) {
  http::Request r;
  r.method = "DELETE";
  r.url = fmt::format("{}/messages/{}?popreceipt={}", queue_url_, http::UrlEncodePath(message_id),
                      http::UrlEncodeQuery(pop_receipt));
  return Call(std::move(r), {204}).status();
}

core::Result<std::vector<QueueMessage>> QueueClient::ParseMessages(const std::string& what,
                                                                   const std::string& xml) const {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) {
    return core::InternalError(what + ": the answer is not XML");
  }
  pugi::xml_node list = doc.child("QueueMessagesList");
  if (!list) return core::InternalError(what + ": no QueueMessagesList in the answer");
  std::vector<QueueMessage> out;
  for (pugi::xml_node node : list.children("QueueMessage")) {
    QueueMessage m;
    m.message_id = node.child_value("MessageId");
    m.pop_receipt = node.child_value("PopReceipt");
    m.insertion_time = internal::ParseHttpDate(node.child_value("InsertionTime"));
    m.expiration_time = internal::ParseHttpDate(node.child_value("ExpirationTime"));
    m.time_next_visible = internal::ParseHttpDate(node.child_value("TimeNextVisible"));
    std::string_view count = node.child_value("DequeueCount");
    std::from_chars(count.data(), count.data() + count.size(), m.dequeue_count);
    m.text = node.child_value("MessageText");
    if (options_.encoding == MessageEncoding::kBase64 && !m.text.empty()) {
      auto decoded = core::Base64Decode(m.text);
      if (decoded.ok()) {
        m.text = std::move(decoded).value();
        m.decoded = true;
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace vivalink::azure
