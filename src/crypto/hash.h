// Digests and MACs: SHA-256, MD5 (only for Azure's Content-MD5), HMAC-SHA256 (Shared Key, SAS,
// webhook signatures), constant-time comparison, CSPRNG bytes. Thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/io.h"
#include "core/status.h"

namespace vivalink::crypto {

std::string Sha256(std::string_view data);                            // raw 32 bytes
std::string Md5(std::string_view data);                               // raw 16 bytes
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
bool ConstantTimeEquals(std::string_view a, std::string_view b);
std::string RandomBytes(size_t n);

// Incremental digests for streams.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  void Update(std::string_view data);
  std::string Finish();  // raw digest; the hasher is then reset

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

class Md5Hasher {
 public:
  Md5Hasher();
  ~Md5Hasher();
  void Update(std::string_view data);
  std::string Finish();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivalink::crypto
