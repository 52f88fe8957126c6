#include "push/notification.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "crypto/hash.h"
#include "push/internal/json_body.h"

namespace vivalink::push {
namespace {

using nlohmann::json;

// The value of the body's key equal to name ignoring case. Two keys that differ only in case
// make the body ambiguous (two readers could pick different ones), so they are refused.
core::Result<const json*> FindField(const json& body, std::string_view name) {
  const json* found = nullptr;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (!core::EqualsIgnoreCase(it.key(), name)) continue;
    if (found != nullptr) {
      return core::InvalidArgumentError(
          fmt::format("notification: field {} is given more than once (keys differing only in "
                      "case); send it once",
                      name));
    }
    found = &*it;
  }
  return found;
}

// A required non-empty string, or an optional string ("" when absent or null).
core::Result<std::string> StringField(const json& body, std::string_view name, bool required) {
  ASSIGN_OR_RETURN(const json* v, FindField(body, name));
  if (v == nullptr || v->is_null()) {
    if (!required) return std::string();
    return core::InvalidArgumentError(
        fmt::format("notification: required field {} is missing", name));
  }
  if (!v->is_string()) {
    return core::InvalidArgumentError(
        fmt::format("notification: field {} must be a string, found {}", name, v->type_name()));
  }
  std::string s = v->get<std::string>();
  if (required && s.empty()) {
    return core::InvalidArgumentError(fmt::format("notification: field {} is empty", name));
  }
  return s;
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

}  // namespace

std::string_view HintSourceName(HintSource source) {
  switch (source) {
    case HintSource::kWebActivity:
      return "web_activity";
    case HintSource::kEventGrid:
      return "event_grid";
    case HintSource::kCloudEvents:
      return "cloudevents";
    case HintSource::kQueue:
      return "queue";
  }
  return "unknown";
}

namespace {

// Text from a request, safe for one log line: control bytes, quotes and backslashes escaped
// (\n cannot start a forged line), at most 200 bytes.
std::string LogSafe(std::string_view text) {
  constexpr size_t kMax = 200;
  std::string out;
  for (char c : text.substr(0, kMax)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\'' || c == '\\') {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out.push_back(c);
    }
  }
  if (text.size() > kMax) out += "...";
  return out;
}

}  // namespace

std::string DropHint::ToString() const {
  return fmt::format("{} hint for drop {} (container '{}', id '{}')", HintSourceName(source),
                     LogSafe(ref.ToString()), LogSafe(container), LogSafe(id));
}

core::Result<DropHint> ParseDropNotification(std::string_view body, HintSource source) {
  ASSIGN_OR_RETURN(json j, internal::ParseJsonBody(body, "notification"));
  if (!j.is_object()) {
    return core::InvalidArgumentError(
        fmt::format("notification: the body must be a JSON object, found {}", j.type_name()));
  }
  ASSIGN_OR_RETURN(std::string tenant_id, StringField(j, "TenantId", true));
  ASSIGN_OR_RETURN(std::string run_id, StringField(j, "RunId", true));
  ASSIGN_OR_RETURN(std::string metadata_path, StringField(j, "MetadataPath", true));
  ASSIGN_OR_RETURN(std::string container, StringField(j, "Container", false));
  ASSIGN_OR_RETURN(std::string copy_activity_id, StringField(j, "CopyActivityId", false));

  auto ref = drop::ParseDropRef(metadata_path);
  if (!ref.ok()) {
    return core::InvalidArgumentError(
        fmt::format("notification: field MetadataPath: {}", ref.status().message()));
  }
  // ParseDropRef also accepts a drop's prefix; only the metadata.json itself is a notification.
  if (ref->metadata_path() != metadata_path) {
    return core::InvalidArgumentError(fmt::format(
        "notification: field MetadataPath '{}' is not the metadata.json of a drop (expected "
        "<RunId>/VivaInsights/<TenantId>/{})",
        metadata_path, drop::kMetadataSuffix));
  }
  if (!core::EqualsIgnoreCase(tenant_id, ref->tenant_id)) {
    return core::InvalidArgumentError(fmt::format(
        "notification: field TenantId {} does not match the tenant {} of MetadataPath; a "
        "notification may only name its own tenant's drop",
        tenant_id, ref->tenant_id));
  }
  if (!core::EqualsIgnoreCase(run_id, ref->run_id)) {
    return core::InvalidArgumentError(
        fmt::format("notification: field RunId {} does not match the run {} of MetadataPath",
                    run_id, ref->run_id));
  }
  DropHint hint;
  hint.source = source;
  hint.ref = std::move(*ref);
  hint.container = std::move(container);
  hint.id = std::move(copy_activity_id);
  return hint;
}

std::string SignatureHeaderValue(std::string_view secret, std::string_view body) {
  return "sha256=" + core::HexEncode(crypto::HmacSha256(secret, body));
}

bool VerifySignature(std::string_view secret, std::string_view body,
                     std::string_view header_value) {
  if (secret.empty()) return false;
  std::string_view v = core::Trim(header_value);
  constexpr std::string_view kPrefix = "sha256=";
  if (!core::StartsWithIgnoreCase(v, kPrefix)) return false;
  v.remove_prefix(kPrefix.size());
  if (v.size() != 64 || !IsHex(v)) return false;
  const std::string expected = core::HexEncode(crypto::HmacSha256(secret, body));  // lower case
  return crypto::ConstantTimeEquals(expected, core::ToLower(v));
}

}  // namespace vivalink::push
