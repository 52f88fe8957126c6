// Containers for keys and plaintext: their memory is wiped (OPENSSL_cleanse) whenever it is
// released, including the old block when a vector or string grows, and the small-string buffer
// of a SecureString when it is destroyed. Large blocks (kSecurePageBytes and up) live on their own
// pages that core dumps leave out. Never log their contents.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace vivalink::core {

// Overwrites n bytes at p with zeros in a way the optimiser cannot remove.
void SecureWipe(void* p, size_t n);

// Blocks of at least this many bytes are mapped on their own pages, excluded from core dumps
// (MADV_DONTDUMP) and from a forked child (MADV_WIPEONFORK where the kernel has it).
inline constexpr size_t kSecurePageBytes = 64u << 10;
// Maps such a block; throws std::bad_alloc when the kernel refuses (an allocator's contract).
void* MapSecurePages(size_t bytes);
// Wipes and unmaps a block of MapSecurePages.
void UnmapSecurePages(void* p, size_t bytes) noexcept;

template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT
  T* allocate(size_t n) {
    if (n >= kSecurePageBytes / sizeof(T)) return static_cast<T*>(MapSecurePages(n * sizeof(T)));
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n >= kSecurePageBytes / sizeof(T)) {
      UnmapSecurePages(p, n * sizeof(T));
      return;
    }
    SecureWipe(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

using SecureBytes = std::vector<std::byte, WipingAllocator<std::byte>>;

// Wipes every byte of s's buffer (its whole capacity, not only its size) and empties it, keeping
// the buffer. For a plain std::string scratch that an interface hands plaintext through: wiped
// after every use, the block it gives up when a longer value makes it grow holds only zeros.
void WipeAndClear(std::string& s);

using SecureStringBase = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

// A string whose bytes are wiped when released: heap blocks by the allocator, and the in-object
// small-string buffer (up to 15 characters, where short secrets live and no allocator ever
// sees them) by the destructor. A moved-from SecureString keeps stale bytes in that buffer until
// it is destroyed, when they are wiped too.
class SecureString : public SecureStringBase {
 public:
  using SecureStringBase::SecureStringBase;
  SecureString() = default;
  SecureString(const SecureStringBase& s) : SecureStringBase(s) {}                 // NOLINT
  SecureString(SecureStringBase&& s) noexcept : SecureStringBase(std::move(s)) {}  // NOLINT
  SecureString(const SecureString&) = default;
  SecureString(SecureString&&) noexcept = default;
  SecureString& operator=(const SecureString&) = default;
  SecureString& operator=(SecureString&&) noexcept = default;
  using SecureStringBase::operator=;
  ~SecureString() { SecureWipe(data(), capacity()); }
};

}  // namespace vivalink::core
