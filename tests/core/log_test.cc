#include "core/log.h"

#include <gtest/gtest.h>

#include "core/secure.h"
#include "core/uuid.h"

namespace vivalink::core {
namespace {

TEST(Redact, MasksSasSignature) {
  std::string url = "https://a.blob.core.windows.net/c?sv=2025-11-05&sp=cw&sig=AbC%2Bdef%3D&sr=c";
  std::string r = Redact(url);
  EXPECT_EQ(r.find("AbC%2Bdef"), std::string::npos);
  EXPECT_NE(r.find("sig=***"), std::string::npos);
  EXPECT_NE(r.find("sp=cw"), std::string::npos);
}

TEST(Redact, MasksAccountKeyInConnectionString) {
  std::string r = Redact(
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqF==;"
      "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;");
  EXPECT_EQ(r.find("Eby8vdM02xNOcqF"), std::string::npos);
  EXPECT_NE(r.find("AccountName=devstoreaccount1"), std::string::npos);
}

TEST(Redact, MasksBearerTokensAndClientSecrets) {
  EXPECT_EQ(Redact("Authorization: Bearer eyJ0eXAi.abc.def"), "Authorization: Bearer ***");
  EXPECT_EQ(Redact("grant_type=client_credentials&client_secret=s3cr3t&scope=x"),
            "grant_type=client_credentials&client_secret=***&scope=x");
  EXPECT_EQ(Redact(R"({"access_token":"tok","expires_in":3599})"),
            R"({"access_token":"***","expires_in":3599})");
  EXPECT_EQ(Redact("SharedKey devstoreaccount1:abc+/="), "SharedKey devstoreaccount1:***");
}

TEST(Redact, MasksPrivateKeyBlocks) {
  std::string pem = "key: -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end";
  std::string r = Redact(pem);
  EXPECT_EQ(r.find("MIIE"), std::string::npos);
  EXPECT_NE(r.find("end"), std::string::npos);
}

TEST(Redact, LeavesOrdinaryTextAlone) {
  std::string s = "drop 5c90 imported: 1200 rows";
  EXPECT_EQ(Redact(s), s);
  EXPECT_EQ(Redact(Redact("sig=abc")), "sig=***");
}

TEST(Uuid, NewUuidsAreVersion4AndDistinct) {
  std::string a = NewUuid(), b = NewUuid();
  EXPECT_TRUE(IsUuid(a));
  EXPECT_NE(a, b);
  EXPECT_EQ(a[14], '4');
  EXPECT_EQ(UuidFromSeed(1, 2), UuidFromSeed(1, 2));
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_EQ(NormalizeUuid("8C1D0E4F-2A3B-4C5D-9E8F-7A6B5C4D3E2F"),
            "8c1d0e4f-2a3b-4c5d-9e8f-7a6b5c4d3e2f");
}

TEST(SecureBytes, BehavesLikeAVector) {
  SecureBytes b(32, std::byte{7});
  b.resize(64);
  EXPECT_EQ(b.size(), 64u);
  EXPECT_EQ(b[0], std::byte{7});
}

}  // namespace
}  // namespace vivalink::core
