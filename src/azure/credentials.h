// Credentials for Azure Storage: connection strings, Shared Key accounts and SAS tokens, and the
// small URL model (which account, which endpoint style) that signing needs.
//
// Secrets (account keys, SAS signatures) live only in these values; they are never formatted into
// log lines or error messages (error messages use http::UrlWithoutQuery). Values are immutable and
// safe to share between threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/secure.h"
#include "core/status.h"

namespace vivalink::azure {

// Azurite's well-known development account (public, documented by Microsoft).
inline constexpr std::string_view kDevStoreAccount = "devstoreaccount1";
inline constexpr std::string_view kDevStoreKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
inline constexpr std::string_view kDevStoreBlobEndpoint = "http://127.0.0.1:10000/devstoreaccount1";
inline constexpr std::string_view kDevStoreQueueEndpoint =
    "http://127.0.0.1:10001/devstoreaccount1";

// The storage service version sent as x-ms-version unless a client's options say otherwise.
inline constexpr std::string_view kDefaultServiceVersion = "2025-11-05";

// An account name and its key (the key decoded from base64 once, kept in wiped memory).
class SharedKeyCredential {
 public:
  // kInvalidArgument when the account name is empty or the key is not base64 (the message never
  // contains the key).
  static core::Result<std::shared_ptr<const SharedKeyCredential>> Make(std::string account_name,
                                                                       std::string_view base64_key);

  const std::string& account_name() const { return account_name_; }
  // base64(HMAC-SHA256(key, UTF-8 string_to_sign)).
  std::string Sign(std::string_view string_to_sign) const;

 private:
  SharedKeyCredential(std::string account_name, core::SecureString key)
      : account_name_(std::move(account_name)), key_(std::move(key)) {}
  std::string account_name_;
  core::SecureString key_;
};

// A SAS token: the query string "sv=...&sig=..." without a leading '?'.
struct SasCredential {
  std::string query;
};

// What a request is authorised with. monostate = anonymous (public containers, pre-signed URLs).
using Credential =
    std::variant<std::monostate, std::shared_ptr<const SharedKeyCredential>, SasCredential>;

// The fields of an Azure Storage connection string
// ("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k;EndpointSuffix=core.windows.net").
struct ConnectionString {
  std::string account_name;
  std::string account_key;     // base64; empty when the string carries a SAS instead
  std::string sas;             // SharedAccessSignature, without '?'
  std::string blob_endpoint;   // e.g. "https://a.blob.core.windows.net" (explicit or derived)
  std::string queue_endpoint;  // e.g. "https://a.queue.core.windows.net"
  std::string protocol = "https";
  std::string endpoint_suffix = "core.windows.net";
  bool development_storage = false;  // UseDevelopmentStorage=true

  // Shared Key credential when the string has an account key, else the SAS, else anonymous.
  core::Result<Credential> MakeCredential() const;
};

// Parses a connection string. Keys are case-insensitive, pieces separated by ';' (values may hold
// '='). UseDevelopmentStorage=true gives Azurite's devstoreaccount1 on 127.0.0.1:10000/10001
// (DevelopmentStorageProxyUri is not supported). Endpoints missing from the string are derived
// from protocol, account and suffix. kInvalidArgument names the missing or malformed field, never
// the key or signature.
core::Result<ConnectionString> ParseConnectionString(std::string_view text);

// A URL split for storage use. Production URLs name the account in the host
// ("https://acct.blob.core.windows.net/c/b"); emulator and IP URLs carry it as the first path
// segment ("http://127.0.0.1:10000/devstoreaccount1/c/b").
struct StorageUrl {
  std::string scheme;        // "http" | "https"
  std::string host;          // host[:port]
  std::string account;       // from the host or the first path segment
  bool path_style = false;   // account in the path (IP, localhost, custom emulator hosts)
  std::string service_path;  // "/" or "/devstoreaccount1" — the service root's path
  std::string resource;      // the rest of the path after the service root, decoded, no leading '/'
  std::string query;         // without '?', as given (may hold a SAS)

  // scheme://host + service_path, without a trailing '/'.
  std::string ServiceRoot() const;
};

// Parses an http(s) URL. kInvalidArgument for other schemes or a URL without a host; the message
// never contains the query.
core::Result<StorageUrl> ParseStorageUrl(std::string_view url);

}  // namespace vivalink::azure
