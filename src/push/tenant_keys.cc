#include "push/tenant_keys.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include "core/base64.h"
#include "core/file.h"
#include "core/strings.h"

namespace vivalink::push {
namespace {

constexpr const char* kFileName = "notification.key";

core::Status CheckTenant(std::string_view tenant) {
  if (tenant.empty() || tenant.size() > 100 || tenant == "." || tenant == "..") {
    return core::InvalidArgumentError(fmt::format("'{}' is not a tenant id", tenant));
  }
  for (char c : tenant) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) {
      return core::InvalidArgumentError(fmt::format("'{}' is not a tenant id", tenant));
    }
  }
  return core::OkStatus();
}

core::Result<std::string> NewKey() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return core::InternalError("no random bytes for a notification key");
  }
  return core::Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

core::Result<std::string> ReadKey(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string text, core::ReadFile(path, 4096));
  std::string key(core::Trim(text));
  if (key.size() < 16) {
    return core::DataLossError(
        fmt::format("{}: not a notification key (too short); rotate it with `vivalink sas "
                    "--rotate` or remove the file",
                    path.string()));
  }
  return key;
}

}  // namespace

std::filesystem::path TenantKeyPath(const std::filesystem::path& keystore,
                                    std::string_view tenant) {
  return keystore / core::ToLower(tenant) / kFileName;
}

core::Result<std::string> EnsureTenantKey(const std::filesystem::path& keystore,
                                          std::string_view tenant) {
  RETURN_IF_ERROR(CheckTenant(tenant));
  const std::filesystem::path path = TenantKeyPath(keystore, tenant);
  ASSIGN_OR_RETURN(std::string key, NewKey());
  ASSIGN_OR_RETURN(bool created, core::CreateFileExclusive(path, key + "\n", 0600));
  if (created) return key;
  return ReadKey(path);
}

core::Result<std::string> RotateTenantKey(const std::filesystem::path& keystore,
                                          std::string_view tenant) {
  RETURN_IF_ERROR(CheckTenant(tenant));
  ASSIGN_OR_RETURN(std::string key, NewKey());
  RETURN_IF_ERROR(core::WriteFileAtomic(TenantKeyPath(keystore, tenant), key + "\n", 0600));
  return key;
}

core::Result<std::map<std::string, std::string>> LoadTenantKeys(
    const std::filesystem::path& keystore) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(keystore, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(keystore, ec)) {
    const std::filesystem::path path = entry.path() / kFileName;
    if (!entry.is_directory(ec) || !std::filesystem::exists(path, ec)) continue;
    ASSIGN_OR_RETURN(std::string key, ReadKey(path));
    out[core::ToLower(entry.path().filename().string())] = std::move(key);
  }
  if (ec) {
    return core::UnavailableError(
        fmt::format("listing notification keys in {}: {}", keystore.string(), ec.message()));
  }
  return out;
}

}  // namespace vivalink::push
