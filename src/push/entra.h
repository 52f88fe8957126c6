// Entra ID bearer tokens of a Data Factory's managed identity, validated offline (PROTOCOL §6).
//
// A Web activity with `authentication: {type: MSI, resource: <partner app id URI>}` sends
// `Authorization: Bearer <JWT>`: RS256, signed by a key of the customer tenant published through
// its OpenID metadata. EntraTokenValidator::Validate accepts such a token only when
//   - it is a compact JWS whose header says alg RS256 and names a kid (any other alg, "none"
//     included, is refused before any key is looked at);
//   - its tid is a tenant the caller allows (ValidatorOptions::tenant_allowed);
//   - the signature verifies with the key of that kid among the tenant's published keys:
//     {authority}/{tid}/v2.0/.well-known/openid-configuration -> jwks_uri -> {"keys":[JWK...]}.
//     Keys are cached per tenant; an unknown kid refetches them (key rotation), but at most once
//     per refetch_floor per tenant, so forged kids cannot turn us into a request amplifier;
//     the cache is refreshed after keys_max_age anyway. jwks_uri must be on the authority's
//     origin (scheme://host:port);
//   - iss is the metadata's issuer for that tenant ("{tenantid}" substituted), or Entra's v1
//     issuer https://sts.windows.net/{tid}/ (managed-identity tokens are v1 unless the partner
//     app asks for v2; both are signed by the same keys);
//   - aud is one of ValidatorOptions::audiences (the partner's app id URI, and its app id);
//   - exp is present and not passed, nbf (when present) reached, each with at most clock_skew
//     of tolerance.
// The JOSE work (compact JWS parsing, JWK import, RSA signature check) is cisco/cjose's
// (Debian libcjose-dev); this file decides what to accept.
//
// Errors: kUnauthenticated (HTTP 401) for a malformed, forged, expired, not-yet-valid or
// wrong-audience token, an unknown kid, a wrong issuer; kPermissionDenied (403) for a valid
// token of a tenant that is not allowed; kUnavailable when the tenant's keys cannot be fetched
// (the sender retries). Messages name the claim that failed and never quote the token.
//
// Thread-safe: Validate may be called from many threads; key fetches for one validator are
// serialised (a slow identity provider delays validations that need a fetch, bounded by
// fetch_timeout).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "http/transport.h"

namespace vivalink::push {

struct ValidatorOptions {
  // Entra ID authority: metadata is {authority}/{tenant}/v2.0/.well-known/openid-configuration.
  std::string authority = "https://login.microsoftonline.com";
  // Accepted aud values (the partner's application ID URI, e.g. "api://vivalink-partner", and
  // its application id for v2 tokens). Required: at least one.
  std::vector<std::string> audiences;
  // Tolerance on exp and nbf (clock differences). At most 10 minutes.
  std::chrono::seconds clock_skew{300};
  // At most one key fetch per tenant in this interval for kids not in the cache.
  std::chrono::seconds refetch_floor{300};
  // Cached keys older than this are fetched again before use.
  std::chrono::seconds keys_max_age{24 * 3600};
  std::chrono::milliseconds fetch_timeout{5000};  // whole request, each of the two documents
  size_t max_document_bytes = 256 * 1024;         // metadata and JWKS answers above: refused
  size_t max_token_bytes = 16 * 1024;             // longer tokens are refused unparsed
  // Which tenants may notify (the onboarded customers); null = any tenant.
  std::function<bool(std::string_view tenant)> tenant_allowed;
  // Fetches the documents; not owned, must outlive the validator; null = a CurlTransport.
  http::HttpTransport* transport = nullptr;
  const core::Clock* clock = nullptr;  // null = core::SystemClock
};

// What a valid token says about its sender.
struct TokenIdentity {
  std::string tenant_id;  // tid (lower case)
  std::string app_id;     // appid (v1) or azp (v2): the managed identity's application id
  std::string object_id;  // oid: the managed identity's service principal
  std::string audience;   // the aud that matched
  core::TimePoint expires{};
};

class EntraTokenValidator {
 public:
  // kInvalidArgument for options that cannot work (no audience, skew over 10 minutes, an
  // authority that is not an http(s) URL).
  static core::Result<std::unique_ptr<EntraTokenValidator>> Create(ValidatorOptions options);
  ~EntraTokenValidator();
  EntraTokenValidator(const EntraTokenValidator&) = delete;
  EntraTokenValidator& operator=(const EntraTokenValidator&) = delete;

  // Validates a token (the text after "Bearer "). See the header comment for the rules and codes.
  core::Result<TokenIdentity> Validate(std::string_view token);

  // Key fetches made so far (metadata + JWKS pairs), for tests of the refetch floor.
  int fetches() const;

  struct Impl;

 private:
  explicit EntraTokenValidator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The token of an "Authorization: Bearer <token>" header value; empty when it is not one.
std::string_view BearerToken(std::string_view authorization);

}  // namespace vivalink::push
