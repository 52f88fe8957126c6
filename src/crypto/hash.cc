#include "crypto/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/internal/openssl_util.h"

namespace vivalink::crypto {
namespace {

// The digests here fail only when OpenSSL cannot allocate or its default provider is missing;
// no input can cause that, and callers have no sensible way on, so it ends the process loudly.
[[noreturn]] void Fatal(std::string_view what) {
  std::string msg = internal::OpensslError(what);
  std::fprintf(stderr, "vivalink crypto: fatal: %s\n", msg.c_str());
  std::abort();
}

// Fetched once: implicit fetching (EVP_sha256()) costs a provider lookup on every init.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) Fatal("SHA-256 is not available");
  return md;
}
const EVP_MD* Md5Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  if (md == nullptr) Fatal("MD5 is not available");
  return md;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  std::string out(static_cast<size_t>(EVP_MD_get_size(md)), '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, md,
                 nullptr) != 1) {
    Fatal("EVP_Digest failed");
  }
  out.resize(len);
  return out;
}

void InitDigest(EVP_MD_CTX* ctx, const EVP_MD* md) {
  if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1) Fatal("EVP_DigestInit_ex2 failed");
}

internal::MdCtx NewDigestCtx(const EVP_MD* md) {
  internal::MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) Fatal("EVP_MD_CTX_new failed");
  InitDigest(ctx.get(), md);
  return ctx;
}

std::string FinishDigest(EVP_MD_CTX* ctx, const EVP_MD* md) {
  std::string out(static_cast<size_t>(EVP_MD_get_size(md)), '\0');
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) != 1) {
    Fatal("EVP_DigestFinal_ex failed");
  }
  out.resize(len);
  InitDigest(ctx, md);
  return out;
}

void UpdateDigest(EVP_MD_CTX* ctx, std::string_view data) {
  if (EVP_DigestUpdate(ctx, data.data(), data.size()) != 1) Fatal("EVP_DigestUpdate failed");
}

}  // namespace

std::string Sha256(std::string_view data) { return Digest(Sha256Md(), data); }

std::string Md5(std::string_view data) { return Digest(Md5Md(), data); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  // HMAC() wants a non-null key pointer even for an empty key.
  static const unsigned char kEmpty = 0;
  const auto* key_ptr = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (HMAC(Sha256Md(), key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(out.data()), &len) == nullptr) {
    Fatal("HMAC-SHA256 failed");
  }
  out.resize(len);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // The length is not secret (digests and MACs have fixed sizes); the content is.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    Fatal("RAND_bytes failed: the CSPRNG is not seeded");
  }
  return out;
}

struct Sha256Hasher::Impl {
  internal::MdCtx ctx = NewDigestCtx(Sha256Md());
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {}
Sha256Hasher::~Sha256Hasher() = default;
void Sha256Hasher::Update(std::string_view data) { UpdateDigest(impl_->ctx.get(), data); }
std::string Sha256Hasher::Finish() { return FinishDigest(impl_->ctx.get(), Sha256Md()); }

struct Md5Hasher::Impl {
  internal::MdCtx ctx = NewDigestCtx(Md5Md());
};

Md5Hasher::Md5Hasher() : impl_(std::make_unique<Impl>()) {}
Md5Hasher::~Md5Hasher() = default;
void Md5Hasher::Update(std::string_view data) { UpdateDigest(impl_->ctx.get(), data); }
std::string Md5Hasher::Finish() { return FinishDigest(impl_->ctx.get(), Md5Md()); }

}  // namespace vivalink::crypto
