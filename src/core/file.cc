#include "core/file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace vivalink::core {
namespace fs = std::filesystem;

namespace {

std::string ErrnoText(int err) { return err == ENOSPC ? "the disk is full" : std::strerror(err); }

Status OpenError(const fs::path& path, int err, std::string_view verb) {
  const std::string what = fmt::format("cannot {} {}: {}", verb, path.string(), ErrnoText(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return NotFoundError(what + "; check the path");
    case EACCES:
    case EPERM:
    case EROFS:
      return PermissionDeniedError(what + "; check the file's owner and mode");
    case EISDIR:
      return InvalidArgumentError(what + "; give a file, not a folder");
    default:
      return UnavailableError(what);
  }
}

// A name for a temporary file beside `path`: unpredictable, so that two writers never collide.
fs::path TempBeside(const fs::path& path) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fs::path(fmt::format("{}.tmp-{:016x}", path.string(), rng()));
}

Status SyncFolder(const fs::path& folder) {
  UniqueFd dir(::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return OpenError(folder, errno, "open folder");
  if (::fsync(dir.get()) != 0 && errno != EINVAL) {
    return UnavailableError(
        fmt::format("cannot sync folder {}: {}", folder.string(), ErrnoText(errno)));
  }
  return OkStatus();
}

Status MakeParent(const fs::path& path) {
  if (!path.has_parent_path()) return OkStatus();
  std::error_code ec;
  if (fs::is_directory(path.parent_path(), ec)) return OkStatus();
  fs::create_directories(path.parent_path(), ec);
  if (ec) return OpenError(path.parent_path(), ec.value(), "create folder");
  fs::permissions(path.parent_path(), fs::perms::owner_all, fs::perm_options::replace, ec);
  return OkStatus();
}

// Writes data to a new temporary file beside path and syncs it. Returns the temporary name.
Result<fs::path> WriteTemp(const fs::path& path, std::string_view data, int mode) {
  RETURN_IF_ERROR(MakeParent(path));
  const fs::path tmp = TempBeside(path);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd.valid()) return OpenError(tmp, errno, "create");
  Status st = WriteAll(fd.get(), data, tmp.string());
  if (st.ok() && ::fsync(fd.get()) != 0) {
    st = UnavailableError(fmt::format("cannot sync {}: {}", tmp.string(), ErrnoText(errno)));
  }
  if (st.ok()) st = fd.Close(tmp.string());
  if (!st.ok()) {
    std::error_code ec;
    fs::remove(tmp, ec);
    return st;
  }
  return tmp;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

Status UniqueFd::Close(std::string_view name) {
  if (fd_ < 0) return OkStatus();
  const int rc = ::close(release());
  if (rc != 0) {
    return UnavailableError(fmt::format("cannot finish writing {}: {}", name, ErrnoText(errno)));
  }
  return OkStatus();
}

Result<std::string> ReadFile(const fs::path& path, std::size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return OpenError(path, errno, "open");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return OpenError(path, errno, "read");
  if (S_ISDIR(st.st_mode)) return OpenError(path, EISDIR, "read");
  if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > max_bytes) {
    return InvalidArgumentError(fmt::format("{} is {} bytes, more than the {} this reads",
                                            path.string(), st.st_size, max_bytes));
  }
  std::string out;
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return OpenError(path, errno, "read");
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      return InvalidArgumentError(
          fmt::format("{} is larger than the {} bytes this reads", path.string(), max_bytes));
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

namespace {

class FileSource final : public ByteSource {
 public:
  FileSource(fs::path path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  Result<size_t> Read(std::span<std::byte> out) override {
    for (;;) {
      const ssize_t n = ::read(fd_.get(), out.data(), out.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return OpenError(path_, errno, "read");
    }
  }

 private:
  fs::path path_;
  UniqueFd fd_;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenFileSource(const fs::path& path, uint64_t offset) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return OpenError(path, errno, "open");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return OpenError(path, errno, "read");
  if (S_ISDIR(st.st_mode)) return OpenError(path, EISDIR, "read");
  if (offset > 0 && ::lseek(fd.get(), static_cast<off_t>(offset), SEEK_SET) < 0) {
    return OpenError(path, errno, "seek in");
  }
  return std::unique_ptr<ByteSource>(std::make_unique<FileSource>(path, std::move(fd)));
}

Status WriteAll(int fd, std::string_view data, std::string_view name) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError(fmt::format("cannot write {}: {}", name, ErrnoText(errno)));
    }
    if (n == 0) return UnavailableError(fmt::format("cannot write {}: no progress", name));
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return OkStatus();
}

Status WriteFileAtomic(const fs::path& path, std::string_view data, int mode) {
  ASSIGN_OR_RETURN(fs::path tmp, WriteTemp(path, data, mode));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::error_code ec;
    fs::remove(tmp, ec);
    return OpenError(path, err, "replace");
  }
  return SyncFolder(path.parent_path());
}

Result<bool> CreateFileExclusive(const fs::path& path, std::string_view data, int mode) {
  std::error_code ec;
  if (fs::exists(path, ec)) return false;
  ASSIGN_OR_RETURN(fs::path tmp, WriteTemp(path, data, mode));
  // link(2) fails with EEXIST when another process created the file first: theirs stays.
  const int rc = ::link(tmp.c_str(), path.c_str());
  const int err = errno;
  fs::remove(tmp, ec);
  if (rc != 0) {
    if (err == EEXIST) return false;
    return OpenError(path, err, "create");
  }
  RETURN_IF_ERROR(SyncFolder(path.parent_path()));
  return true;
}

}  // namespace vivalink::core
