#include "azure/azure_blob_store.h"

namespace vivalink::azure {

core::Result<std::unique_ptr<AzureBlobStore>> AzureBlobStore::Open(std::string_view container_url,
                                                                   Credential credential,
                                                                   BlobClientOptions options) {
  ASSIGN_OR_RETURN(auto client,
                   AzureBlobClient::Make(container_url, std::move(credential), std::move(options)));
  return std::make_unique<AzureBlobStore>(std::move(client));
}

std::string AzureBlobStore::Describe() const { return "azure:" + client_->container_url(); }

core::Result<store::ListPage> AzureBlobStore::List(const store::ListOptions& options) {
  return client_->ListBlobs(options);
}

core::Result<std::unique_ptr<core::ByteSource>> AzureBlobStore::Get(
    std::string_view name, const store::GetOptions& options) {
  return client_->OpenRead(name, options);
}

core::Result<store::BlobProperties> AzureBlobStore::Put(std::string_view name,
                                                        core::ByteSource& data,
                                                        const store::PutOptions& options) {
  UploadOptions upload;
  upload.put = options;
  return client_->Upload(name, data, upload);
}

core::Status AzureBlobStore::Delete(std::string_view name, const store::DeleteOptions& options) {
  DeleteBlobOptions o;
  o.if_match = options.if_match;
  return client_->DeleteBlob(name, o);
}

core::Result<store::BlobProperties> AzureBlobStore::GetProperties(std::string_view name) {
  return client_->GetProperties(name);
}

}  // namespace vivalink::azure
