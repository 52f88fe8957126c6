#include "core/secure.h"

#include <openssl/crypto.h>

namespace vivalink::core {

void SecureWipe(void* p, size_t n) {
  if (p != nullptr && n > 0) OPENSSL_cleanse(p, n);
}

}  // namespace vivalink::core
