// Module-private: the request pipeline shared by the blob and queue clients (version and date
// headers, SAS or Shared Key authorisation, sending, and turning error responses into Status),
// plus small XML and header helpers.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "azure/credentials.h"
#include "core/status.h"
#include "core/time.h"
#include "http/retry.h"
#include "http/transport.h"
#include "store/blob_store.h"

namespace vivalink::azure::internal {

class Pipeline {
 public:
  // transport null = RetryingTransport(retry) over a CurlTransport. clock null = system clock.
  Pipeline(std::shared_ptr<http::HttpTransport> transport, const http::RetryOptions& retry,
           Credential credential, std::string service_version, const core::Clock* clock);

  // Adds x-ms-version and x-ms-date, the SAS (appended to the URL) or the Shared Key
  // Authorization header, then sends. Network failures come back as the transport returns them
  // (kUnavailable), with `what` prepended; responses of any status are returned as they are.
  core::Result<http::Response> Send(http::Request request, std::string_view what,
                                    const http::BodyCallback& on_body = {}) const;

  const Credential& credential() const { return credential_; }
  const std::string& service_version() const { return service_version_; }

 private:
  std::shared_ptr<http::HttpTransport> transport_;
  Credential credential_;
  std::string service_version_;
  const core::Clock* clock_;
};

// The Status for a non-success response: 401 -> kUnauthenticated, 403 -> kPermissionDenied
// (AuthenticationFailed -> kUnauthenticated), 404 -> kNotFound, 304/409/412 ->
// kFailedPrecondition, 400 PopReceiptMismatch -> kFailedPrecondition, other 4xx ->
// kInvalidArgument, 408/429/5xx -> kUnavailable. The message starts with `what` (which must not
// hold a SAS: build it with http::UrlWithoutQuery) and carries the service's error code and the
// first line of its message; RemoteDetails keep status, code, request id, attempt, Retry-After.
core::Status ErrorFromResponse(std::string_view what, const http::Response& response);

// "what" for messages: "GET https://host/c/b" without any query.
std::string Describe(std::string_view method, std::string_view url);

// Header helpers.
core::TimePoint ParseHttpDate(std::string_view text);  // {} when empty or malformed
std::string QuoteEtag(std::string_view etag);          // adds quotes when missing
// Fills the properties carried by response headers (size from Content-Length, or the total of
// Content-Range when present).
store::BlobProperties PropertiesFromHeaders(std::string_view name, const http::Headers& headers);
// Adds x-ms-meta-<key> headers (keys lower-cased). kInvalidArgument for a key that is not an
// identifier or a value with CR/LF or non-ASCII bytes.
core::Status AddMetadataHeaders(const std::map<std::string, std::string>& metadata,
                                http::Headers& headers);

// XML text escaping for request bodies.
std::string XmlEscape(std::string_view text);

}  // namespace vivalink::azure::internal
