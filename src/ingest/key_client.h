// KeyClient: the Viva Insights key API (PROTOCOL §4) as vivalink calls it.
//
//   - OAuth 2.0 client credentials: POST {authority}/{tenant}/oauth2/v2.0/token (form body);
//     one token per tenant, cached and refreshed `refresh_margin` before it expires.
//   - FetchDecryptionKeys: POST {base}/v1.0/tenants/{tenant}/scopes/{tenant}/egressDecryptionKey
//     {requestId} -> the wrapped File and Column keys of one copy activity.
//   - RegisterPartnerKey: POST .../egressPartnerKey with the tenant's RSA public key as a JWK.
//
// Retries: the transport is wrapped in http::RetryingTransport (backoff with full jitter,
// Retry-After honoured) for 429, 5xx and network errors. A 401 from the API drops the cached token,
// fetches a new one and retries once. Errors (codes):
//   kInvalidArgument   400 (malformed or unknown request id), with the service's message
//   kUnauthenticated   401 twice in a row, or the token endpoint refusing the client credentials
//   kPermissionDenied  403: "this application is not the registered partner for tenant X"
//   kUnavailable       429/5xx/network after every retry
//   kDataLoss          an answer that is not the documented JSON
// Every error keeps RemoteDetails (HTTP status, service code, request id, attempt). Neither the
// client secret nor a token appears in any message or log line.
//
// Thread-safe (the token cache is guarded by a mutex).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/secure.h"
#include "core/status.h"
#include "core/time.h"
#include "crypto/rsa.h"
#include "drop/metadata.h"
#include "http/retry.h"
#include "http/transport.h"

namespace vivalink::ingest {

struct KeyClientOptions {
  std::string api_base_url;  // e.g. "https://api.orginsights.viva.office.com" (no trailing '/')
  std::string authority = "https://login.microsoftonline.com";
  std::string scope = "https://api.orginsights.viva.office.com/.default";
  std::string client_id;
  core::SecureString client_secret;
  // A cached token is renewed when it has less than this left. Default 5 minutes.
  std::chrono::seconds refresh_margin{300};
  http::RetryOptions retry;  // backoff for 429/5xx/network (RetryingTransport)
  std::chrono::milliseconds timeout{30000};
  const core::Clock* clock = nullptr;  // null = core::SystemClock; not owned
  // A token or key-API answer larger than this is refused (kDataLoss) without being read on.
  // Real answers are a few KiB. Default 1 MiB.
  size_t max_response_bytes = 1u << 20;
};

// What egressPartnerKey answered.
struct PartnerKeyRegistration {
  std::string scope_id;
  std::string created_date;
  std::string expiration_date;
  std::string partner_app_id;
};

class KeyClient {
 public:
  // transport: the raw transport (CurlTransport in production, FakeTransport in tests); the client
  // wraps it in a RetryingTransport.
  KeyClient(KeyClientOptions options, std::shared_ptr<http::HttpTransport> transport);

  // The wrapped keys of a copy activity (request id = CopyActivityId of metadata.json).
  core::Result<std::vector<drop::WrappedKey>> FetchDecryptionKeys(std::string_view tenant_id,
                                                                  std::string_view request_id);

  // Registers public_key as the partner key of tenant_id (vivalink keys register).
  core::Result<PartnerKeyRegistration> RegisterPartnerKey(std::string_view tenant_id,
                                                          const crypto::RsaPublicKey& public_key);

  // A valid bearer token for tenant_id (cached). Exposed for tests and diagnostics; never log it.
  core::Result<core::SecureString> Token(std::string_view tenant_id);
  // Token requests made so far (for tests of the cache).
  int token_requests() const;

 private:
  struct CachedToken {
    core::SecureString token;
    core::TimePoint expires{};
  };
  core::Result<core::SecureString> FetchToken(const std::string& tenant);
  void DropToken(const std::string& tenant);
  core::Result<http::Response> CallApi(const std::string& tenant, const std::string& path,
                                       const std::string& body);

  KeyClientOptions options_;
  std::shared_ptr<http::HttpTransport> transport_;
  const core::Clock* clock_;
  mutable std::mutex mu_;
  std::map<std::string, CachedToken> tokens_;
  int token_requests_ = 0;
};

}  // namespace vivalink::ingest
