#include "identity/identity.h"

#include <fmt/format.h>

#include <cctype>

#include "core/file.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "crypto/hash.h"

namespace vivalink::identity {

std::string_view IdentityKindName(IdentityKind kind) {
  switch (kind) {
    case IdentityKind::kObjectId:
      return "object_id";
    case IdentityKind::kMail:
      return "mail";
    case IdentityKind::kUpn:
      return "upn";
    case IdentityKind::kProxyAddress:
      return "proxy_address";
  }
  return "mail";
}

std::string_view KeyTypeName(KeyType type) {
  return type == KeyType::kEmail ? "email" : "object_id";
}

core::Result<KeyType> ParseKeyType(std::string_view text) {
  std::string t = core::ToLower(core::Trim(text));
  if (t == "email" || t == "mail" || t == "e-mail") return KeyType::kEmail;
  if (t == "object_id" || t == "objectid" || t == "object-id") return KeyType::kObjectId;
  return core::InvalidArgumentError(
      fmt::format("unknown key type '{}': use email or object_id", text));
}

std::string Normalize(IdentityKind kind, std::string_view value) {
  std::string_view v = core::Trim(value);
  if (kind == IdentityKind::kProxyAddress && core::StartsWithIgnoreCase(v, "smtp:")) {
    v.remove_prefix(5);
  }
  if (kind == IdentityKind::kObjectId) {
    if (v.size() >= 2 && v.front() == '{' && v.back() == '}')
      v = core::Trim(v.substr(1, v.size() - 2));
    if (core::IsUuid(v)) return core::NormalizeUuid(v);
  }
  return core::ToLower(v);
}

std::string NormalizeObjectId(std::string_view id) {
  return Normalize(IdentityKind::kObjectId, id);
}

std::string NormalizeEmail(std::string_view email) { return Normalize(IdentityKind::kMail, email); }

std::string IdentityHash(std::string_view key, IdentityKind kind, std::string_view value) {
  std::string normalised = Normalize(kind, value);
  std::string digest =
      key.empty() ? crypto::Sha256(normalised) : crypto::HmacSha256(key, normalised);
  return core::HexEncode(digest);
}

std::string PersonKey(std::string_view key, std::string_view tenant_id,
                      std::string_view person_id) {
  // Not Normalize(): a PersonId that is not a GUID keeps its case, as person keys always have.
  std::string id =
      core::IsUuid(person_id) ? core::NormalizeUuid(person_id) : std::string(core::Trim(person_id));
  if (key.empty()) return id;
  return core::HexEncode(crypto::HmacSha256(key, core::ToLower(tenant_id) + "/" + id));
}

namespace {

// The key file's 64 hex characters, in wiped memory.
core::Result<core::SecureString> ReadPseudonymKey(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string text, core::ReadFile(path, 4096));
  core::SecureString key;
  std::string_view trimmed = core::Trim(text);
  bool ok = trimmed.size() == 64;
  for (char c : trimmed) ok = ok && std::isxdigit(static_cast<unsigned char>(c));
  if (ok) key.assign(trimmed.begin(), trimmed.end());
  core::SecureWipe(text.data(), text.size());
  if (!ok) {
    return core::DataLossError(fmt::format(
        "{} must hold 64 hex characters (the tenant's pseudonym key); restore it from the backup "
        "of the key store",
        path.string()));
  }
  return key;
}

}  // namespace

std::filesystem::path PseudonymKeyPath(const std::filesystem::path& keystore,
                                       std::string_view tenant_id) {
  return keystore / core::ToLower(tenant_id) / "pseudonym.key";
}

core::Result<core::SecureString> LoadOrCreatePseudonymKey(const std::filesystem::path& keystore,
                                                          std::string_view tenant_id) {
  const std::filesystem::path path = PseudonymKeyPath(keystore, tenant_id);
  {
    core::SecureString line;
    std::string hex = core::HexEncode(crypto::RandomBytes(32));
    line.assign(hex.begin(), hex.end());
    line.push_back('\n');
    core::SecureWipe(hex.data(), hex.size());
    // Written to a temporary file and linked into place: a crash never leaves an empty key, and
    // of two processes creating it at once the first one's key wins for both.
    RETURN_IF_ERROR(
        core::CreateFileExclusive(path, std::string_view(line.data(), line.size()), 0600).status());
  }
  return ReadPseudonymKey(path);
}

core::Result<core::SecureString> LoadPseudonymKey(const std::filesystem::path& keystore,
                                                  std::string_view tenant_id) {
  const std::filesystem::path path = PseudonymKeyPath(keystore, tenant_id);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return core::FailedPreconditionError(fmt::format(
        "pseudonymisation is configured but tenant {} has no pseudonym key ({}); run `vivalink "
        "run` first, or restore the key from its backup",
        tenant_id, path.string()));
  }
  return ReadPseudonymKey(path);
}

}  // namespace vivalink::identity
