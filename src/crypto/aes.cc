#include "crypto/aes.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/base64.h"
#include "crypto/internal/openssl_util.h"

namespace vivalink::crypto {
namespace {

constexpr size_t kAesBlock = 16;
constexpr size_t kKeyBytes = 32;
// EVP takes int lengths; keep every chunk well below INT_MAX.
constexpr size_t kMaxChunk = size_t{1} << 28;

// Fetched once; implicit fetching (EVP_aes_256_cbc()) costs a provider lookup per init.
const EVP_CIPHER* Aes256Cbc() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  return cipher;
}

size_t ChunkSize(size_t requested) {
  size_t n = std::clamp(requested, kAesBlock, kMaxChunk);
  return n / kAesBlock * kAesBlock;
}

const unsigned char* U8(const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* U8(std::byte* p) { return reinterpret_cast<unsigned char*>(p); }

core::Status CheckKey(const AesKeyIv& key) {
  if (key.key.size() != kKeyBytes) {
    return core::InvalidArgumentError("AES-256 key is " + std::to_string(key.key.size()) +
                                      " bytes, expected 32; check the run's decryption key");
  }
  return core::OkStatus();
}

// A cipher context set up for key/iv in the given direction (1 encrypt, 0 decrypt).
core::Result<internal::CipherCtx> NewCipherCtx(const AesKeyIv& key, int encrypt) {
  RETURN_IF_ERROR(CheckKey(key));
  const EVP_CIPHER* cipher = Aes256Cbc();
  if (cipher == nullptr) return core::InternalError(internal::OpensslError("AES-256-CBC missing"));
  internal::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return core::InternalError(internal::OpensslError("EVP_CIPHER_CTX_new failed"));
  if (EVP_CipherInit_ex2(ctx.get(), cipher, U8(key.key.data()), U8(key.iv.data()), encrypt,
                         nullptr) != 1) {
    return core::InternalError(internal::OpensslError("AES-256-CBC init failed"));
  }
  return ctx;
}

std::string TruncatedMessage(std::string_view name, uint64_t total) {
  return std::string(name) + ": truncated ciphertext: " + std::to_string(total) +
         " bytes is not a whole number of 16-byte AES blocks (the block at byte offset " +
         std::to_string(total / kAesBlock * kAesBlock) +
         " is incomplete or missing); the file was cut short while written or downloaded, "
         "download it again";
}

std::string BadPaddingMessage(std::string_view name, uint64_t total) {
  return std::string(name) + ": bad padding in the last AES-CBC block (byte offset " +
         std::to_string(total - kAesBlock) + " of " + std::to_string(total) +
         "): the file key or IV is wrong, or the file was tampered with or truncated; check "
         "that the decryption keys belong to this run and download the file again";
}

// Reads from source until buf is full or the source ends; returns the bytes read.
core::Result<size_t> ReadFull(core::ByteSource& source, std::span<std::byte> buf, bool& eof) {
  size_t got = 0;
  while (got < buf.size()) {
    ASSIGN_OR_RETURN(size_t n, source.Read(buf.subspan(got)));
    if (n == 0) {
      eof = true;
      break;
    }
    got += n;
  }
  return got;
}

}  // namespace

// ----------------------------------------------------------------------------------------------
// AesKeyIv

AesKeyIv AesKeyIv::Random() {
  AesKeyIv k;
  k.key.resize(kKeyBytes);
  if (RAND_priv_bytes(U8(k.key.data()), static_cast<int>(kKeyBytes)) != 1 ||
      RAND_bytes(U8(k.iv.data()), static_cast<int>(k.iv.size())) != 1) {
    // No input leads here: the CSPRNG itself is broken, and a weak key must never be used.
    std::string msg = internal::OpensslError("RAND_bytes failed");
    std::fprintf(stderr, "vivalink crypto: fatal: %s\n", msg.c_str());
    std::abort();
  }
  return k;
}

core::Result<AesKeyIv> AesKeyIv::From(std::span<const std::byte> key,
                                      std::span<const std::byte> iv) {
  if (key.size() != kKeyBytes) {
    return core::InvalidArgumentError("AES-256 key is " + std::to_string(key.size()) +
                                      " bytes, expected 32; check the run's decryption key");
  }
  if (iv.size() != kAesBlock) {
    return core::InvalidArgumentError("AES IV is " + std::to_string(iv.size()) +
                                      " bytes, expected 16; check the run's decryption key");
  }
  AesKeyIv k;
  k.key.assign(key.begin(), key.end());
  std::copy(iv.begin(), iv.end(), k.iv.begin());
  return k;
}

// ----------------------------------------------------------------------------------------------
// AesCbcDecryptSource

struct AesCbcDecryptSource::Impl {
  std::unique_ptr<core::ByteSource> inner;
  std::string name;
  internal::CipherCtx ctx;
  core::Status status;            // sticky: once failed, every Read returns it
  std::vector<std::byte> cipher;  // one chunk of ciphertext
  core::SecureBytes plain;        // decrypted bytes not yet handed out
  size_t plain_pos = 0;
  size_t plain_len = 0;
  uint64_t consumed = 0;
  bool inner_eof = false;
  bool finished = false;

  // Decrypts the next chunk into dst (room for chunk + 16 bytes); returns bytes written.
  core::Result<size_t> DecryptChunk(std::byte* dst) {
    bool eof = false;
    ASSIGN_OR_RETURN(size_t got, ReadFull(*inner, cipher, eof));
    inner_eof = eof;
    consumed += got;
    int len = 0;
    if (got > 0 && EVP_DecryptUpdate(ctx.get(), U8(dst), &len, U8(cipher.data()),
                                     static_cast<int>(got)) != 1) {
      return core::InternalError(internal::OpensslError(name + ": AES-CBC decrypt failed"));
    }
    size_t written = static_cast<size_t>(len);
    if (inner_eof) {
      finished = true;
      // OpenSSL held the last block back; only now can its padding be checked.
      if (consumed == 0 || consumed % kAesBlock != 0) {
        return core::DataLossError(TruncatedMessage(name, consumed));
      }
      int final_len = 0;
      if (EVP_DecryptFinal_ex(ctx.get(), U8(dst + written), &final_len) != 1) {
        internal::ClearOpensslErrors();
        return core::DataLossError(BadPaddingMessage(name, consumed));
      }
      written += static_cast<size_t>(final_len);
    }
    return written;
  }
};

AesCbcDecryptSource::AesCbcDecryptSource(std::unique_ptr<core::ByteSource> inner,
                                         const AesKeyIv& key, std::string source_name,
                                         size_t block_bytes)
    : impl_(std::make_unique<Impl>()) {
  impl_->inner = std::move(inner);
  impl_->name = std::move(source_name);
  auto ctx = NewCipherCtx(key, 0);
  if (!ctx.ok()) {
    impl_->status = ctx.status().WithContext(impl_->name);
    return;
  }
  impl_->ctx = std::move(ctx).value();
  size_t chunk = ChunkSize(block_bytes);
  impl_->cipher.resize(chunk);
  impl_->plain.resize(chunk + kAesBlock);
}

AesCbcDecryptSource::~AesCbcDecryptSource() = default;

core::Result<size_t> AesCbcDecryptSource::Read(std::span<std::byte> out) {
  Impl& s = *impl_;
  if (!s.status.ok()) return s.status;
  if (out.empty()) return size_t{0};
  while (true) {
    if (s.plain_pos < s.plain_len) {
      size_t n = std::min(out.size(), s.plain_len - s.plain_pos);
      std::memcpy(out.data(), s.plain.data() + s.plain_pos, n);
      s.plain_pos += n;
      return n;
    }
    if (s.finished) return size_t{0};
    // A caller with a big buffer gets the plaintext written straight into it (one copy less).
    bool direct = out.size() >= s.cipher.size() + kAesBlock;
    auto r = s.DecryptChunk(direct ? out.data() : s.plain.data());
    if (!r.ok()) {
      s.status = r.status();
      return s.status;
    }
    if (direct) {
      if (*r > 0) return *r;
    } else {
      s.plain_pos = 0;
      s.plain_len = *r;
    }
  }
}

uint64_t AesCbcDecryptSource::ciphertext_bytes() const { return impl_->consumed; }

// ----------------------------------------------------------------------------------------------
// AesCbcEncryptSource

struct AesCbcEncryptSource::Impl {
  std::unique_ptr<core::ByteSource> inner;
  internal::CipherCtx ctx;
  core::Status status;
  core::SecureBytes plain;  // one chunk of plaintext
  std::vector<std::byte> cipher;
  size_t cipher_pos = 0;
  size_t cipher_len = 0;
  bool finished = false;

  core::Status EncryptChunk() {
    bool eof = false;
    ASSIGN_OR_RETURN(size_t got, ReadFull(*inner, plain, eof));
    int len = 0;
    if (got > 0 && EVP_EncryptUpdate(ctx.get(), U8(cipher.data()), &len, U8(plain.data()),
                                     static_cast<int>(got)) != 1) {
      return core::InternalError(internal::OpensslError("AES-CBC encrypt failed"));
    }
    cipher_pos = 0;
    cipher_len = static_cast<size_t>(len);
    if (eof) {
      int final_len = 0;
      if (EVP_EncryptFinal_ex(ctx.get(), U8(cipher.data() + cipher_len), &final_len) != 1) {
        return core::InternalError(internal::OpensslError("AES-CBC encrypt final failed"));
      }
      cipher_len += static_cast<size_t>(final_len);
      finished = true;
    }
    return core::OkStatus();
  }
};

AesCbcEncryptSource::AesCbcEncryptSource(std::unique_ptr<core::ByteSource> inner,
                                         const AesKeyIv& key, size_t block_bytes)
    : impl_(std::make_unique<Impl>()) {
  impl_->inner = std::move(inner);
  auto ctx = NewCipherCtx(key, 1);
  if (!ctx.ok()) {
    impl_->status = ctx.status();
    return;
  }
  impl_->ctx = std::move(ctx).value();
  size_t chunk = ChunkSize(block_bytes);
  impl_->plain.resize(chunk);
  impl_->cipher.resize(chunk + kAesBlock);
}

AesCbcEncryptSource::~AesCbcEncryptSource() = default;

core::Result<size_t> AesCbcEncryptSource::Read(std::span<std::byte> out) {
  Impl& s = *impl_;
  if (!s.status.ok()) return s.status;
  if (out.empty()) return size_t{0};
  while (true) {
    if (s.cipher_pos < s.cipher_len) {
      size_t n = std::min(out.size(), s.cipher_len - s.cipher_pos);
      std::memcpy(out.data(), s.cipher.data() + s.cipher_pos, n);
      s.cipher_pos += n;
      return n;
    }
    if (s.finished) return size_t{0};
    s.status = s.EncryptChunk();
    if (!s.status.ok()) return s.status;
  }
}

// ----------------------------------------------------------------------------------------------
// One-shot helpers

core::Result<std::string> AesCbcEncrypt(const AesKeyIv& key, std::span<const std::byte> plain) {
  if (plain.size() > kMaxChunk) {
    AesCbcEncryptSource source(std::make_unique<core::MemorySource>(core::AsChars(plain)), key);
    return core::ReadAll(source);
  }
  ASSIGN_OR_RETURN(auto ctx, NewCipherCtx(key, 1));
  std::string out(plain.size() / kAesBlock * kAesBlock + kAesBlock, '\0');
  int len = 0;
  int final_len = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_EncryptUpdate(ctx.get(), dst, &len, U8(plain.data()), static_cast<int>(plain.size())) !=
          1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + len, &final_len) != 1) {
    return core::InternalError(internal::OpensslError("AES-CBC encrypt failed"));
  }
  out.resize(static_cast<size_t>(len) + static_cast<size_t>(final_len));
  return out;
}

core::Result<core::SecureString> AesCbcDecrypt(const AesKeyIv& key,
                                               std::span<const std::byte> cipher) {
  constexpr std::string_view kName = "ciphertext";
  if (cipher.empty() || cipher.size() % kAesBlock != 0) {
    return core::DataLossError(TruncatedMessage(kName, cipher.size()));
  }
  if (cipher.size() > kMaxChunk) {
    return core::InvalidArgumentError("ciphertext of " + std::to_string(cipher.size()) +
                                      " bytes is too large for one-shot decryption; stream it "
                                      "through AesCbcDecryptSource");
  }
  ASSIGN_OR_RETURN(auto ctx, NewCipherCtx(key, 0));
  core::SecureString out(cipher.size(), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  if (EVP_DecryptUpdate(ctx.get(), dst, &len, U8(cipher.data()), static_cast<int>(cipher.size())) !=
      1) {
    return core::InternalError(internal::OpensslError("AES-CBC decrypt failed"));
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), dst + len, &final_len) != 1) {
    internal::ClearOpensslErrors();
    return core::DataLossError(BadPaddingMessage(kName, cipher.size()));
  }
  out.resize(static_cast<size_t>(len) + static_cast<size_t>(final_len));
  return out;
}

// ----------------------------------------------------------------------------------------------
// ColumnCipher

struct ColumnCipher::Impl {
  core::Status status;  // kInvalidArgument when the key was unusable
  internal::CipherCtx dec;
  internal::CipherCtx enc;  // created on first EncryptToBase64 (only the simulator encrypts)
  core::SecureBytes key;
  std::array<std::byte, 16> iv{};
  std::vector<std::byte> buf;  // decoded ciphertext, grows to the longest value seen
  std::string scratch;         // encrypt output before base64
};

ColumnCipher::ColumnCipher(const AesKeyIv& key) : impl_(std::make_unique<Impl>()) {
  impl_->key = key.key;
  impl_->iv = key.iv;
  auto dec = NewCipherCtx(key, 0);
  if (!dec.ok()) {
    impl_->status = dec.status();
    return;
  }
  impl_->dec = std::move(dec).value();
}

ColumnCipher::~ColumnCipher() = default;
ColumnCipher::ColumnCipher(ColumnCipher&&) noexcept = default;
ColumnCipher& ColumnCipher::operator=(ColumnCipher&&) noexcept = default;

std::string ColumnCipher::EncryptToBase64(std::string_view plain) {
  Impl& s = *impl_;
  if (!s.status.ok()) return {};
  if (!s.enc) {
    AesKeyIv k;
    k.key = s.key;
    k.iv = s.iv;
    auto enc = NewCipherCtx(k, 1);
    if (!enc.ok()) return {};
    s.enc = std::move(enc).value();
  } else if (EVP_EncryptInit_ex(s.enc.get(), nullptr, nullptr, nullptr, U8(s.iv.data())) != 1) {
    internal::ClearOpensslErrors();
    return {};
  }
  if (plain.size() > kMaxChunk) return {};
  s.scratch.resize(plain.size() / kAesBlock * kAesBlock + kAesBlock);
  auto* dst = reinterpret_cast<unsigned char*>(s.scratch.data());
  int len = 0;
  int final_len = 0;
  if (EVP_EncryptUpdate(s.enc.get(), dst, &len,
                        reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(s.enc.get(), dst + len, &final_len) != 1) {
    internal::ClearOpensslErrors();
    return {};
  }
  size_t n = static_cast<size_t>(len) + static_cast<size_t>(final_len);
  return core::Base64Encode(std::string_view(s.scratch.data(), n));
}

core::Status ColumnCipher::DecryptBase64(std::string_view cipher_b64, std::string& out) {
  Impl& s = *impl_;
  if (!s.status.ok()) return s.status;
  size_t max = core::Base64DecodedMaxSize(cipher_b64.size());
  if (max > kMaxChunk) {
    return core::DataLossError("column value of " + std::to_string(cipher_b64.size()) +
                               " characters is far too long to be an encrypted id");
  }
  if (s.buf.size() < max) s.buf.resize(max);
  auto decoded = core::Base64DecodeTo(cipher_b64, s.buf);
  if (!decoded.ok()) {
    return core::DataLossError("column value is not valid base64 (" + decoded.status().message() +
                               "); the column is not encrypted or the row is corrupt");
  }
  size_t n = *decoded;
  if (n == 0 || n % kAesBlock != 0) {
    return core::DataLossError("column value decodes to " + std::to_string(n) +
                               " bytes, not a whole number of 16-byte AES blocks; the column "
                               "is not encrypted or the row is corrupt");
  }
  // Resetting only the IV keeps the expanded key: no allocation, no key schedule per value.
  if (EVP_DecryptInit_ex(s.dec.get(), nullptr, nullptr, nullptr, U8(s.iv.data())) != 1) {
    return core::InternalError(internal::OpensslError("AES-CBC re-init failed"));
  }
  out.resize(n);  // the plaintext is at least one byte shorter than n
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  if (EVP_DecryptUpdate(s.dec.get(), dst, &len, U8(s.buf.data()), static_cast<int>(n)) != 1) {
    return core::InternalError(internal::OpensslError("AES-CBC decrypt failed"));
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(s.dec.get(), dst + len, &final_len) != 1) {
    internal::ClearOpensslErrors();
    out.clear();
    return core::DataLossError(
        "column value has bad padding after decryption: the column key or IV is wrong for this "
        "run, or the value was altered");
  }
  out.resize(static_cast<size_t>(len) + static_cast<size_t>(final_len));
  return core::OkStatus();
}

}  // namespace vivalink::crypto
