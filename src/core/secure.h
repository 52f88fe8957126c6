// Containers for keys and plaintext: their memory is wiped (OPENSSL_cleanse) whenever it is
// released, including the old block when a vector or string grows. Never log their contents.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace vivalink::core {

// Overwrites n bytes at p with zeros in a way the optimiser cannot remove.
void SecureWipe(void* p, size_t n);

template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT
  T* allocate(size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, size_t n) noexcept {
    SecureWipe(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

using SecureBytes = std::vector<std::byte, WipingAllocator<std::byte>>;
using SecureString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

}  // namespace vivalink::core
