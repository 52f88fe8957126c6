// The per-run AES keys of a drop (PROTOCOL §3, §4): parsing the key API's answer and the inline
// DecryptionKeyDetails, unwrapping with the tenant's private key, and (for the simulator and
// tests) wrapping them. A per-tenant KeyStore keeps the partner's RSA key pairs on disk.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/aes.h"
#include "crypto/rsa.h"
#include "drop/layout.h"
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

// True when the drop's ColumnsRequested names a column that travels column-encrypted (PersonId,
// ObjectId, id, mail, userPrincipalName; formats::IsPiiColumn): such a drop needs the Column key.
bool DeclaresPiiColumns(const DropMetadata& metadata);

// Which wrapped keys decrypt a drop: the one rule `vivalink drop cat` and ingestion both follow.
// api_answer is the key API's answer for the drop's CopyActivityId, or why there is none (a
// failed call, or kNotFound when no answer was given). Key type names compare case-insensitively
// ("File", "file", "FILE").
//   - File key: the API's when its answer holds one (the authenticated channel), else the inline
//     DecryptionKeyDetails of metadata.json (its type defaults to File).
//   - Column key: only the API gives it. A drop that declares PII columns (DeclaresPiiColumns) is
//     never read without it: encrypted ids would otherwise be taken for plaintext ids.
// Returns the File key first, then the Column key when there is one. Errors:
//   - the API failed and there is no inline File key: the API's error (its code unchanged);
//   - the API failed, an inline File key exists, but the drop declares PII columns: the API's
//     error (code unchanged: kUnavailable for 5xx/429/network, so the drop is retried) with a
//     message saying the Column key is missing and the drop was not imported;
//   - the API answered without a Column key and the drop declares PII columns: kDataLoss;
//   - the API answered without a File key and there is no inline one: kDataLoss.
core::Result<std::vector<WrappedKey>> SelectKeys(
    const core::Result<std::vector<WrappedKey>>& api_answer, const DropMetadata& metadata);

// The keys of drop ref: SelectKeys, then UnwrapKeys with the private key of the drop's own
// tenant only (tenant isolation, PROTOCOL §8.4), loaded from keystore. Errors of KeyStore::Load,
// SelectKeys and UnwrapKeys, each naming the drop.
class KeyStore;
core::Result<DropKeys> LoadDropKeys(const KeyStore& keystore, const DropRef& ref,
                                    const DropMetadata& metadata,
                                    const core::Result<std::vector<WrappedKey>>& api_answer);

// The key API's answer for a request id (what vivasim serves and tests write to files).
core::Result<std::string> MakeKeysResponse(std::string_view request_id, const DropKeys& keys,
                                           const crypto::RsaPublicKey& public_key);
core::Result<WrappedKey> WrapKey(std::string_view type, const crypto::AesKeyIv& key,
                                 const crypto::RsaPublicKey& public_key);

// `vivalink keys create`: creates the tenant's pair in the key store folder (KeyStore::Create,
// the tenant GUID normalised) and returns what the customer registers with the key API, as
// indented JSON: {"tenantId", "rsaKey": {kty, e, n, "encryptionAlgorithm": "RSA2048"},
// "privateKeyFile"}. Errors: KeyStore::Create's (kInvalidArgument for a tenant that is not a
// GUID, kFailedPrecondition when the tenant already has a pair).
core::Result<std::string> CreateTenantKeyPair(const std::filesystem::path& keystore,
                                              std::string_view tenant);

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
