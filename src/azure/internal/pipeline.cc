#include "azure/internal/pipeline.h"

#include <charconv>
#include <pugixml.hpp>

#include "azure/sas.h"
#include "azure/shared_key.h"
#include "core/log.h"
#include "core/strings.h"
#include "http/curl_transport.h"

namespace vivalink::azure::internal {
namespace {

std::string FirstLine(std::string_view text) {
  text = core::Trim(text);
  size_t end = text.find_first_of("\r\n");
  std::string line(core::Trim(text.substr(0, end)));
  if (line.size() > 300) line = line.substr(0, 300) + "...";
  return line;
}

core::StatusCode CodeFor(int status, std::string_view service_code) {
  if (service_code == "AuthenticationFailed") return core::StatusCode::kUnauthenticated;
  if (service_code == "PopReceiptMismatch") return core::StatusCode::kFailedPrecondition;
  switch (status) {
    case 401:
      return core::StatusCode::kUnauthenticated;
    case 403:
      return core::StatusCode::kPermissionDenied;
    case 404:
      return core::StatusCode::kNotFound;
    case 304:
    case 409:
    case 412:
      return core::StatusCode::kFailedPrecondition;
    case 408:
    case 429:
      return core::StatusCode::kUnavailable;
    default:
      break;
  }
  if (status >= 500) return core::StatusCode::kUnavailable;
  if (status >= 400) return core::StatusCode::kInvalidArgument;
  return core::StatusCode::kInternal;  // an unexpected 1xx/2xx/3xx
}

std::string WhatToDo(core::StatusCode code) {
  switch (code) {
    case core::StatusCode::kUnauthenticated:
      return "; check the account key or SAS token and the clock";
    case core::StatusCode::kPermissionDenied:
      return "; the credential does not allow this operation (SAS permissions, expiry or IP "
             "range)";
    case core::StatusCode::kUnavailable:
      return "; the service is busy or unreachable, retry later";
    default:
      return "";
  }
}

}  // namespace

Pipeline::Pipeline(std::shared_ptr<http::HttpTransport> transport, const http::RetryOptions& retry,
                   Credential credential, std::string service_version, const core::Clock* clock)
    : transport_(std::move(transport)),
      credential_(std::move(credential)),
      service_version_(std::move(service_version)),
      clock_(clock != nullptr ? clock : &core::SystemClock::Instance()) {
  if (!transport_) {
    transport_ =
        std::make_shared<http::RetryingTransport>(std::make_shared<http::CurlTransport>(), retry);
  }
}

core::Result<http::Response> Pipeline::Send(http::Request request, std::string_view what,
                                            const http::BodyCallback& on_body) const {
  request.headers["x-ms-version"] = service_version_;
  request.headers["x-ms-date"] = core::FormatRfc1123(clock_->Now());
  if (const auto* sas = std::get_if<SasCredential>(&credential_)) {
    request.url = AppendSas(request.url, sas->query);
  } else if (const auto* key =
                 std::get_if<std::shared_ptr<const SharedKeyCredential>>(&credential_)) {
    SignSharedKey(**key, request);
  }
  auto result = transport_->Send(request, on_body);
  if (!result.ok()) return result.status().WithContext(what);
  return result;
}

core::Status ErrorFromResponse(std::string_view what, const http::Response& response) {
  core::RemoteDetails details;
  details.http_status = response.status;
  details.service_code = response.Header("x-ms-error-code");
  details.request_id = response.Header("x-ms-request-id");
  details.attempt = response.attempt;
  std::string retry_after = response.Header("Retry-After");
  if (!retry_after.empty()) {
    int seconds = 0;
    auto [ptr, ec] =
        std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
    if (ec == std::errc() && ptr == retry_after.data() + retry_after.size()) {
      details.retry_after_seconds = seconds;
    }
  }
  std::string service_message;
  if (!response.body.empty()) {
    pugi::xml_document doc;
    if (doc.load_buffer(response.body.data(), response.body.size())) {
      pugi::xml_node error = doc.child("Error");
      if (details.service_code.empty()) details.service_code = error.child_value("Code");
      service_message = FirstLine(error.child_value("Message"));
    }
  }
  core::StatusCode code = CodeFor(response.status, details.service_code);
  std::string message = std::string(what) + ": HTTP " + std::to_string(response.status);
  if (!details.service_code.empty()) message += " " + details.service_code;
  // The service's text can quote parts of the request; redact as a safety net.
  if (!service_message.empty()) message += " (" + core::Redact(service_message) + ")";
  message += WhatToDo(code);
  core::Status status(code, std::move(message));
  status.SetRemote(std::move(details));
  return status;
}

std::string Describe(std::string_view method, std::string_view url) {
  return std::string(method) + " " + http::UrlWithoutQuery(url);
}

core::TimePoint ParseHttpDate(std::string_view text) {
  if (text.empty()) return {};
  auto parsed = core::ParseRfc1123(text);
  return parsed.ok() ? *parsed : core::TimePoint{};
}

std::string QuoteEtag(std::string_view etag) {
  etag = core::Trim(etag);
  if (etag.empty() || etag.front() == '"' || etag.starts_with("W/")) return std::string(etag);
  return "\"" + std::string(etag) + "\"";
}

store::BlobProperties PropertiesFromHeaders(std::string_view name, const http::Headers& headers) {
  store::BlobProperties p;
  p.name = std::string(name);
  auto get = [&](const char* key) -> std::string {
    auto it = headers.find(key);
    return it == headers.end() ? std::string() : std::string(core::Trim(it->second));
  };
  std::string range = get("Content-Range");
  std::string length = get("Content-Length");
  size_t slash = range.rfind('/');
  if (slash != std::string::npos && range.substr(slash + 1) != "*") {
    length = range.substr(slash + 1);
  }
  uint64_t size = 0;
  std::from_chars(length.data(), length.data() + length.size(), size);
  p.size = size;
  p.etag = QuoteEtag(get("ETag"));
  p.last_modified = ParseHttpDate(get("Last-Modified"));
  p.created = ParseHttpDate(get("x-ms-creation-time"));
  // A ranged read returns the whole blob's MD5 in x-ms-blob-content-md5.
  p.content_md5 = range.empty() ? get("Content-MD5") : get("x-ms-blob-content-md5");
  p.content_type = get("Content-Type");
  for (const auto& [key, value] : headers) {
    if (core::StartsWithIgnoreCase(key, "x-ms-meta-")) {
      p.metadata[core::ToLower(key.substr(10))] = std::string(core::Trim(value));
    }
  }
  return p;
}

core::Status AddMetadataHeaders(const std::map<std::string, std::string>& metadata,
                                http::Headers& headers) {
  for (const auto& [key, value] : metadata) {
    bool ok = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
    for (char c : key) {
      ok = ok &&
           ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
    }
    if (!ok) {
      return core::InvalidArgumentError("blob metadata key \"" + key +
                                        "\" is not an identifier (letters, digits, '_')");
    }
    for (unsigned char c : value) {
      if (c < 0x20 || c >= 0x7f) {
        return core::InvalidArgumentError("blob metadata value of \"" + key +
                                          "\" has a control or non-ASCII byte");
      }
    }
    headers["x-ms-meta-" + core::ToLower(key)] = value;
  }
  return core::OkStatus();
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace vivalink::azure::internal
