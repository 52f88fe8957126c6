// KeyClient against a scripted transport and a fake clock: token caching and refresh, retries,
// 401 refresh-once, 400/403 as non-retryable errors with clear messages, registration.
#include "ingest/key_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/fake_transport.h"
#include "ingest_fixture.h"

namespace vivalink::ingest {
namespace {

using core::StatusCode;
using testing::FakeClock;

constexpr char kTenant[] = "8c1d0e4f-2a3b-4c5d-9e8f-7a6b5c4d3e2f";
constexpr char kRequest[] = "0eab4677-84db-4aad-a4eb-ca39059acf54";

http::Response Json(int status, const std::string& body, http::Headers headers = {}) {
  http::Response r;
  r.status = status;
  r.body = body;
  r.headers = std::move(headers);
  return r;
}
http::Response Token(const std::string& token, int expires_in = 3600) {
  return Json(
      200,
      nlohmann::json{{"token_type", "Bearer"}, {"expires_in", expires_in}, {"access_token", token}}
          .dump());
}
const char kKeys[] =
    R"({"DecryptionKeys":[{"DecryptionKeyType":"File","Value":"AAAA","IV":"BBBB"},{"DecryptionKeyType":"Column","Value":"CCCC","IV":"DDDD"}]})";

class KeyClientTest : public ::testing::Test {
 protected:
  KeyClient& Client() {
    if (!client_) {
      KeyClientOptions o;
      o.api_base_url = "http://127.0.0.1:1/";
      o.authority = "http://127.0.0.1:1/auth";
      o.client_id = "app-1";
      o.client_secret = "very-secret";
      o.clock = &clock_;
      o.retry.sleep = [this](std::chrono::milliseconds d) { sleeps_.push_back(d); };
      o.retry.seed = 1;
      client_ = std::make_unique<KeyClient>(std::move(o), fake_);
    }
    return *client_;
  }
  std::shared_ptr<http::FakeTransport> fake_ = std::make_shared<http::FakeTransport>();
  FakeClock clock_;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::unique_ptr<KeyClient> client_;
};

TEST_F(KeyClientTest, FetchesKeysWithABearerTokenFromTheClientCredentialsGrant) {
  fake_->Push(Token("tok-1"));
  fake_->Push(Json(200, kKeys));
  auto keys = Client().FetchDecryptionKeys(kTenant, kRequest);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].type, "File");
  auto reqs = fake_->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].url, std::string("http://127.0.0.1:1/auth/") + kTenant + "/oauth2/v2.0/token");
  EXPECT_NE(reqs[0].body.find("grant_type=client_credentials"), std::string::npos);
  EXPECT_NE(reqs[0].body.find("client_id=app-1"), std::string::npos);
  EXPECT_NE(reqs[0].body.find("scope=https%3A%2F%2F"), std::string::npos);
  EXPECT_EQ(reqs[1].url, std::string("http://127.0.0.1:1/v1.0/tenants/") + kTenant + "/scopes/" +
                             kTenant + "/egressDecryptionKey");
  EXPECT_EQ(reqs[1].headers.at("Authorization"), "Bearer tok-1");
  EXPECT_EQ(nlohmann::json::parse(reqs[1].body)["requestId"], kRequest);
}

// Issue 10 item 10: key-API and token answers were read without a size limit.
TEST_F(KeyClientTest, AnOversizedKeyAnswerIsRefusedWithoutBeingReadOn) {
  fake_->Push(Token("tok-1"));
  std::string huge =
      std::string(R"({"DecryptionKeys":[],"pad":")") + std::string(2u << 20, 'x') + "\"}";
  fake_->Push(Json(200, huge));
  auto keys = Client().FetchDecryptionKeys(kTenant, kRequest);
  EXPECT_EQ(keys.status().code(), StatusCode::kDataLoss) << keys.status().ToString();
  EXPECT_NE(keys.status().message().find("larger than 1048576 bytes"), std::string::npos)
      << keys.status().message();
}

TEST_F(KeyClientTest, AnOversizedTokenAnswerIsRefused) {
  fake_->Push(Json(
      200, nlohmann::json{{"token_type", "Bearer"}, {"access_token", std::string(3u << 20, 't')}}
               .dump()));
  auto keys = Client().FetchDecryptionKeys(kTenant, kRequest);
  EXPECT_EQ(keys.status().code(), StatusCode::kDataLoss) << keys.status().ToString();
  EXPECT_NE(keys.status().message().find("token answer"), std::string::npos);
  EXPECT_EQ(keys.status().message().find("tttttttt"), std::string::npos);
}

TEST_F(KeyClientTest, CachesTheTokenAndRefreshesItBeforeExpiry) {
  fake_->Push(Token("tok-1", 3600));
  fake_->Push(Json(200, kKeys));
  fake_->Push(Json(200, kKeys));
  ASSERT_TRUE(Client().FetchDecryptionKeys(kTenant, kRequest).ok());
  clock_.Advance(std::chrono::minutes(50));
  ASSERT_TRUE(Client().FetchDecryptionKeys(kTenant, kRequest).ok());
  EXPECT_EQ(Client().token_requests(), 1);
  // 56 minutes in: less than the 5-minute margin left, so a new token is fetched first.
  clock_.Advance(std::chrono::minutes(6));
  fake_->Push(Token("tok-2", 3600));
  fake_->Push(Json(200, kKeys));
  ASSERT_TRUE(Client().FetchDecryptionKeys(kTenant, kRequest).ok());
  EXPECT_EQ(Client().token_requests(), 2);
  EXPECT_EQ(fake_->requests().back().headers.at("Authorization"), "Bearer tok-2");
}

TEST_F(KeyClientTest, TokensAreCachedPerTenant) {
  fake_->Push(Token("tok-a"));
  fake_->Push(Json(200, kKeys));
  fake_->Push(Token("tok-b"));
  fake_->Push(Json(200, kKeys));
  ASSERT_TRUE(Client().FetchDecryptionKeys(kTenant, kRequest).ok());
  ASSERT_TRUE(Client().FetchDecryptionKeys(testing::kTenantB, kRequest).ok());
  EXPECT_EQ(Client().token_requests(), 2);
}

TEST_F(KeyClientTest, RetriesThrottlingHonouringRetryAfterAndServerErrors) {
  fake_->Push(Token("tok-1"));
  fake_->Push(Json(429, R"({"error":{"code":"TooManyRequests","message":"slow down"}})",
                   {{"Retry-After", "7"}}));
  fake_->Push(Json(503, "{}"));
  fake_->PushError(core::UnavailableError("connection refused"));
  fake_->Push(Json(200, kKeys));
  auto keys = Client().FetchDecryptionKeys(kTenant, kRequest);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(sleeps_.size(), 3u);
  EXPECT_EQ(sleeps_[0], std::chrono::seconds(7));
}

TEST_F(KeyClientTest, PersistentServerErrorsEndAsUnavailable) {
  fake_->Push(Token("tok-1"));
  for (int i = 0; i < 5; ++i) fake_->Push(Json(500, "{}"));
  auto keys = Client().FetchDecryptionKeys(kTenant, kRequest);
  EXPECT_EQ(keys.status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(keys.status().remote().has_value());
  EXPECT_EQ(keys.status().remote()->http_status, 500);
  EXPECT_EQ(keys.status().remote()->attempt, 5);
}

TEST_F(KeyClientTest, A401RefreshesTheTokenOnceAndRetries) {
  fake_->Push(Token("tok-old"));
  fake_->Push(Json(401, R"({"error":{"code":"Unauthorized","message":"expired"}})"));
  fake_->Push(Token("tok-new"));
  fake_->Push(Json(200, kKeys));
  ASSERT_TRUE(Client().FetchDecryptionKeys(kTenant, kRequest).ok());
  EXPECT_EQ(Client().token_requests(), 2);
  EXPECT_EQ(fake_->requests().back().headers.at("Authorization"), "Bearer tok-new");
}

TEST_F(KeyClientTest, TwoConsecutive401sAreUnauthenticated) {
  fake_->Push(Token("tok-1"));
  fake_->Push(Json(401, "{}"));
  fake_->Push(Token("tok-2"));
  fake_->Push(Json(401, "{}"));
  auto keys = Client().FetchDecryptionKeys(kTenant, kRequest);
  EXPECT_EQ(keys.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(fake_->requests().size(), 4u);
}

TEST_F(KeyClientTest, A403SaysTheApplicationIsNotThePartnerAndIsNotRetried) {
  fake_->Push(Token("tok-1"));
  fake_->Push(Json(403, R"({"error":{"code":"Forbidden","message":"not the partner"}})"));
  auto keys = Client().FetchDecryptionKeys(kTenant, kRequest);
  EXPECT_EQ(keys.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(
      keys.status().message().find(
          std::string("this application is not the registered partner for tenant ") + kTenant),
      std::string::npos)
      << keys.status().message();
  EXPECT_EQ(keys.status().remote()->service_code, "Forbidden");
  EXPECT_EQ(fake_->requests().size(), 2u);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(KeyClientTest, A400IsInvalidArgumentWithTheServiceMessage) {
  fake_->Push(Token("tok-1"));
  fake_->Push(Json(400, R"({"error":{"code":"BadRequest","message":"unknown request id"}})"));
  auto keys = Client().FetchDecryptionKeys(kTenant, kRequest);
  EXPECT_EQ(keys.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(keys.status().message().find("unknown request id"), std::string::npos);
  EXPECT_EQ(fake_->requests().size(), 2u);
}

TEST_F(KeyClientTest, RefusedClientCredentialsAreUnauthenticatedWithoutTheSecret) {
  fake_->Push(Json(
      401,
      R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret"})"));
  auto keys = Client().FetchDecryptionKeys(kTenant, kRequest);
  EXPECT_EQ(keys.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(keys.status().message().find("AADSTS7000215"), std::string::npos);
  EXPECT_EQ(keys.status().ToString().find("very-secret"), std::string::npos);
}

TEST_F(KeyClientTest, MissingCredentialsAreUnauthenticatedBeforeAnyRequest) {
  KeyClientOptions o;
  o.api_base_url = "http://127.0.0.1:1";
  KeyClient c(o, fake_);
  EXPECT_EQ(c.FetchDecryptionKeys(kTenant, kRequest).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(fake_->requests().empty());
}

TEST_F(KeyClientTest, RegistersThePartnerKeyAsAJwk) {
  auto key = crypto::RsaPrivateKey::Generate(2048);
  ASSERT_TRUE(key.ok());
  fake_->Push(Token("tok-1"));
  fake_->Push(Json(200, nlohmann::json{{"scopeId", {{"id", kTenant}}},
                                       {"createdDate", "2024-03-01T00:00:00Z"},
                                       {"partnerAppId", "app-1"},
                                       {"expirationDate", "2025-03-01T00:00:00Z"}}
                            .dump()));
  auto reg = Client().RegisterPartnerKey(kTenant, key->PublicKey());
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ(reg->scope_id, kTenant);
  EXPECT_EQ(reg->expiration_date, "2025-03-01T00:00:00Z");
  auto body = nlohmann::json::parse(fake_->requests().back().body);
  EXPECT_EQ(body["partnerAppId"], "app-1");
  EXPECT_EQ(body["tenantId"], kTenant);
  EXPECT_EQ(body["rsaKey"]["kty"], "RSA");
  EXPECT_EQ(body["rsaKey"]["n"], key->PublicKey().ToJwk().n);
  EXPECT_EQ(body["rsaKey"]["encryptionAlgorithm"], "RSA2048");
  EXPECT_NE(fake_->requests().back().url.find("/egressPartnerKey"), std::string::npos);
}

}  // namespace
}  // namespace vivalink::ingest
