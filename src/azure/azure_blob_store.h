// AzureBlobStore: store::BlobStore on an Azure Blob Storage container (or Azurite), built on
// AzureBlobClient. See blob_client.h for URLs, credentials, error codes, chunked resuming
// downloads and block uploads. Thread-safe; Get streams are single-threaded and keep the
// underlying client alive, so they may outlive the store.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "azure/blob_client.h"
#include "store/blob_store.h"

namespace vivalink::azure {

class AzureBlobStore final : public store::BlobStore {
 public:
  explicit AzureBlobStore(std::shared_ptr<AzureBlobClient> client) : client_(std::move(client)) {}

  // Builds the client for container_url (a "?sv=...&sig=..." query there is used as the SAS
  // when credential is monostate).
  static core::Result<std::unique_ptr<AzureBlobStore>> Open(std::string_view container_url,
                                                            Credential credential,
                                                            BlobClientOptions options = {});

  // "azure:<container URL without query>".
  std::string Describe() const override;
  core::Result<store::ListPage> List(const store::ListOptions& options) override;
  core::Result<std::unique_ptr<core::ByteSource>> Get(
      std::string_view name, const store::GetOptions& options = {}) override;
  core::Result<store::BlobProperties> Put(std::string_view name, core::ByteSource& data,
                                          const store::PutOptions& options = {}) override;
  core::Status Delete(std::string_view name, const store::DeleteOptions& options = {}) override;
  core::Result<store::BlobProperties> GetProperties(std::string_view name) override;

  // The client, for operations beyond the BlobStore interface (leases, copies, containers).
  AzureBlobClient& client() { return *client_; }

 private:
  std::shared_ptr<AzureBlobClient> client_;
};

}  // namespace vivalink::azure
