#include "ingest/key_client.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/strings.h"
#include "drop/keys.h"

namespace vivalink::ingest {
namespace {

using core::Result;
using core::Status;
using core::StatusCode;
using nlohmann::json;

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

core::RemoteDetails Details(const http::Response& r) {
  core::RemoteDetails d;
  d.http_status = r.status;
  d.attempt = r.attempt;
  d.request_id = r.Header("request-id");
  if (d.request_id.empty()) d.request_id = r.Header("x-ms-request-id");
  if (std::string ra = r.Header("Retry-After"); !ra.empty()) {
    d.retry_after_seconds = std::atoi(ra.c_str());
  }
  return d;
}

// {"error":{"code","message"}} (key API) or {"error","error_description"} (Entra ID). Only the
// service's own words are kept; they never contain our secret or token.
// Parses an answer of the token endpoint or the key API; deeper nesting than any real answer has
// reads as not JSON (nlohmann::json recurses over nested values).
json ParseUntrusted(std::string_view text) {
  if (drop::JsonNestingDepth(text) > drop::kMaxJsonNesting) return json(json::value_t::discarded);
  return json::parse(text, nullptr, false);
}

void ParseError(const std::string& body, std::string& code, std::string& message) {
  json j = ParseUntrusted(body);
  if (!j.is_object() || !j.contains("error")) return;
  const json& e = j["error"];
  if (e.is_object()) {
    if (e.contains("code") && e["code"].is_string()) code = e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) {
      message = e["message"].get<std::string>();
    }
  } else if (e.is_string()) {
    code = e.get<std::string>();
    if (j.contains("error_description") && j["error_description"].is_string()) {
      message = j["error_description"].get<std::string>();
    }
  }
  if (message.size() > 300) message.resize(300);
}

Status ApiError(const http::Response& r, std::string_view what, std::string_view tenant) {
  std::string code, message;
  ParseError(r.body, code, message);
  std::string detail = message.empty() ? "" : ": " + message;
  StatusCode sc = StatusCode::kInternal;
  std::string text;
  switch (r.status) {
    case 400:
      sc = StatusCode::kInvalidArgument;
      text = fmt::format("the key API refused the {} request for tenant {} (400 {}){}", what,
                         tenant, code, detail);
      break;
    case 401:
      sc = StatusCode::kUnauthenticated;
      text = fmt::format(
          "the key API did not accept the bearer token for tenant {} even after a fresh token "
          "(401){}; check client_id/client_secret and the authority",
          tenant, detail);
      break;
    case 403:
      sc = StatusCode::kPermissionDenied;
      text = fmt::format(
          "this application is not the registered partner for tenant {} (403 on {}){}; register "
          "the tenant's key with `vivalink keys register` and check that the tenant consented",
          tenant, what, detail);
      break;
    case 404:
      sc = StatusCode::kNotFound;
      text = fmt::format("the key API has no such endpoint for {} of tenant {} (404){}", what,
                         tenant, detail);
      break;
    default:
      sc = (r.status == 429 || r.status >= 500 || r.status == 408) ? StatusCode::kUnavailable
                                                                   : StatusCode::kInternal;
      text = fmt::format(
          "the key API answered {} to the {} request for tenant {} after {} "
          "attempt(s){}",
          r.status, what, tenant, r.attempt, detail);
  }
  core::RemoteDetails d = Details(r);
  d.service_code = code;
  return Status(sc, std::move(text)).SetRemote(std::move(d));
}

// Sends req and reads a 2xx body of at most max bytes (error bodies are capped by the transport
// when a body callback is given). A larger answer is kDataLoss naming what it was.
Result<http::Response> SendBounded(http::HttpTransport& transport, const http::Request& req,
                                   size_t max, std::string_view what) {
  std::string body;
  auto sent = transport.Send(req, [&](std::string_view chunk) -> Status {
    if (chunk.size() > max - body.size()) {
      return core::DataLossError(
          fmt::format("{} from {} is larger than {} bytes; refused (a real answer is a few KiB)",
                      what, http::UrlWithoutQuery(req.url), max));
    }
    body.append(chunk);
    return core::OkStatus();
  });
  if (!sent.ok()) {
    core::SecureWipe(body.data(), body.size());
    return sent.status();
  }
  if (sent->status >= 200 && sent->status < 300) sent->body = std::move(body);
  return sent;
}

}  // namespace

KeyClient::KeyClient(KeyClientOptions options, std::shared_ptr<http::HttpTransport> transport)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &core::SystemClock::Instance()) {
  options_.api_base_url = TrimSlash(options_.api_base_url);
  options_.authority = TrimSlash(options_.authority);
  http::RetryOptions retry = options_.retry;
  if (retry.clock == nullptr) retry.clock = clock_;
  transport_ = std::make_shared<http::RetryingTransport>(std::move(transport), std::move(retry));
}

int KeyClient::token_requests() const {
  std::lock_guard lock(mu_);
  return token_requests_;
}

void KeyClient::DropToken(const std::string& tenant) {
  std::lock_guard lock(mu_);
  tokens_.erase(tenant);
}

Result<core::SecureString> KeyClient::Token(std::string_view tenant_id) {
  std::string tenant = core::ToLower(tenant_id);
  {
    std::lock_guard lock(mu_);
    auto it = tokens_.find(tenant);
    if (it != tokens_.end() && clock_->Now() + options_.refresh_margin < it->second.expires) {
      return it->second.token;
    }
  }
  return FetchToken(tenant);
}

Result<core::SecureString> KeyClient::FetchToken(const std::string& tenant) {
  if (options_.client_id.empty() || options_.client_secret.empty()) {
    return core::UnauthenticatedError(
        "no client credentials for the key API: set keys.client_id and keys.client_secret (or "
        "VIVALINK_CLIENT_ID / VIVALINK_CLIENT_SECRET)");
  }
  http::Request req;
  req.method = "POST";
  req.url = options_.authority + "/" + http::UrlEncodePath(tenant) + "/oauth2/v2.0/token";
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.headers["Accept"] = "application/json";
  req.timeout = options_.timeout;
  core::SecureString body;
  body += "grant_type=client_credentials&client_id=";
  std::string id = http::UrlEncodeQuery(options_.client_id);
  body.append(id.begin(), id.end());
  body += "&client_secret=";
  std::string secret = http::UrlEncodeQuery(
      std::string_view(options_.client_secret.data(), options_.client_secret.size()));
  body.append(secret.begin(), secret.end());
  core::SecureWipe(secret.data(), secret.size());
  body += "&scope=";
  std::string scope = http::UrlEncodeQuery(options_.scope);
  body.append(scope.begin(), scope.end());
  req.body.assign(body.begin(), body.end());

  auto sent = SendBounded(*transport_, req, options_.max_response_bytes, "the token answer");
  core::SecureWipe(req.body.data(), req.body.size());
  {
    std::lock_guard lock(mu_);
    ++token_requests_;
  }
  if (!sent.ok()) {
    return sent.status().WithContext(
        fmt::format("token request for tenant {} to {}", tenant, http::UrlWithoutQuery(req.url)));
  }
  const http::Response& r = *sent;
  if (r.status != 200) {
    std::string code, message;
    ParseError(r.body, code, message);
    StatusCode sc = (r.status == 429 || r.status >= 500) ? StatusCode::kUnavailable
                                                         : StatusCode::kUnauthenticated;
    core::RemoteDetails d = Details(r);
    d.service_code = code;
    return Status(sc, fmt::format("the token endpoint {} refused client {} for tenant {} ({} "
                                  "{}){}{}",
                                  http::UrlWithoutQuery(req.url), options_.client_id, tenant,
                                  r.status, code, message.empty() ? "" : ": ", message))
        .SetRemote(std::move(d));
  }
  json j = ParseUntrusted(r.body);
  if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string()) {
    return core::DataLossError(
        fmt::format("the token endpoint's answer for tenant {} has no access_token", tenant));
  }
  int64_t expires_in = 3600;
  if (j.contains("expires_in")) {
    if (j["expires_in"].is_number_integer()) {
      expires_in = j["expires_in"].get<int64_t>();
    } else if (j["expires_in"].is_string()) {
      expires_in = std::atoll(j["expires_in"].get<std::string>().c_str());
    }
  }
  std::string tok = j["access_token"].get<std::string>();
  CachedToken cached;
  cached.token.assign(tok.begin(), tok.end());
  core::SecureWipe(tok.data(), tok.size());
  cached.expires = clock_->Now() + std::chrono::seconds(expires_in);
  core::SecureString out = cached.token;
  std::lock_guard lock(mu_);
  tokens_[tenant] = std::move(cached);
  return out;
}

Result<http::Response> KeyClient::CallApi(const std::string& tenant, const std::string& path,
                                          const std::string& body) {
  if (options_.api_base_url.empty()) {
    return core::FailedPreconditionError(
        "no key API configured: set keys.api_base_url (or keys.keys_dir for saved answers)");
  }
  for (int round = 0;; ++round) {
    ASSIGN_OR_RETURN(core::SecureString token, Token(tenant));
    http::Request req;
    req.method = "POST";
    req.url = options_.api_base_url + path;
    req.headers["Content-Type"] = "application/json";
    req.headers["Accept"] = "application/json";
    std::string auth = "Bearer ";
    auth.append(token.begin(), token.end());
    req.headers["Authorization"] = auth;
    core::SecureWipe(auth.data(), auth.size());
    req.body = body;
    req.timeout = options_.timeout;
    auto sent = SendBounded(*transport_, req, options_.max_response_bytes, "the key API's answer");
    core::SecureWipe(req.headers["Authorization"].data(), req.headers["Authorization"].size());
    if (!sent.ok()) {
      return sent.status().WithContext(
          fmt::format("key API call {} for tenant {}", http::UrlWithoutQuery(req.url), tenant));
    }
    if (sent->status == 401 && round == 0) {
      // The token may have been revoked or expired early: one fresh token, one more try.
      VL_LOG_WARN("key API answered 401 for tenant {}; fetching a new token and retrying once",
                  tenant);
      DropToken(tenant);
      continue;
    }
    return sent;
  }
}

Result<std::vector<drop::WrappedKey>> KeyClient::FetchDecryptionKeys(std::string_view tenant_id,
                                                                     std::string_view request_id) {
  std::string tenant = core::ToLower(tenant_id);
  std::string path = "/v1.0/tenants/" + http::UrlEncodePath(tenant) + "/scopes/" +
                     http::UrlEncodePath(tenant) + "/egressDecryptionKey";
  std::string body = json{{"requestId", std::string(request_id)}}.dump();
  ASSIGN_OR_RETURN(http::Response r, CallApi(tenant, path, body));
  if (r.status != 200) {
    return ApiError(r, fmt::format("decryption key (request id {})", request_id), tenant);
  }
  auto keys = drop::ParseKeysResponse(r.body);
  if (!keys.ok()) {
    return keys.status().WithContext(
        fmt::format("key API answer for tenant {} request id {}", tenant, request_id));
  }
  return keys;
}

Result<PartnerKeyRegistration> KeyClient::RegisterPartnerKey(
    std::string_view tenant_id, const crypto::RsaPublicKey& public_key) {
  std::string tenant = core::ToLower(tenant_id);
  crypto::Jwk jwk = public_key.ToJwk();
  json body = {
      {"partnerAppId", options_.client_id},
      {"tenantId", tenant},
      {"rsaKey",
       {{"kty", jwk.kty}, {"e", jwk.e}, {"n", jwk.n}, {"encryptionAlgorithm", "RSA2048"}}}};
  std::string path = "/v1.0/tenants/" + http::UrlEncodePath(tenant) + "/scopes/" +
                     http::UrlEncodePath(tenant) + "/egressPartnerKey";
  ASSIGN_OR_RETURN(http::Response r, CallApi(tenant, path, body.dump()));
  if (r.status != 200 && r.status != 201) return ApiError(r, "partner key registration", tenant);
  json j = ParseUntrusted(r.body);
  if (!j.is_object()) {
    return core::DataLossError(
        fmt::format("the key API's registration answer for tenant {} is not JSON", tenant));
  }
  PartnerKeyRegistration reg;
  auto str = [&](const json& o, const char* k) {
    return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
  };
  if (j.contains("scopeId") && j["scopeId"].is_object()) reg.scope_id = str(j["scopeId"], "id");
  reg.created_date = str(j, "createdDate");
  reg.expiration_date = str(j, "expirationDate");
  reg.partner_app_id = str(j, "partnerAppId");
  return reg;
}

}  // namespace vivalink::ingest
