// UniqueHandle: one owner for a C handle (CURL*, EVP_CIPHER_CTX*, sqlite3*, PGconn*, ...).
//   using CipherCtx = core::UniqueHandle<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
#pragma once

#include <memory>

namespace vivalink::core {

template <auto Fn>
struct FnDeleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    if (p != nullptr) Fn(p);
  }
};

template <typename T, auto Free>
using UniqueHandle = std::unique_ptr<T, FnDeleter<Free>>;

}  // namespace vivalink::core
