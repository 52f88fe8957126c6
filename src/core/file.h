// Whole files on the local disk: the one reader, the one atomic writer and the one owner of a
// file descriptor that every module uses (do not write another).
//
//   ASSIGN_OR_RETURN(std::string text, core::ReadFile(path));          // bounded, clear errors
//   RETURN_IF_ERROR(core::WriteFileAtomic(path, text, 0600));          // all or nothing, durable
//
// Errors name the path and what to do. Contents are never quoted in messages (a file may hold
// keys or personal data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/io.h"
#include "core/status.h"

namespace vivalink::core {

// An open file descriptor, closed on destruction. Movable, not copyable.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int release();
  // Closes now and reports the error close(2) gave (a delayed write error on some filesystems).
  // Closing an invalid descriptor is OK.
  Status Close(std::string_view name);

 private:
  int fd_ = -1;
};

// Default limit of ReadFile: 1 GiB.
inline constexpr std::size_t kDefaultMaxFileBytes = std::size_t{1} << 30;

// Reads the whole file. Errors: kNotFound when it does not exist, kPermissionDenied when it
// cannot be read, kInvalidArgument when it is a directory or larger than max_bytes, kUnavailable
// for other I/O errors.
Result<std::string> ReadFile(const std::filesystem::path& path,
                             std::size_t max_bytes = kDefaultMaxFileBytes);

// Opens a file for streaming: a ByteSource that reads it in the caller's chunks (bounded
// memory, for inputs too large for ReadFile). Open errors as ReadFile's; a read error later is
// kUnavailable naming the path. offset: the byte it starts at (0: the start; past the end: the
// source is empty).
Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::filesystem::path& path,
                                                   uint64_t offset = 0);

// Writes all of data to fd; name is used in error messages. kUnavailable on a short or failed
// write (ENOSPC says "the disk is full").
Status WriteAll(int fd, std::string_view data, std::string_view name);

// Replaces `path` with `data` atomically and durably: writes a temporary file beside it (mode
// `mode`, created exclusively), fsyncs it, renames it over `path` and fsyncs the folder. Readers
// see the old file or the new one, never a part; after a crash at any point the file is the old
// or the new one. Missing parent folders are created with mode 0700. Errors: kPermissionDenied,
// kUnavailable (disk full, I/O error); the temporary file is removed on failure.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data, int mode = 0644);

// Creates `path` only if it does not exist yet (O_EXCL), atomically and durably, with `data`:
// written to a temporary file first and linked into place, so that no reader ever sees an empty
// or partial file. kAlreadyExists-like outcome: returns false when the file already existed
// (its contents unchanged), true when this call created it.
Result<bool> CreateFileExclusive(const std::filesystem::path& path, std::string_view data,
                                 int mode = 0600);

}  // namespace vivalink::core
