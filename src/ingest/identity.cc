#include "ingest/identity.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/strings.h"
#include "core/uuid.h"
#include "crypto/hash.h"

namespace vivalink::ingest {

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

std::string NormaliseIdentity(IdentityKind kind, std::string_view value) {
  std::string_view v = core::Trim(value);
  if (kind == IdentityKind::kProxyAddress && core::StartsWithIgnoreCase(v, "smtp:")) {
    v.remove_prefix(5);
  }
  if (kind == IdentityKind::kObjectId && core::IsUuid(v)) return core::NormalizeUuid(v);
  return core::ToLower(v);
}

std::string IdentityHash(std::string_view key, IdentityKind kind, std::string_view value) {
  std::string normalised = NormaliseIdentity(kind, value);
  std::string digest =
      key.empty() ? crypto::Sha256(normalised) : crypto::HmacSha256(key, normalised);
  return core::HexEncode(digest);
}

std::string PersonKey(std::string_view key, std::string_view tenant_id,
                      std::string_view person_id) {
  std::string id =
      core::IsUuid(person_id) ? core::NormalizeUuid(person_id) : std::string(core::Trim(person_id));
  if (key.empty()) return id;
  return core::HexEncode(crypto::HmacSha256(key, core::ToLower(tenant_id) + "/" + id));
}

core::Result<core::SecureString> LoadOrCreatePseudonymKey(const std::filesystem::path& keystore,
                                                          std::string_view tenant_id) {
  std::filesystem::path dir = keystore / core::ToLower(tenant_id);
  std::filesystem::path path = dir / "pseudonym.key";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return core::PermissionDeniedError(
          fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    }
    std::string hex = core::HexEncode(crypto::RandomBytes(32));
    // O_EXCL: two processes creating it at once must not end up with different keys.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      std::string line = hex + "\n";
      bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
      ok = ::fsync(fd) == 0 && ok;
      ::close(fd);
      core::SecureWipe(line.data(), line.size());
      if (!ok) return core::InternalError(fmt::format("cannot write {}", path.string()));
    } else if (errno != EEXIST) {
      return core::PermissionDeniedError(fmt::format("cannot create {}", path.string()));
    }
    core::SecureWipe(hex.data(), hex.size());
  }
  std::ifstream in(path);
  std::string hex;
  std::getline(in, hex);
  if (hex.size() != 64) {
    core::SecureWipe(hex.data(), hex.size());
    return core::DataLossError(
        fmt::format("{} must hold 64 hex characters (the tenant's pseudonym key)", path.string()));
  }
  core::SecureString key(hex.begin(), hex.end());
  core::SecureWipe(hex.data(), hex.size());
  return key;
}

}  // namespace vivalink::ingest
