#include "sim/state.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/base64.h"
#include "core/io.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "crypto/hash.h"

namespace vivalink::sim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

core::Result<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::NotFoundError(path.string() + " does not exist");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

core::Status WriteAll(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::UnavailableError(
          fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return core::OkStatus();
}

json KeyToJson(const crypto::AesKeyIv& k) {
  return {{"key", core::Base64Encode(std::span<const std::byte>(k.key.data(), k.key.size()))},
          {"iv", core::Base64Encode(std::span<const std::byte>(k.iv))}};
}

core::Result<crypto::AesKeyIv> KeyFromJson(const json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("key") || !j.contains("iv") || !j["key"].is_string() ||
      !j["iv"].is_string()) {
    return core::DataLossError(where + ": a key lacks key/iv strings");
  }
  auto key = core::Base64Decode(j["key"].get<std::string>());
  auto iv = core::Base64Decode(j["iv"].get<std::string>());
  if (!key.ok() || !iv.ok()) return core::DataLossError(where + ": a key is not base64");
  auto out = crypto::AesKeyIv::From(core::AsBytes(*key), core::AsBytes(*iv));
  core::SecureWipe(key->data(), key->size());
  if (!out.ok()) return core::DataLossError(where + ": " + out.status().message());
  return std::move(*out);
}

std::string StringField(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

core::Status WriteFileAtomic(const fs::path& path, std::string_view data, int mode) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) {
    return core::UnavailableError(
        fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
  }
  const fs::path tmp = path.string() + ".tmp-" + core::HexEncode(crypto::RandomBytes(6));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return core::UnavailableError(
        fmt::format("cannot create {}: {}", tmp.string(), std::strerror(errno)));
  }
  core::Status st = WriteAll(fd, data, tmp);
  if (::close(fd) != 0 && st.ok()) {
    st = core::UnavailableError("cannot finish writing " + tmp.string());
  }
  if (st.ok()) {
    fs::rename(tmp, path, ec);
    if (ec) {
      st = core::UnavailableError(
          fmt::format("cannot rename {} to {}: {}", tmp.string(), path.string(), ec.message()));
    }
  }
  if (!st.ok()) fs::remove(tmp, ec);
  return st;
}

core::Status AppendJsonLine(const fs::path& path, const nlohmann::ordered_json& line, int mode) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode);
  if (fd < 0) {
    return core::UnavailableError(
        fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
  }
  // One write per line: O_APPEND makes each write land whole at the end.
  core::Status st = WriteAll(fd, line.dump() + "\n", path);
  ::close(fd);
  return st;
}

core::Status SaveRunKeys(const fs::path& dir, const RunKeys& run) {
  json j = {{"copyActivityId", run.copy_activity_id},
            {"runId", run.run_id},
            {"tenantId", run.tenant_id},
            {"kind", run.kind},
            {"fileKey", KeyToJson(run.keys.file)}};
  if (run.keys.column) j["columnKey"] = KeyToJson(*run.keys.column);
  std::string text = j.dump(2);
  core::Status st = WriteFileAtomic(
      dir / "runs" / (core::NormalizeUuid(run.copy_activity_id) + ".json"), text, 0600);
  core::SecureWipe(text.data(), text.size());
  return st;
}

core::Result<RunKeys> LoadRunKeys(const fs::path& dir, std::string_view copy_activity_id) {
  if (!core::IsUuid(copy_activity_id)) {
    return core::NotFoundError(fmt::format("'{}' is not a CopyActivityId", copy_activity_id));
  }
  const fs::path path = dir / "runs" / (core::NormalizeUuid(copy_activity_id) + ".json");
  auto text = ReadText(path);
  if (!text.ok()) {
    return core::NotFoundError(fmt::format("no copy activity {}", copy_activity_id));
  }
  const json j = json::parse(*text, nullptr, false);
  core::SecureWipe(text->data(), text->size());
  if (!j.is_object()) return core::DataLossError(path.string() + " is not a JSON object");
  RunKeys out;
  out.copy_activity_id = StringField(j, "copyActivityId");
  out.run_id = StringField(j, "runId");
  out.tenant_id = StringField(j, "tenantId");
  out.kind = StringField(j, "kind");
  if (!j.contains("fileKey")) return core::DataLossError(path.string() + " has no fileKey");
  ASSIGN_OR_RETURN(out.keys.file, KeyFromJson(j["fileKey"], path.string()));
  if (j.contains("columnKey")) {
    ASSIGN_OR_RETURN(out.keys.column, KeyFromJson(j["columnKey"], path.string()));
  }
  return out;
}

core::Status SaveRegistration(const fs::path& dir, const Registration& reg) {
  json j = {{"tenantId", reg.tenant_id},
            {"partnerAppId", reg.partner_app_id},
            {"rsaKey", {{"kty", reg.key.kty}, {"e", reg.key.e}, {"n", reg.key.n}}},
            {"encryptionAlgorithm", reg.encryption_algorithm},
            {"createdDate", core::FormatIso8601(reg.created)},
            {"expirationDate", core::FormatIso8601(reg.expires)}};
  return WriteFileAtomic(dir / "registrations" / (core::NormalizeUuid(reg.tenant_id) + ".json"),
                         j.dump(2) + "\n");
}

core::Result<Registration> LoadRegistration(const fs::path& dir, std::string_view tenant_id) {
  const fs::path path = dir / "registrations" / (core::NormalizeUuid(tenant_id) + ".json");
  auto text = ReadText(path);
  if (!text.ok()) {
    return core::NotFoundError(
        fmt::format("tenant {} has no registered partner key; register one with POST "
                    "/v1.0/tenants/{}/scopes/{}/egressPartnerKey on `vivasim serve`",
                    tenant_id, tenant_id, tenant_id));
  }
  const json j = json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("rsaKey") || !j["rsaKey"].is_object()) {
    return core::DataLossError(path.string() + " is not a registration");
  }
  Registration reg;
  reg.tenant_id = StringField(j, "tenantId");
  reg.partner_app_id = StringField(j, "partnerAppId");
  reg.key.kty = StringField(j["rsaKey"], "kty");
  reg.key.e = StringField(j["rsaKey"], "e");
  reg.key.n = StringField(j["rsaKey"], "n");
  reg.encryption_algorithm = StringField(j, "encryptionAlgorithm");
  auto created = core::ParseIso8601(StringField(j, "createdDate"));
  auto expires = core::ParseIso8601(StringField(j, "expirationDate"));
  if (!created.ok() || !expires.ok()) {
    return core::DataLossError(path.string() + " has malformed dates");
  }
  reg.created = *created;
  reg.expires = *expires;
  return reg;
}

core::Result<PartnerApp> LoadPartnerApp(const fs::path& dir) {
  const fs::path path = dir / "partner.json";
  auto text = ReadText(path);
  if (!text.ok()) {
    return core::NotFoundError(path.string() + " does not exist; run `vivasim init` first");
  }
  const json j = json::parse(*text, nullptr, false);
  if (!j.is_object()) return core::InvalidArgumentError(path.string() + " is not a JSON object");
  PartnerApp app;
  app.client_id = StringField(j, "client_id");
  app.client_secret = StringField(j, "client_secret");
  if (app.client_id.empty() || app.client_secret.empty()) {
    return core::InvalidArgumentError(path.string() + " lacks client_id or client_secret");
  }
  if (auto it = j.find("tenants"); it != j.end() && it->is_array()) {
    for (const auto& t : *it) {
      if (t.is_string()) app.tenants.push_back(core::NormalizeUuid(t.get<std::string>()));
    }
  }
  return app;
}

core::Status UpdatePartnerEndpoints(const fs::path& dir, std::string_view api_url,
                                    std::string_view authority, std::string_view token_url) {
  const fs::path path = dir / "partner.json";
  auto text = ReadText(path);
  if (!text.ok()) {
    return core::NotFoundError(path.string() + " does not exist; run `vivasim init` first");
  }
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(*text, nullptr, false);
  if (!j.is_object()) return core::InvalidArgumentError(path.string() + " is not a JSON object");
  j["api_url"] = api_url;
  j["authority"] = authority;
  j["token_url"] = token_url;
  // partner.json holds the client secret.
  return WriteFileAtomic(path, j.dump(2) + "\n", 0600);
}

}  // namespace vivalink::sim
