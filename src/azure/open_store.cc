#include "azure/open_store.h"

#include <cstdlib>

#include "azure/azure_blob_store.h"
#include "azure/sas.h"
#include "core/strings.h"
#include "http/transport.h"

namespace vivalink::azure {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The credential of an http(s) storage URL (see the header): a SAS in the URL is used as given
// (monostate: the clients read it from the URL), else a connection string or account key from
// options or the environment.
core::Result<Credential> ResolveCredential(std::string_view url, const OpenStoreOptions& options) {
  const std::string shown = http::UrlWithoutQuery(url);
  if (SplitSasUrl(url).has_sas) return Credential{};
  ASSIGN_OR_RETURN(StorageUrl parsed, ParseStorageUrl(url));
  std::string connection_string = options.connection_string;
  std::string account_key = options.account_key;
  if (options.use_environment && connection_string.empty() && account_key.empty()) {
    connection_string = Env("AZURE_STORAGE_CONNECTION_STRING");
    if (connection_string.empty()) account_key = Env("AZURE_STORAGE_KEY");
  }
  if (!connection_string.empty()) {
    auto cs = ParseConnectionString(connection_string);
    if (!cs.ok()) return cs.status().WithContext("opening " + shown);
    if (!cs->account_name.empty() && cs->account_name != parsed.account) {
      return core::InvalidArgumentError("opening " + shown + ": the connection string is for " +
                                        "account " + cs->account_name + ", the URL for " +
                                        parsed.account);
    }
    return cs->MakeCredential();
  }
  if (!account_key.empty()) {
    auto key = SharedKeyCredential::Make(parsed.account, account_key);
    if (!key.ok()) return key.status().WithContext("opening " + shown);
    return Credential{std::move(key).value()};
  }
  if (!options.allow_anonymous) {
    return core::UnauthenticatedError(
        "opening " + shown +
        ": no credential; give a SAS URL (?sv=...&sig=...), a connection string or account key "
        "(AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_KEY)");
  }
  return Credential{};
}

}  // namespace

core::Result<std::unique_ptr<store::BlobStore>> OpenBlobStore(std::string_view url,
                                                              const OpenStoreOptions& options) {
  const bool is_http =
      core::StartsWithIgnoreCase(url, "http://") || core::StartsWithIgnoreCase(url, "https://");
  if (!is_http) {
    size_t scheme = url.find("://");
    if (scheme != std::string_view::npos && !core::StartsWithIgnoreCase(url, "file://")) {
      return core::InvalidArgumentError("storage URL \"" + http::UrlWithoutQuery(url) +
                                        "\": the scheme must be file, http or https");
    }
    ASSIGN_OR_RETURN(auto local, store::LocalStore::OpenUrl(url, options.local));
    return std::unique_ptr<store::BlobStore>(std::move(local));
  }
  SasUrl split = SplitSasUrl(url);
  Credential credential;
  if (split.has_sas) {
    credential = SasCredential{split.token};
  } else {
    ASSIGN_OR_RETURN(credential, ResolveCredential(url, options));
  }
  ASSIGN_OR_RETURN(auto store,
                   AzureBlobStore::Open(split.url, std::move(credential), options.blob));
  return std::unique_ptr<store::BlobStore>(std::move(store));
}

core::Result<std::unique_ptr<QueueClient>> OpenQueueClient(std::string_view url,
                                                           QueueClientOptions queue,
                                                           const OpenStoreOptions& options) {
  ASSIGN_OR_RETURN(Credential credential, ResolveCredential(url, options));
  return QueueClient::Make(url, std::move(credential), std::move(queue));
}

std::string ContainerNameFromUrl(std::string_view url) {
  url = url.substr(0, url.find('?'));
  while (url.size() > 1 && url.back() == '/') url.remove_suffix(1);
  const bool is_http =
      core::StartsWithIgnoreCase(url, "http://") || core::StartsWithIgnoreCase(url, "https://");
  if (is_http) {
    auto parsed = ParseStorageUrl(url);
    if (!parsed.ok()) return "";
    return parsed->resource.substr(0, parsed->resource.find('/'));
  }
  if (core::StartsWithIgnoreCase(url, "file://")) url.remove_prefix(7);
  const size_t slash = url.rfind('/');
  return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

}  // namespace vivalink::azure
