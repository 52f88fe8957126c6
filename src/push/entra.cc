#include "push/entra.h"

#include <cjose/cjose.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/handle.h"
#include "core/strings.h"
#include "http/curl_transport.h"

namespace vivalink::push {
namespace {

using nlohmann::json;
using Jwk = core::UniqueHandle<cjose_jwk_t, cjose_jwk_release>;
using Jws = core::UniqueHandle<cjose_jws_t, cjose_jws_release>;

core::Status Unauthenticated(std::string_view what) {
  return core::UnauthenticatedError(fmt::format("bearer token refused: {}", what));
}

// "scheme://host[:port]" of an absolute URL; empty when it is not one.
std::string Origin(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  size_t end = url.find_first_of("/?#", scheme + 3);
  return core::ToLower(url.substr(0, end == std::string_view::npos ? url.size() : end));
}

bool IsTenantId(std::string_view s) {
  // A GUID or a verified domain name: letters, digits, '-', '.'; nothing that changes a URL path.
  if (s.empty() || s.size() > 100) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  }
  return true;
}

std::optional<int64_t> NumericDate(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (d > -1e15 && d < 1e15) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

struct TenantKeys {
  std::string issuer;                 // as the metadata gives it ("{tenantid}" not substituted)
  std::map<std::string, Jwk> by_kid;  // RSA signing keys
  core::TimePoint fetched_at{};       // last successful fetch
  core::TimePoint attempted_at{};     // last fetch attempt (successful or not)
  bool ever_fetched = false;
};

}  // namespace

struct EntraTokenValidator::Impl {
  ValidatorOptions options;
  std::unique_ptr<http::HttpTransport> owned_transport;
  http::HttpTransport* transport = nullptr;
  const core::Clock* clock = nullptr;
  std::mutex mu;
  std::map<std::string, TenantKeys> tenants;  // by lower-case tid
  int fetches = 0;

  core::Result<json> FetchJson(const std::string& url, std::string_view what) {
    http::Request req;
    req.url = url;
    req.timeout = options.fetch_timeout;
    req.connect_timeout = std::min(options.fetch_timeout, std::chrono::milliseconds(5000));
    req.headers["Accept"] = "application/json";
    std::string body;
    bool too_large = false;
    auto res = transport->Send(req, [&](std::string_view chunk) -> core::Status {
      if (chunk.size() > options.max_document_bytes - body.size()) {
        too_large = true;
        return core::DataLossError("too large");
      }
      body.append(chunk);
      return core::OkStatus();
    });
    if (too_large) {
      return core::UnavailableError(fmt::format("{} at {} is larger than {} bytes", what,
                                                http::UrlWithoutQuery(url),
                                                options.max_document_bytes));
    }
    if (!res.ok()) {
      return core::UnavailableError(fmt::format(
          "fetching {} from {}: {}", what, http::UrlWithoutQuery(url), res.status().message()));
    }
    if (res->status / 100 != 2) {
      return core::UnavailableError(fmt::format("fetching {} from {}: HTTP {}", what,
                                                http::UrlWithoutQuery(url), res->status));
    }
    if (body.empty()) body = std::move(res->body);
    if (body.size() > options.max_document_bytes) {
      return core::UnavailableError(
          fmt::format("{} is larger than {} bytes", what, options.max_document_bytes));
    }
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
      return core::UnavailableError(
          fmt::format("{} from {} is not a JSON object", what, http::UrlWithoutQuery(url)));
    }
    return doc;
  }

  // Fetches the tenant's metadata and keys into entry. Called with mu held.
  core::Status Fetch(const std::string& tid, TenantKeys& entry) {
    entry.attempted_at = clock->Now();
    ++fetches;
    std::string authority = options.authority;
    while (!authority.empty() && authority.back() == '/') authority.pop_back();
    const std::string metadata_url =
        fmt::format("{}/{}/v2.0/.well-known/openid-configuration", authority, tid);
    ASSIGN_OR_RETURN(json metadata, FetchJson(metadata_url, "the OpenID metadata"));
    auto jwks_uri = metadata.find("jwks_uri");
    auto issuer = metadata.find("issuer");
    if (jwks_uri == metadata.end() || !jwks_uri->is_string() || issuer == metadata.end() ||
        !issuer->is_string()) {
      return core::UnavailableError(
          fmt::format("the OpenID metadata of tenant {} has no jwks_uri or issuer string", tid));
    }
    const std::string uri = jwks_uri->get<std::string>();
    if (Origin(uri) != Origin(authority)) {
      return core::UnavailableError(fmt::format(
          "the OpenID metadata of tenant {} puts its keys at {}, outside the authority {}", tid,
          Origin(uri), Origin(authority)));
    }
    ASSIGN_OR_RETURN(json jwks, FetchJson(uri, "the JWKS"));
    auto keys = jwks.find("keys");
    if (keys == jwks.end() || !keys->is_array()) {
      return core::UnavailableError(fmt::format("the JWKS of tenant {} has no keys array", tid));
    }
    std::map<std::string, Jwk> by_kid;
    for (const json& k : *keys) {
      if (!k.is_object() || k.value("kty", "") != "RSA") continue;
      if (k.contains("use") && k.value("use", "") != "sig") continue;
      const std::string kid = k.value("kid", "");
      if (kid.empty()) continue;
      const std::string text = k.dump();
      cjose_err err{};
      Jwk jwk(cjose_jwk_import(text.c_str(), text.size(), &err));
      if (!jwk) continue;  // a key cjose cannot read is a key nobody signs with here
      by_kid[kid] = std::move(jwk);
    }
    entry.issuer = issuer->get<std::string>();
    entry.by_kid = std::move(by_kid);
    entry.fetched_at = entry.attempted_at;
    entry.ever_fetched = true;
    return core::OkStatus();
  }

  // Verifies jws with the tenant's key kid, fetching keys when the cache cannot answer.
  // Returns the issuer template of the tenant's metadata.
  core::Result<std::string> VerifySignature(const std::string& tid, const std::string& kid,
                                            cjose_jws_t* jws) {
    std::lock_guard lock(mu);
    TenantKeys& entry = tenants[tid];
    const core::TimePoint now = clock->Now();
    const bool stale = !entry.ever_fetched || now - entry.fetched_at >= options.keys_max_age;
    const bool unknown_kid = !entry.by_kid.contains(kid);
    const bool may_refetch =
        !entry.ever_fetched || now - entry.attempted_at >= options.refetch_floor;
    if (stale || (unknown_kid && may_refetch)) {
      if (core::Status st = Fetch(tid, entry); !st.ok() && !entry.ever_fetched) return st;
    }
    auto it = entry.by_kid.find(kid);
    if (it == entry.by_kid.end()) {
      return Unauthenticated(fmt::format(
          "key id {} is not among the published keys of tenant {} (keys are refetched for an "
          "unknown key at most every {} s)",
          kid.size() > 64 ? kid.substr(0, 64) + "..." : kid, tid, options.refetch_floor.count()));
    }
    cjose_err err{};
    if (!cjose_jws_verify(jws, it->second.get(), &err)) {
      return Unauthenticated(
          fmt::format("the signature does not verify with key {} of tenant {}", kid, tid));
    }
    return entry.issuer;
  }

  core::Result<TokenIdentity> Validate(std::string_view token) {
    if (token.empty()) return Unauthenticated("empty");
    if (token.size() > options.max_token_bytes) {
      return Unauthenticated(fmt::format("longer than {} bytes", options.max_token_bytes));
    }
    if (std::count(token.begin(), token.end(), '.') != 2) {
      return Unauthenticated("not a compact JWS (three base64url parts)");
    }
    // cjose's base64url decoder asserts (aborting the process) on a part whose length leaves one
    // character over a multiple of four (found by entra_token_fuzz): refuse such a token, and any
    // character outside the base64url alphabet, before it reaches cjose.
    for (std::string_view rest = token; !rest.empty();) {
      const size_t dot = std::min(rest.find('.'), rest.size());
      const std::string_view part = rest.substr(0, dot);
      if (part.size() % 4 == 1 || !std::all_of(part.begin(), part.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_';
          })) {
        return Unauthenticated("not a compact JWS (a part is not base64url)");
      }
      rest = dot < rest.size() ? rest.substr(dot + 1) : std::string_view();
    }
    cjose_err err{};
    Jws jws(cjose_jws_import(token.data(), token.size(), &err));
    if (!jws) return Unauthenticated("not a parsable JWS");
    cjose_header_t* header = cjose_jws_get_protected(jws.get());
    const char* alg = header ? cjose_header_get(header, CJOSE_HDR_ALG, &err) : nullptr;
    if (alg == nullptr || std::string_view(alg) != CJOSE_HDR_ALG_RS256) {
      return Unauthenticated(fmt::format("alg must be RS256, not {}", alg ? alg : "(none)"));
    }
    const char* kid_c = cjose_header_get(header, CJOSE_HDR_KID, &err);
    if (kid_c == nullptr || *kid_c == '\0') return Unauthenticated("the header names no kid");
    const std::string kid(kid_c);

    uint8_t* payload = nullptr;
    size_t payload_len = 0;
    if (!cjose_jws_get_plaintext(jws.get(), &payload, &payload_len, &err)) {
      return Unauthenticated("no payload");
    }
    // Read before the signature is checked only to pick the tenant whose keys decide; nothing
    // else is trusted until then.
    json claims = json::parse(reinterpret_cast<const char*>(payload),
                              reinterpret_cast<const char*>(payload) + payload_len, nullptr,
                              /*allow_exceptions=*/false);
    if (claims.is_discarded() || !claims.is_object()) {
      return Unauthenticated("the claims are not a JSON object");
    }
    auto tid_it = claims.find("tid");
    if (tid_it == claims.end() || !tid_it->is_string() || !IsTenantId(tid_it->get<std::string>())) {
      return Unauthenticated("no valid tid claim");
    }
    const std::string tid = core::ToLower(tid_it->get<std::string>());
    if (options.tenant_allowed && !options.tenant_allowed(tid)) {
      return core::PermissionDeniedError(
          fmt::format("bearer token refused: tenant {} is not a customer of this partner", tid));
    }
    ASSIGN_OR_RETURN(std::string issuer_template, VerifySignature(tid, kid, jws.get()));

    // From here the claims are the tenant's.
    const std::string iss = claims.value("iss", "");
    std::string expected_iss = issuer_template;
    if (size_t at = expected_iss.find("{tenantid}"); at != std::string::npos) {
      expected_iss.replace(at, std::string_view("{tenantid}").size(), tid);
    }
    const std::string v1_iss = fmt::format("https://sts.windows.net/{}/", tid);
    if (iss != expected_iss && iss != v1_iss) {
      return Unauthenticated(fmt::format("iss is not the issuer of tenant {}", tid));
    }
    std::string matched;
    auto aud = claims.find("aud");
    auto accept = [&](const json& a) {
      if (!a.is_string()) return;
      for (const std::string& want : options.audiences) {
        if (a.get<std::string>() == want) matched = want;
      }
    };
    if (aud != claims.end()) {
      if (aud->is_array()) {
        for (const json& a : *aud) accept(a);
      } else {
        accept(*aud);
      }
    }
    if (matched.empty()) {
      return Unauthenticated(
          "aud is not this partner's application (check the Web activity's "
          "MSI resource)");
    }
    const int64_t now_s =
        std::chrono::duration_cast<std::chrono::seconds>(clock->Now().time_since_epoch()).count();
    const int64_t skew = options.clock_skew.count();
    std::optional<int64_t> exp = NumericDate(claims, "exp");
    if (!exp) return Unauthenticated("no exp claim");
    if (now_s > *exp + skew) return Unauthenticated("expired");
    if (std::optional<int64_t> nbf = NumericDate(claims, "nbf"); nbf && now_s < *nbf - skew) {
      return Unauthenticated("not valid yet (nbf)");
    }
    TokenIdentity id;
    id.tenant_id = tid;
    id.app_id = claims.contains("appid") && claims["appid"].is_string()
                    ? claims["appid"].get<std::string>()
                    : (claims.contains("azp") && claims["azp"].is_string()
                           ? claims["azp"].get<std::string>()
                           : "");
    id.object_id = claims.value("oid", "");
    id.audience = matched;
    id.expires = core::TimePoint(std::chrono::seconds(*exp));
    return id;
  }
};

EntraTokenValidator::EntraTokenValidator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EntraTokenValidator::~EntraTokenValidator() = default;

core::Result<std::unique_ptr<EntraTokenValidator>> EntraTokenValidator::Create(
    ValidatorOptions options) {
  if (options.audiences.empty()) {
    return core::InvalidArgumentError(
        "Entra token validation needs the partner's application ID URI as audience");
  }
  if (options.clock_skew > std::chrono::minutes(10) || options.clock_skew.count() < 0) {
    return core::InvalidArgumentError("Entra token validation: clock_skew must be 0..600 s");
  }
  if (Origin(options.authority).empty() ||
      !(options.authority.starts_with("https://") || options.authority.starts_with("http://"))) {
    return core::InvalidArgumentError(fmt::format(
        "Entra token validation: authority {} is not an http(s) URL", options.authority));
  }
  auto impl = std::make_unique<Impl>();
  impl->clock = options.clock ? options.clock : &core::SystemClock::Instance();
  if (options.transport == nullptr) {
    impl->owned_transport = std::make_unique<http::CurlTransport>();
    impl->transport = impl->owned_transport.get();
  } else {
    impl->transport = options.transport;
  }
  impl->options = std::move(options);
  return std::unique_ptr<EntraTokenValidator>(new EntraTokenValidator(std::move(impl)));
}

core::Result<TokenIdentity> EntraTokenValidator::Validate(std::string_view token) {
  return impl_->Validate(token);
}

int EntraTokenValidator::fetches() const {
  std::lock_guard lock(impl_->mu);
  return impl_->fetches;
}

std::string_view BearerToken(std::string_view authorization) {
  authorization = core::Trim(authorization);
  if (authorization.size() < 7 || !core::StartsWithIgnoreCase(authorization, "bearer ")) return {};
  return core::Trim(authorization.substr(7));
}

}  // namespace vivalink::push
