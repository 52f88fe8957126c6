// The per-run AES keys of a drop (DESIGN §3, §4): parsing the key API's answer and the inline
// DecryptionKeyDetails, unwrapping with the tenant's private key, and (for the simulator and
// tests) wrapping them. A per-tenant KeyStore keeps the partner's RSA key pairs on disk.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/aes.h"
#include "crypto/rsa.h"
#include "drop/metadata.h"

namespace vivalink::drop {

struct DropKeys {
  crypto::AesKeyIv file;
  std::optional<crypto::AesKeyIv> column;  // absent when the drop has no encrypted columns
};

// Parses {"DecryptionKeys":[{"DecryptionKeyType":"File"|"Column","Value":..,"IV":..}]} (either
// casing of the three names) into wrapped keys. kDataLoss when not JSON / no File key.
core::Result<std::vector<WrappedKey>> ParseKeysResponse(std::string_view json);

// Unwraps with the tenant's private key. kPermissionDenied when the key does not fit (wrong
// tenant's key pair), kDataLoss for malformed values.
core::Result<crypto::AesKeyIv> UnwrapKey(const WrappedKey& wrapped,
                                         const crypto::RsaPrivateKey& private_key);
core::Result<DropKeys> UnwrapKeys(const std::vector<WrappedKey>& wrapped,
                                  const crypto::RsaPrivateKey& private_key);

// The key API's answer for a request id (what vivasim serves and tests write to files).
core::Result<std::string> MakeKeysResponse(std::string_view request_id, const DropKeys& keys,
                                           const crypto::RsaPublicKey& public_key);
core::Result<WrappedKey> WrapKey(std::string_view type, const crypto::AesKeyIv& key,
                                 const crypto::RsaPublicKey& public_key);

// One RSA key pair per customer tenant, in <dir>/<tenant-id>/private.pem (0600) and public.pem.
class KeyStore {
 public:
  explicit KeyStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  // Generates and saves a pair. kFailedPrecondition when the tenant already has one.
  core::Result<crypto::RsaPrivateKey> Create(std::string_view tenant_id);
  // kNotFound (saying how to create one) when the tenant has no key pair.
  core::Result<crypto::RsaPrivateKey> Load(std::string_view tenant_id) const;
  std::filesystem::path PrivateKeyPath(std::string_view tenant_id) const;
  std::filesystem::path PublicKeyPath(std::string_view tenant_id) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace vivalink::drop
