#include "azure/sas.h"

#include <chrono>
#include <cstdlib>
#include <vector>

#include "azure/credentials.h"
#include "core/strings.h"
#include "http/transport.h"

namespace vivalink::azure {
namespace {

// Canonical letter orders (the service compares permissions in this order).
constexpr std::string_view kBlobPermissionOrder = "racwdxyltmeopi";
constexpr std::string_view kAccountPermissionOrder = "rwdxylacuptfi";
// The first version whose string-to-sign layouts this file implements.
constexpr std::string_view kMinSasVersion = "2020-12-06";

core::Status CheckCommon(std::string_view version, core::TimePoint expiry, std::string_view what) {
  // Versions are YYYY-MM-DD, so string order is date order.
  if (version.size() != 10 || version < kMinSasVersion) {
    return core::InvalidArgumentError(std::string(what) + ": SAS version \"" +
                                      std::string(version) + "\" is older than 2020-12-06");
  }
  if (expiry == core::TimePoint{}) {
    return core::InvalidArgumentError(std::string(what) + ": the expiry time (se) is required");
  }
  return core::OkStatus();
}

void AddParam(std::string& query, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  if (!query.empty()) query += '&';
  query += name;
  query += '=';
  query += http::UrlEncodeQuery(value);
}

std::string FormatSasTime(const std::optional<core::TimePoint>& t) {
  return t ? core::FormatIso8601(*t) : std::string();
}

}  // namespace

core::Result<std::string> CanonicalPermissions(std::string_view letters, std::string_view allowed) {
  for (char c : letters) {
    if (allowed.find(c) == std::string_view::npos) {
      return core::InvalidArgumentError("SAS permission letter '" + std::string(1, c) +
                                        "' is not one of \"" + std::string(allowed) + "\"");
    }
  }
  std::string out;
  for (char c : allowed) {
    if (letters.find(c) != std::string_view::npos) out += c;
  }
  if (out.empty()) return core::InvalidArgumentError("SAS permissions are empty");
  return out;
}

core::Result<std::string> ServiceSasStringToSign(std::string_view account,
                                                 const ServiceSasOptions& o) {
  RETURN_IF_ERROR(CheckCommon(o.version, o.expiry, "service SAS"));
  if (o.container.empty()) return core::InvalidArgumentError("service SAS: container is empty");
  if (account.empty()) return core::InvalidArgumentError("service SAS: account is empty");
  std::string perms;
  if (o.identifier.empty() || !o.permissions.empty()) {
    ASSIGN_OR_RETURN(perms, CanonicalPermissions(o.permissions, kBlobPermissionOrder));
  }
  std::string resource = "/blob/" + std::string(account) + "/" + o.container;
  if (!o.blob.empty()) resource += "/" + o.blob;
  const std::vector<std::string> lines = {
      perms,
      FormatSasTime(o.start),
      core::FormatIso8601(o.expiry),
      resource,
      o.identifier,
      o.ip_range,
      o.protocol,
      o.version,
      o.blob.empty() ? "c" : "b",
      "",  // signed snapshot time
      "",  // signed encryption scope
      o.cache_control,
      o.content_disposition,
      o.content_encoding,
      o.content_language,
      o.content_type,
  };
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += '\n';
    out += lines[i];
  }
  return out;
}

core::Result<std::string> AccountSasStringToSign(std::string_view account,
                                                 const AccountSasOptions& o) {
  RETURN_IF_ERROR(CheckCommon(o.version, o.expiry, "account SAS"));
  if (account.empty()) return core::InvalidArgumentError("account SAS: account is empty");
  ASSIGN_OR_RETURN(std::string perms, CanonicalPermissions(o.permissions, kAccountPermissionOrder));
  ASSIGN_OR_RETURN(std::string services, CanonicalPermissions(o.services, "bfqt"));
  ASSIGN_OR_RETURN(std::string types, CanonicalPermissions(o.resource_types, "sco"));
  std::string out;
  for (const std::string& field :
       {std::string(account), perms, services, types, FormatSasTime(o.start),
        core::FormatIso8601(o.expiry), o.ip_range, o.protocol, o.version, std::string()}) {
    out += field;
    out += '\n';
  }
  return out;
}

core::Result<std::string> MakeServiceSas(const SharedKeyCredential& key,
                                         const ServiceSasOptions& o) {
  ASSIGN_OR_RETURN(std::string to_sign, ServiceSasStringToSign(key.account_name(), o));
  std::string perms;
  if (!o.permissions.empty()) {
    ASSIGN_OR_RETURN(perms, CanonicalPermissions(o.permissions, kBlobPermissionOrder));
  }
  std::string q;
  AddParam(q, "sv", o.version);
  AddParam(q, "sr", o.blob.empty() ? "c" : "b");
  AddParam(q, "sp", perms);
  AddParam(q, "st", FormatSasTime(o.start));
  AddParam(q, "se", core::FormatIso8601(o.expiry));
  AddParam(q, "sip", o.ip_range);
  AddParam(q, "spr", o.protocol);
  AddParam(q, "si", o.identifier);
  AddParam(q, "rscc", o.cache_control);
  AddParam(q, "rscd", o.content_disposition);
  AddParam(q, "rsce", o.content_encoding);
  AddParam(q, "rscl", o.content_language);
  AddParam(q, "rsct", o.content_type);
  AddParam(q, "sig", key.Sign(to_sign));
  return q;
}

core::Result<std::string> MakeAccountSas(const SharedKeyCredential& key,
                                         const AccountSasOptions& o) {
  ASSIGN_OR_RETURN(std::string to_sign, AccountSasStringToSign(key.account_name(), o));
  ASSIGN_OR_RETURN(std::string perms, CanonicalPermissions(o.permissions, kAccountPermissionOrder));
  ASSIGN_OR_RETURN(std::string services, CanonicalPermissions(o.services, "bfqt"));
  ASSIGN_OR_RETURN(std::string types, CanonicalPermissions(o.resource_types, "sco"));
  std::string q;
  AddParam(q, "sv", o.version);
  AddParam(q, "ss", services);
  AddParam(q, "srt", types);
  AddParam(q, "sp", perms);
  AddParam(q, "st", FormatSasTime(o.start));
  AddParam(q, "se", core::FormatIso8601(o.expiry));
  AddParam(q, "sip", o.ip_range);
  AddParam(q, "spr", o.protocol);
  AddParam(q, "sig", key.Sign(to_sign));
  return q;
}

core::Result<std::string> MakeContainerSas(std::string_view account, std::string_view account_key,
                                           std::string_view container, std::string_view permissions,
                                           core::TimePoint expiry,
                                           std::optional<core::TimePoint> start) {
  ASSIGN_OR_RETURN(auto key, SharedKeyCredential::Make(std::string(account), account_key));
  ServiceSasOptions options;
  options.container = std::string(container);
  options.permissions = std::string(permissions);
  options.expiry = expiry;
  options.start = start;
  return MakeServiceSas(*key, options);
}

core::Result<std::string> ContainerSasUrlFromEnvironment(std::string_view container,
                                                         std::string_view permissions, int days) {
  if (container.empty()) {
    return core::InvalidArgumentError("--container is required (or --rotate --tenant T)");
  }
  const char* env = std::getenv("AZURE_STORAGE_CONNECTION_STRING");
  if (env == nullptr || *env == '\0') {
    return core::InvalidArgumentError(
        "set AZURE_STORAGE_CONNECTION_STRING to the partner storage account's connection string "
        "(AccountName and AccountKey; UseDevelopmentStorage=true for Azurite)");
  }
  ASSIGN_OR_RETURN(ConnectionString cs, ParseConnectionString(env));
  if (cs.account_key.empty()) {
    return core::InvalidArgumentError(
        "the connection string has no AccountKey; a SAS can only be made with the account key");
  }
  if (days < 1 || days > 365) {
    return core::InvalidArgumentError("--days must be between 1 and 365");
  }
  const auto expiry = core::SystemClock::Instance().Now() + std::chrono::days(days);
  ASSIGN_OR_RETURN(std::string sas, MakeContainerSas(cs.account_name, cs.account_key, container,
                                                     permissions, expiry));
  return cs.blob_endpoint + "/" + std::string(container) + "?" + sas;
}

SasUrl SplitSasUrl(std::string_view url) {
  SasUrl out;
  std::string_view without_fragment = url.substr(0, url.find('#'));
  size_t q = without_fragment.find('?');
  out.url = std::string(without_fragment.substr(0, q));
  if (q == std::string_view::npos) return out;
  out.token = std::string(without_fragment.substr(q + 1));
  bool has_sv = false;
  bool has_sig = false;
  for (const auto& [name, value] : http::ParseQuery(out.token)) {
    if (name == "sv") has_sv = true;
    if (name == "sig" && !value.empty()) has_sig = true;
  }
  out.has_sas = has_sv && has_sig;
  return out;
}

std::string AppendSas(std::string_view url, std::string_view token) {
  std::string out(url);
  if (token.starts_with('?')) token.remove_prefix(1);
  if (token.empty()) return out;
  out += out.find('?') == std::string::npos ? '?' : '&';
  out += token;
  return out;
}

}  // namespace vivalink::azure
