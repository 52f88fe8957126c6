#include "crypto/rsa.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "core/base64.h"
#include "core/io.h"
#include "testutil.h"

namespace vivalink::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Key generation takes a while; the tests share two key pairs.
const RsaPrivateKey& KeyA() {
  static const RsaPrivateKey key = *RsaPrivateKey::Generate(2048);
  return key;
}
const RsaPrivateKey& KeyB() {
  static const RsaPrivateKey key = *RsaPrivateKey::Generate(2048);
  return key;
}

std::string SecretOf(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += static_cast<char>(i * 7 + 1);
  return s;
}

std::string AsString(const core::SecureBytes& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

TEST(Rsa, GeneratesA2048BitKey) {
  EXPECT_EQ(KeyA().PublicKey().bits(), 2048);
  EXPECT_EQ(RsaPrivateKey::Generate(1024).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Rsa, WrapThenUnwrapGivesThePlaintext) {
  std::string secret = SecretOf(32);
  auto wrapped = KeyA().PublicKey().WrapOaepSha256(core::AsBytes(secret));
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  EXPECT_EQ(wrapped->size(), 256u);
  // OAEP is randomised: wrapping twice gives different ciphertexts.
  EXPECT_NE(*wrapped, *KeyA().PublicKey().WrapOaepSha256(core::AsBytes(secret)));
  auto unwrapped = KeyA().UnwrapOaepSha256(core::AsBytes(*wrapped));
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_EQ(AsString(*unwrapped), secret);
}

TEST(Rsa, WrongRsaKeyIsPermissionDenied) {
  auto wrapped = KeyA().PublicKey().WrapOaepSha256(core::AsBytes(SecretOf(32)));
  ASSERT_TRUE(wrapped.ok());
  auto r = KeyB().UnwrapOaepSha256(core::AsBytes(*wrapped));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("tenant"));
}

TEST(Rsa, TamperedWrappedKeyIsPermissionDenied) {
  auto wrapped = KeyA().PublicKey().WrapOaepSha256(core::AsBytes(SecretOf(32)));
  ASSERT_TRUE(wrapped.ok());
  std::string bad = *wrapped;
  bad[100] = static_cast<char>(bad[100] ^ 0x01);
  EXPECT_EQ(KeyA().UnwrapOaepSha256(core::AsBytes(bad)).status().code(),
            core::StatusCode::kPermissionDenied);
}

TEST(Rsa, WrappedKeyOfWrongSizeIsInvalidArgument) {
  EXPECT_EQ(KeyA().UnwrapOaepSha256(core::AsBytes(std::string(255, 'x'))).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyA().UnwrapOaepSha256({}).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Rsa, TooLongPlaintextIsInvalidArgument) {
  EXPECT_TRUE(KeyA().PublicKey().WrapOaepSha256(core::AsBytes(SecretOf(190))).ok());
  EXPECT_EQ(KeyA().PublicKey().WrapOaepSha256(core::AsBytes(SecretOf(191))).status().code(),
            core::StatusCode::kInvalidArgument);
}

TEST(Rsa, PrivatePemIsPkcs8AndRoundTrips) {
  core::SecureString pem = KeyA().ToPem();
  EXPECT_THAT(std::string(pem.c_str()), StartsWith("-----BEGIN PRIVATE KEY-----\n"));
  auto again = RsaPrivateKey::FromPem(std::string_view(pem.data(), pem.size()));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto wrapped = KeyA().PublicKey().WrapOaepSha256(core::AsBytes(SecretOf(32)));
  ASSERT_TRUE(wrapped.ok());
  auto unwrapped = again->UnwrapOaepSha256(core::AsBytes(*wrapped));
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_EQ(AsString(*unwrapped), SecretOf(32));
}

TEST(Rsa, PublicPemRoundTrips) {
  std::string pem = KeyA().PublicKey().ToPem();
  EXPECT_THAT(pem, StartsWith("-----BEGIN PUBLIC KEY-----\n"));
  auto pub = RsaPublicKey::FromPem(pem);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(pub->ToPem(), pem);
}

TEST(Rsa, GarbagePemIsInvalidArgument) {
  EXPECT_EQ(RsaPrivateKey::FromPem("hello").status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(RsaPublicKey::FromPem("hello").status().code(), core::StatusCode::kInvalidArgument);
  // A public key is not a private key.
  EXPECT_EQ(RsaPrivateKey::FromPem(KeyA().PublicKey().ToPem()).status().code(),
            core::StatusCode::kInvalidArgument);
}

TEST(Rsa, JwkRoundTrip) {
  RsaPublicKey pub = KeyA().PublicKey();
  Jwk jwk = pub.ToJwk();
  EXPECT_EQ(jwk.kty, "RSA");
  EXPECT_EQ(jwk.e, "AQAB");  // 65537
  auto n = core::Base64UrlDecode(jwk.n);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->size(), 256u);
  EXPECT_NE((*n)[0], '\0');                                  // no leading zero byte
  EXPECT_EQ(jwk.n.find_first_of("+/="), std::string::npos);  // base64url, unpadded

  auto back = RsaPublicKey::FromJwk(jwk);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToPem(), pub.ToPem());
  auto wrapped = back->WrapOaepSha256(core::AsBytes(SecretOf(32)));
  ASSERT_TRUE(wrapped.ok());
  auto unwrapped = KeyA().UnwrapOaepSha256(core::AsBytes(*wrapped));
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_EQ(AsString(*unwrapped), SecretOf(32));
}

TEST(Rsa, BadJwkIsInvalidArgument) {
  Jwk good = KeyA().PublicKey().ToJwk();
  Jwk wrong_kty = good;
  wrong_kty.kty = "EC";
  EXPECT_EQ(RsaPublicKey::FromJwk(wrong_kty).status().code(), core::StatusCode::kInvalidArgument);
  Jwk bad_b64 = good;
  bad_b64.n = "not/base64url+";
  EXPECT_EQ(RsaPublicKey::FromJwk(bad_b64).status().code(), core::StatusCode::kInvalidArgument);
  Jwk empty_e = good;
  empty_e.e = "";
  EXPECT_EQ(RsaPublicKey::FromJwk(empty_e).status().code(), core::StatusCode::kInvalidArgument);
  Jwk small_n = good;
  small_n.n = good.n.substr(0, 100);  // 600 bits
  EXPECT_EQ(RsaPublicKey::FromJwk(small_n).status().code(), core::StatusCode::kInvalidArgument);
  Jwk even_e = good;
  even_e.e = "AQAA";  // 65536
  EXPECT_EQ(RsaPublicKey::FromJwk(even_e).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Rsa, PemFileMode0600) {
  testutil::TempDir dir;
  auto path = dir / "tenant.pem";
  // Even a permissive umask must not leak the key to other users.
  mode_t old = ::umask(0);
  core::Status st = KeyA().SavePem(path);
  ::umask(old);
  ASSERT_TRUE(st.ok()) << st.ToString();
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // Only the key file is left: no temporary files.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u);

  auto loaded = RsaPrivateKey::LoadPem(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->PublicKey().ToPem(), KeyA().PublicKey().ToPem());
}

TEST(Rsa, SavePemRefusesToOverwriteUnlessAsked) {
  testutil::TempDir dir;
  auto path = dir / "tenant.pem";
  ASSERT_TRUE(KeyA().SavePem(path).ok());
  core::Status st = KeyB().SavePem(path);
  EXPECT_EQ(st.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RsaPrivateKey::LoadPem(path)->PublicKey().ToPem(), KeyA().PublicKey().ToPem());

  ::chmod(path.c_str(), 0644);
  ASSERT_TRUE(KeyB().SavePem(path, /*overwrite=*/true).ok());
  EXPECT_EQ(RsaPrivateKey::LoadPem(path)->PublicKey().ToPem(), KeyB().PublicKey().ToPem());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(Rsa, SavePemIntoMissingFolderIsFailedPrecondition) {
  testutil::TempDir dir;
  EXPECT_EQ(KeyA().SavePem(dir / "no-such-dir" / "k.pem").code(),
            core::StatusCode::kFailedPrecondition);
}

TEST(Rsa, LoadMissingPemIsNotFound) {
  testutil::TempDir dir;
  EXPECT_EQ(RsaPrivateKey::LoadPem(dir / "missing.pem").status().code(),
            core::StatusCode::kNotFound);
  EXPECT_EQ(RsaPublicKey::LoadPem(dir / "missing.pem").status().code(),
            core::StatusCode::kNotFound);
}

TEST(Rsa, KeysAreUsableFromManyThreads) {
  std::string secret = SecretOf(32);
  auto wrapped = KeyA().PublicKey().WrapOaepSha256(core::AsBytes(secret));
  ASSERT_TRUE(wrapped.ok());
  RsaPrivateKey shared = KeyA();  // copies share the immutable key
  std::vector<int> ok(4, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < ok.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto r = shared.UnwrapOaepSha256(core::AsBytes(*wrapped));
        if (r.ok() && AsString(*r) == secret) ++ok[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int n : ok) EXPECT_EQ(n, 5);
}

}  // namespace
}  // namespace vivalink::crypto
