// Decrypts the independent test vectors in shared/data/vectors (PROTOCOL §3): a drop whose keys
// come from the key API and a drop whose file key is inline in metadata.json.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "core/base64.h"
#include "core/strings.h"
#include "crypto/aes.h"
#include "crypto/gzip.h"
#include "crypto/hash.h"
#include "crypto/rsa.h"
#include "testutil.h"

namespace vivalink::crypto {
namespace {

constexpr char kTenant[] = "8c1d0e4f-2a3b-4c5d-9e8f-7a6b5c4d3e2f";
constexpr char kApiRun[] = "3f2c1b0a-9d8e-4f7a-8b6c-5d4e3f2a1b0c";
constexpr char kInlineRun[] = "7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9";

std::string DataFile(const std::string& run) {
  return testutil::SharedData("vectors/store/" + run + "/VivaInsights/" + kTenant +
                              "/part-00000.json.gz");
}

nlohmann::json ReadJson(const std::string& relative) {
  return nlohmann::json::parse(testutil::ReadFile(testutil::SharedData(relative)));
}

const RsaPrivateKey& VectorKey() {
  static const RsaPrivateKey key = [] {
    auto k = RsaPrivateKey::LoadPem(testutil::SharedData("vectors/key/private.pem"));
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return *k;
  }();
  return key;
}

core::Result<AesKeyIv> Unwrap(const std::string& value_b64, const std::string& iv_b64) {
  ASSIGN_OR_RETURN(std::string wrapped, core::Base64Decode(value_b64));
  ASSIGN_OR_RETURN(std::string iv, core::Base64Decode(iv_b64));
  ASSIGN_OR_RETURN(core::SecureBytes key, VectorKey().UnwrapOaepSha256(core::AsBytes(wrapped)));
  return AesKeyIv::From(key, core::AsBytes(iv));
}

// The File or Column key of a key API answer (keys.json / keys-inline.json).
AesKeyIv ApiKey(const std::string& file, const std::string& type) {
  const nlohmann::json answer = ReadJson("vectors/" + file);
  for (const auto& k : answer["DecryptionKeys"]) {
    if (k["DecryptionKeyType"] == type) {
      auto key = Unwrap(k["Value"].get<std::string>(), k["IV"].get<std::string>());
      EXPECT_TRUE(key.ok()) << key.status().ToString();
      return std::move(key).value();
    }
  }
  ADD_FAILURE() << "no " << type << " key in " << file;
  return {};
}

core::Result<std::string> DecryptDataFile(const std::string& run, const AesKeyIv& key,
                                          InflateEngine engine) {
  std::string name = "part-00000.json.gz of run " + run;
  auto source = std::make_unique<AesCbcDecryptSource>(
      core::MemorySource::Owning(testutil::ReadFile(DataFile(run))), key, name);
  GzipInflateSource gunzip(std::move(source), name, engine);
  return core::ReadAll(gunzip);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

TEST(Vectors, PrivateKeyMatchesPublicKey) {
  auto pub = RsaPublicKey::LoadPem(testutil::SharedData("vectors/key/public.pem"));
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(pub->bits(), 2048);
  EXPECT_EQ(pub->ToJwk().n, VectorKey().PublicKey().ToJwk().n);
}

TEST(Vectors, PrivateKeyUnwrapsFileAndColumnKeys) {
  AesKeyIv file = ApiKey("keys.json", "File");
  AesKeyIv column = ApiKey("keys.json", "Column");
  EXPECT_EQ(file.key.size(), 32u);
  EXPECT_EQ(column.key.size(), 32u);
  EXPECT_NE(file.key, column.key);
}

TEST(Vectors, DataFileDecryptsAndGunzipsToTheExpectedSha256) {
  AesKeyIv file = ApiKey("keys.json", "File");
  for (auto engine : {InflateEngine::kIsal, InflateEngine::kZlib}) {
    auto plain = DecryptDataFile(kApiRun, file, engine);
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    EXPECT_EQ(core::HexEncode(Sha256(*plain)),
              "60c100b6354a3d3ac168747dac62fea96972ab4cac5425967a8f6bbe08c947c4");
    EXPECT_EQ(Lines(*plain).size(), 50u);
  }
}

TEST(Vectors, FirstPersonIdColumnDecrypts) {
  auto plain = DecryptDataFile(kApiRun, ApiKey("keys.json", "File"), InflateEngine::kAuto);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  auto first = nlohmann::json::parse(Lines(*plain).at(0));
  ColumnCipher cipher(ApiKey("keys.json", "Column"));
  std::string id;
  core::Status st = cipher.DecryptBase64(first["PersonId"].get<std::string>(), id);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(id, "007cc8e6-fcfc-34f2-b3da-d800cb284b21");
}

TEST(Vectors, EveryRowEqualsThePlaintextAfterColumnDecryption) {
  auto plain = DecryptDataFile(kApiRun, ApiKey("keys.json", "File"), InflateEngine::kAuto);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  auto rows = Lines(*plain);
  auto want = Lines(testutil::ReadFile(testutil::SharedData("vectors/plaintext.jsonl")));
  ASSERT_EQ(rows.size(), want.size());
  ColumnCipher cipher(ApiKey("keys.json", "Column"));
  std::string id;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto row = nlohmann::json::parse(rows[i]);
    ASSERT_TRUE(cipher.DecryptBase64(row["PersonId"].get<std::string>(), id).ok()) << "row " << i;
    row["PersonId"] = id;
    EXPECT_EQ(row, nlohmann::json::parse(want[i])) << "row " << i;
  }
}

TEST(Vectors, InlineFileKeyDecryptsTheSecondDrop) {
  auto meta = ReadJson(std::string("vectors/store/") + kInlineRun + "/VivaInsights/" + kTenant +
                       "/metadata/JobMetadata/metadata.json");
  const auto& details = meta["DecryptionKeyDetails"];
  auto file = Unwrap(details["value"].get<std::string>(), details["iv"].get<std::string>());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto plain = DecryptDataFile(kInlineRun, *file, InflateEngine::kAuto);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(core::HexEncode(Sha256(*plain)),
            ReadJson("vectors/encrypt-result-inline.json")["sha256_plain"].get<std::string>());

  ColumnCipher cipher(ApiKey("keys-inline.json", "Column"));
  std::string id;
  auto first = nlohmann::json::parse(Lines(*plain).at(0));
  ASSERT_TRUE(cipher.DecryptBase64(first["PersonId"].get<std::string>(), id).ok());
  EXPECT_EQ(id, "007cc8e6-fcfc-34f2-b3da-d800cb284b21");
}

TEST(Vectors, OtherRunsFileKeyIsDataLoss) {
  // The keys of one run do not open another run's file.
  auto plain = DecryptDataFile(kInlineRun, ApiKey("keys.json", "File"), InflateEngine::kAuto);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), core::StatusCode::kDataLoss);
}

TEST(Vectors, OtherKeyPairCannotUnwrapTheKeys) {
  auto other = RsaPrivateKey::Generate(2048);
  ASSERT_TRUE(other.ok());
  auto keys = ReadJson("vectors/keys.json")["DecryptionKeys"];
  auto wrapped = core::Base64Decode(keys[0]["Value"].get<std::string>());
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(other->UnwrapOaepSha256(core::AsBytes(*wrapped)).status().code(),
            core::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace vivalink::crypto
