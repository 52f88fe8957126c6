// OpenBlobStore: the one place that turns a storage URL from configuration or the command line
// into a store::BlobStore.
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

}  // namespace vivalink::azure
