#include "sim/api_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <signal.h>

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/base64.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "crypto/hash.h"
#include "crypto/rsa.h"
#include "drop/keys.h"
#include "http/server_thread.h"
#include "http/transport.h"
#include "sim/entra_issuer.h"
#include "sim/state.h"

namespace vivalink::sim {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
namespace fs = std::filesystem;

// Request bodies: the public docs show both camelCase and PascalCase names.
const json* FindField(const json& j, std::string_view name) {
  if (!j.is_object()) return nullptr;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (core::EqualsIgnoreCase(it.key(), name)) return &*it;
  }
  return nullptr;
}

std::string FieldString(const json& j, std::string_view name) {
  const json* v = FindField(j, name);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

int64_t Seconds(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// An answered call, for the response and the audit log.
struct Answer {
  int status = 200;
  std::string body;
  std::string outcome;  // audit text
};

Answer ApiError(int status, std::string_view code, std::string message) {
  Answer a;
  a.status = status;
  a.body = ordered_json({{"error", {{"code", code}, {"message", message}}}}).dump();
  a.outcome = std::move(message);
  return a;
}

Answer AadError(int status, std::string_view error, int code, std::string_view description) {
  Answer a;
  a.status = status;
  a.body = ordered_json({{"error", error},
                         {"error_description", fmt::format("AADSTS{}: {}", code, description)},
                         {"error_codes", {code}},
                         {"trace_id", core::NewUuid()},
                         {"correlation_id", core::NewUuid()}})
               .dump();
  a.outcome = std::string(error);
  return a;
}

struct TokenClaims {
  std::string app_id;
  std::string tenant_id;
};

}  // namespace

struct ApiServer::Impl {
  ApiServerOptions options;
  const core::Clock* clock = nullptr;
  PartnerApp partner;
  std::string signing_key = crypto::RandomBytes(32);
  httplib::Server server;
  http::ServerThread listener;
  std::atomic<uint64_t> calls{0};
  std::mutex state_mu;  // registrations written by this server

  std::string BaseUrl() const { return fmt::format("http://{}:{}", options.host, listener.port()); }

  // ---- tokens ----

  std::string IssueToken(const std::string& app_id, const std::string& tenant_id,
                         std::string_view resource) {
    const int64_t now = Seconds(clock->Now());
    const std::string header =
        core::Base64UrlEncode(std::string_view(R"({"alg":"HS256","typ":"JWT"})"));
    const std::string payload = core::Base64UrlEncode(
        ordered_json({{"aud", resource},
                      {"iss", fmt::format("{}/{}/v2.0", BaseUrl(), tenant_id)},
                      {"iat", now},
                      {"nbf", now},
                      {"exp", now + options.token_ttl.count()},
                      {"appid", app_id},
                      {"azp", app_id},
                      {"tid", tenant_id},
                      {"roles", {"EgressKeys.ReadWrite"}},
                      {"jti", core::NewUuid()}})
            .dump());
    const std::string signing_input = header + "." + payload;
    return signing_input + "." +
           core::Base64UrlEncode(crypto::HmacSha256(signing_key, signing_input));
  }

  // kUnauthenticated for a missing, forged, malformed or expired token.
  core::Result<TokenClaims> Authenticate(const httplib::Request& req) const {
    const std::string auth = req.get_header_value("Authorization");
    if (auth.empty()) return core::UnauthenticatedError("no Authorization header");
    if (!core::StartsWithIgnoreCase(auth, "Bearer ")) {
      return core::UnauthenticatedError("the Authorization header is not a Bearer token");
    }
    const std::string_view token = core::Trim(std::string_view(auth).substr(7));
    const size_t dot1 = token.find('.');
    const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos) {
      return core::UnauthenticatedError("the bearer token is malformed");
    }
    const std::string expected =
        core::Base64UrlEncode(crypto::HmacSha256(signing_key, token.substr(0, dot2)));
    if (!crypto::ConstantTimeEquals(expected, token.substr(dot2 + 1))) {
      return core::UnauthenticatedError("the bearer token's signature is invalid");
    }
    auto payload = core::Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
    if (!payload.ok()) return core::UnauthenticatedError("the bearer token is malformed");
    const json claims = json::parse(*payload, nullptr, false);
    if (!claims.is_object() || !claims.contains("exp") || !claims["exp"].is_number_integer()) {
      return core::UnauthenticatedError("the bearer token is malformed");
    }
    const int64_t now = Seconds(clock->Now());
    if (now >= claims["exp"].get<int64_t>()) {
      return core::UnauthenticatedError("the bearer token has expired; get a new one");
    }
    // What a resource server checks besides the signature and exp (Entra ID tokens carry both).
    constexpr int64_t kClockSkewSeconds = 300;
    if (!claims.contains("nbf") || !claims["nbf"].is_number_integer() ||
        now + kClockSkewSeconds < claims["nbf"].get<int64_t>()) {
      return core::UnauthenticatedError("the bearer token is not valid yet (nbf)");
    }
    if (FieldString(claims, "aud") != options.resource) {
      return core::UnauthenticatedError(
          fmt::format("the bearer token's audience '{}' is not this API ({}); request the token "
                      "with scope {}/.default",
                      FieldString(claims, "aud"), options.resource, options.resource));
    }
    return TokenClaims{FieldString(claims, "appid"), FieldString(claims, "tid")};
  }

  Answer Token(const httplib::Request& req, const std::string& tenant_raw) {
    const std::string tenant = core::NormalizeUuid(tenant_raw);
    if (std::find(partner.tenants.begin(), partner.tenants.end(), tenant) ==
        partner.tenants.end()) {
      return AadError(400, "invalid_request", 90002,
                      fmt::format("Tenant '{}' not found. Check to make sure you have the "
                                  "correct tenant ID and are signing into the correct cloud.",
                                  tenant_raw));
    }
    std::string grant_type, client_id, client_secret, scope;
    for (const auto& [k, v] : http::ParseQuery(req.body)) {
      if (k == "grant_type") grant_type = v;
      if (k == "client_id") client_id = v;
      if (k == "client_secret") client_secret = v;
      if (k == "scope") scope = v;
    }
    // client_secret_basic: Authorization: Basic base64(id:secret)
    if (const std::string basic = req.get_header_value("Authorization");
        core::StartsWithIgnoreCase(basic, "Basic ")) {
      auto decoded = core::Base64Decode(core::Trim(std::string_view(basic).substr(6)));
      if (decoded.ok()) {
        const size_t colon = decoded->find(':');
        if (colon != std::string::npos) {
          client_id = http::UrlDecode(decoded->substr(0, colon));
          client_secret = http::UrlDecode(decoded->substr(colon + 1));
        }
      }
    }
    if (grant_type.empty()) {
      return AadError(400, "invalid_request", 900144,
                      "The request body must contain the following parameter: 'grant_type'.");
    }
    if (grant_type != "client_credentials") {
      return AadError(400, "unsupported_grant_type", 70003,
                      fmt::format("The app requested an unsupported grant type '{}'.", grant_type));
    }
    if (client_id.empty()) {
      return AadError(400, "invalid_request", 900144,
                      "The request body must contain the following parameter: 'client_id'.");
    }
    if (scope.empty()) {
      return AadError(400, "invalid_request", 900144,
                      "The request body must contain the following parameter: 'scope'.");
    }
    const std::string* secret = nullptr;
    if (client_id == partner.client_id) secret = &partner.client_secret;
    for (const auto& app : options.extra_apps) {
      if (client_id == app.client_id) secret = &app.client_secret;
    }
    if (secret == nullptr) {
      return AadError(400, "unauthorized_client", 700016,
                      fmt::format("Application with identifier '{}' was not found in the "
                                  "directory '{}'.",
                                  client_id, tenant));
    }
    if (client_secret.empty()) {
      return AadError(401, "invalid_client", 7000216,
                      "'client_assertion', 'client_secret' or 'request' is required for the "
                      "'client_credentials' grant type.");
    }
    if (!crypto::ConstantTimeEquals(client_secret, *secret)) {
      return AadError(401, "invalid_client", 7000215,
                      fmt::format("Invalid client secret provided for app '{}'.", client_id));
    }
    constexpr std::string_view kDefault = "/.default";
    if (scope.find(' ') != std::string::npos || scope.size() <= kDefault.size() ||
        !scope.ends_with(kDefault)) {
      return AadError(400, "invalid_scope", 1002012,
                      fmt::format("The provided value for scope {} is not valid. Client "
                                  "credential flows must have a scope value with /.default "
                                  "suffixed to the resource identifier (application ID URI).",
                                  scope));
    }
    std::string resource = scope.substr(0, scope.size() - kDefault.size());
    while (resource.ends_with('/')) resource.pop_back();
    if (!core::EqualsIgnoreCase(resource, options.resource) &&
        !core::EqualsIgnoreCase(resource, "https://graph.microsoft.com")) {
      return AadError(400, "invalid_resource", 500011,
                      fmt::format("The resource principal named {} was not found in the tenant "
                                  "named {}. This can happen if the application has not been "
                                  "installed by the administrator of the tenant or consented to "
                                  "by any user in the tenant.",
                                  resource, tenant));
    }
    if (core::EqualsIgnoreCase(resource, options.resource)) resource = options.resource;
    Answer a;
    a.body = ordered_json({{"token_type", "Bearer"},
                           {"expires_in", options.token_ttl.count()},
                           {"ext_expires_in", options.token_ttl.count()},
                           {"access_token", IssueToken(client_id, tenant, resource)}})
                 .dump();
    return a;
  }

  // ---- key API ----

  // The checks shared by both calls, up to the parsed body. On success claims and body are set.
  std::optional<Answer> Admit(const httplib::Request& req, const std::string& tenant,
                              const std::string& scope, TokenClaims& claims, json& body) {
    const uint64_t n = ++calls;
    if (options.throttle_every > 0 && n % static_cast<uint64_t>(options.throttle_every) == 0) {
      return ApiError(429, "TooManyRequests",
                      fmt::format("Rate limit exceeded; retry after {} seconds (injected by "
                                  "vivasim --throttle-every)",
                                  options.retry_after_seconds));
    }
    if (options.fail_every > 0 && n % static_cast<uint64_t>(options.fail_every) == 0) {
      return ApiError(options.fail_status, "ServiceUnavailable",
                      "The service is temporarily unavailable (injected by vivasim --fail-every)");
    }
    auto auth = Authenticate(req);
    if (!auth.ok()) return ApiError(401, "Unauthorized", auth.status().message());
    claims = *auth;
    if (!core::IsUuid(tenant) || claims.tenant_id != core::NormalizeUuid(tenant)) {
      return ApiError(403, "Forbidden",
                      fmt::format("the token was issued for tenant {}, not for tenant {}",
                                  claims.tenant_id, tenant));
    }
    if (core::NormalizeUuid(scope) != core::NormalizeUuid(tenant)) {
      return ApiError(400, "BadRequest",
                      fmt::format("scope {} must equal the tenant id {}", scope, tenant));
    }
    body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return ApiError(400, "BadRequest", "the body is not a JSON object");
    return std::nullopt;
  }

  Answer RegisterKey(const httplib::Request& req, const std::string& tenant_raw,
                     const std::string& scope, std::string& app_id) {
    TokenClaims claims;
    json body;
    if (auto early = Admit(req, tenant_raw, scope, claims, body)) return *early;
    app_id = claims.app_id;
    const std::string tenant = core::NormalizeUuid(tenant_raw);
    const std::string partner_app_id = FieldString(body, "partnerAppId");
    const std::string body_tenant = FieldString(body, "tenantId");
    const json* rsa = FindField(body, "rsaKey");
    if (partner_app_id.empty() || body_tenant.empty() || rsa == nullptr || !rsa->is_object()) {
      return ApiError(400, "BadRequest",
                      "the body needs partnerAppId, tenantId and rsaKey {kty, e, n, "
                      "encryptionAlgorithm}");
    }
    if (core::NormalizeUuid(body_tenant) != tenant) {
      return ApiError(400, "BadRequest",
                      fmt::format("tenantId {} in the body does not match the tenant {} of the "
                                  "path",
                                  body_tenant, tenant));
    }
    if (claims.app_id != partner.client_id ||
        std::find(partner.tenants.begin(), partner.tenants.end(), tenant) ==
            partner.tenants.end()) {
      return ApiError(403, "Forbidden",
                      fmt::format("application {} is not a partner application consented in "
                                  "tenant {}",
                                  claims.app_id, tenant));
    }
    if (!core::EqualsIgnoreCase(partner_app_id, claims.app_id)) {
      return ApiError(403, "Forbidden",
                      fmt::format("partnerAppId {} is not the calling application {}",
                                  partner_app_id, claims.app_id));
    }
    crypto::Jwk jwk;
    jwk.kty = FieldString(*rsa, "kty");
    jwk.e = FieldString(*rsa, "e");
    jwk.n = FieldString(*rsa, "n");
    std::string algorithm = FieldString(*rsa, "encryptionAlgorithm");
    if (algorithm.empty()) algorithm = FieldString(body, "encryptionAlgorithm");
    if (jwk.kty != "RSA" || jwk.e.empty() || jwk.n.empty()) {
      return ApiError(400, "BadRequest", "rsaKey needs kty \"RSA\", e and n (base64url)");
    }
    if (algorithm != "RSA2048") {
      return ApiError(
          400, "BadRequest",
          fmt::format("encryptionAlgorithm must be \"RSA2048\", not \"{}\"", algorithm));
    }
    auto key = crypto::RsaPublicKey::FromJwk(jwk);
    if (!key.ok() || key->bits() != 2048) {
      return ApiError(400, "BadRequest", "rsaKey is not an RSA-2048 public key");
    }
    Registration reg;
    reg.tenant_id = tenant;
    reg.partner_app_id = claims.app_id;
    reg.key = key->ToJwk();
    reg.encryption_algorithm = algorithm;
    reg.created = clock->Now();
    reg.expires = reg.created + options.registration_lifetime;
    {
      std::lock_guard<std::mutex> lock(state_mu);
      if (core::Status st = SaveRegistration(options.dir, reg); !st.ok()) {
        return ApiError(500, "InternalServerError", st.message());
      }
    }
    Answer a;
    a.body = ordered_json({{"scopeId", {{"id", tenant}}},
                           {"createdDate", core::FormatIso8601(reg.created)},
                           {"partnerAppId", reg.partner_app_id},
                           {"encryptionAlgorithm", reg.encryption_algorithm},
                           {"expirationDate", core::FormatIso8601(reg.expires)}})
                 .dump();
    a.outcome = "registered";
    return a;
  }

  Answer FetchKeys(const httplib::Request& req, const std::string& tenant_raw,
                   const std::string& scope, std::string& app_id, std::string& request_id) {
    TokenClaims claims;
    json body;
    if (auto early = Admit(req, tenant_raw, scope, claims, body)) return *early;
    app_id = claims.app_id;
    request_id = FieldString(body, "requestId");
    const std::string tenant = core::NormalizeUuid(tenant_raw);
    if (request_id.empty()) {
      return ApiError(400, "BadRequest", "the body needs requestId (the CopyActivityId)");
    }
    if (!core::IsUuid(request_id)) {
      return ApiError(400, "BadRequest",
                      fmt::format("requestId '{}' is not a GUID", request_id.substr(0, 64)));
    }
    auto reg = LoadRegistration(options.dir, tenant);
    if (!reg.ok()) {
      return ApiError(403, "Forbidden",
                      fmt::format("tenant {} has no registered partner key", tenant));
    }
    if (!core::EqualsIgnoreCase(reg->partner_app_id, claims.app_id)) {
      return ApiError(403, "Forbidden",
                      fmt::format("application {} is not the registered partner of tenant {}",
                                  claims.app_id, tenant));
    }
    if (reg->expires <= clock->Now()) {
      return ApiError(403, "Forbidden",
                      fmt::format("the partner key registration of tenant {} expired on {}; "
                                  "register the key again",
                                  tenant, core::FormatIso8601(reg->expires)));
    }
    auto run = LoadRunKeys(options.dir, request_id);
    if (!run.ok()) {
      if (run.status().code() == core::StatusCode::kNotFound) {
        return ApiError(400, "BadRequest", fmt::format("unknown requestId {}", request_id));
      }
      return ApiError(500, "InternalServerError", "the keys of this request cannot be read");
    }
    if (core::NormalizeUuid(run->tenant_id) != tenant) {
      return ApiError(403, "Forbidden",
                      fmt::format("request {} does not belong to tenant {}", request_id, tenant));
    }
    auto public_key = crypto::RsaPublicKey::FromJwk(reg->key);
    if (!public_key.ok()) {
      return ApiError(500, "InternalServerError", "the registered key cannot be used");
    }
    auto response = drop::MakeKeysResponse(core::NormalizeUuid(request_id), run->keys, *public_key);
    if (!response.ok()) return ApiError(500, "InternalServerError", "key wrapping failed");
    Answer a;
    a.body = std::move(*response);
    a.outcome = run->keys.column ? "keys served: File, Column" : "keys served: File";
    return a;
  }

  void Audit(std::string_view action, const std::string& app_id, const std::string& tenant,
             const std::string& request_id, const Answer& a) {
    ordered_json line = {{"time", core::FormatIso8601Millis(clock->Now())},
                         {"action", action},
                         {"appId", app_id},
                         {"tenantId", tenant},
                         {"requestId", request_id},
                         {"status", a.status},
                         {"outcome", a.outcome}};
    AppendJsonLine(options.dir / "audit.jsonl", line, 0600).IgnoreError();
  }

  void Send(httplib::Response& res, const Answer& a) {
    res.status = a.status;
    if (a.status == 429) res.set_header("Retry-After", std::to_string(options.retry_after_seconds));
    if (a.status == 401) res.set_header("WWW-Authenticate", "Bearer");
    res.set_header("x-ms-request-id", core::NewUuid());
    res.set_header("Cache-Control", "no-store");
    res.set_content(a.body, "application/json; charset=utf-8");
  }

  void SendDocument(httplib::Response& res, const core::Result<std::string>& doc) {
    if (!doc.ok()) {
      const bool bad = doc.status().code() == core::StatusCode::kInvalidArgument;
      Send(res, ApiError(bad ? 400 : 500, bad ? "invalid_tenant" : "InternalServerError",
                         doc.status().message()));
      return;
    }
    res.status = 200;
    res.set_header("Cache-Control", "max-age=86400, private");
    res.set_content(*doc, "application/json; charset=utf-8");
  }

  void Install() {
    server.set_payload_max_length(1 << 20);
    // Idle keep-alive connections hold a worker until this runs out, and stop() waits for them:
    // keep it short so SIGTERM stops the server promptly.
    server.set_keep_alive_timeout(1);
    server.Post(R"(/([^/]+)/oauth2/v2\.0/token)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  Send(res, Token(req, req.matches[1].str()));
                });
    server.Post(R"(/v1\.0/tenants/([^/]+)/scopes/([^/]+)/egressPartnerKey)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::string app;
                  const Answer a =
                      RegisterKey(req, req.matches[1].str(), req.matches[2].str(), app);
                  Audit("egressPartnerKey", app, req.matches[1].str(), "", a);
                  Send(res, a);
                });
    server.Post(R"(/v1\.0/tenants/([^/]+)/scopes/([^/]+)/egressDecryptionKey)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::string app, request_id;
                  const Answer a =
                      FetchKeys(req, req.matches[1].str(), req.matches[2].str(), app, request_id);
                  Audit("egressDecryptionKey", app, req.matches[1].str(), request_id, a);
                  Send(res, a);
                });
    // Entra ID's OpenID metadata and signing keys per tenant (sim/entra_issuer.h): what
    // vivalink fetches to validate the Web activity's managed-identity tokens.
    server.Get(R"(/([^/]+)/v2\.0/\.well-known/openid-configuration)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 EntraIssuer issuer(options.dir / "entra");
                 SendDocument(res, issuer.OpenIdConfiguration(BaseUrl(), req.matches[1].str()));
               });
    server.Get(R"(/([^/]+)/discovery/v2\.0/keys)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 EntraIssuer issuer(options.dir / "entra");
                 SendDocument(res, issuer.Jwks(req.matches[1].str()));
               });
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      const std::string code = res.status == 404 ? "NotFound" : "Error";
      res.set_content(
          ordered_json({{"error",
                         {{"code", code},
                          {"message", fmt::format("no route for {} {}", req.method, req.path)}}}})
              .dump(),
          "application/json; charset=utf-8");
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          res.status = 500;
          res.set_content(R"({"error":{"code":"InternalServerError","message":"internal error"}})",
                          "application/json; charset=utf-8");
        });
  }
};

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ApiServer::~ApiServer() { Stop(); }

core::Result<std::unique_ptr<ApiServer>> ApiServer::Start(ApiServerOptions options) {
  if (options.token_ttl.count() < 1) {
    return core::InvalidArgumentError("the token lifetime must be at least 1 second");
  }
  if (options.throttle_every < 0 || options.fail_every < 0 || options.retry_after_seconds < 0 ||
      options.fail_status < 500 || options.fail_status > 599) {
    return core::InvalidArgumentError(
        "--throttle-every/--fail-every must be >= 0 and the injected failure status 5xx");
  }
  auto impl = std::make_unique<Impl>();
  ASSIGN_OR_RETURN(impl->partner, LoadPartnerApp(options.dir));
  impl->clock = options.clock != nullptr ? options.clock : &core::SystemClock::Instance();
  impl->options = std::move(options);
  impl->Install();
  Impl& s = *impl;
  RETURN_IF_ERROR(s.listener.Listen(s.server, s.options.host, s.options.port));
  if (s.options.update_partner_json) {
    const std::string base = s.BaseUrl();
    RETURN_IF_ERROR(
        UpdatePartnerEndpoints(s.options.dir, base, base, base + "/{tenant}/oauth2/v2.0/token"));
  }
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

int ApiServer::port() const { return impl_->listener.port(); }
std::string ApiServer::base_url() const { return impl_->BaseUrl(); }
std::string ApiServer::authority() const { return impl_->BaseUrl(); }
std::string ApiServer::token_url_template() const {
  return impl_->BaseUrl() + "/{tenant}/oauth2/v2.0/token";
}
uint64_t ApiServer::api_calls() const { return impl_->calls.load(); }

void ApiServer::Stop() {
  if (impl_) impl_->listener.Stop();
}

int ServeCommand(const ApiServerOptions& options) {
  // Block the stop signals in every thread (the server's threads inherit the mask) and wait for
  // them here: no async-signal-safety concerns.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto server = ApiServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "error: %s\n", server.status().ToString().c_str());
    return server.status().code() == core::StatusCode::kInvalidArgument ? 2 : 1;
  }
  const ordered_json line = {{"port", (*server)->port()},
                             {"baseUrl", (*server)->base_url()},
                             {"authority", (*server)->authority()},
                             {"tokenUrl", (*server)->token_url_template()}};
  std::printf("%s\n", line.dump().c_str());
  std::fflush(stdout);
  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  (*server)->Stop();
  std::fprintf(stderr, "vivasim serve: stopped on %s after %llu key API call(s)\n",
               sig == SIGTERM ? "SIGTERM" : "SIGINT",
               static_cast<unsigned long long>((*server)->api_calls()));
  return 0;
}

}  // namespace vivalink::sim
