// Entra ID bearer tokens (push/entra.h) and the notification endpoint's authentication
// (push/server.h): vivasim's Entra ID (sim/entra_issuer.h) publishes OpenID metadata and JWKS on
// 127.0.0.1 and mints managed-identity tokens, good and flawed; the validator fetches the keys
// over real HTTP (CurlTransport).
#include "push/entra.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/base64.h"
#include "crypto/hash.h"
#include "http/curl_transport.h"
#include "http/server_thread.h"
#include "push/notification.h"
#include "push/server.h"
#include "sim/entra_issuer.h"
#include "testutil.h"

namespace vivalink::push {
namespace {

using core::StatusCode;
using nlohmann::json;

constexpr const char* kTenant = "0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c";
constexpr const char* kOtherCustomer = "1c8f6b7d-4a2e-4d3f-8b9c-8e7f6a5b4c3d";
constexpr const char* kRun = "5c90a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b";
constexpr const char* kAudience = "api://vivalink-partner";

class StepClock final : public core::Clock {
 public:
  core::TimePoint Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void Advance(std::chrono::seconds s) {
    std::lock_guard lock(mu_);
    now_ += s;
  }

 private:
  mutable std::mutex mu_;
  core::TimePoint now_ =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
};

// vivasim's Entra ID documents on 127.0.0.1, counting requests; jwks_override replaces the keys
// document when set.
class FakeEntra {
 public:
  FakeEntra() : issuer_(dir_ / "entra") {
    server_.Get(R"(/([^/]+)/v2\.0/\.well-known/openid-configuration)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  ++requests_;
                  auto doc = issuer_.OpenIdConfiguration(
                      metadata_authority_.empty() ? Url() : metadata_authority_,
                      req.matches[1].str());
                  res.status = doc.ok() ? 200 : 400;
                  res.set_content(doc.ok() ? *doc : "{}", "application/json");
                });
    server_.Get(R"(/([^/]+)/discovery/v2\.0/keys)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  ++requests_;
                  if (!jwks_override_.empty()) {
                    res.set_content(jwks_override_, "application/json");
                    return;
                  }
                  auto doc = issuer_.Jwks(req.matches[1].str());
                  res.status = doc.ok() ? 200 : 400;
                  res.set_content(doc.ok() ? *doc : "{}", "application/json");
                });
    EXPECT_TRUE(listener_.Listen(server_, "127.0.0.1", 0).ok());
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(listener_.port()); }

  std::string Token(sim::TokenFlaw flaw, const core::Clock& clock,
                    const std::string& tenant = kTenant,
                    std::chrono::seconds lifetime = std::chrono::seconds(3600)) {
    sim::TokenRequest r;
    r.authority = Url();
    r.tenant = tenant;
    r.resource = kAudience;
    r.flaw = flaw;
    r.now = clock.Now();
    r.lifetime = lifetime;
    auto t = issuer_.IssueToken(r);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : "";
  }

  sim::EntraIssuer& issuer() { return issuer_; }
  int requests() const { return requests_.load(); }
  void set_jwks_override(std::string doc) { jwks_override_ = std::move(doc); }
  void set_metadata_authority(std::string a) { metadata_authority_ = std::move(a); }

 private:
  testutil::TempDir dir_;
  sim::EntraIssuer issuer_;
  httplib::Server server_;
  http::ServerThread listener_;
  std::atomic<int> requests_{0};
  std::string jwks_override_;
  std::string metadata_authority_;
};

struct Fixture {
  FakeEntra entra;
  StepClock clock;
  http::CurlTransport transport;
  std::unique_ptr<EntraTokenValidator> validator;

  explicit Fixture(std::function<void(ValidatorOptions&)> tweak = {}) {
    ValidatorOptions o;
    o.authority = entra.Url();
    o.audiences = {kAudience};
    o.transport = &transport;
    o.clock = &clock;
    o.tenant_allowed = [](std::string_view t) { return t == kTenant || t == kOtherCustomer; };
    if (tweak) tweak(o);
    auto v = EntraTokenValidator::Create(std::move(o));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    if (v.ok()) validator = std::move(v).value();
  }
};

TEST(EntraToken, ManagedIdentityTokenOfTheTenantIsAccepted) {
  Fixture f;
  auto id = f.validator->Validate(f.entra.Token(sim::TokenFlaw::kNone, f.clock));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->tenant_id, kTenant);
  EXPECT_EQ(id->audience, kAudience);
  EXPECT_FALSE(id->app_id.empty());
  // The keys are cached: a second token costs no fetch.
  const int fetched = f.entra.requests();
  EXPECT_TRUE(f.validator->Validate(f.entra.Token(sim::TokenFlaw::kNone, f.clock)).ok());
  EXPECT_EQ(f.entra.requests(), fetched);
}

TEST(EntraToken, ForgedTokenIsRefused) {
  Fixture f;
  auto id = f.validator->Validate(f.entra.Token(sim::TokenFlaw::kForged, f.clock));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(id.status().message().find("signature does not verify"), std::string::npos);
}

TEST(EntraToken, ExpiredTokenIsRefused) {
  Fixture f;
  auto id = f.validator->Validate(f.entra.Token(sim::TokenFlaw::kExpired, f.clock));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(id.status().message().find("expired"), std::string::npos);
}

TEST(EntraToken, ExpiryHasBoundedSkew) {
  Fixture f;
  const std::string token =
      f.entra.Token(sim::TokenFlaw::kNone, f.clock, kTenant, std::chrono::seconds(60));
  f.clock.Advance(std::chrono::seconds(60 + 299));
  EXPECT_TRUE(f.validator->Validate(token).ok());
  f.clock.Advance(std::chrono::seconds(2));
  EXPECT_EQ(f.validator->Validate(token).status().code(), StatusCode::kUnauthenticated);
}

TEST(EntraToken, NotYetValidTokenIsRefused) {
  Fixture f;
  auto id = f.validator->Validate(f.entra.Token(sim::TokenFlaw::kNotYetValid, f.clock));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(id.status().message().find("nbf"), std::string::npos);
}

TEST(EntraToken, TokenForAnotherAudienceIsRefused) {
  Fixture f;
  auto id = f.validator->Validate(f.entra.Token(sim::TokenFlaw::kWrongAudience, f.clock));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(id.status().message().find("aud"), std::string::npos);
}

TEST(EntraToken, TokenOfATenantThatIsNoCustomerIsForbiddenWithoutAFetch) {
  Fixture f;
  auto id = f.validator->Validate(f.entra.Token(sim::TokenFlaw::kOtherTenant, f.clock));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(f.entra.requests(), 0);
}

TEST(EntraToken, AlgNoneAndHs256AreRefusedBeforeAnyKeyLookup) {
  Fixture f;
  const std::string good = f.entra.Token(sim::TokenFlaw::kNone, f.clock);
  const std::string claims = good.substr(good.find('.') + 1, good.rfind('.') - good.find('.') - 1);
  for (const char* header : {R"({"alg":"none","kid":"x"})", R"({"alg":"HS256","kid":"x"})"}) {
    const std::string token = core::Base64UrlEncode(header) + "." + claims + ".";
    auto id =
        f.validator->Validate(token + (std::string(header).find("HS") != std::string::npos
                                           ? core::Base64UrlEncode(crypto::HmacSha256("k", "x"))
                                           : ""));
    ASSERT_FALSE(id.ok()) << header;
    EXPECT_EQ(id.status().code(), StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(f.entra.requests(), 0);
}

TEST(EntraToken, GarbageIsRefusedWithoutQuotingIt) {
  Fixture f;
  for (std::string token : {std::string("x"), std::string("a.b.c"), std::string(20000, 'a'),
                            std::string("eyJ.secret-material.x")}) {
    auto id = f.validator->Validate(token);
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(id.status().message().find("secret-material"), std::string::npos);
  }
}

// entra_token_fuzz: cjose's base64url decoder aborts the process (an assert) on a '=' inside a
// part; a bearer token is attacker input, so it is refused before cjose sees it.
TEST(EntraToken, APartCjoseCannotDecodeIsRefusedNotACrash) {
  Fixture f;
  for (std::string token :
       {std::string(
            "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJhcGk6Ly92aXZhbGlua=y1wYXJ0bmVqIiwiaXNzIjoiaHR0cHM6"
            "Ly9sb2dpbi5taWNyb4NvZnRvbm9.c2ln"),
        std::string("eyJhbGciOiJSUzI1NiJ9a.e30.c2ln"),
        std::string("eyJhbGciOiJSUzI1NiJ9.e3 0.c2ln")}) {
    auto id = f.validator->Validate(token);
    ASSERT_FALSE(id.ok()) << token;
    EXPECT_EQ(id.status().code(), StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(f.entra.requests(), 0);
}

TEST(EntraToken, RotatedKeyIsFetchedForItsUnknownKid) {
  Fixture f;
  ASSERT_TRUE(f.validator->Validate(f.entra.Token(sim::TokenFlaw::kNone, f.clock)).ok());
  const int after_first = f.entra.requests();
  ASSERT_TRUE(f.entra.issuer().RotateKey(kTenant).ok());
  f.clock.Advance(std::chrono::seconds(301));  // past the refetch floor
  auto id = f.validator->Validate(f.entra.Token(sim::TokenFlaw::kNone, f.clock));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(f.entra.requests(), after_first + 2);  // metadata + keys once more
}

TEST(EntraToken, UnknownKidRefetchHasAFloor) {
  Fixture f;
  ASSERT_TRUE(f.validator->Validate(f.entra.Token(sim::TokenFlaw::kNone, f.clock)).ok());
  const int fetches = f.validator->fetches();
  // Right after a fetch an unknown kid does not fetch again.
  EXPECT_FALSE(f.validator->Validate(f.entra.Token(sim::TokenFlaw::kUnknownKey, f.clock)).ok());
  EXPECT_EQ(f.validator->fetches(), fetches);
  f.clock.Advance(std::chrono::seconds(301));
  // A stream of tokens naming unknown kids: at most one refetch per floor interval.
  for (int i = 0; i < 5; ++i) {
    auto id = f.validator->Validate(f.entra.Token(sim::TokenFlaw::kUnknownKey, f.clock));
    EXPECT_EQ(id.status().code(), StatusCode::kUnauthenticated);
    f.clock.Advance(std::chrono::seconds(10));
  }
  EXPECT_EQ(f.validator->fetches(), fetches + 1);
  f.clock.Advance(std::chrono::seconds(300));
  EXPECT_FALSE(f.validator->Validate(f.entra.Token(sim::TokenFlaw::kUnknownKey, f.clock)).ok());
  EXPECT_EQ(f.validator->fetches(), fetches + 2);
}

TEST(EntraToken, KeysOutsideTheAuthorityAreNotFetched) {
  Fixture f;
  f.entra.set_metadata_authority("http://attacker.example");
  auto id = f.validator->Validate(f.entra.Token(sim::TokenFlaw::kNone, f.clock));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(id.status().message().find("outside the authority"), std::string::npos);
}

TEST(EntraToken, OversizedKeyDocumentIsRefused) {
  Fixture f([](ValidatorOptions& o) { o.max_document_bytes = 4096; });
  f.entra.set_jwks_override("{\"keys\":[" + std::string(8192, ' ') + "]}");
  auto id = f.validator->Validate(f.entra.Token(sim::TokenFlaw::kNone, f.clock));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(id.status().message().find("larger than 4096"), std::string::npos);
}

TEST(EntraToken, OptionsWithoutAudienceOrWithLargeSkewAreRefused) {
  ValidatorOptions a;
  EXPECT_EQ(EntraTokenValidator::Create(a).status().code(), StatusCode::kInvalidArgument);
  ValidatorOptions b;
  b.audiences = {kAudience};
  b.clock_skew = std::chrono::seconds(3600);
  EXPECT_EQ(EntraTokenValidator::Create(b).status().code(), StatusCode::kInvalidArgument);
}

// ---- the endpoint -------------------------------------------------------------------------

std::string Body(const std::string& tenant) {
  return json{{"TenantId", tenant},
              {"RunId", kRun},
              {"Container", "drops"},
              {"MetadataPath", std::string(kRun) + "/VivaInsights/" + tenant +
                                   "/metadata/JobMetadata/metadata.json"},
              {"CopyActivityId", "copy-1"}}
      .dump();
}

struct Endpoint {
  Fixture f;
  std::mutex mu;
  std::vector<DropHint> hints;
  std::unique_ptr<NotificationServer> server;
  http::CurlTransport client;

  Endpoint() {
    ServerOptions o;
    o.entra = f.validator.get();
    o.tenant_keys = {{kTenant, "key-of-tenant-a"}, {kOtherCustomer, "key-of-tenant-b"}};
    o.on_hint = [this](const DropHint& h) {
      std::lock_guard lock(mu);
      hints.push_back(h);
      return true;
    };
    auto s = NotificationServer::Start(std::move(o));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (s.ok()) server = std::move(s).value();
  }

  int Post(const std::string& body, const http::Headers& headers) {
    http::Request r;
    r.method = "POST";
    r.url = server->url() + "/v1/notifications/drops";
    r.headers = headers;
    r.headers["Content-Type"] = "application/json";
    r.body = body;
    auto res = client.Send(r);
    EXPECT_TRUE(res.ok());
    return res.ok() ? res->status : -1;
  }
  size_t hint_count() {
    std::lock_guard lock(mu);
    return hints.size();
  }
};

TEST(PushServerAuth, BearerTokenOfTheBodysTenantImports) {
  Endpoint e;
  EXPECT_EQ(
      e.Post(Body(kTenant),
             {{"Authorization", "Bearer " + e.f.entra.Token(sim::TokenFlaw::kNone, e.f.clock)}}),
      202);
  ASSERT_EQ(e.hint_count(), 1u);
  EXPECT_EQ(e.hints[0].ref.tenant_id, kTenant);
}

TEST(PushServerAuth, ForgedExpiredAndWrongAudienceTokensAre401AndImportNothing) {
  Endpoint e;
  for (sim::TokenFlaw flaw :
       {sim::TokenFlaw::kForged, sim::TokenFlaw::kExpired, sim::TokenFlaw::kWrongAudience,
        sim::TokenFlaw::kNotYetValid, sim::TokenFlaw::kUnknownKey}) {
    EXPECT_EQ(
        e.Post(Body(kTenant), {{"Authorization", "Bearer " + e.f.entra.Token(flaw, e.f.clock)}}),
        401)
        << sim::TokenFlawName(flaw);
  }
  EXPECT_EQ(e.hint_count(), 0u);
  EXPECT_EQ(e.server->counters().rejected_signature, 5);
}

TEST(PushServerAuth, TokenOfAnotherTenantThanTheBodyIs403AndImportsNothing) {
  Endpoint e;
  // A valid token of customer B announcing customer A's drop.
  const std::string token_b = e.f.entra.Token(sim::TokenFlaw::kNone, e.f.clock, kOtherCustomer);
  EXPECT_EQ(e.Post(Body(kTenant), {{"Authorization", "Bearer " + token_b}}), 403);
  // A valid token of a tenant that is no customer at all.
  EXPECT_EQ(e.Post(Body(kTenant),
                   {{"Authorization",
                     "Bearer " + e.f.entra.Token(sim::TokenFlaw::kOtherTenant, e.f.clock)}}),
            403);
  EXPECT_EQ(e.hint_count(), 0u);
  EXPECT_EQ(e.server->counters().rejected_forbidden, 2);
}

TEST(PushServerAuth, TenantKeyAuthenticatesOnlyItsOwnTenant) {
  Endpoint e;
  EXPECT_EQ(e.Post(Body(kTenant), {{"x-vivalink-key", "key-of-tenant-b"}}), 403);
  EXPECT_EQ(e.Post(Body(kTenant), {{"x-vivalink-key", "no-such-key"}}), 401);
  EXPECT_EQ(e.hint_count(), 0u);
  EXPECT_EQ(e.Post(Body(kTenant), {{"x-vivalink-key", "key-of-tenant-a"}}), 202);
  EXPECT_EQ(e.Post(Body(kOtherCustomer), {{"x-vivalink-key", "key-of-tenant-b"}}), 202);
  EXPECT_EQ(e.hint_count(), 2u);
}

TEST(PushServerAuth, UnauthenticatedNotificationIs401) {
  Endpoint e;
  EXPECT_EQ(e.Post(Body(kTenant), {}), 401);
  EXPECT_EQ(e.Post(Body(kTenant), {{"Authorization", "Basic dXNlcjpwYXNz"}}), 401);
  // No webhook secret is configured: a signature is no credential here.
  EXPECT_EQ(
      e.Post(Body(kTenant), {{"X-Vivalink-Signature", SignatureHeaderValue("", Body(kTenant))}}),
      401);
  EXPECT_EQ(e.hint_count(), 0u);
}

}  // namespace
}  // namespace vivalink::push
