#include "core/secure.h"

#include <openssl/crypto.h>
#include <sys/mman.h>

#include <new>

namespace vivalink::core {

void SecureWipe(void* p, size_t n) {
  if (p != nullptr && n > 0) OPENSSL_cleanse(p, n);
}

void WipeAndClear(std::string& s) {
  s.resize(s.capacity());
  SecureWipe(s.data(), s.size());
  s.clear();
}

void* MapSecurePages(size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  // Best effort: a kernel without these flags still gives wiped memory.
  (void)::madvise(p, bytes, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
  (void)::madvise(p, bytes, MADV_WIPEONFORK);
#endif
  return p;
}

void UnmapSecurePages(void* p, size_t bytes) noexcept {
  if (p == nullptr) return;
  SecureWipe(p, bytes);
  ::munmap(p, bytes);
}

}  // namespace vivalink::core
