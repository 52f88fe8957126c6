// LocalStore: a BlobStore on a folder of the local file system (URL file:///abs/path).
//
// Blob "a/b/c" is the file <root>/a/b/c. Writes go to a temporary file in the same folder, are
// fsync'ed and renamed into place (then the folder is fsync'ed), so a crash leaves the old blob or
// the new one, never a torn one. ETags are derived from (inode, size, mtime in ns) so they change
// whenever the content is replaced. Creation time is the file's birth time where the file system
// reports it (statx), else its mtime. Content-MD5 is kept in a sidecar-free way: computed on Put
// and stored in an extended attribute when supported, otherwise left empty.
// Temporary files (".vl-tmp-*") are never listed. Symbolic links are never followed, neither as
// the blob nor as a folder on its path: reads open each folder with O_NOFOLLOW below the root
// (a linked folder is "not found"); puts and deletes through a linked folder are refused.
//
// Details callers may rely on:
// - Content type and user metadata live in extended attributes too ("user.vivalink.*"), best
//   effort: on a file system without user xattrs they read back as the defaults.
// - Conditional puts (if_match, if_none_match_any) and deletes are serialised inside one LocalStore
//   object; if_none_match_any is also atomic across processes (renameat2 RENAME_NOREPLACE) where
//   the file system supports it.
// - A blob "a" and a blob "a/b" cannot both exist (a file cannot also be a folder): the second
//   Put fails with kFailedPrecondition. Names with a segment starting ".vl-tmp-" are refused
//   (kInvalidArgument) since they would be hidden.
// - Delete removes folders left empty, up to (not including) the root.
// - Get of a range starting past the end is kInvalidArgument; starting exactly at the end gives
//   an empty stream. List pages hold at most 5000 entries (blobs + prefixes); max_results < 1 is
//   kInvalidArgument.
// - Files are created with mode 0600 (they may hold drop data).
#pragma once

#include <filesystem>
#include <mutex>

#include "store/blob_store.h"

namespace vivalink::store {

struct LocalStoreOptions {
  bool create_root = true;  // create the root folder if missing
  bool fsync = true;        // fsync files and folders on Put (tests may turn it off for speed)
};

class LocalStore final : public BlobStore {
 public:
  // Prefix of the temporary files Put writes beside their target.
  static constexpr std::string_view kTempPrefix = ".vl-tmp-";

  // kNotFound when root is missing and create_root is false.
  static core::Result<std::unique_ptr<LocalStore>> Open(const std::filesystem::path& root,
                                                        const LocalStoreOptions& options = {});
  // Accepts "file:///abs/path", "file://./rel/path" or "file://../rel/path" (relative to the
  // working directory, made absolute here) or a plain path. Any other host is kInvalidArgument.
  static core::Result<std::unique_ptr<LocalStore>> OpenUrl(std::string_view url,
                                                           const LocalStoreOptions& options = {});

  std::string Describe() const override;
  core::Result<ListPage> List(const ListOptions& options) override;
  core::Result<std::unique_ptr<core::ByteSource>> Get(std::string_view name,
                                                      const GetOptions& options = {}) override;
  core::Result<BlobProperties> Put(std::string_view name, core::ByteSource& data,
                                   const PutOptions& options = {}) override;
  core::Status Delete(std::string_view name, const DeleteOptions& options = {}) override;
  core::Result<BlobProperties> GetProperties(std::string_view name) override;

  const std::filesystem::path& root() const { return root_; }

 private:
  LocalStore(std::filesystem::path root, LocalStoreOptions options);
  std::filesystem::path root_;
  LocalStoreOptions options_;
  std::mutex put_mu_;  // serialises conditional puts (check-then-rename)
};

}  // namespace vivalink::store
