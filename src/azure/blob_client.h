// AzureBlobClient: the Azure Blob service REST API for one container, over our own HTTP layer
// (there is no Azure SDK for C++ in Debian). It covers what vivalink and its simulator need:
// containers, listing, streaming ranged downloads that resume, block uploads with bounded memory,
// properties and metadata, conditional requests, leases and server-side copies.
//
// URLs: "https://{account}.blob.core.windows.net/{container}" (production) or
// "http://127.0.0.1:{port}/{account}/{container}" (Azurite, IP style). The credential is a Shared
// Key, a SAS token (appended to every request) or none. Secrets are never logged nor put into
// error messages.
//
// Errors: every remote failure keeps the HTTP status, x-ms-error-code, x-ms-request-id and the
// attempt in core::RemoteDetails; codes: 401 kUnauthenticated, 403 kPermissionDenied, 404
// kNotFound, 409/412 kFailedPrecondition, 429/5xx and network failures kUnavailable.
//
// Thread-safe: one client may be used from many threads. A client is held by shared_ptr because
// the download streams it hands out keep it alive (they may outlive the caller's reference).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "azure/credentials.h"
#include "core/io.h"
#include "core/status.h"
#include "core/time.h"
#include "http/retry.h"
#include "http/transport.h"
#include "store/blob_store.h"

namespace vivalink::azure {

namespace internal {
class Pipeline;
}

struct BlobClientOptions {
  // x-ms-version sent with every request.
  std::string service_version = std::string(kDefaultServiceVersion);
  // The transport; null = a RetryingTransport(retry) over a CurlTransport.
  std::shared_ptr<http::HttpTransport> transport;
  // Retry policy of the default transport (ignored when transport is set).
  http::RetryOptions retry;
  // Time source for x-ms-date; null = the system clock. Not owned; must outlive the client.
  const core::Clock* clock = nullptr;
  // Downloads fetch the blob in Range requests of this many bytes; a stream buffers one chunk.
  uint64_t download_chunk_bytes = 4u << 20;
  // Uploads read the source in blocks of this size; a source shorter than one block goes up with
  // a single Put Blob, longer ones with Put Block + Put Block List. Memory: one block.
  uint64_t block_bytes = 8u << 20;
  // A download resumes (Range from the next missing byte, If-Match on the ETag) after a dropped
  // connection; this many consecutive failures without progress end the stream (kUnavailable).
  int max_resume_attempts = 5;
  // Pause before a resume attempt, multiplied by the attempt number.
  std::chrono::milliseconds resume_delay{100};
  // Timeout of one request (one chunk, one block).
  std::chrono::milliseconds request_timeout{120000};
};

// Properties beyond store::BlobProperties that the client exposes.
struct BlobDetails {
  store::BlobProperties properties;
  std::string blob_type;     // "BlockBlob", ...
  std::string lease_state;   // "available" | "leased" | "expired" | "breaking" | "broken"
  std::string lease_status;  // "locked" | "unlocked"
  std::string copy_id;       // of the last copy into this blob; empty when none
  std::string copy_status;   // "pending" | "success" | "aborted" | "failed"; empty when none
};

struct UploadOptions {
  store::PutOptions put;  // conditions, content type, metadata
  std::string lease_id;   // required when the blob holds an active lease
};

struct DeleteBlobOptions {
  std::string if_match;  // only delete this ETag (kFailedPrecondition otherwise)
  std::string lease_id;  // required when the blob holds an active lease
};

struct Lease {
  std::string id;    // the lease id (x-ms-lease-id)
  std::string etag;  // blob ETag after the operation
};

struct CopyResult {
  std::string copy_id;
  std::string copy_status;  // "success" for synchronous copies; "pending" when still running
  std::string etag;
};

// One ranged GET as it came back (used by the resuming download stream; public for tests).
struct RangeResponse {
  int http_status = 0;               // 200 or 206
  store::BlobProperties properties;  // size = the whole blob's size
  uint64_t first_byte = 0;           // offset of the first byte of this response
};

class AzureBlobClient : public std::enable_shared_from_this<AzureBlobClient> {
 public:
  // container_url: see the file comment; a query holding a SAS is split off and used as the
  // credential when `credential` is monostate. kInvalidArgument for a malformed URL or a URL
  // without a container.
  static core::Result<std::shared_ptr<AzureBlobClient>> Make(std::string_view container_url,
                                                             Credential credential,
                                                             BlobClientOptions options = {});
  ~AzureBlobClient();

  // The container URL without any query (safe to display).
  const std::string& container_url() const { return container_url_; }
  const std::string& container() const { return container_; }
  const std::string& account() const { return account_; }
  // The URL of a blob (percent-encoded, no SAS).
  std::string BlobUrl(std::string_view name) const;

  // Containers. Create: kFailedPrecondition (ContainerAlreadyExists) when it exists.
  core::Status CreateContainer();
  // true when created, false when it already existed.
  core::Result<bool> CreateContainerIfNotExists();
  core::Status DeleteContainer();

  // One page of List Blobs (include=metadata). The marker is opaque.
  core::Result<store::ListPage> ListBlobs(const store::ListOptions& options);

  core::Result<BlobDetails> GetBlobDetails(std::string_view name);
  core::Result<store::BlobProperties> GetProperties(std::string_view name);

  // Opens a stream over a blob (or a range), downloaded chunk by chunk (see BlobClientOptions).
  // The first chunk is fetched before returning, so kNotFound, kPermissionDenied and
  // kFailedPrecondition (if_match) come back here. Later chunks carry If-Match with the ETag of
  // the first response: a blob replaced mid-read fails the stream with kFailedPrecondition.
  // Whole-blob reads with verify_md5 check the blob's MD5 at the end (kDataLoss on mismatch).
  // A range starting past the end is kInvalidArgument; exactly at the end gives an empty stream.
  core::Result<std::unique_ptr<core::ByteSource>> OpenRead(std::string_view name,
                                                           const store::GetOptions& options = {});

  // One ranged GET of [offset, offset + length) (length 0 = to the end), delivering the body to
  // on_body. if_match empty = unconditional. Used by OpenRead.
  core::Result<RangeResponse> DownloadRange(std::string_view name, uint64_t offset, uint64_t length,
                                            std::string_view if_match,
                                            const http::BodyCallback& on_body);

  // Uploads a whole blob from a stream (see BlobClientOptions::block_bytes). The blob's MD5 is
  // computed on the way and stored as its Content-MD5. Returns name, size, etag, last_modified,
  // content_md5, content_type and metadata (created is not returned by the service on writes;
  // read it with GetProperties).
  core::Result<store::BlobProperties> Upload(std::string_view name, core::ByteSource& data,
                                             const UploadOptions& options = {});

  // Put Block / Put Block List, for callers staging blocks themselves. Block ids are base64 of
  // equal-length strings.
  core::Status StageBlock(std::string_view name, std::string_view block_id, std::string_view data);
  core::Result<store::BlobProperties> CommitBlockList(std::string_view name,
                                                      const std::vector<std::string>& block_ids,
                                                      const UploadOptions& options = {},
                                                      std::string_view content_md5 = {});

  // kNotFound when absent; kFailedPrecondition on an ETag mismatch or a missing/wrong lease id.
  core::Status DeleteBlob(std::string_view name, const DeleteBlobOptions& options = {});

  // Leases. duration: -1 = infinite or 15..60 seconds. proposed_id empty = a random GUID.
  // Acquire on a leased blob: kFailedPrecondition (409 LeaseAlreadyPresent).
  core::Result<Lease> AcquireLease(std::string_view name, int duration_seconds = -1,
                                   std::string_view proposed_id = {});
  core::Result<Lease> RenewLease(std::string_view name, std::string_view lease_id);
  core::Status ReleaseLease(std::string_view name, std::string_view lease_id);
  // Returns the seconds until the lease is broken. break_period: nullopt = the service default.
  core::Result<int> BreakLease(std::string_view name, std::optional<int> break_period = {});

  // Copy Blob From URL (synchronous, x-ms-requires-sync; source up to 256 MiB, must be readable
  // with the URL's own SAS or be public). Azurite: only within the same instance.
  core::Result<CopyResult> CopyFromUrl(std::string_view dest_name, std::string_view source_url);
  // Copy Blob (asynchronous x-ms-copy-source; Azurite completes it at once). Poll
  // GetBlobDetails().copy_status until it is no longer "pending".
  core::Result<CopyResult> StartCopy(std::string_view dest_name, std::string_view source_url);

 private:
  AzureBlobClient(std::string container_url, std::string account, std::string container,
                  std::unique_ptr<internal::Pipeline> pipeline, BlobClientOptions options);
  core::Result<http::Response> Call(http::Request request, std::initializer_list<int> ok_statuses,
                                    const http::BodyCallback& on_body = {});
  core::Result<http::Response> LeaseCall(std::string_view name, std::string_view action,
                                         http::Headers headers, int ok_status);
  core::Result<CopyResult> Copy(std::string_view dest_name, std::string_view source_url, bool sync);

  std::string container_url_;
  std::string account_;
  std::string container_;
  std::unique_ptr<internal::Pipeline> pipeline_;
  BlobClientOptions options_;
};

}  // namespace vivalink::azure
