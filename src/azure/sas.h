// Shared Access Signatures: generating service SAS (blob or container) and account SAS tokens,
// and splitting a SAS URL into its resource and token.
//
// The string-to-sign layouts are those of service version 2020-12-06 and later (AZURE_NOTES):
// service SAS has 16 lines without a trailing newline; account SAS has 10 fields each followed by
// a newline. Tokens returned here are query strings without a leading '?', with every value
// percent-encoded. They are secrets: hand them to the caller, never to a log. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "azure/credentials.h"
#include "core/status.h"
#include "core/time.h"

namespace vivalink::azure {

// Options of a service SAS for a container (resource "c") or one blob (resource "b").
struct ServiceSasOptions {
  std::string container;                 // required
  std::string blob;                      // empty = container SAS (sr=c), else blob SAS (sr=b)
  std::string permissions;               // letters from "racwdxyltmeopi" in any order, e.g. "cw"
  core::TimePoint expiry{};              // se; required
  std::optional<core::TimePoint> start;  // st; unset = valid at once (avoid clock-skew issues)
  std::string ip_range;                  // sip, e.g. "168.1.5.60-168.1.5.70"; empty = any
  std::string protocol;                  // spr: "https" or "https,http"; empty = either
  std::string identifier;                // si: a stored access policy; empty = none
  std::string version = std::string(kDefaultServiceVersion);  // sv (>= 2020-12-06)
  // Response header overrides (rscc, rscd, rsce, rscl, rsct); empty = none.
  std::string cache_control, content_disposition, content_encoding, content_language, content_type;
};

// Options of an account SAS.
struct AccountSasOptions {
  std::string services = "b";            // ss: any of "bqtf"
  std::string resource_types = "sco";    // srt: any of "sco" (service, container, object)
  std::string permissions;               // sp: letters from "rwdxylacuptfi" in any order
  core::TimePoint expiry{};              // se; required
  std::optional<core::TimePoint> start;  // st
  std::string ip_range;                  // sip
  std::string protocol;                  // spr
  std::string version = std::string(kDefaultServiceVersion);
};

// The exact string a service SAS signs (exposed for tests against independent vectors).
// kInvalidArgument for an unknown permission letter, missing container/expiry, or sv < 2020-12-06.
core::Result<std::string> ServiceSasStringToSign(std::string_view account,
                                                 const ServiceSasOptions& options);
core::Result<std::string> AccountSasStringToSign(std::string_view account,
                                                 const AccountSasOptions& options);

// The SAS token (query string without '?') for the given options, signed with the account key.
core::Result<std::string> MakeServiceSas(const SharedKeyCredential& key,
                                         const ServiceSasOptions& options);
core::Result<std::string> MakeAccountSas(const SharedKeyCredential& key,
                                         const AccountSasOptions& options);

// Convenience for the CLI: a container SAS with the given permissions (e.g. "cw" for a pipeline
// that only creates and writes blobs) valid until expiry. account_key is base64.
core::Result<std::string> MakeContainerSas(std::string_view account, std::string_view account_key,
                                           std::string_view container, std::string_view permissions,
                                           core::TimePoint expiry,
                                           std::optional<core::TimePoint> start = std::nullopt);

// `vivalink sas`: "<blob endpoint>/<container>?<service SAS>" signed with the account key of the
// connection string in AZURE_STORAGE_CONNECTION_STRING (read here, never a command-line
// argument, where `ps` would show it; UseDevelopmentStorage=true for Azurite), valid for `days`
// days from now. Errors (kInvalidArgument, saying what to set): an empty container; the variable
// unset or empty; a connection string without AccountKey; days outside 1-365; bad permissions;
// ParseConnectionString's.
core::Result<std::string> ContainerSasUrlFromEnvironment(std::string_view container,
                                                         std::string_view permissions, int days);

// Puts SAS permission letters into the canonical order the service expects ("wc" -> "cw") and
// refuses letters outside allowed (kInvalidArgument). Duplicates are dropped.
core::Result<std::string> CanonicalPermissions(std::string_view letters, std::string_view allowed);

// A URL split at its SAS: "https://a.blob.core.windows.net/c?sv=..&sig=.." -> url without query,
// token. has_sas is true when the query holds both sv= and sig=.
struct SasUrl {
  std::string url;    // without query and fragment
  std::string token;  // the query, without '?'; empty when absent
  bool has_sas = false;
};
SasUrl SplitSasUrl(std::string_view url);

// Appends a SAS token to a URL that may already have a query.
std::string AppendSas(std::string_view url, std::string_view token);

}  // namespace vivalink::azure
