// vivasim playing Entra ID for the managed-identity tokens a Data Factory Web activity sends
// (PROTOCOL §6): per customer tenant an RS256 signing key set, published as OpenID metadata and a
// JWKS (served by sim::ApiServer), tokens for a resource (the partner's app id URI), key
// rotation, and on request the tokens Entra ID would never issue or the partner must refuse:
// forged (signed by a key nobody published, under the published kid), expired, not yet valid,
// for another audience, of another tenant, or naming an unknown key.
//
// Keys live in D/entra/<tenant>.json (private JWKs, mode 0600) so `vivasim serve` (publishing)
// and `vivasim pipeline run` (signing) in different processes agree; the first key of a tenant is
// created exclusively (two processes racing create one key). The JOSE work is cjose's.
//
// Metadata:  {authority}/{tenant}/v2.0/.well-known/openid-configuration
//            {issuer: "{authority}/{tenant}/v2.0", jwks_uri:
//            "{authority}/{tenant}/discovery/v2.0/keys", ...}
// Tokens:    header {alg: RS256, typ: JWT, kid}; claims {aud, iss, iat, nbf, exp, tid, oid, sub,
//            appid, azp, idtyp: "app", ver: "2.0"}.
// Thread-safety: one EntraIssuer per thread; different instances on one folder are safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace vivalink::sim {

enum class TokenFlaw {
  kNone,
  kForged,         // valid claims, signed by an unpublished key under the current kid
  kExpired,        // exp an hour ago
  kNotYetValid,    // nbf an hour ahead
  kWrongAudience,  // aud another application's
  kOtherTenant,    // a valid token of another tenant (OtherTenantOf(tenant))
  kUnknownKey,     // signed by an unpublished key under an unpublished kid
};
// "none", "forged", "expired", "not-yet-valid", "wrong-audience", "other-tenant", "unknown-key".
core::Result<TokenFlaw> ParseTokenFlaw(std::string_view text);
std::string_view TokenFlawName(TokenFlaw flaw);

// The tenant a kOtherTenant token comes from: a stable GUID derived from tenant.
std::string OtherTenantOf(std::string_view tenant);

struct TokenRequest {
  std::string authority;  // e.g. "http://127.0.0.1:41234" (the ApiServer's URL)
  std::string tenant;     // the data factory's tenant
  std::string resource;   // the Web activity's MSI resource: the partner's app id URI
  TokenFlaw flaw = TokenFlaw::kNone;
  core::TimePoint now{};  // issue time
  std::chrono::seconds lifetime{3600};
};

class EntraIssuer {
 public:
  explicit EntraIssuer(std::filesystem::path dir);  // D/entra

  // The OpenID metadata document and the public JWKS of tenant (its first key is created when
  // it has none). kInvalidArgument for a tenant id that is not a GUID or domain-like name.
  core::Result<std::string> OpenIdConfiguration(std::string_view authority,
                                                std::string_view tenant);
  core::Result<std::string> Jwks(std::string_view tenant);

  // A new signing key for tenant; the previous ones stay published unless drop_previous.
  core::Status RotateKey(std::string_view tenant, bool drop_previous = false);

  // A managed-identity access token (compact JWS) for request.resource, with request.flaw.
  core::Result<std::string> IssueToken(const TokenRequest& request);

 private:
  std::filesystem::path dir_;
};

}  // namespace vivalink::sim
