#include "crypto/internal/openssl_util.h"

#include <openssl/err.h>

namespace vivalink::crypto::internal {

std::string OpensslError(std::string_view what) {
  std::string out(what);
  bool first = true;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    out += first ? " (" : "; ";
    out += buf;
    first = false;
  }
  if (!first) out += ')';
  return out;
}

void ClearOpensslErrors() { ERR_clear_error(); }

}  // namespace vivalink::crypto::internal
