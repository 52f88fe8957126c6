#include "sim/entra_issuer.h"

#include <cjose/cjose.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/handle.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "crypto/hash.h"

namespace vivalink::sim {
namespace {

using nlohmann::json;
using Jwk = core::UniqueHandle<cjose_jwk_t, cjose_jwk_release>;
using Jws = core::UniqueHandle<cjose_jws_t, cjose_jws_release>;
using Header = core::UniqueHandle<cjose_header_t, cjose_header_release>;

void FreeCjose(char* p) { cjose_get_dealloc()(p); }
using CjoseString = core::UniqueHandle<char, FreeCjose>;

bool IsTenantName(std::string_view s) {
  if (s.empty() || s.size() > 100) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  }
  return true;
}

core::Status CjoseError(std::string_view what, const cjose_err& err) {
  return core::InternalError(
      fmt::format("{}: {}", what, err.message != nullptr ? err.message : "cjose error"));
}

// A fresh RSA-2048 signing key with a random kid, as a private JWK object.
core::Result<json> NewKey() {
  cjose_err err{};
  Jwk jwk(cjose_jwk_create_RSA_random(2048, nullptr, 0, &err));
  if (!jwk) return CjoseError("creating an RSA key", err);
  const std::string kid = core::HexEncode(crypto::Sha256(core::NewUuid())).substr(0, 32);
  if (!cjose_jwk_set_kid(jwk.get(), kid.data(), kid.size(), &err)) {
    return CjoseError("setting a kid", err);
  }
  CjoseString text(cjose_jwk_to_json(jwk.get(), true, &err));
  if (!text) return CjoseError("exporting an RSA key", err);
  json key = json::parse(text.get(), nullptr, false);
  if (key.is_discarded()) return core::InternalError("cjose exported a key that is not JSON");
  return key;
}

core::Result<Jwk> ImportKey(const json& key) {
  const std::string text = key.dump();
  cjose_err err{};
  Jwk jwk(cjose_jwk_import(text.c_str(), text.size(), &err));
  if (!jwk) return CjoseError("importing a key", err);
  return jwk;
}

core::Result<std::string> Sign(const json& private_key, std::string_view kid, const json& claims) {
  ASSIGN_OR_RETURN(Jwk jwk, ImportKey(private_key));
  cjose_err err{};
  Header header(cjose_header_new(&err));
  const std::string kid_text(kid);
  if (!header || !cjose_header_set(header.get(), CJOSE_HDR_ALG, CJOSE_HDR_ALG_RS256, &err) ||
      !cjose_header_set(header.get(), CJOSE_HDR_KID, kid_text.c_str(), &err) ||
      !cjose_header_set(header.get(), "typ", "JWT", &err)) {
    return CjoseError("building a JWS header", err);
  }
  const std::string payload = claims.dump();
  Jws jws(cjose_jws_sign(jwk.get(), header.get(), reinterpret_cast<const uint8_t*>(payload.data()),
                         payload.size(), &err));
  if (!jws) return CjoseError("signing a token", err);
  const char* compact = nullptr;
  if (!cjose_jws_export(jws.get(), &compact, &err) || compact == nullptr) {
    return CjoseError("serialising a token", err);
  }
  return std::string(compact);
}

std::string PublicJwk(const json& private_key) {
  json pub = json::object();
  for (const char* field : {"kty", "kid", "n", "e"}) {
    if (private_key.contains(field)) pub[field] = private_key[field];
  }
  pub["use"] = "sig";
  pub["alg"] = "RS256";
  return pub.dump();
}

}  // namespace

core::Result<TokenFlaw> ParseTokenFlaw(std::string_view text) {
  for (TokenFlaw f :
       {TokenFlaw::kNone, TokenFlaw::kForged, TokenFlaw::kExpired, TokenFlaw::kNotYetValid,
        TokenFlaw::kWrongAudience, TokenFlaw::kOtherTenant, TokenFlaw::kUnknownKey}) {
    if (text == TokenFlawName(f)) return f;
  }
  return core::InvalidArgumentError(
      fmt::format("token flaw '{}': expected none, forged, expired, not-yet-valid, wrong-audience, "
                  "other-tenant or unknown-key",
                  text));
}

std::string_view TokenFlawName(TokenFlaw flaw) {
  switch (flaw) {
    case TokenFlaw::kNone:
      return "none";
    case TokenFlaw::kForged:
      return "forged";
    case TokenFlaw::kExpired:
      return "expired";
    case TokenFlaw::kNotYetValid:
      return "not-yet-valid";
    case TokenFlaw::kWrongAudience:
      return "wrong-audience";
    case TokenFlaw::kOtherTenant:
      return "other-tenant";
    case TokenFlaw::kUnknownKey:
      return "unknown-key";
  }
  return "none";
}

std::string OtherTenantOf(std::string_view tenant) {
  std::string hex = core::HexEncode(crypto::Sha256(fmt::format("other-tenant:{}", tenant)));
  return fmt::format("{}-{}-4{}-8{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(13, 3),
                     hex.substr(17, 3), hex.substr(20, 12));
}

EntraIssuer::EntraIssuer(std::filesystem::path dir) : dir_(std::move(dir)) {}

namespace {

// The key file of a tenant, created (exclusively) with one key when missing.
core::Result<json> LoadKeys(const std::filesystem::path& dir, std::string_view tenant) {
  if (!IsTenantName(tenant)) {
    return core::InvalidArgumentError(fmt::format("'{}' is not a tenant id", tenant));
  }
  const std::filesystem::path path = dir / (core::ToLower(tenant) + ".json");
  auto text = core::ReadFile(path);
  if (!text.ok() && text.status().code() == core::StatusCode::kNotFound) {
    ASSIGN_OR_RETURN(json key, NewKey());
    json file = {{"current", key["kid"]}, {"keys", json::array({key})}};
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    ASSIGN_OR_RETURN(bool created, core::CreateFileExclusive(path, file.dump(2), 0600));
    (void)created;  // another process may have won: read what is there
    text = core::ReadFile(path);
  }
  if (!text.ok()) return text.status();
  json file = json::parse(*text, nullptr, false);
  if (file.is_discarded() || !file.is_object() || !file.contains("keys") ||
      !file["keys"].is_array() || !file.contains("current")) {
    return core::DataLossError(fmt::format("{}: not an Entra key file", path.string()));
  }
  return file;
}

}  // namespace

core::Result<std::string> EntraIssuer::OpenIdConfiguration(std::string_view authority,
                                                           std::string_view tenant) {
  ASSIGN_OR_RETURN(json keys, LoadKeys(dir_, tenant));
  (void)keys;
  std::string base(authority);
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string t = core::ToLower(tenant);
  json doc = {
      {"issuer", fmt::format("{}/{}/v2.0", base, t)},
      {"jwks_uri", fmt::format("{}/{}/discovery/v2.0/keys", base, t)},
      {"token_endpoint", fmt::format("{}/{}/oauth2/v2.0/token", base, t)},
      {"authorization_endpoint", fmt::format("{}/{}/oauth2/v2.0/authorize", base, t)},
      {"id_token_signing_alg_values_supported", json::array({"RS256"})},
      {"response_types_supported", json::array({"code", "id_token", "token"})},
      {"subject_types_supported", json::array({"pairwise"})},
      {"tenant_region_scope", "EU"},
  };
  return doc.dump();
}

core::Result<std::string> EntraIssuer::Jwks(std::string_view tenant) {
  ASSIGN_OR_RETURN(json file, LoadKeys(dir_, tenant));
  std::string out = "{\"keys\":[";
  bool first = true;
  for (const json& k : file["keys"]) {
    if (!first) out += ",";
    out += PublicJwk(k);
    first = false;
  }
  out += "]}";
  return out;
}

core::Status EntraIssuer::RotateKey(std::string_view tenant, bool drop_previous) {
  ASSIGN_OR_RETURN(json file, LoadKeys(dir_, tenant));
  ASSIGN_OR_RETURN(json key, NewKey());
  if (drop_previous) file["keys"] = json::array();
  file["keys"].push_back(key);
  file["current"] = key["kid"];
  return core::WriteFileAtomic(dir_ / (core::ToLower(tenant) + ".json"), file.dump(2), 0600);
}

core::Result<std::string> EntraIssuer::IssueToken(const TokenRequest& r) {
  const std::string tenant =
      r.flaw == TokenFlaw::kOtherTenant ? OtherTenantOf(r.tenant) : core::ToLower(r.tenant);
  ASSIGN_OR_RETURN(json file, LoadKeys(dir_, tenant));
  const std::string kid = file["current"].get<std::string>();
  json signing_key;
  for (const json& k : file["keys"]) {
    if (k.value("kid", "") == kid) signing_key = k;
  }
  if (signing_key.is_null()) {
    return core::DataLossError(fmt::format("Entra key file of {}: no key {}", tenant, kid));
  }
  std::string sign_kid = kid;
  if (r.flaw == TokenFlaw::kForged || r.flaw == TokenFlaw::kUnknownKey) {
    ASSIGN_OR_RETURN(signing_key, NewKey());
    if (r.flaw == TokenFlaw::kUnknownKey) sign_kid = signing_key["kid"].get<std::string>();
  }
  std::string base = r.authority;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(r.now.time_since_epoch()).count();
  int64_t iat = now, nbf = now, exp = now + r.lifetime.count();
  if (r.flaw == TokenFlaw::kExpired) {
    iat = nbf = now - 2 * 3600;
    exp = now - 3600;
  } else if (r.flaw == TokenFlaw::kNotYetValid) {
    iat = now;
    nbf = now + 3600;
    exp = now + 2 * 3600;
  }
  // The factory's managed identity: stable ids derived from the tenant.
  const std::string hex = core::HexEncode(crypto::Sha256("adf-msi:" + tenant));
  const std::string msi = fmt::format("{}-{}-4{}-9{}-{}", hex.substr(0, 8), hex.substr(8, 4),
                                      hex.substr(13, 3), hex.substr(17, 3), hex.substr(20, 12));
  json claims = {
      {"aud", r.flaw == TokenFlaw::kWrongAudience ? std::string("api://some-other-application")
                                                  : r.resource},
      {"iss", fmt::format("{}/{}/v2.0", base, tenant)},
      {"iat", iat},
      {"nbf", nbf},
      {"exp", exp},
      {"tid", tenant},
      {"oid", msi},
      {"sub", msi},
      {"appid", msi},
      {"azp", msi},
      {"idtyp", "app"},
      {"ver", "2.0"},
  };
  return Sign(signing_key, sign_kid, claims);
}

}  // namespace vivalink::sim
