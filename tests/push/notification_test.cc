// Web activity / queue notification bodies and their X-Vivalink-Signature (push/notification.h).
#include "push/notification.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

namespace vivalink::push {
namespace {

using core::StatusCode;
using nlohmann::ordered_json;

constexpr const char* kTenant = "0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c";
constexpr const char* kRun = "5c90a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b";
constexpr const char* kOtherTenant = "11111111-2222-4333-8444-555555555555";
constexpr const char* kCopyActivity = "9f8e7d6c-5b4a-4321-8fed-cba987654321";

std::string MetadataPath(const std::string& run = kRun, const std::string& tenant = kTenant,
                         const std::string& kind = "VivaInsights") {
  return run + "/" + kind + "/" + tenant + "/metadata/JobMetadata/metadata.json";
}

// The body exactly as vivasim's sim::Notification::ToJson writes it.
ordered_json Body() {
  return ordered_json{{"TenantId", kTenant},
                      {"RunId", kRun},
                      {"Container", "vivainsights"},
                      {"MetadataPath", MetadataPath()},
                      {"CopyActivityId", kCopyActivity}};
}

core::Status ParseError(const ordered_json& body) {
  auto r = ParseDropNotification(body.dump(), HintSource::kWebActivity);
  EXPECT_FALSE(r.ok());
  return r.ok() ? core::OkStatus() : r.status();
}

TEST(PushNotification, ParsesTheBodyVivasimSends) {
  auto hint = ParseDropNotification(Body().dump(), HintSource::kWebActivity);
  ASSERT_TRUE(hint.ok()) << hint.status().ToString();
  EXPECT_EQ(hint->source, HintSource::kWebActivity);
  EXPECT_EQ(hint->ref.run_id, kRun);
  EXPECT_EQ(hint->ref.kind, "VivaInsights");
  EXPECT_EQ(hint->ref.tenant_id, kTenant);
  EXPECT_EQ(hint->ref.metadata_path(), MetadataPath());
  EXPECT_EQ(hint->container, "vivainsights");
  EXPECT_EQ(hint->id, kCopyActivity);
}

// Issue 10, hostile input: a deeply nested body crashed the listener (stack overflow).
TEST(PushNotification, ADeeplyNestedBodyIsRefusedNotACrash) {
  std::string body = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  auto r = ParseDropNotification(body, HintSource::kWebActivity);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("deeper than"), std::string::npos);
}

TEST(PushNotification, KeepsTheSourceItWasGiven) {
  auto hint = ParseDropNotification(Body().dump(), HintSource::kQueue);
  ASSERT_TRUE(hint.ok());
  EXPECT_EQ(hint->source, HintSource::kQueue);
  EXPECT_NE(hint->ToString().find("queue hint for drop"), std::string::npos) << hint->ToString();
}

TEST(PushNotification, AcceptsTheUserExportDrop) {
  ordered_json b = Body();
  b["MetadataPath"] = MetadataPath(kRun, kTenant, "AADUser");
  auto hint = ParseDropNotification(b.dump(), HintSource::kWebActivity);
  ASSERT_TRUE(hint.ok()) << hint.status().ToString();
  EXPECT_EQ(hint->ref.kind, "AADUser");
}

TEST(PushNotification, MatchesKeysInAnyCase) {
  const ordered_json b{{"tenantId", kTenant},
                       {"RUNID", kRun},
                       {"container", "c"},
                       {"metadataPath", MetadataPath()},
                       {"copyactivityid", "x"}};
  auto hint = ParseDropNotification(b.dump(), HintSource::kWebActivity);
  ASSERT_TRUE(hint.ok()) << hint.status().ToString();
  EXPECT_EQ(hint->container, "c");
  EXPECT_EQ(hint->id, "x");
}

TEST(PushNotification, ContainerAndCopyActivityIdAreOptional) {
  ordered_json b = Body();
  b.erase("Container");
  b["CopyActivityId"] = nullptr;
  auto hint = ParseDropNotification(b.dump(), HintSource::kWebActivity);
  ASSERT_TRUE(hint.ok()) << hint.status().ToString();
  EXPECT_EQ(hint->container, "");
  EXPECT_EQ(hint->id, "");
}

TEST(PushNotification, TenantAndRunCompareCaseInsensitively) {
  ordered_json b = Body();
  b["TenantId"] = "0B7E5A6C-3F1D-4C2E-9A8B-7D6E5F4A3B2C";
  b["RunId"] = "5C90A1B2-C3D4-4E5F-8A9B-0C1D2E3F4A5B";
  auto hint = ParseDropNotification(b.dump(), HintSource::kWebActivity);
  ASSERT_TRUE(hint.ok()) << hint.status().ToString();
  EXPECT_EQ(hint->ref.tenant_id, kTenant);  // the path's spelling is the blob name
}

TEST(PushNotification, RefusesAnotherTenantsDrop) {
  ordered_json b = Body();
  b["MetadataPath"] = MetadataPath(kRun, kOtherTenant);
  core::Status s = ParseError(b);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("TenantId"), std::string::npos) << s.message();
}

TEST(PushNotification, RefusesARunIdThatDisagreesWithThePath) {
  ordered_json b = Body();
  b["RunId"] = "aaaaaaaa-c3d4-4e5f-8a9b-0c1d2e3f4a5b";
  core::Status s = ParseError(b);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("RunId"), std::string::npos) << s.message();
}

TEST(PushNotification, RefusesBodiesThatAreNotJsonObjects) {
  for (const char* text : {"", "not json", "[1,2]", "\"str\"", "42", "{\"TenantId\":", "null"}) {
    auto r = ParseDropNotification(text, HintSource::kWebActivity);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << text;
  }
  auto r = ParseDropNotification("[1]", HintSource::kWebActivity);
  EXPECT_NE(r.status().message().find("JSON object"), std::string::npos) << r.status().message();
}

TEST(PushNotification, NamesEachMissingRequiredField) {
  for (const char* field : {"TenantId", "RunId", "MetadataPath"}) {
    ordered_json b = Body();
    b.erase(field);
    core::Status s = ParseError(b);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << field;
    EXPECT_NE(s.message().find(field), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("missing"), std::string::npos) << s.message();
  }
}

TEST(PushNotification, NamesEachNonStringField) {
  for (const char* field : {"TenantId", "RunId", "MetadataPath", "Container", "CopyActivityId"}) {
    ordered_json b = Body();
    b[field] = 42;
    core::Status s = ParseError(b);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << field;
    EXPECT_NE(s.message().find(field), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("string"), std::string::npos) << s.message();
  }
}

TEST(PushNotification, RefusesAnEmptyRequiredField) {
  ordered_json b = Body();
  b["TenantId"] = "";
  core::Status s = ParseError(b);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("TenantId is empty"), std::string::npos) << s.message();
}

TEST(PushNotification, RefusesAFieldGivenTwiceInDifferentCase) {
  const std::string body = R"({"TenantId":")" + std::string(kTenant) + R"(","tenantid":")" +
                           kOtherTenant + R"(","RunId":")" + kRun + R"(","MetadataPath":")" +
                           MetadataPath() + R"("})";
  auto r = ParseDropNotification(body, HintSource::kWebActivity);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("more than once"), std::string::npos) << r.status().message();
}

TEST(PushNotification, RefusesMetadataPathsThatAreNotADropsMetadataJson) {
  const std::string prefix = std::string(kRun) + "/VivaInsights/" + kTenant;
  for (const std::string& path : std::vector<std::string>{
           prefix,                                           // the drop, not its metadata
           prefix + "/",                                     //
           prefix + "/part-00000.json.gz",                   // a data part
           "/" + MetadataPath(),                             // leading slash
           "container/" + MetadataPath(),                    // container prefixed
           prefix + "//metadata/JobMetadata/metadata.json",  // doubled slash
           std::string(kRun) + "/Other/" + kTenant + "/metadata/JobMetadata/metadata.json",
           std::string("not-a-guid/VivaInsights/") + kTenant +
               "/metadata/JobMetadata/metadata.json",
           prefix + "/metadata/JobMetadata/metadata.json.bak",
       }) {
    ordered_json b = Body();
    b["MetadataPath"] = path;
    core::Status s = ParseError(b);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << path;
    EXPECT_NE(s.message().find("MetadataPath"), std::string::npos) << path << ": " << s.message();
  }
}

TEST(PushNotification, HintSourceNamesAreStable) {
  EXPECT_EQ(HintSourceName(HintSource::kWebActivity), "web_activity");
  EXPECT_EQ(HintSourceName(HintSource::kEventGrid), "event_grid");
  EXPECT_EQ(HintSourceName(HintSource::kCloudEvents), "cloudevents");
  EXPECT_EQ(HintSourceName(HintSource::kQueue), "queue");
}

// The body and secret of the vector below. Expected value computed independently with:
//   printf '%s' "$BODY" > body.json && openssl dgst -sha256 -hmac 'webhook-secret-123' body.json
//   HMAC-SHA2-256(body.json)= 324ca44ac570a79919e6589a559576362fc53a91aa205260049e40a931d84905
constexpr const char* kVectorSecret = "webhook-secret-123";
constexpr const char* kVectorHmac =
    "324ca44ac570a79919e6589a559576362fc53a91aa205260049e40a931d84905";

std::string VectorBody() { return Body().dump(); }

TEST(PushSignature, VectorBodyIsTheOneTheOpensslCommandSigned) {
  EXPECT_EQ(VectorBody(),
            R"({"TenantId":"0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c","RunId":"5c90a1b2-c3d4-4e5f-)"
            R"(8a9b-0c1d2e3f4a5b","Container":"vivainsights","MetadataPath":"5c90a1b2-c3d4-4e5f-)"
            R"(8a9b-0c1d2e3f4a5b/VivaInsights/0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c/metadata/)"
            R"(JobMetadata/metadata.json","CopyActivityId":"9f8e7d6c-5b4a-4321-8fed-)"
            R"(cba987654321"})");
}

TEST(PushSignature, MatchesOpensslVector) {
  EXPECT_EQ(SignatureHeaderValue(kVectorSecret, VectorBody()),
            std::string("sha256=") + kVectorHmac);
  EXPECT_TRUE(VerifySignature(kVectorSecret, VectorBody(), std::string("sha256=") + kVectorHmac));
}

TEST(PushSignature, MatchesWellKnownHmacVector) {
  // printf '%s' 'The quick brown fox jumps over the lazy dog' | openssl dgst -sha256 -hmac 'key'
  EXPECT_TRUE(
      VerifySignature("key", "The quick brown fox jumps over the lazy dog",
                      "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"));
}

TEST(PushSignature, AcceptsUpperCaseHexAndSurroundingSpace) {
  std::string upper = kVectorHmac;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(VerifySignature(kVectorSecret, VectorBody(), "sha256=" + upper));
  EXPECT_TRUE(
      VerifySignature(kVectorSecret, VectorBody(), std::string("  sha256=") + kVectorHmac + " "));
}

TEST(PushSignature, RefusesAnotherSecretOrAChangedBody) {
  const std::string header = std::string("sha256=") + kVectorHmac;
  EXPECT_FALSE(VerifySignature("webhook-secret-124", VectorBody(), header));
  std::string body = VectorBody();
  body[10] = 'X';
  EXPECT_FALSE(VerifySignature(kVectorSecret, body, header));
  EXPECT_FALSE(VerifySignature(kVectorSecret, VectorBody() + " ", header));
}

TEST(PushSignature, RefusesAnEmptySecretEvenWithItsMatchingHmac) {
  EXPECT_FALSE(VerifySignature("", "body", SignatureHeaderValue("", "body")));
}

TEST(PushSignature, RefusesMalformedHeaders) {
  const std::string hex = kVectorHmac;
  for (const std::string& header : std::vector<std::string>{
           std::string(),
           hex,                                  // no prefix
           "sha1=" + hex,                        // another algorithm
           "sha256=",                            // no digest
           "sha256=" + hex.substr(0, 63),        // one digit short
           "sha256=" + hex + "0",                // one digit long
           "sha256=" + hex.substr(0, 63) + "g",  // not hex
           "sha256 =" + hex,                     //
           "sha256=" + hex + ",sha256=" + hex,   // two values
       }) {
    EXPECT_FALSE(VerifySignature(kVectorSecret, VectorBody(), header)) << header;
  }
}

}  // namespace
}  // namespace vivalink::push
