#include "store/blob_store.h"

namespace vivalink::store {
namespace {

// Azure's limit for blob names; LocalStore keeps the same so names stay portable.
constexpr size_t kMaxBlobNameBytes = 1024;

}  // namespace

core::Result<std::string> GetAll(BlobStore& store, std::string_view name, size_t max_bytes) {
  ASSIGN_OR_RETURN(std::unique_ptr<core::ByteSource> source, store.Get(name));
  auto data = core::ReadAll(*source, max_bytes);
  if (!data.ok()) return data.status().WithContext("blob " + std::string(name));
  return data;
}

core::Result<BlobProperties> PutString(BlobStore& store, std::string_view name,
                                       std::string_view data, const PutOptions& options) {
  core::MemorySource source(data);
  return store.Put(name, source, options);
}

core::Result<std::vector<BlobProperties>> ListAll(BlobStore& store, std::string_view prefix) {
  std::vector<BlobProperties> out;
  ListOptions options;
  options.prefix = std::string(prefix);
  while (true) {
    ASSIGN_OR_RETURN(ListPage page, store.List(options));
    for (auto& blob : page.blobs) out.push_back(std::move(blob));
    if (page.next_marker.empty()) break;
    if (page.next_marker == options.marker) {
      return core::InternalError("listing " + store.Describe() + " under \"" + std::string(prefix) +
                                 "\" returned the same marker twice");
    }
    options.marker = std::move(page.next_marker);
  }
  return out;
}

core::Status ValidateBlobName(std::string_view name) {
  auto bad = [&](std::string_view why) {
    std::string shown(name.substr(0, 200));
    for (char& c : shown) {
      if (c == '\0') c = '?';
    }
    return core::InvalidArgumentError("blob name \"" + shown + "\" " + std::string(why) +
                                      "; use a relative name like \"dir/file\"");
  };
  if (name.empty()) return bad("is empty");
  if (name.size() > kMaxBlobNameBytes) return bad("is longer than 1024 bytes");
  if (name.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  if (name.find('\\') != std::string_view::npos) return bad("contains a backslash");
  if (name.front() == '/') return bad("is absolute");
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view segment = name.substr(start, end - start);
    if (segment.empty()) return bad("has an empty path segment");
    if (segment == "." || segment == "..") return bad("has a \".\" or \"..\" segment");
    start = end + 1;
  }
  return core::OkStatus();
}

}  // namespace vivalink::store
