// The simulated token endpoint and key API (sim/api_server.h) over real HTTP on 127.0.0.1, with
// http::CurlTransport as the client: the authorisation matrix, injected failures, and the
// register -> fetch -> unwrap -> decrypt round trip.
#include "sim/api_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/base64.h"
#include "crypto/rsa.h"
#include "drop/keys.h"
#include "http/curl_transport.h"
#include "pipeline_test_util.h"
#include "sim/pipeline.h"

namespace vivalink::sim {
namespace {

using nlohmann::json;
using testing::World;

class FakeClock final : public core::Clock {
 public:
  core::TimePoint Now() const override { return core::TimePoint(std::chrono::milliseconds(ms_)); }
  void Advance(std::chrono::milliseconds d) { ms_ += d.count(); }

 private:
  std::atomic<int64_t> ms_{1'800'000'000'000};
};

constexpr const char* kSecondApp = "5b8f3c1e-0d2a-4e6f-9a7b-1c2d3e4f5a6b";
constexpr const char* kSecondSecret = "second-secret";

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }

  void Start(ApiServerOptions o) {
    server_.reset();
    o.dir = world_.dir();
    o.clock = &clock_;
    o.token_ttl = std::chrono::seconds(600);
    o.extra_apps = {{kSecondApp, kSecondSecret}};
    auto s = ApiServer::Start(std::move(o));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }

  const std::string& partner_app() const { return world_.org().partner_client_id; }

  http::Response Post(const std::string& path, const std::string& body,
                      const std::string& token = "",
                      const std::string& content_type = "application/json") {
    http::Request req;
    req.method = "POST";
    req.url = server_->base_url() + path;
    req.body = body;
    req.headers["Content-Type"] = content_type;
    if (!token.empty()) req.headers["Authorization"] = "Bearer " + token;
    auto r = transport_.Send(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : http::Response{};
  }

  http::Response TokenResponse(
      const std::string& tenant, const std::string& client_id, const std::string& secret,
      const std::string& scope = "https://api.orginsights.viva.office.com/.default",
      const std::string& grant = "client_credentials") {
    const std::string form = "grant_type=" + http::UrlEncodeQuery(grant) +
                             "&client_id=" + http::UrlEncodeQuery(client_id) +
                             "&client_secret=" + http::UrlEncodeQuery(secret) +
                             "&scope=" + http::UrlEncodeQuery(scope);
    return Post("/" + tenant + "/oauth2/v2.0/token", form, "", "application/x-www-form-urlencoded");
  }

  std::string Token(const std::string& tenant, const std::string& client_id = "",
                    const std::string& secret = "") {
    const http::Response r = TokenResponse(tenant, client_id.empty() ? partner_app() : client_id,
                                           secret.empty() ? world_.org().partner_secret : secret);
    EXPECT_EQ(r.status, 200) << r.body;
    const json j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("access_token") ? j["access_token"].get<std::string>()
                                                       : std::string();
  }

  static std::string KeyPath(const std::string& tenant, const char* call) {
    return "/v1.0/tenants/" + tenant + "/scopes/" + tenant + "/" + call;
  }

  static std::string RegisterBody(const std::string& app, const std::string& tenant,
                                  const crypto::RsaPrivateKey& key) {
    const crypto::Jwk jwk = key.PublicKey().ToJwk();
    return json(
               {{"partnerAppId", app},
                {"tenantId", tenant},
                {"rsaKey",
                 {{"kty", "RSA"}, {"e", jwk.e}, {"n", jwk.n}, {"encryptionAlgorithm", "RSA2048"}}}})
        .dump();
  }

  http::Response Register(const std::string& tenant, const crypto::RsaPrivateKey& key,
                          const std::string& token) {
    return Post(KeyPath(tenant, "egressPartnerKey"), RegisterBody(partner_app(), tenant, key),
                token);
  }

  http::Response Fetch(const std::string& tenant, const std::string& request_id,
                       const std::string& token) {
    return Post(KeyPath(tenant, "egressDecryptionKey"), json({{"requestId", request_id}}).dump(),
                token);
  }

  // Runs the pipeline for one tenant; returns the VivaInsights drop.
  DropOutcome RunWeek(size_t tenant, int week = 1) {
    PipelineOptions o;
    o.dir = world_.dir();
    o.week = world_.org().WeekStart(week);
    o.tenant = world_.tenant(tenant);
    auto r = RunPipeline(world_.org(), world_.partner(), world_.staging(), o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->drops.at(0) : DropOutcome{};
  }

  static const crypto::RsaPrivateKey& Key(int i) {
    static const crypto::RsaPrivateKey keys[2] = {*crypto::RsaPrivateKey::Generate(2048),
                                                  *crypto::RsaPrivateKey::Generate(2048)};
    return keys[i];
  }

  World world_;
  FakeClock clock_;
  std::unique_ptr<ApiServer> server_;
  // Destroyed before the server: closing its keep-alive connections lets the server stop at once.
  http::CurlTransport transport_;
};

TEST_F(ApiTest, ClientCredentialsGiveABearerTokenWithTheConfiguredLifetime) {
  const http::Response r =
      TokenResponse(world_.tenant(0), partner_app(), world_.org().partner_secret);
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["token_type"], "Bearer");
  EXPECT_EQ(j["expires_in"], 600);
  EXPECT_FALSE(j["access_token"].get<std::string>().empty());
  // JWT-shaped, with the tenant and application in its claims.
  const std::string token = j["access_token"];
  const size_t d1 = token.find('.'), d2 = token.rfind('.');
  ASSERT_NE(d1, d2);
  const json claims = json::parse(*core::Base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1)));
  EXPECT_EQ(claims["tid"], world_.tenant(0));
  EXPECT_EQ(claims["appid"], partner_app());
}

TEST_F(ApiTest, TokenEndpointRejectsBadClientRequestsLikeEntraId) {
  const std::string t = world_.tenant(0);
  const std::string secret = world_.org().partner_secret;
  http::Response r = TokenResponse(t, partner_app(), "wrong");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["error"], "invalid_client");
  r = TokenResponse(t, "00000000-1111-4222-8333-444444444444", secret);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "unauthorized_client");
  r = TokenResponse(t, partner_app(), secret, "https://api.orginsights.viva.office.com/.default",
                    "password");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "unsupported_grant_type");
  r = TokenResponse(t, partner_app(), secret, "https://api.orginsights.viva.office.com");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "invalid_scope");
  r = TokenResponse("99999999-9999-4999-8999-999999999999", partner_app(), secret);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "invalid_request");
  EXPECT_NE(json::parse(r.body)["error_description"].get<std::string>().find("AADSTS90002"),
            std::string::npos);
}

TEST_F(ApiTest, TokenEndpointAcceptsHttpBasicClientAuthentication) {
  http::Request req;
  req.method = "POST";
  req.url = server_->authority() + "/" + world_.tenant(0) + "/oauth2/v2.0/token";
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.headers["Authorization"] =
      "Basic " + core::Base64Encode(partner_app() + ":" + world_.org().partner_secret);
  req.body =
      "grant_type=client_credentials&scope=https%3A%2F%2Fapi.orginsights.viva.office.com%2F."
      "default";
  auto r = transport_.Send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(ApiTest, RegisteredKeyUnwrapsFetchedKeysThatDecryptTheDrop) {
  const std::string t = world_.tenant(0);
  const std::string token = Token(t);
  const http::Response reg = Register(t, Key(0), token);
  ASSERT_EQ(reg.status, 200) << reg.body;
  const json rj = json::parse(reg.body);
  EXPECT_EQ(rj["scopeId"]["id"], t);
  EXPECT_EQ(rj["partnerAppId"], partner_app());
  EXPECT_EQ(rj["encryptionAlgorithm"], "RSA2048");
  EXPECT_EQ(rj["createdDate"], core::FormatIso8601(clock_.Now()));
  EXPECT_EQ(rj["expirationDate"], core::FormatIso8601(clock_.Now() + std::chrono::days{365}));
  auto saved = LoadRegistration(world_.dir(), t);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->key.n, Key(0).PublicKey().ToJwk().n);

  const DropOutcome d = RunWeek(0);
  const http::Response keys = Fetch(t, d.copy_activity_id, token);
  ASSERT_EQ(keys.status, 200) << keys.body;
  auto wrapped = drop::ParseKeysResponse(keys.body);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  ASSERT_EQ(wrapped->size(), 2u);
  auto unwrapped = drop::UnwrapKeys(*wrapped, Key(0));
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  auto m = testing::ReadMetadata(world_.partner(), d.ref);
  ASSERT_TRUE(m.ok());
  uint64_t rows = 0;
  core::Status st = testing::ReadAndValidate(world_.partner(), d.ref, *m, *unwrapped, &rows);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(static_cast<int64_t>(rows), m->rows_extracted);
  EXPECT_GT(rows, 0u);
  // Another key pair cannot unwrap them.
  EXPECT_EQ(drop::UnwrapKeys(*wrapped, Key(1)).status().code(),
            core::StatusCode::kPermissionDenied);
}

TEST_F(ApiTest, PascalCaseRequestBodiesAreAccepted) {
  const std::string t = world_.tenant(0);
  const std::string token = Token(t);
  const crypto::Jwk jwk = Key(0).PublicKey().ToJwk();
  const std::string body =
      json({{"PartnerAppId", partner_app()},
            {"TenantId", t},
            {"RsaKey",
             {{"Kty", "RSA"}, {"E", jwk.e}, {"N", jwk.n}, {"EncryptionAlgorithm", "RSA2048"}}}})
          .dump();
  EXPECT_EQ(Post(KeyPath(t, "egressPartnerKey"), body, token).status, 200);
  const DropOutcome d = RunWeek(0);
  const http::Response keys = Post(KeyPath(t, "egressDecryptionKey"),
                                   json({{"RequestId", d.copy_activity_id}}).dump(), token);
  EXPECT_EQ(keys.status, 200) << keys.body;
}

TEST_F(ApiTest, MissingTokenIs401) {
  const DropOutcome d = RunWeek(0);
  const http::Response r = Fetch(world_.tenant(0), d.copy_activity_id, "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(Register(world_.tenant(0), Key(0), "").status, 401);
}

TEST_F(ApiTest, ForgedOrMalformedTokenIs401) {
  const std::string t = world_.tenant(0);
  std::string token = Token(t);
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(Register(t, Key(0), token).status, 401);
  EXPECT_EQ(Register(t, Key(0), "not-a-token").status, 401);
}

TEST_F(ApiTest, ExpiredTokenIs401) {
  const std::string t = world_.tenant(0);
  const std::string token = Token(t);
  ASSERT_EQ(Register(t, Key(0), token).status, 200);
  const DropOutcome d = RunWeek(0);
  clock_.Advance(std::chrono::seconds(599));
  EXPECT_EQ(Fetch(t, d.copy_activity_id, token).status, 200);
  clock_.Advance(std::chrono::seconds(1));
  const http::Response r = Fetch(t, d.copy_activity_id, token);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("expired"), std::string::npos);
  EXPECT_EQ(Fetch(t, d.copy_activity_id, Token(t)).status, 200);  // a new token works
}

// Issue 10 item 11: the token check ignored aud and nbf, so a wrong keys.scope passed every test.
TEST_F(ApiTest, TokensForAnUnknownResourceAreRefusedLikeEntraId) {
  const std::string t = world_.tenant(0);
  http::Response r =
      TokenResponse(t, partner_app(), world_.org().partner_secret, "api://vivainsights/.default");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "invalid_resource");
  EXPECT_NE(json::parse(r.body)["error_description"].get<std::string>().find("AADSTS500011"),
            std::string::npos);
}

TEST_F(ApiTest, ATokenForAnotherAudienceIs401) {
  const std::string t = world_.tenant(0);
  const http::Response graph = TokenResponse(t, partner_app(), world_.org().partner_secret,
                                             "https://graph.microsoft.com/.default");
  ASSERT_EQ(graph.status, 200) << graph.body;
  const std::string token = json::parse(graph.body)["access_token"];
  const http::Response r = Register(t, Key(0), token);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("audience"), std::string::npos) << r.body;
  EXPECT_EQ(Register(t, Key(0), Token(t)).status, 200);
}

TEST_F(ApiTest, ATokenBeforeItsNotBeforeTimeIs401) {
  const std::string t = world_.tenant(0);
  const std::string token = Token(t);
  clock_.Advance(-std::chrono::seconds(301));  // the API's clock is behind the issuer's
  const http::Response r = Register(t, Key(0), token);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("nbf"), std::string::npos) << r.body;
  clock_.Advance(std::chrono::seconds(2));  // within the 5 minutes of allowed skew
  EXPECT_EQ(Register(t, Key(0), token).status, 200);
}

TEST_F(ApiTest, TokenOfAnotherTenantIs403) {
  const std::string a = world_.tenant(0), b = world_.tenant(1);
  ASSERT_EQ(Register(a, Key(0), Token(a)).status, 200);
  const DropOutcome d = RunWeek(0);
  EXPECT_EQ(Fetch(a, d.copy_activity_id, Token(b)).status, 403);
  EXPECT_EQ(Register(a, Key(0), Token(b)).status, 403);
}

TEST_F(ApiTest, RequestIdOfAnotherTenantsRunIs403) {
  const std::string a = world_.tenant(0), b = world_.tenant(1);
  const std::string token_b = Token(b);
  ASSERT_EQ(Register(a, Key(0), Token(a)).status, 200);
  ASSERT_EQ(Register(b, Key(1), token_b).status, 200);
  const DropOutcome run_a = RunWeek(0);
  const http::Response r = Fetch(b, run_a.copy_activity_id, token_b);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "Forbidden");
}

TEST_F(ApiTest, SecondApplicationsTokenIs403) {
  const std::string t = world_.tenant(0);
  ASSERT_EQ(Register(t, Key(0), Token(t)).status, 200);
  const DropOutcome d = RunWeek(0);
  const std::string second = Token(t, kSecondApp, kSecondSecret);
  ASSERT_FALSE(second.empty());
  EXPECT_EQ(Fetch(t, d.copy_activity_id, second).status, 403);
  // Nor may it register its own key for the tenant (it is not the consented partner).
  EXPECT_EQ(
      Post(KeyPath(t, "egressPartnerKey"), RegisterBody(kSecondApp, t, Key(1)), second).status,
      403);
  // Nor register on behalf of the partner.
  EXPECT_EQ(Register(t, Key(1), second).status, 403);
  // The registration is unchanged.
  EXPECT_EQ(LoadRegistration(world_.dir(), t)->key.n, Key(0).PublicKey().ToJwk().n);
}

TEST_F(ApiTest, PartnerAppIdOtherThanTheCallerIs403) {
  const std::string t = world_.tenant(0);
  EXPECT_EQ(
      Post(KeyPath(t, "egressPartnerKey"), RegisterBody(kSecondApp, t, Key(0)), Token(t)).status,
      403);
}

TEST_F(ApiTest, TenantWithoutRegistrationIs403) {
  const DropOutcome d = RunWeek(0);
  EXPECT_EQ(Fetch(world_.tenant(0), d.copy_activity_id, Token(world_.tenant(0))).status, 403);
}

TEST_F(ApiTest, UnknownRequestIdIs400) {
  const std::string t = world_.tenant(0);
  const std::string token = Token(t);
  ASSERT_EQ(Register(t, Key(0), token).status, 200);
  const http::Response r = Fetch(t, "0f0f0f0f-1111-4222-8333-444444444444", token);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unknown requestId"), std::string::npos);
  EXPECT_EQ(Fetch(t, "not-a-guid", token).status, 400);
}

TEST_F(ApiTest, MalformedBodiesAre400) {
  const std::string t = world_.tenant(0);
  const std::string token = Token(t);
  ASSERT_EQ(Register(t, Key(0), token).status, 200);
  EXPECT_EQ(Post(KeyPath(t, "egressDecryptionKey"), "{\"requestId\": ", token).status, 400);
  EXPECT_EQ(Post(KeyPath(t, "egressDecryptionKey"), "[1,2]", token).status, 400);
  EXPECT_EQ(Post(KeyPath(t, "egressDecryptionKey"), "{}", token).status, 400);
  EXPECT_EQ(Post(KeyPath(t, "egressPartnerKey"), "{\"partnerAppId\": 1}", token).status, 400);
  // rsaKey of the wrong size or algorithm.
  json body = json::parse(RegisterBody(partner_app(), t, Key(0)));
  json small = body;
  const std::string n = *core::Base64UrlDecode(small["rsaKey"]["n"].get<std::string>());
  small["rsaKey"]["n"] = core::Base64UrlEncode(std::string_view(n).substr(0, 128));  // 1024 bits
  EXPECT_EQ(Post(KeyPath(t, "egressPartnerKey"), small.dump(), token).status, 400);
  json not_rsa = body;
  not_rsa["rsaKey"]["kty"] = "EC";
  EXPECT_EQ(Post(KeyPath(t, "egressPartnerKey"), not_rsa.dump(), token).status, 400);
  body["rsaKey"]["encryptionAlgorithm"] = "RSA4096";
  EXPECT_EQ(Post(KeyPath(t, "egressPartnerKey"), body.dump(), token).status, 400);
  // tenantId in the body differs from the path.
  EXPECT_EQ(Post(KeyPath(t, "egressPartnerKey"),
                 RegisterBody(partner_app(), world_.tenant(1), Key(0)), token)
                .status,
            400);
  // scope other than the tenant.
  EXPECT_EQ(Post("/v1.0/tenants/" + t + "/scopes/" + world_.tenant(1) + "/egressDecryptionKey",
                 "{\"requestId\":\"0f0f0f0f-1111-4222-8333-444444444444\"}", token)
                .status,
            400);
}

TEST_F(ApiTest, RegisteringAgainReplacesTheKey) {
  const std::string t = world_.tenant(0);
  const std::string token = Token(t);
  ASSERT_EQ(Register(t, Key(0), token).status, 200);
  ASSERT_EQ(Register(t, Key(1), token).status, 200);
  const DropOutcome d = RunWeek(0);
  const http::Response keys = Fetch(t, d.copy_activity_id, token);
  ASSERT_EQ(keys.status, 200);
  auto wrapped = drop::ParseKeysResponse(keys.body);
  ASSERT_TRUE(wrapped.ok());
  EXPECT_TRUE(drop::UnwrapKeys(*wrapped, Key(1)).ok());
  EXPECT_EQ(drop::UnwrapKeys(*wrapped, Key(0)).status().code(),
            core::StatusCode::kPermissionDenied);
}

TEST_F(ApiTest, ThrottledCallsAre429WithRetryAfter) {
  ApiServerOptions o;
  o.throttle_every = 2;
  o.retry_after_seconds = 7;
  Start(o);
  const std::string t = world_.tenant(0);
  const std::string token = Token(t);  // the token endpoint is not throttled
  EXPECT_EQ(Register(t, Key(0), token).status, 200);
  const DropOutcome d = RunWeek(0);
  const http::Response r = Fetch(t, d.copy_activity_id, token);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "7");
  EXPECT_EQ(Fetch(t, d.copy_activity_id, token).status, 200);
  EXPECT_EQ(Fetch(t, d.copy_activity_id, token).status, 429);
  EXPECT_EQ(server_->api_calls(), 4u);
}

TEST_F(ApiTest, InjectedFailuresAre5xx) {
  ApiServerOptions o;
  o.fail_every = 3;
  Start(o);
  const std::string t = world_.tenant(0);
  const std::string token = Token(t);
  EXPECT_EQ(Register(t, Key(0), token).status, 200);
  const DropOutcome d = RunWeek(0);
  EXPECT_EQ(Fetch(t, d.copy_activity_id, token).status, 200);
  const http::Response r = Fetch(t, d.copy_activity_id, token);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "ServiceUnavailable");
  EXPECT_EQ(Fetch(t, d.copy_activity_id, token).status, 200);
}

TEST_F(ApiTest, AuditLogRecordsWhoFetchedWhatButNeverKeysOrTokens) {
  const std::string t = world_.tenant(0);
  const std::string token = Token(t);
  ASSERT_EQ(Register(t, Key(0), token).status, 200);
  const DropOutcome d = RunWeek(0);
  const http::Response ok = Fetch(t, d.copy_activity_id, token);
  ASSERT_EQ(ok.status, 200);
  ASSERT_EQ(Fetch(t, d.copy_activity_id, Token(t, kSecondApp, kSecondSecret)).status, 403);
  const std::string audit = testutil::ReadFile(world_.dir() / "audit.jsonl");
  const auto lines = testing::Lines(audit);
  std::vector<json> fetches;
  for (const auto& l : lines) {
    if (l.empty()) continue;
    const json j = json::parse(l);
    if (j["action"] == "egressDecryptionKey") fetches.push_back(j);
  }
  ASSERT_EQ(fetches.size(), 2u);
  EXPECT_EQ(fetches[0]["appId"], partner_app());
  EXPECT_EQ(fetches[0]["tenantId"], t);
  EXPECT_EQ(fetches[0]["requestId"], d.copy_activity_id);
  EXPECT_EQ(fetches[0]["status"], 200);
  EXPECT_FALSE(fetches[0]["time"].get<std::string>().empty());
  EXPECT_EQ(fetches[1]["appId"], kSecondApp);
  EXPECT_EQ(fetches[1]["status"], 403);
  // No wrapped or raw key, no token.
  for (const auto& k : *drop::ParseKeysResponse(ok.body)) {
    EXPECT_EQ(audit.find(k.value_b64), std::string::npos);
  }
  const auto raw = LoadRunKeys(world_.dir(), d.copy_activity_id);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(audit.find(core::Base64Encode(
                std::span<const std::byte>(raw->keys.file.key.data(), raw->keys.file.key.size()))),
            std::string::npos);
  EXPECT_EQ(audit.find(token), std::string::npos);
}

TEST_F(ApiTest, StartFillsTheEndpointsIntoPartnerJson) {
  const json p = json::parse(testutil::ReadFile(world_.dir() / "partner.json"));
  EXPECT_EQ(p["api_url"], server_->base_url());
  EXPECT_EQ(p["authority"], server_->authority());
  EXPECT_EQ(p["token_url"], server_->base_url() + "/{tenant}/oauth2/v2.0/token");
  EXPECT_EQ(p["client_id"], partner_app());  // the rest is kept
  EXPECT_EQ(server_->base_url(), "http://127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(ApiTest, ConcurrentFetchesAreAllServed) {
  const std::string t = world_.tenant(0);
  const std::string token = Token(t);
  ASSERT_EQ(Register(t, Key(0), token).status, 200);
  const DropOutcome d = RunWeek(0);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      http::CurlTransport client;
      for (int k = 0; k < 4; ++k) {
        http::Request req;
        req.method = "POST";
        req.url = server_->base_url() + KeyPath(t, "egressDecryptionKey");
        req.headers["Authorization"] = "Bearer " + token;
        req.body = json({{"requestId", d.copy_activity_id}}).dump();
        auto r = client.Send(req);
        if (r.ok() && r->status == 200) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 24);
}

TEST_F(ApiTest, StopIsIdempotentAndFreesThePort) {
  const int port = server_->port();
  server_->Stop();
  server_->Stop();
  http::Request req;
  req.method = "POST";
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  req.connect_timeout = std::chrono::milliseconds(2000);
  auto r = transport_.Send(req);
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
}

TEST(ApiServer, StartWithoutAWorldIsNotFound) {
  testutil::TempDir empty;
  ApiServerOptions o;
  o.dir = empty.path();
  auto s = ApiServer::Start(o);
  EXPECT_EQ(s.status().code(), core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vivalink::sim
