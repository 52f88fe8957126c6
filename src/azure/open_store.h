// OpenBlobStore / OpenQueueClient: the one place that turns a storage URL from configuration or
// the command line into a store::BlobStore or a queue client.
//
//   file:///abs/path or a plain path           -> store::LocalStore
//   https://a.blob.core.windows.net/c?sv=..&sig=..  -> AzureBlobStore with that SAS
//   http://127.0.0.1:10000/devstoreaccount1/c?sv=.. -> the same on Azurite
//   https://a.blob.core.windows.net/c (no SAS)  -> AzureBlobStore with Shared Key from
//        options.connection_string, options.account_key, or the environment
//        (AZURE_STORAGE_CONNECTION_STRING, then AZURE_STORAGE_KEY with the URL's account).
//
// The returned store never exposes the credential (Describe() has no query). Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "azure/blob_client.h"
#include "azure/queue_client.h"
#include "store/blob_store.h"
#include "store/local_store.h"

namespace vivalink::azure {

struct OpenStoreOptions {
  // A connection string whose AccountKey (or SharedAccessSignature) authorises http(s) URLs
  // without a SAS. Empty = none (see use_environment).
  std::string connection_string;
  // An account key (base64) for the URL's account. Empty = none.
  std::string account_key;
  // Read AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_KEY when the two fields above are empty.
  bool use_environment = true;
  // Allow an http(s) URL with no credential at all (public containers). Default: refuse, with
  // kUnauthenticated naming the ways to give one.
  bool allow_anonymous = false;
  // Client options for Azure URLs (transport, retry, chunk and block sizes).
  BlobClientOptions blob;
  // Options for file:// URLs and plain paths.
  store::LocalStoreOptions local;
};

// kInvalidArgument for a malformed URL or unknown scheme, or a connection string / key that does
// not parse or is for another account than the URL's; kUnauthenticated when an http(s) URL has
// no credential. Messages never contain keys or signatures.
core::Result<std::unique_ptr<store::BlobStore>> OpenBlobStore(std::string_view url,
                                                              const OpenStoreOptions& options = {});

// A Storage Queue client for a queue URL ("https://a.queue.core.windows.net/q[?SAS]" or Azurite's
// "http://127.0.0.1:10001/devstoreaccount1/q[?SAS]"), with the same credential rules as
// OpenBlobStore (options.blob and options.local are not used). Same errors.
core::Result<std::unique_ptr<QueueClient>> OpenQueueClient(std::string_view url,
                                                           QueueClientOptions queue = {},
                                                           const OpenStoreOptions& options = {});

// The container a store URL names: the last path segment of a file URL or path; for http(s) the
// first segment after the service root (so Azurite's http://127.0.0.1:10000/<account>/<c> gives
// <c>); query removed. "" when an http(s) URL names none.
std::string ContainerNameFromUrl(std::string_view url);

}  // namespace vivalink::azure
