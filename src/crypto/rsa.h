// RSA-2048 key pairs for the partner key registration (PROTOCOL §3, §4): generation, PEM load/save,
// JWK public export, and RSA-OAEP-SHA256 wrap/unwrap of the per-run AES keys. OpenSSL 3 EVP.
// Key objects are immutable after construction and safe to share between threads.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/secure.h"
#include "core/status.h"

namespace vivalink::crypto {

// The public part as a JWK: kty "RSA", e and n base64url (unpadded, big-endian, no leading zeros).
struct Jwk {
  std::string kty = "RSA";
  std::string e;
  std::string n;
};

class RsaPublicKey {
 public:
  static core::Result<RsaPublicKey> FromPem(std::string_view pem);
  static core::Result<RsaPublicKey> LoadPem(const std::filesystem::path& path);
  static core::Result<RsaPublicKey> FromJwk(const Jwk& jwk);
  std::string ToPem() const;
  Jwk ToJwk() const;
  int bits() const;
  // RSA-OAEP with SHA-256 (MGF1-SHA256, empty label). Returns raw ciphertext (256 bytes).
  core::Result<std::string> WrapOaepSha256(std::span<const std::byte> plaintext) const;

  struct Impl;
  explicit RsaPublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const Impl> impl_;  // shared: immutable EVP_PKEY, cheap copies
};

class RsaPrivateKey {
 public:
  static core::Result<RsaPrivateKey> Generate(int bits = 2048);
  static core::Result<RsaPrivateKey> FromPem(std::string_view pem);
  static core::Result<RsaPrivateKey> LoadPem(const std::filesystem::path& path);
  // Writes PKCS#8 PEM to path atomically with mode 0600 (kFailedPrecondition if it exists and
  // overwrite is false).
  core::Status SavePem(const std::filesystem::path& path, bool overwrite = false) const;
  core::SecureString ToPem() const;
  RsaPublicKey PublicKey() const;
  // Unwraps an RSA-OAEP-SHA256 ciphertext. kPermissionDenied when it does not decrypt with this
  // key (wrong key pair / wrong tenant), kInvalidArgument for a ciphertext of the wrong size.
  core::Result<core::SecureBytes> UnwrapOaepSha256(std::span<const std::byte> ciphertext) const;

  struct Impl;
  explicit RsaPrivateKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace vivalink::crypto
