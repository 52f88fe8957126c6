// The Microsoft services vivalink calls over HTTPS, simulated on 127.0.0.1 for `vivasim serve`
// (PROTOCOL §4): the Entra ID token endpoint (OAuth 2.0 client credentials) and the Viva Insights
// key API. State lives in the world directory D (sim/state.h), so a pipeline run in another
// process is visible at once.
//
// Token endpoint  POST {authority}/{tenant}/oauth2/v2.0/token
//   form grant_type=client_credentials, client_id, client_secret (or HTTP Basic), scope
//   "<resource>/.default" -> 200 {token_type:"Bearer", expires_in, ext_expires_in, access_token}.
//   Errors as Entra ID writes them ({error, error_description "AADSTSnnn: ...", error_codes}):
//   400 unsupported_grant_type / invalid_request (missing field, unknown tenant) / invalid_scope /
//   invalid_resource (a resource other than the key API or Graph) / unauthorized_client (unknown
//   client_id); 401 invalid_client (wrong secret).
//   Tokens are JWT-shaped (HS256 with a per-process key; claims tid, appid, azp, aud, iss, iat,
//   nbf, exp) and valid for token_ttl. Applications: the partner of D/partner.json (consented in
//   every tenant it lists) plus ApiServerOptions::extra_apps (can obtain tokens, are nobody's
//   partner: what a second, unrelated application looks like to the API).
//
// Key API (scope must equal the tenant id), every call with Authorization: Bearer <token>:
//   POST /v1.0/tenants/{tenant}/scopes/{scope}/egressPartnerKey
//     {partnerAppId, tenantId, rsaKey:{kty:"RSA", e, n, encryptionAlgorithm:"RSA2048"}} ->
//     200 {scopeId:{id}, createdDate, partnerAppId, encryptionAlgorithm, expirationDate};
//     replaces the tenant's registration (D/registrations/<tenant>.json).
//   POST /v1.0/tenants/{tenant}/scopes/{scope}/egressDecryptionKey  {requestId} ->
//     200 {requestId, DecryptionKeys:[{DecryptionKeyType:"File"|"Column", Value, IV}]}, the keys of
//     that copy activity wrapped (RSA-OAEP-SHA256) under the tenant's registered key.
//   Field names are matched case-insensitively (partnerAppId/PartnerAppId, rsaKey/RsaKey, ...).
//   Status codes, checked in this order:
//     429 + Retry-After / fail_status (5xx)  injected: every throttle_every-th / fail_every-th call
//     401  no bearer token, a malformed or forged one, an expired or not yet valid (nbf) one, or
//          one issued for another audience (aud != ApiServerOptions::resource)
//          (WWW-Authenticate: Bearer)
//     403  token issued for another tenant than the path's
//     400  scope != tenant, body not a JSON object, a required field missing or malformed,
//          tenantId in the body != path, a key that is not RSA-2048
//     403  registration: the token's application is not the tenant's consented partner, or
//          partnerAppId != the token's application;
//          key fetch: the tenant has no registration, the token's application is not the
//          registered partner, or the request id belongs to another tenant's run
//     400  key fetch: unknown request id (no such copy activity)
//   Error bodies: {"error":{"code":"Unauthorized"|"Forbidden"|"BadRequest"|..., "message"}}.
//   Every key API call is appended to D/audit.jsonl (time, action, appId, tenantId, requestId,
//   status, outcome) — never a key or a token.
//
// Thread-safe: requests are served by a thread pool; Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace vivalink::sim {

struct AppCredential {
  std::string client_id;
  std::string client_secret;
};

struct ApiServerOptions {
  std::filesystem::path dir;       // the world (D/partner.json must exist)
  std::string host = "127.0.0.1";  // never a public interface
  int port = 0;                    // 0 = any free port
  std::chrono::seconds token_ttl{3600};
  int throttle_every = 0;       // every Nth key API call answers 429 (0 = never)
  int fail_every = 0;           // every Nth key API call answers fail_status (0 = never)
  int retry_after_seconds = 1;  // Retry-After of throttled answers
  int fail_status = 503;
  std::vector<AppCredential> extra_apps;         // more applications that can obtain tokens
  std::chrono::days registration_lifetime{365};  // expirationDate = createdDate + this
  bool update_partner_json = true;  // write api_url / authority / token_url into partner.json
  // The key API's application ID URI. The token endpoint issues tokens for it and for Microsoft
  // Graph only (any other resource: 400 invalid_resource, AADSTS500011, as Entra ID answers); the
  // key API accepts only tokens whose aud is exactly this and whose nbf has come (5 minutes of
  // clock skew allowed), so a wrong keys.scope fails here as it would against Entra ID.
  std::string resource = "https://api.orginsights.viva.office.com";
  const core::Clock* clock = nullptr;  // null = core::SystemClock; must outlive the server
};

class ApiServer {
 public:
  // Binds, fills partner.json (when asked) and starts serving on a background thread.
  // kNotFound / kInvalidArgument from D/partner.json; kUnavailable when the port cannot be bound.
  static core::Result<std::unique_ptr<ApiServer>> Start(ApiServerOptions options);
  ~ApiServer();  // Stop()
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  int port() const;
  std::string base_url() const;   // "http://127.0.0.1:<port>" (the key API's base URL)
  std::string authority() const;  // the token endpoint's authority (same server)
  // "{authority}/{tenant}/oauth2/v2.0/token" with the literal placeholder {tenant}.
  std::string token_url_template() const;
  // Key API calls answered so far (including injected failures).
  uint64_t api_calls() const;

  // Stops accepting, finishes running requests and joins the thread. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `vivasim serve`: starts the server, prints {"port","baseUrl","authority","tokenUrl"} as one
// JSON line on stdout, serves until SIGTERM or SIGINT, then stops cleanly. Returns the exit code
// (0 after a signal, 1 when the server cannot start, 2 for bad options). Call before any other
// thread exists (it blocks SIGTERM/SIGINT for the whole process to wait for them).
int ServeCommand(const ApiServerOptions& options);

}  // namespace vivalink::sim
