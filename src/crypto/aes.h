// AES-256-CBC with PKCS#7 padding (PROTOCOL §3): streaming for data files, one-shot for column
// values. Keys live in wiped memory. Not thread-safe per object; use one object per thread.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/io.h"
#include "core/secure.h"
#include "core/status.h"

namespace vivalink::crypto {

struct AesKeyIv {
  core::SecureBytes key;           // 32 bytes
  std::array<std::byte, 16> iv{};  // 16 bytes
  // Fresh random key and IV (CSPRNG).
  static AesKeyIv Random();
  // kInvalidArgument unless key is 32 bytes and iv 16.
  static core::Result<AesKeyIv> From(std::span<const std::byte> key, std::span<const std::byte> iv);
};

// Decrypts the ciphertext read from inner. Works in large blocks (1 MiB by default). At the end
// the PKCS#7 padding is checked: a wrong key or a tampered/truncated last block gives kDataLoss
// ("bad padding"); a ciphertext length that is not a multiple of 16 gives kDataLoss
// ("truncated ciphertext"). Messages name source_name and the byte offset.
class AesCbcDecryptSource final : public core::ByteSource {
 public:
  AesCbcDecryptSource(std::unique_ptr<core::ByteSource> inner, const AesKeyIv& key,
                      std::string source_name, size_t block_bytes = 1 << 20);
  ~AesCbcDecryptSource() override;
  core::Result<size_t> Read(std::span<std::byte> out) override;
  uint64_t ciphertext_bytes() const;  // consumed from inner so far

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Encrypts the plaintext read from inner (used by vivasim and tests).
class AesCbcEncryptSource final : public core::ByteSource {
 public:
  AesCbcEncryptSource(std::unique_ptr<core::ByteSource> inner, const AesKeyIv& key,
                      size_t block_bytes = 1 << 20);
  ~AesCbcEncryptSource() override;
  core::Result<size_t> Read(std::span<std::byte> out) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// One-shot helpers.
core::Result<std::string> AesCbcEncrypt(const AesKeyIv& key, std::span<const std::byte> plain);
core::Result<core::SecureString> AesCbcDecrypt(const AesKeyIv& key,
                                               std::span<const std::byte> cipher);

// Column values: base64(AES-256-CBC(column key, column IV, UTF-8 value)). One IV per run makes it
// deterministic, so equal ids stay equal. Reuses one cipher context; not thread-safe.
class ColumnCipher {
 public:
  // A key that is not 32 bytes makes DecryptBase64 return kInvalidArgument and
  // EncryptToBase64 return "" (check keys with AesKeyIv::From first).
  explicit ColumnCipher(const AesKeyIv& key);
  ~ColumnCipher();
  ColumnCipher(ColumnCipher&&) noexcept;
  ColumnCipher& operator=(ColumnCipher&&) noexcept;
  std::string EncryptToBase64(std::string_view plain);
  // Decrypts into out (replaced). kDataLoss for bad base64, length or padding.
  core::Status DecryptBase64(std::string_view cipher_b64, std::string& out);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivalink::crypto
