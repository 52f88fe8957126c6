#include "drop/keys.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/io.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "formats/canonical.h"

namespace vivalink::drop {
namespace {

using nlohmann::json;

const json* FindAny(const json& j, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    auto it = j.find(n);
    if (it != j.end()) return &*it;
  }
  return nullptr;
}

}  // namespace

core::Result<std::vector<WrappedKey>> ParseKeysResponse(std::string_view text) {
  if (JsonNestingDepth(text) > kMaxJsonNesting) {
    return core::DataLossError(
        fmt::format("the key API's answer is nested deeper than {} levels", kMaxJsonNesting));
  }
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return core::DataLossError("the key API's answer is not a JSON object");
  }
  const json* keys = FindAny(j, {"DecryptionKeys", "decryptionKeys"});
  if (keys == nullptr || !keys->is_array()) {
    return core::DataLossError("the key API's answer has no DecryptionKeys array");
  }
  std::vector<WrappedKey> out;
  for (const auto& k : *keys) {
    if (!k.is_object()) return core::DataLossError("a DecryptionKeys entry is not an object");
    const json* type = FindAny(k, {"DecryptionKeyType", "decryptionKeyType", "type", "Type"});
    const json* value = FindAny(k, {"Value", "value"});
    const json* iv = FindAny(k, {"IV", "iv", "Iv"});
    if (type == nullptr || value == nullptr || iv == nullptr || !type->is_string() ||
        !value->is_string() || !iv->is_string()) {
      return core::DataLossError(
          "a DecryptionKeys entry lacks DecryptionKeyType, Value or IV as strings");
    }
    out.push_back({type->get<std::string>(), value->get<std::string>(), iv->get<std::string>()});
  }
  return out;
}

core::Result<crypto::AesKeyIv> UnwrapKey(const WrappedKey& wrapped,
                                         const crypto::RsaPrivateKey& private_key) {
  auto wrapped_key = core::Base64Decode(wrapped.value_b64);
  if (!wrapped_key.ok()) {
    return core::DataLossError(fmt::format("{} key: Value is not base64", wrapped.type));
  }
  auto iv = core::Base64Decode(wrapped.iv_b64);
  if (!iv.ok() || iv->size() != 16) {
    return core::DataLossError(fmt::format("{} key: IV is not 16 bytes of base64", wrapped.type));
  }
  auto key = private_key.UnwrapOaepSha256(core::AsBytes(*wrapped_key));
  if (!key.ok()) {
    return key.status().WithContext(fmt::format("{} key", wrapped.type));
  }
  auto out = crypto::AesKeyIv::From(*key, core::AsBytes(*iv));
  if (!out.ok())
    return core::DataLossError(fmt::format("{} key: {}", wrapped.type, out.status().message()));
  return std::move(*out);
}

core::Result<DropKeys> UnwrapKeys(const std::vector<WrappedKey>& wrapped,
                                  const crypto::RsaPrivateKey& private_key) {
  std::optional<crypto::AesKeyIv> file, column;
  for (const auto& w : wrapped) {
    if (!file && core::EqualsIgnoreCase(w.type, "File")) {
      ASSIGN_OR_RETURN(file, UnwrapKey(w, private_key));
    } else if (!column && core::EqualsIgnoreCase(w.type, "Column")) {
      ASSIGN_OR_RETURN(column, UnwrapKey(w, private_key));
    }
  }
  if (!file) return core::DataLossError("no File key among the decryption keys");
  return DropKeys{std::move(*file), std::move(column)};
}

bool DeclaresPiiColumns(const DropMetadata& metadata) {
  // Splitting at every comma is safe here: a fragment of a display name with commas in it is
  // never exactly one of the PII names.
  for (std::string_view name : core::Split(metadata.columns_requested, ',')) {
    if (formats::IsPiiColumn(formats::CanonicalName(core::Trim(name)))) return true;
  }
  return false;
}

core::Result<std::vector<WrappedKey>> SelectKeys(
    const core::Result<std::vector<WrappedKey>>& api_answer, const DropMetadata& metadata) {
  const WrappedKey* api_file = nullptr;
  const WrappedKey* api_column = nullptr;
  if (api_answer.ok()) {
    for (const WrappedKey& k : *api_answer) {
      if (api_file == nullptr && core::EqualsIgnoreCase(k.type, "File")) api_file = &k;
      if (api_column == nullptr && core::EqualsIgnoreCase(k.type, "Column")) api_column = &k;
    }
  }
  std::optional<WrappedKey> inline_file;
  if (metadata.inline_key.has_value() &&
      (metadata.inline_key->type.empty() ||
       core::EqualsIgnoreCase(metadata.inline_key->type, "File"))) {
    inline_file = *metadata.inline_key;
    inline_file->type = "File";
  }
  std::vector<WrappedKey> out;
  if (api_file != nullptr) {
    out.push_back(*api_file);
    out.back().type = "File";
  } else if (inline_file.has_value()) {
    out.push_back(*inline_file);
  } else if (!api_answer.ok()) {
    return api_answer.status().WithContext(
        "no File key: metadata.json has no DecryptionKeyDetails and the key API gave none");
  } else {
    return core::DataLossError(fmt::format(
        "the key API's answer for CopyActivityId {} holds no File key and metadata.json has no "
        "DecryptionKeyDetails; the drop was not imported",
        metadata.copy_activity_id));
  }
  if (api_column != nullptr) {
    out.push_back(*api_column);
    out.back().type = "Column";
  } else if (DeclaresPiiColumns(metadata)) {
    if (!api_answer.ok()) {
      return core::Status(
          api_answer.status().code(),
          fmt::format("the drop declares encrypted PII columns and their Column key comes only "
                      "from the key API, which failed: {}; the drop was not imported (it is "
                      "retried), never read with the File key alone",
                      api_answer.status().message()));
    }
    return core::DataLossError(fmt::format(
        "the drop declares encrypted PII columns but the key API's answer for CopyActivityId {} "
        "holds no Column key; the drop was not imported",
        metadata.copy_activity_id));
  }
  return out;
}

core::Result<DropKeys> LoadDropKeys(const KeyStore& keystore, const DropRef& ref,
                                    const DropMetadata& metadata,
                                    const core::Result<std::vector<WrappedKey>>& api_answer) {
  const std::string where = fmt::format("drop {}", ref.ToString());
  auto private_key = keystore.Load(ref.tenant_id);
  if (!private_key.ok()) return private_key.status().WithContext(where);
  auto wrapped = SelectKeys(api_answer, metadata);
  if (!wrapped.ok()) return wrapped.status().WithContext(where);
  auto keys = UnwrapKeys(*wrapped, *private_key);
  if (!keys.ok()) return keys.status().WithContext(where);
  return keys;
}

core::Result<WrappedKey> WrapKey(std::string_view type, const crypto::AesKeyIv& key,
                                 const crypto::RsaPublicKey& public_key) {
  ASSIGN_OR_RETURN(std::string wrapped,
                   public_key.WrapOaepSha256({key.key.data(), key.key.size()}));
  return WrappedKey{std::string(type), core::Base64Encode(std::string_view(wrapped)),
                    core::Base64Encode(std::span<const std::byte>(key.iv))};
}

core::Result<std::string> MakeKeysResponse(std::string_view request_id, const DropKeys& keys,
                                           const crypto::RsaPublicKey& public_key) {
  nlohmann::ordered_json j;
  j["requestId"] = request_id;
  j["DecryptionKeys"] = nlohmann::ordered_json::array();
  ASSIGN_OR_RETURN(WrappedKey file, WrapKey("File", keys.file, public_key));
  j["DecryptionKeys"].push_back(
      {{"DecryptionKeyType", file.type}, {"Value", file.value_b64}, {"IV", file.iv_b64}});
  if (keys.column) {
    ASSIGN_OR_RETURN(WrappedKey col, WrapKey("Column", *keys.column, public_key));
    j["DecryptionKeys"].push_back(
        {{"DecryptionKeyType", col.type}, {"Value", col.value_b64}, {"IV", col.iv_b64}});
  }
  return j.dump();
}

std::filesystem::path KeyStore::PrivateKeyPath(std::string_view tenant_id) const {
  return dir_ / core::NormalizeUuid(tenant_id) / "private.pem";
}
std::filesystem::path KeyStore::PublicKeyPath(std::string_view tenant_id) const {
  return dir_ / core::NormalizeUuid(tenant_id) / "public.pem";
}

core::Result<crypto::RsaPrivateKey> KeyStore::Create(std::string_view tenant_id) {
  if (!core::IsUuid(tenant_id)) {
    return core::InvalidArgumentError(fmt::format("tenant id '{}' is not a GUID", tenant_id));
  }
  auto priv_path = PrivateKeyPath(tenant_id);
  std::error_code ec;
  if (std::filesystem::exists(priv_path, ec)) {
    return core::FailedPreconditionError(fmt::format(
        "tenant {} already has a key pair in {}; delete it first to replace it (the customer "
        "must then register the new public key)",
        tenant_id, priv_path.parent_path().string()));
  }
  std::filesystem::create_directories(priv_path.parent_path(), ec);
  if (ec) {
    return core::FailedPreconditionError(
        fmt::format("cannot create {}: {}", priv_path.parent_path().string(), ec.message()));
  }
  ::chmod(dir_.c_str(), 0700);
  ::chmod(priv_path.parent_path().c_str(), 0700);
  ASSIGN_OR_RETURN(auto key, crypto::RsaPrivateKey::Generate(2048));
  RETURN_IF_ERROR(key.SavePem(priv_path));
  std::string pub = key.PublicKey().ToPem();
  auto pub_path = PublicKeyPath(tenant_id);
  FILE* f = std::fopen(pub_path.c_str(), "wb");
  if (f == nullptr) return core::FailedPreconditionError("cannot write " + pub_path.string());
  std::fwrite(pub.data(), 1, pub.size(), f);
  std::fclose(f);
  return key;
}

core::Result<crypto::RsaPrivateKey> KeyStore::Load(std::string_view tenant_id) const {
  auto path = PrivateKeyPath(tenant_id);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return core::NotFoundError(fmt::format(
        "no key pair for tenant {} in {}; create one with `vivalink keys create --tenant {} "
        "--keystore {}`",
        tenant_id, dir_.string(), tenant_id, dir_.string()));
  }
  return crypto::RsaPrivateKey::LoadPem(path);
}

core::Result<std::string> CreateTenantKeyPair(const std::filesystem::path& keystore,
                                              std::string_view tenant) {
  const std::string tenant_id = core::NormalizeUuid(tenant);
  KeyStore store(keystore);
  ASSIGN_OR_RETURN(crypto::RsaPrivateKey key, store.Create(tenant_id));
  crypto::Jwk jwk = key.PublicKey().ToJwk();
  nlohmann::ordered_json j = {
      {"tenantId", tenant_id},
      {"rsaKey",
       {{"kty", jwk.kty}, {"e", jwk.e}, {"n", jwk.n}, {"encryptionAlgorithm", "RSA2048"}}},
      {"privateKeyFile", store.PrivateKeyPath(tenant_id).string()}};
  return j.dump(2);
}

}  // namespace vivalink::drop
