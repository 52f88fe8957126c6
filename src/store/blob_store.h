// BlobStore: the storage the drops live in, seen as flat names inside one container.
//
// Implementations: LocalStore (a folder, URL file:///path) here, AzureBlobStore (REST over
// libcurl, src/azure) for Azure and Azurite. Callers obtain one with OpenBlobStore() in
// src/azure/open_store.h, which understands every URL form. All methods are thread-safe unless an
// implementation says otherwise; streams returned by Get are single-threaded.
//
// Names use '/' as separator and never start with '/'. Names that escape the container ("..",
// absolute paths, NUL, backslash) are refused with kInvalidArgument.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "core/time.h"

namespace vivalink::store {

struct BlobProperties {
  std::string name;
  uint64_t size = 0;
  std::string etag;           // opaque, quoted as the service returns it
  core::TimePoint created{};  // creation time (x-ms-creation-time)
  core::TimePoint last_modified{};
  std::string content_md5;  // base64 of the MD5 of the whole blob; empty when unknown
  std::string content_type;
  std::map<std::string, std::string> metadata;  // user metadata (x-ms-meta-*), keys lower case
};

struct ListOptions {
  std::string prefix;      // only names starting with this
  std::string delimiter;   // when set (usually "/"): names past it are rolled up into prefixes
  std::string marker;      // opaque continuation from a previous page; empty = start
  int max_results = 5000;  // page size (the service may return fewer)
};

struct ListPage {
  std::vector<BlobProperties> blobs;  // in lexicographic name order
  std::vector<std::string> prefixes;  // with a delimiter: the rolled-up "folders"
  std::string next_marker;            // empty when this is the last page
};

struct GetOptions {
  uint64_t offset = 0;             // first byte to return
  std::optional<uint64_t> length;  // bytes to return; unset = to the end
  std::string if_match;            // fail with kFailedPrecondition unless the ETag matches
  bool verify_md5 = true;          // whole-blob reads: check Content-MD5 when the blob has one
};

struct PutOptions {
  std::string if_match;            // only overwrite this ETag (kFailedPrecondition otherwise)
  bool if_none_match_any = false;  // only create; kFailedPrecondition if the blob exists
  std::string content_type = "application/octet-stream";
  std::map<std::string, std::string> metadata;
};

struct DeleteOptions {
  std::string if_match;  // only delete this ETag (kFailedPrecondition otherwise); empty: any
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // A display form of where this store points, with every credential removed.
  virtual std::string Describe() const = 0;

  // One page of blob names. Iterate with next_marker until it is empty.
  virtual core::Result<ListPage> List(const ListOptions& options) = 0;

  // Streams a blob's bytes (or a range). kNotFound when absent. The stream reports DataLoss when
  // the bytes do not match Content-MD5 (whole-blob reads with verify_md5) or end early.
  virtual core::Result<std::unique_ptr<core::ByteSource>> Get(std::string_view name,
                                                              const GetOptions& options = {}) = 0;

  // Writes a whole blob from a stream, atomically: readers see the old blob or the new one.
  // Returns the new properties (ETag, size, Content-MD5).
  virtual core::Result<BlobProperties> Put(std::string_view name, core::ByteSource& data,
                                           const PutOptions& options = {}) = 0;

  // kNotFound when absent; kFailedPrecondition when options.if_match is set and the blob now has
  // another ETag (it was replaced since it was read: the newer version is left alone).
  virtual core::Status Delete(std::string_view name, const DeleteOptions& options = {}) = 0;

  virtual core::Result<BlobProperties> GetProperties(std::string_view name) = 0;
};

// Convenience wrappers over the interface.
core::Result<std::string> GetAll(BlobStore& store, std::string_view name,
                                 size_t max_bytes = 256u << 20);
core::Result<BlobProperties> PutString(BlobStore& store, std::string_view name,
                                       std::string_view data, const PutOptions& options = {});
// Every blob under prefix, following markers.
core::Result<std::vector<BlobProperties>> ListAll(BlobStore& store, std::string_view prefix);

// kInvalidArgument unless name is a safe relative blob name (see above).
core::Status ValidateBlobName(std::string_view name);

}  // namespace vivalink::store
