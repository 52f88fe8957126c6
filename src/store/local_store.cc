#include "store/local_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include "core/base64.h"
#include "core/cleanup.h"
#include "core/handle.h"
#include "core/strings.h"
#include "core/uuid.h"

namespace vivalink::store {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMd5Attr = "user.vivalink.md5";
constexpr const char* kContentTypeAttr = "user.vivalink.content_type";
constexpr std::string_view kMetaAttrPrefix = "user.vivalink.meta.";
constexpr std::string_view kDefaultContentType = "application/octet-stream";
constexpr size_t kPutBufferBytes = 1 << 20;
constexpr int kMaxPageSize = 5000;

using Md5Ctx = core::UniqueHandle<EVP_MD_CTX, EVP_MD_CTX_free>;

// One owner for a file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

std::string ErrnoText(int err) { return std::strerror(err); }

core::Status IoError(std::string_view what, const fs::path& path, int err) {
  return core::InternalError(fmt::format("{} {}: {}", what, path.string(), ErrnoText(err)));
}

// An MD5 context, or null when the OpenSSL configuration forbids MD5 (FIPS mode).
Md5Ctx NewMd5() {
  Md5Ctx ctx(EVP_MD_CTX_new());
  if (ctx && EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1) ctx.reset();
  return ctx;
}

std::string FinishMd5Base64(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &len) != 1) return "";
  return core::Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

// Stats an open file, with its birth time when the file system reports it.
struct FileStat {
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t btime_ns = -1;  // -1: unknown
  bool regular = false;
};

core::Result<FileStat> StatFd(int fd, const fs::path& path) {
  struct statx sx {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &sx) != 0) {
    return IoError("cannot stat", path, errno);
  }
  FileStat st;
  st.inode = sx.stx_ino;
  st.size = sx.stx_size;
  st.mtime_ns = int64_t{sx.stx_mtime.tv_sec} * 1'000'000'000 + sx.stx_mtime.tv_nsec;
  if ((sx.stx_mask & STATX_BTIME) != 0) {
    st.btime_ns = int64_t{sx.stx_btime.tv_sec} * 1'000'000'000 + sx.stx_btime.tv_nsec;
  }
  st.regular = S_ISREG(sx.stx_mode);
  return st;
}

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::string ETagOf(const FileStat& st) {
  uint64_t h = Mix(st.inode);
  h = Mix(h ^ st.size);
  h = Mix(h ^ static_cast<uint64_t>(st.mtime_ns));
  return fmt::format("\"0x{:016X}\"", h);
}

core::TimePoint FromNs(int64_t ns) {
  return core::TimePoint(std::chrono::milliseconds(ns / 1'000'000));
}

// Every Put stamps its file with a distinct nanosecond mtime, so two puts of the same size that
// land on a recycled inode number within one clock tick still get different ETags.
timespec NextStamp() {
  static std::atomic<int64_t> last{0};
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  int64_t want = int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
  int64_t prev = last.load();
  int64_t next = 0;
  do {
    next = std::max(want, prev + 1);
  } while (!last.compare_exchange_weak(prev, next));
  return timespec{static_cast<time_t>(next / 1'000'000'000),
                  static_cast<long>(next % 1'000'000'000)};
}

std::optional<std::string> GetXattr(int fd, const std::string& attr) {
  std::string value(256, '\0');
  while (true) {
    ssize_t n = ::fgetxattr(fd, attr.c_str(), value.data(), value.size());
    if (n >= 0) {
      value.resize(static_cast<size_t>(n));
      return value;
    }
    if (errno != ERANGE) return std::nullopt;
    ssize_t need = ::fgetxattr(fd, attr.c_str(), nullptr, 0);
    if (need < 0) return std::nullopt;
    value.resize(static_cast<size_t>(need) + 1);
  }
}

// Properties of an open blob file (size, ETag and times from the descriptor, so a concurrent
// replacement cannot mix two versions).
core::Result<BlobProperties> PropertiesOf(int fd, const fs::path& path, std::string name) {
  ASSIGN_OR_RETURN(FileStat st, StatFd(fd, path));
  BlobProperties p;
  p.name = std::move(name);
  p.size = st.size;
  p.etag = ETagOf(st);
  p.last_modified = FromNs(st.mtime_ns);
  p.created = FromNs(st.btime_ns >= 0 ? st.btime_ns : st.mtime_ns);
  p.content_md5 = GetXattr(fd, kMd5Attr).value_or("");
  p.content_type = GetXattr(fd, kContentTypeAttr).value_or(std::string(kDefaultContentType));

  ssize_t len = ::flistxattr(fd, nullptr, 0);
  if (len > 0) {
    std::string names(static_cast<size_t>(len), '\0');
    len = ::flistxattr(fd, names.data(), names.size());
    if (len > 0) {
      names.resize(static_cast<size_t>(len));
      for (std::string_view attr : core::Split(names, '\0')) {
        if (!attr.starts_with(kMetaAttrPrefix)) continue;
        auto value = GetXattr(fd, std::string(attr));
        if (value) p.metadata[std::string(attr.substr(kMetaAttrPrefix.size()))] = *value;
      }
    }
  }
  return p;
}

core::Status FsyncDir(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return IoError("cannot open folder", dir, errno);
  if (::fsync(fd.get()) != 0) return IoError("cannot fsync folder", dir, errno);
  return core::OkStatus();
}

core::Status WriteAll(int fd, const std::byte* data, size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", path, errno);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return core::OkStatus();
}

// Streams one open blob file (or a range of it). Reads go straight into the caller's buffer.
class FileSource final : public core::ByteSource {
 public:
  FileSource(UniqueFd fd, std::string name, uint64_t offset, uint64_t length, Md5Ctx md5,
             std::string expected_md5)
      : fd_(std::move(fd)),
        name_(std::move(name)),
        start_(offset),
        pos_(offset),
        end_(offset + length),
        md5_(std::move(md5)),
        expected_md5_(std::move(expected_md5)) {}

  core::Result<size_t> Read(std::span<std::byte> out) override {
    if (!failure_.ok()) return failure_;
    if (pos_ == end_) {
      if (md5_) {
        std::string actual = FinishMd5Base64(md5_.get());
        md5_.reset();
        if (actual != expected_md5_) {
          failure_ = core::DataLossError(fmt::format(
              "blob {}: the bytes read have MD5 {} but the blob's Content-MD5 is {}; the file was "
              "changed or corrupted outside the store",
              name_, actual, expected_md5_));
          return failure_;
        }
      }
      return size_t{0};
    }
    if (out.empty()) return size_t{0};
    size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), end_ - pos_));
    ssize_t n;
    do {
      n = ::pread(fd_.get(), out.data(), want, static_cast<off_t>(pos_));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      failure_ = core::InternalError(
          fmt::format("blob {}: read failed at byte {}: {}", name_, pos_, ErrnoText(errno)));
      return failure_;
    }
    if (n == 0) {
      failure_ = core::DataLossError(fmt::format(
          "blob {}: ended at byte {} but {} bytes were expected; it was truncated while being read",
          name_, pos_, end_ - start_));
      return failure_;
    }
    if (md5_) EVP_DigestUpdate(md5_.get(), out.data(), static_cast<size_t>(n));
    pos_ += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }

 private:
  UniqueFd fd_;
  std::string name_;
  uint64_t start_;
  uint64_t pos_;
  uint64_t end_;
  Md5Ctx md5_;  // null: no verification
  std::string expected_md5_;
  core::Status failure_;  // sticky: a failed stream keeps failing
};

std::string PercentDecode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool IsTempName(std::string_view entry) { return entry.starts_with(LocalStore::kTempPrefix); }

core::Status ValidateLocalName(std::string_view name) {
  RETURN_IF_ERROR(ValidateBlobName(name));
  for (std::string_view segment : core::Split(name, '/')) {
    if (IsTempName(segment)) {
      return core::InvalidArgumentError(fmt::format(
          "blob name \"{}\" has a segment starting with \"{}\", which the local store reserves for "
          "its temporary files",
          name, LocalStore::kTempPrefix));
    }
  }
  return core::OkStatus();
}

// Opens blob (a validated relative name) below root without following a symbolic link in any
// component, folders included: a link below the root could point anywhere. Returns the fd, or -1
// with errno set (ENOTDIR or ELOOP when a component is a link).
int OpenBeneath(const fs::path& root, std::string_view blob, int flags) {
  UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return -1;
  auto segments = core::Split(blob, '/');
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    std::string segment(segments[i]);
    UniqueFd next(
        ::openat(dir.get(), segment.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return -1;
    dir = std::move(next);
  }
  std::string last(segments.empty() ? std::string_view() : segments.back());
  return ::openat(dir.get(), last.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
}

// True when a folder on the way from root to blob is a symbolic link (writes and deletes refuse
// to go through one).
bool SymlinkedFolderOnTheWay(const fs::path& root, std::string_view blob) {
  fs::path at = root;
  auto segments = core::Split(blob, '/');
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    at /= std::string(segments[i]);
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0) return false;  // absent: nothing to follow
    if (S_ISLNK(st.st_mode)) return true;
  }
  return false;
}

// DT_DIR, DT_REG or something else (symbolic links, special files, vanished entries).
unsigned char TypeOf(DIR* d, const dirent* e) {
  if (e->d_type != DT_UNKNOWN) return e->d_type;
  struct stat st {};
  if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return DT_UNKNOWN;
  return S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
}

// The depth-first walk behind List. Entries of a folder are visited in the order of their key
// (a folder's key is its name plus '/'), which yields whole names in lexicographic order.
class Lister {
 public:
  Lister(const fs::path& root, const ListOptions& options, size_t limit)
      : root_(root), options_(options), limit_(limit) {}

  core::Status Walk() {
    // Start in the deepest folder the prefix names, so a narrow prefix reads few folders.
    std::string_view prefix = options_.prefix;
    size_t slash = prefix.rfind('/');
    std::string dir = slash == std::string_view::npos ? "" : std::string(prefix.substr(0, slash));
    if (!dir.empty() && !ValidateBlobName(dir).ok()) return core::OkStatus();  // nothing matches
    return WalkDir(dir.empty() ? std::string() : dir + "/");
  }

  bool full() const { return items_.size() >= limit_; }

  struct Item {
    std::string key;  // blob name or rolled-up prefix
    bool is_prefix = false;
  };
  std::vector<Item>& items() { return items_; }

 private:
  struct Entry {
    std::string key;  // name, plus '/' for folders
    bool is_dir = false;
  };

  core::Status WalkDir(const std::string& rel) {  // rel: "" or "a/b/"
    fs::path dir = rel.empty() ? root_ : root_ / rel;
    std::vector<Entry> entries;
    {
      DIR* d = ::opendir(dir.c_str());
      if (d == nullptr) {
        if (errno == ENOENT || errno == ENOTDIR) return core::OkStatus();  // raced with Delete
        return IoError("cannot list folder", dir, errno);
      }
      core::Cleanup close_dir([d] { ::closedir(d); });
      while (dirent* e = ::readdir(d)) {
        std::string_view name = e->d_name;
        if (name == "." || name == ".." || IsTempName(name)) continue;
        unsigned char type = TypeOf(d, e);
        // Symbolic links and special files are not blobs (a link could point outside the root).
        if (type == DT_DIR) {
          entries.push_back({std::string(name) + "/", true});
        } else if (type == DT_REG) {
          entries.push_back({std::string(name), false});
        }
      }
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.key < b.key; });

    const std::string& prefix = options_.prefix;
    const std::string& marker = options_.marker;
    for (const Entry& entry : entries) {
      if (full()) return core::OkStatus();
      std::string full_name = rel + entry.key;
      if (entry.is_dir) {
        // Every name below starts with full_name: skip the folder when none can match.
        bool prefix_ok = full_name.starts_with(prefix) || prefix.starts_with(full_name);
        if (!prefix_ok) continue;
        if (!marker.empty() && marker > full_name && !marker.starts_with(full_name)) continue;
        if (RollsUpWhole(full_name)) {
          ASSIGN_OR_RETURN(bool any, HasBlob(full_name));
          if (any) Add(full_name);  // every name below gives the same prefix; one is enough
          continue;
        }
        RETURN_IF_ERROR(WalkDir(full_name));
      } else {
        if (!full_name.starts_with(prefix)) continue;
        Add(full_name);
      }
    }
    return core::OkStatus();
  }

  // True when every name below folder rel (ending in '/') rolls up into one prefix.
  bool RollsUpWhole(const std::string& rel) const {
    const std::string& prefix = options_.prefix;
    return !options_.delimiter.empty() && rel.size() > prefix.size() && rel.starts_with(prefix) &&
           rel.find(options_.delimiter, prefix.size()) != std::string::npos;
  }

  // Whether folder rel holds any blob, at any depth.
  core::Result<bool> HasBlob(const std::string& rel) const {
    fs::path dir = root_ / rel;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      if (errno == ENOENT || errno == ENOTDIR) return false;
      return IoError("cannot list folder", dir, errno);
    }
    core::Cleanup close_dir([d] { ::closedir(d); });
    std::vector<std::string> subdirs;
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == ".." || IsTempName(name)) continue;
      unsigned char type = TypeOf(d, e);
      if (type == DT_REG) return true;
      if (type == DT_DIR) subdirs.push_back(rel + std::string(name) + "/");
    }
    for (const std::string& sub : subdirs) {
      ASSIGN_OR_RETURN(bool any, HasBlob(sub));
      if (any) return true;
    }
    return false;
  }

  void Add(const std::string& name) {
    Item item{name, false};
    if (!options_.delimiter.empty()) {
      size_t pos = name.find(options_.delimiter, options_.prefix.size());
      if (pos != std::string::npos) {
        item.key = name.substr(0, pos + options_.delimiter.size());
        item.is_prefix = true;
      }
    }
    if (!options_.marker.empty() && item.key <= options_.marker) return;
    // Names that roll up to one prefix are adjacent in name order.
    if (item.is_prefix && !items_.empty() && items_.back().is_prefix &&
        items_.back().key == item.key) {
      return;
    }
    items_.push_back(std::move(item));
  }

  const fs::path& root_;
  const ListOptions& options_;
  size_t limit_;
  std::vector<Item> items_;
};

}  // namespace

LocalStore::LocalStore(fs::path root, LocalStoreOptions options)
    : root_(std::move(root)), options_(options) {}

core::Result<std::unique_ptr<LocalStore>> LocalStore::Open(const fs::path& root,
                                                           const LocalStoreOptions& options) {
  if (root.empty()) return core::InvalidArgumentError("local store: the root folder is empty");
  std::error_code ec;
  fs::path abs = fs::absolute(root, ec).lexically_normal();
  if (ec) return core::InvalidArgumentError("local store: bad root " + root.string());
  // "/a/b/" normalises to "/a/b/"; drop the trailing separator so names join cleanly.
  if (abs.has_parent_path() && abs.filename().empty()) abs = abs.parent_path();
  auto status = fs::status(abs, ec);
  if (!fs::exists(status)) {
    if (!options.create_root) {
      return core::NotFoundError("local store folder " + abs.string() +
                                 " does not exist; create it or allow create_root");
    }
    fs::create_directories(abs, ec);
    if (ec) {
      return core::InternalError("local store: cannot create folder " + abs.string() + ": " +
                                 ec.message());
    }
  } else if (!fs::is_directory(status)) {
    return core::InvalidArgumentError("local store root " + abs.string() + " is not a folder");
  }
  return std::unique_ptr<LocalStore>(new LocalStore(abs, options));
}

core::Result<std::unique_ptr<LocalStore>> LocalStore::OpenUrl(std::string_view url,
                                                              const LocalStoreOptions& options) {
  std::string_view rest = url;
  if (core::StartsWithIgnoreCase(url, "file://")) {
    rest.remove_prefix(7);
    if (core::StartsWithIgnoreCase(rest, "localhost/")) rest.remove_prefix(9);
    // "file://./x" and "file://../x": a folder relative to the working directory, the form of
    // the embedded default store (file://./vivalink-data/drops). Open makes it absolute.
    if (rest == "." || rest == ".." || rest.starts_with("./") || rest.starts_with("../")) {
      return Open(PercentDecode(rest), options);
    }
    if (rest.empty() || rest.front() != '/') {
      return core::InvalidArgumentError(
          fmt::format("local store URL \"{}\" must be file:///absolute/path (no host name)", url));
    }
    return Open(PercentDecode(rest), options);
  }
  if (url.find("://") != std::string_view::npos) {
    return core::InvalidArgumentError(
        fmt::format("\"{}\" is not a local store URL; use file:///absolute/path or a path",
                    std::string(url.substr(0, url.find("://") + 3)) + "..."));
  }
  return Open(fs::path(std::string(url)), options);
}

std::string LocalStore::Describe() const { return "file://" + root_.string(); }

core::Result<ListPage> LocalStore::List(const ListOptions& options) {
  if (options.max_results < 1) {
    return core::InvalidArgumentError(fmt::format(
        "list of {}: max_results is {}; it must be at least 1", Describe(), options.max_results));
  }
  size_t page = static_cast<size_t>(std::min(options.max_results, kMaxPageSize));
  // One entry more than the page tells whether another page follows.
  Lister lister(root_, options, page + 1);
  RETURN_IF_ERROR(lister.Walk().WithContext("list of " + Describe()));
  auto& items = lister.items();

  ListPage out;
  if (items.size() > page) {
    items.resize(page);
    out.next_marker = items.back().key;
  }
  for (auto& item : items) {
    if (item.is_prefix) {
      out.prefixes.push_back(std::move(item.key));
      continue;
    }
    fs::path path = root_ / item.key;
    UniqueFd fd(OpenBeneath(root_, item.key, O_RDONLY | O_NONBLOCK));
    if (!fd.valid()) continue;  // deleted since the walk saw it
    auto props = PropertiesOf(fd.get(), path, item.key);
    if (!props.ok()) continue;
    out.blobs.push_back(std::move(props).value());
  }
  return out;
}

core::Result<std::unique_ptr<core::ByteSource>> LocalStore::Get(std::string_view name,
                                                                const GetOptions& options) {
  RETURN_IF_ERROR(ValidateLocalName(name));
  std::string blob(name);
  fs::path path = root_ / blob;
  UniqueFd fd(OpenBeneath(root_, blob, O_RDONLY | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
      return core::NotFoundError(fmt::format("blob {} not found in {}", blob, Describe()));
    }
    return IoError("cannot open blob", path, errno);
  }
  ASSIGN_OR_RETURN(FileStat st, StatFd(fd.get(), path));
  if (!st.regular)
    return core::NotFoundError(fmt::format("blob {} not found in {}", blob, Describe()));
  if (!options.if_match.empty() && options.if_match != "*" && options.if_match != ETagOf(st)) {
    return core::FailedPreconditionError(
        fmt::format("blob {} in {} has changed (ETag {} is not {}); read it again", blob,
                    Describe(), ETagOf(st), options.if_match));
  }
  if (options.offset > st.size) {
    return core::InvalidArgumentError(
        fmt::format("blob {} has {} bytes; a read from byte {} is out of range", blob, st.size,
                    options.offset));
  }
  uint64_t length = st.size - options.offset;
  if (options.length && *options.length < length) length = *options.length;

  Md5Ctx md5;
  std::string expected;
  bool whole = options.offset == 0 && length == st.size;
  if (whole && options.verify_md5) {
    expected = GetXattr(fd.get(), kMd5Attr).value_or("");
    if (!expected.empty()) md5 = NewMd5();
  }
  return std::unique_ptr<core::ByteSource>(std::make_unique<FileSource>(
      std::move(fd), blob, options.offset, length, std::move(md5), std::move(expected)));
}

core::Result<BlobProperties> LocalStore::Put(std::string_view name, core::ByteSource& data,
                                             const PutOptions& options) {
  RETURN_IF_ERROR(ValidateLocalName(name));
  std::string blob(name);
  fs::path target = root_ / blob;
  fs::path dir = target.parent_path();
  std::map<std::string, std::string> metadata;
  for (const auto& [key, value] : options.metadata) {
    if (key.empty() || key.find('\0') != std::string::npos ||
        value.find('\0') != std::string::npos) {
      return core::InvalidArgumentError(fmt::format(
          "put of blob {}: metadata key \"{}\" is empty or holds a NUL byte", blob, key));
    }
    metadata[core::ToLower(key)] = value;
  }
  if (SymlinkedFolderOnTheWay(root_, blob)) {
    return core::FailedPreconditionError(fmt::format(
        "put of blob {} in {}: a folder on its path is a symbolic link, which the local store "
        "does not follow",
        blob, Describe()));
  }

  // Create the folders and the temporary file. A concurrent Delete may remove a folder it just
  // emptied between the two steps, so try again a few times.
  fs::path temp;
  UniqueFd fd;
  bool created_dirs = false;
  for (int attempt = 0; attempt < 20 && !fd.valid(); ++attempt) {
    std::error_code ec;
    created_dirs = fs::create_directories(dir, ec) || created_dirs;
    // A parent removed by that Delete while the folders were being made: make them again.
    if (ec == std::errc::no_such_file_or_directory) continue;
    if (ec) {
      if (ec == std::errc::not_a_directory || ec == std::errc::file_exists) {
        return core::FailedPreconditionError(fmt::format(
            "put of blob {} in {}: a blob already exists where a folder of this name would be",
            blob, Describe()));
      }
      return core::InternalError(fmt::format("put of blob {}: cannot create folder {}: {}", blob,
                                             dir.string(), ec.message()));
    }
    temp = dir / (std::string(kTempPrefix) + core::NewUuid());
    fd = UniqueFd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.valid() && errno != ENOENT) return IoError("cannot create", temp, errno);
  }
  if (!fd.valid()) return IoError("cannot create", temp, ENOENT);
  core::Cleanup remove_temp([&temp] { ::unlink(temp.c_str()); });

  // Copy the data, hashing as it goes.
  Md5Ctx md5 = NewMd5();
  std::vector<std::byte> buffer(kPutBufferBytes);
  while (true) {
    auto n = data.Read(buffer);
    if (!n.ok()) return n.status().WithContext("put of blob " + blob);
    if (*n == 0) break;
    if (md5) EVP_DigestUpdate(md5.get(), buffer.data(), *n);
    // A full disk names the blob, not only the temporary file (removed on the way out).
    core::Status written = WriteAll(fd.get(), buffer.data(), *n, temp);
    if (!written.ok()) return written.WithContext("put of blob " + blob);
  }
  std::string content_md5 = md5 ? FinishMd5Base64(md5.get()) : "";

  // Attributes before the fsync so they reach the disk with the data. Best effort: a file system
  // without user xattrs just loses them.
  if (!content_md5.empty() &&
      ::fsetxattr(fd.get(), kMd5Attr, content_md5.data(), content_md5.size(), 0) != 0) {
    content_md5.clear();
  }
  if (options.content_type != kDefaultContentType) {
    ::fsetxattr(fd.get(), kContentTypeAttr, options.content_type.data(),
                options.content_type.size(), 0);
  }
  for (const auto& [key, value] : metadata) {
    std::string attr = std::string(kMetaAttrPrefix) + key;
    ::fsetxattr(fd.get(), attr.c_str(), value.data(), value.size(), 0);
  }
  timespec times[2] = {{0, UTIME_OMIT}, NextStamp()};
  if (::futimens(fd.get(), times) != 0) return IoError("cannot set the time of", temp, errno);
  if (options_.fsync && ::fsync(fd.get()) != 0) return IoError("cannot fsync", temp, errno);

  {
    std::lock_guard<std::mutex> lock(put_mu_);
    auto conflict = [&](std::string why) {
      return core::FailedPreconditionError(
          fmt::format("put of blob {} in {}: {}", blob, Describe(), why));
    };
    if (!options.if_match.empty()) {
      UniqueFd current(OpenBeneath(root_, blob, O_RDONLY | O_NONBLOCK));
      if (!current.valid())
        return conflict("it does not exist but If-Match was " + options.if_match);
      ASSIGN_OR_RETURN(FileStat st, StatFd(current.get(), target));
      if (!st.regular) return conflict("a folder of this name exists");
      if (options.if_match != "*" && ETagOf(st) != options.if_match) {
        return conflict(fmt::format("it changed (ETag {} is not {}); read it again and retry",
                                    ETagOf(st), options.if_match));
      }
    }
    int rc;
    if (options.if_none_match_any) {
      rc = ::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE);
      if (rc != 0 && errno == EINVAL) {  // file system without RENAME_NOREPLACE
        struct stat st {};
        if (::lstat(target.c_str(), &st) == 0) {
          errno = EEXIST;
        } else {
          rc = ::rename(temp.c_str(), target.c_str());
        }
      }
      if (rc != 0 && errno == EEXIST) return conflict("it already exists (If-None-Match: *)");
    } else {
      rc = ::rename(temp.c_str(), target.c_str());
    }
    if (rc != 0) {
      if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) {
        return conflict("a folder of this name exists (it holds other blobs)");
      }
      return IoError("cannot rename into place", target, errno);
    }
    remove_temp.Cancel();
  }

  if (options_.fsync) {
    // The rename lives in the folder; new folders live in their parents, up to the root.
    for (fs::path d = dir;; d = d.parent_path()) {
      RETURN_IF_ERROR(FsyncDir(d));
      if (!created_dirs || d == root_ || !d.has_parent_path() || d.parent_path() == d) break;
    }
  }
  // From the descriptor: the file we wrote, even if another Put has replaced it since.
  return PropertiesOf(fd.get(), target, blob);
}

core::Status LocalStore::Delete(std::string_view name, const DeleteOptions& options) {
  RETURN_IF_ERROR(ValidateLocalName(name));
  std::string blob(name);
  fs::path target = root_ / blob;
  {
    std::lock_guard<std::mutex> lock(put_mu_);
    struct stat st {};
    if (SymlinkedFolderOnTheWay(root_, blob) || ::lstat(target.c_str(), &st) != 0 ||
        !S_ISREG(st.st_mode)) {
      return core::NotFoundError(fmt::format("blob {} not found in {}", blob, Describe()));
    }
    if (!options.if_match.empty() && options.if_match != "*") {
      UniqueFd current(OpenBeneath(root_, blob, O_RDONLY | O_NONBLOCK));
      if (!current.valid()) {
        return core::NotFoundError(fmt::format("blob {} not found in {}", blob, Describe()));
      }
      ASSIGN_OR_RETURN(FileStat now, StatFd(current.get(), target));
      if (ETagOf(now) != options.if_match) {
        return core::FailedPreconditionError(fmt::format(
            "delete of blob {} in {}: it was replaced (ETag {} is not {}); the newer version is "
            "kept",
            blob, Describe(), ETagOf(now), options.if_match));
      }
    }
    if (::unlink(target.c_str()) != 0) {
      if (errno == ENOENT) {
        return core::NotFoundError(fmt::format("blob {} not found in {}", blob, Describe()));
      }
      return IoError("cannot delete", target, errno);
    }
  }
  // Remove folders the delete left empty, so cleaned-up drops leave nothing behind. rmdir fails
  // on a folder that still holds anything, which ends the climb.
  fs::path dir = target.parent_path();
  fs::path last_changed = dir;
  while (dir != root_ && dir.string().size() > root_.string().size()) {
    if (::rmdir(dir.c_str()) != 0) break;
    dir = dir.parent_path();
    last_changed = dir;
  }
  if (options_.fsync) RETURN_IF_ERROR(FsyncDir(last_changed));
  return core::OkStatus();
}

core::Result<BlobProperties> LocalStore::GetProperties(std::string_view name) {
  RETURN_IF_ERROR(ValidateLocalName(name));
  std::string blob(name);
  fs::path path = root_ / blob;
  UniqueFd fd(OpenBeneath(root_, blob, O_RDONLY | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
      return core::NotFoundError(fmt::format("blob {} not found in {}", blob, Describe()));
    }
    return IoError("cannot open blob", path, errno);
  }
  ASSIGN_OR_RETURN(FileStat st, StatFd(fd.get(), path));
  if (!st.regular) {
    return core::NotFoundError(fmt::format("blob {} not found in {}", blob, Describe()));
  }
  return PropertiesOf(fd.get(), path, blob);
}

}  // namespace vivalink::store
