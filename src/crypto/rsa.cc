#include "crypto/rsa.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/base64.h"
#include "core/cleanup.h"
#include "core/io.h"
#include "crypto/internal/openssl_util.h"

namespace vivalink::crypto {

struct RsaPublicKey::Impl {
  internal::PkeyHandle pkey;
};
struct RsaPrivateKey::Impl {
  internal::PkeyHandle pkey;
};

namespace {

using internal::BignumHandle;
using internal::BioHandle;
using internal::PkeyCtx;
using internal::PkeyHandle;

constexpr int kMinBits = 2048;
constexpr int kMaxBits = 16384;
constexpr size_t kMaxPemBytes = 1 << 20;

// A key file is never protected by a passphrase here; refuse instead of prompting on the tty.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

std::string ErrnoText(int err) { return std::strerror(err); }

core::Result<std::string> ReadKeyFile(const std::filesystem::path& path, std::string_view what) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    int err = errno;
    std::string msg =
        "cannot open " + std::string(what) + " " + path.string() + ": " + ErrnoText(err);
    if (err == ENOENT) return core::NotFoundError(msg + "; check the configured key path");
    return core::FailedPreconditionError(msg + "; check the file's permissions");
  }
  std::string data;
  char buf[4096];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) {
    data.append(buf, static_cast<size_t>(f.gcount()));
    if (data.size() > kMaxPemBytes) {
      core::SecureWipe(data.data(), data.size());
      return core::InvalidArgumentError(path.string() + " is larger than 1 MiB; it is not a " +
                                        std::string(what));
    }
  }
  core::SecureWipe(buf, sizeof buf);
  return data;
}

core::Result<BioHandle> MemBio(std::string_view data) {
  if (data.size() > kMaxPemBytes) return core::InvalidArgumentError("PEM text is over 1 MiB");
  BioHandle bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) return core::InternalError(internal::OpensslError("BIO_new_mem_buf failed"));
  return bio;
}

core::Status CheckRsa(const EVP_PKEY* pkey, std::string_view what) {
  if (EVP_PKEY_is_a(pkey, "RSA") != 1) {
    return core::InvalidArgumentError(std::string(what) + " is not an RSA key");
  }
  int bits = EVP_PKEY_get_bits(pkey);
  if (bits < kMinBits || bits > kMaxBits) {
    return core::InvalidArgumentError(std::string(what) + " is RSA-" + std::to_string(bits) +
                                      "; need 2048 to 16384 bits");
  }
  return core::OkStatus();
}

// Everything written to a memory BIO, as S (std::string or core::SecureString).
template <typename S>
S BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return S(data, static_cast<size_t>(len));
}

core::Result<std::string> BigNumParam(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    return core::InternalError(internal::OpensslError(std::string("reading RSA ") + name));
  }
  BignumHandle bn(raw);
  std::string out(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

core::Result<BignumHandle> JwkNumber(std::string_view b64url, std::string_view field) {
  auto raw = core::Base64UrlDecode(b64url);
  if (!raw.ok()) {
    return core::InvalidArgumentError("JWK field " + std::string(field) +
                                      " is not base64url: " + raw.status().message());
  }
  if (raw->empty()) {
    return core::InvalidArgumentError("JWK field " + std::string(field) + " is empty");
  }
  BignumHandle bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(raw->data()),
                            static_cast<int>(raw->size()), nullptr));
  if (!bn) return core::InternalError(internal::OpensslError("BN_bin2bn failed"));
  return bn;
}

// An RSA-OAEP context with SHA-256 for the OAEP digest and MGF1, for encrypt or decrypt.
core::Result<PkeyCtx> OaepCtx(EVP_PKEY* pkey, bool encrypt) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) return core::InternalError(internal::OpensslError("EVP_PKEY_CTX_new failed"));
  int ok = encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get());
  if (ok != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx.get(), "SHA256", nullptr) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx.get(), "SHA256", nullptr) != 1) {
    return core::InternalError(internal::OpensslError("setting up RSA-OAEP-SHA256 failed"));
  }
  return ctx;
}

core::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::FailedPreconditionError("writing " + path + ": " + ErrnoText(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return core::OkStatus();
}

}  // namespace

// ----------------------------------------------------------------------------------------------
// RsaPublicKey

core::Result<RsaPublicKey> RsaPublicKey::FromPem(std::string_view pem) {
  ASSIGN_OR_RETURN(BioHandle bio, MemBio(pem));
  PkeyHandle pkey(
      PEM_read_bio_PUBKEY_ex(bio.get(), nullptr, NoPassphrase, nullptr, nullptr, nullptr));
  if (!pkey) {
    internal::ClearOpensslErrors();
    return core::InvalidArgumentError(
        "not a PEM public key (expected -----BEGIN PUBLIC KEY-----, SubjectPublicKeyInfo)");
  }
  RETURN_IF_ERROR(CheckRsa(pkey.get(), "the public key"));
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return RsaPublicKey(std::move(impl));
}

core::Result<RsaPublicKey> RsaPublicKey::LoadPem(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadKeyFile(path, "public key file"));
  auto key = FromPem(pem);
  if (!key.ok()) return key.status().WithContext(path.string());
  return key;
}

core::Result<RsaPublicKey> RsaPublicKey::FromJwk(const Jwk& jwk) {
  if (jwk.kty != "RSA") {
    return core::InvalidArgumentError("JWK kty is \"" + jwk.kty + "\", expected \"RSA\"");
  }
  ASSIGN_OR_RETURN(BignumHandle e, JwkNumber(jwk.e, "e"));
  ASSIGN_OR_RETURN(BignumHandle n, JwkNumber(jwk.n, "n"));
  internal::ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return core::InternalError(internal::OpensslError("building RSA parameters failed"));
  }
  internal::ParamList params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return core::InternalError(internal::OpensslError("EVP_PKEY_fromdata_init failed"));
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return core::InvalidArgumentError(internal::OpensslError("JWK is not a usable RSA key"));
  }
  PkeyHandle pkey(raw);
  RETURN_IF_ERROR(CheckRsa(pkey.get(), "the JWK"));
  // Reject e = 1, even e and similar nonsense before anyone encrypts with it.
  PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return core::InvalidArgumentError(internal::OpensslError("JWK fails the RSA public key check"));
  }
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return RsaPublicKey(std::move(impl));
}

std::string RsaPublicKey::ToPem() const {
  BioHandle bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) != 1) {
    internal::ClearOpensslErrors();
    return {};
  }
  return BioContents<std::string>(bio.get());
}

Jwk RsaPublicKey::ToJwk() const {
  Jwk jwk;
  auto e = BigNumParam(impl_->pkey.get(), OSSL_PKEY_PARAM_RSA_E);
  auto n = BigNumParam(impl_->pkey.get(), OSSL_PKEY_PARAM_RSA_N);
  if (e.ok() && n.ok()) {
    jwk.e = core::Base64UrlEncode(std::string_view(*e));
    jwk.n = core::Base64UrlEncode(std::string_view(*n));
  }
  return jwk;
}

int RsaPublicKey::bits() const { return EVP_PKEY_get_bits(impl_->pkey.get()); }

core::Result<std::string> RsaPublicKey::WrapOaepSha256(std::span<const std::byte> plaintext) const {
  // OAEP with SHA-256 carries at most k - 2*32 - 2 bytes.
  size_t max = static_cast<size_t>(EVP_PKEY_get_size(impl_->pkey.get())) - 66;
  if (plaintext.size() > max) {
    return core::InvalidArgumentError("cannot RSA-OAEP-wrap " + std::to_string(plaintext.size()) +
                                      " bytes; at most " + std::to_string(max) + " fit");
  }
  ASSIGN_OR_RETURN(PkeyCtx ctx, OaepCtx(impl_->pkey.get(), true));
  const auto* in = reinterpret_cast<const unsigned char*>(plaintext.data());
  size_t out_len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &out_len, in, plaintext.size()) != 1) {
    return core::InternalError(internal::OpensslError("RSA-OAEP size query failed"));
  }
  std::string out(out_len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &out_len, in,
                       plaintext.size()) != 1) {
    return core::InternalError(internal::OpensslError("RSA-OAEP encryption failed"));
  }
  out.resize(out_len);
  return out;
}

// ----------------------------------------------------------------------------------------------
// RsaPrivateKey

core::Result<RsaPrivateKey> RsaPrivateKey::Generate(int bits) {
  if (bits < kMinBits || bits > kMaxBits) {
    return core::InvalidArgumentError("RSA key size " + std::to_string(bits) +
                                      " is outside 2048..16384");
  }
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1) {
    return core::InternalError(internal::OpensslError("RSA keygen setup failed"));
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return core::InternalError(internal::OpensslError("RSA key generation failed"));
  }
  auto impl = std::make_shared<Impl>();
  impl->pkey.reset(raw);
  return RsaPrivateKey(std::move(impl));
}

core::Result<RsaPrivateKey> RsaPrivateKey::FromPem(std::string_view pem) {
  ASSIGN_OR_RETURN(BioHandle bio, MemBio(pem));
  // Reads PKCS#8 ("BEGIN PRIVATE KEY") and the traditional "BEGIN RSA PRIVATE KEY" form.
  PkeyHandle pkey(
      PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, NoPassphrase, nullptr, nullptr, nullptr));
  if (!pkey) {
    internal::ClearOpensslErrors();
    return core::InvalidArgumentError(
        "not an unencrypted PEM private key (expected -----BEGIN PRIVATE KEY-----); check the "
        "key file");
  }
  RETURN_IF_ERROR(CheckRsa(pkey.get(), "the private key"));
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return RsaPrivateKey(std::move(impl));
}

core::Result<RsaPrivateKey> RsaPrivateKey::LoadPem(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadKeyFile(path, "private key file"));
  auto key = FromPem(pem);
  core::SecureWipe(pem.data(), pem.size());
  if (!key.ok()) return key.status().WithContext(path.string());
  return key;
}

core::SecureString RsaPrivateKey::ToPem() const {
  // The secure-heap BIO wipes its buffer when freed.
  BioHandle bio(BIO_new(BIO_s_secmem()));
  // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY").
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    internal::ClearOpensslErrors();
    return {};
  }
  return BioContents<core::SecureString>(bio.get());
}

core::Status RsaPrivateKey::SavePem(const std::filesystem::path& path, bool overwrite) const {
  const std::string target = path.string();
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(path, ec)) {
    return core::FailedPreconditionError(target +
                                         " already exists; refusing to overwrite a key file "
                                         "(move it away or allow overwriting)");
  }
  core::SecureString pem = ToPem();
  if (pem.empty()) return core::InternalError("encoding the private key as PEM failed");

  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmp = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> tmpl(tmp.begin(), tmp.end());
  tmpl.push_back('\0');
  // mkstemp creates the file with mode 0600 whatever the umask.
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    return core::FailedPreconditionError("cannot create a temporary file in " + dir.string() +
                                         ": " + ErrnoText(errno) +
                                         "; check the folder exists and is writable");
  }
  tmp.assign(tmpl.data());
  bool fd_open = true;
  core::Cleanup cleanup([&] {
    if (fd_open) ::close(fd);
    ::unlink(tmp.c_str());
  });
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
    return core::FailedPreconditionError("chmod 0600 " + tmp + ": " + ErrnoText(errno));
  }
  RETURN_IF_ERROR(WriteAll(fd, std::string_view(pem.data(), pem.size()), tmp));
  if (::fsync(fd) != 0) {
    return core::FailedPreconditionError("fsync " + tmp + ": " + ErrnoText(errno));
  }
  fd_open = false;
  if (::close(fd) != 0) {
    return core::FailedPreconditionError("close " + tmp + ": " + ErrnoText(errno));
  }
  if (overwrite) {
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
      return core::FailedPreconditionError("rename " + tmp + " to " + target + ": " +
                                           ErrnoText(errno));
    }
  } else {
    // link() fails with EEXIST instead of replacing a file that appeared in the meantime.
    if (::link(tmp.c_str(), target.c_str()) != 0) {
      int err = errno;
      if (err == EEXIST) {
        return core::FailedPreconditionError(target +
                                             " already exists; refusing to overwrite "
                                             "a key file");
      }
      return core::FailedPreconditionError("link " + tmp + " to " + target + ": " + ErrnoText(err));
    }
  }
  // The temporary name is gone (renamed) or now redundant (linked); the cleanup unlinks it.
  // Make the new directory entry durable too.
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return core::OkStatus();
}

RsaPublicKey RsaPrivateKey::PublicKey() const {
  // The private EVP_PKEY also answers every public operation; share it rather than copy.
  auto impl = std::make_shared<RsaPublicKey::Impl>();
  EVP_PKEY_up_ref(impl_->pkey.get());
  impl->pkey.reset(impl_->pkey.get());
  return RsaPublicKey(std::move(impl));
}

core::Result<core::SecureBytes> RsaPrivateKey::UnwrapOaepSha256(
    std::span<const std::byte> ciphertext) const {
  size_t key_bytes = static_cast<size_t>(EVP_PKEY_get_size(impl_->pkey.get()));
  if (ciphertext.size() != key_bytes) {
    return core::InvalidArgumentError("wrapped key is " + std::to_string(ciphertext.size()) +
                                      " bytes, expected " + std::to_string(key_bytes) +
                                      " for RSA-" + std::to_string(key_bytes * 8) +
                                      "; the key API answer is malformed");
  }
  ASSIGN_OR_RETURN(PkeyCtx ctx, OaepCtx(impl_->pkey.get(), false));
  const auto* in = reinterpret_cast<const unsigned char*>(ciphertext.data());
  core::SecureBytes out(key_bytes);
  size_t out_len = out.size();
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &out_len, in,
                       ciphertext.size()) != 1) {
    internal::ClearOpensslErrors();
    return core::PermissionDeniedError(
        "the wrapped key does not decrypt with this RSA private key (RSA-OAEP-SHA256): it was "
        "wrapped for another key pair, e.g. another tenant's registration; check which key "
        "pair is registered for this tenant");
  }
  out.resize(out_len);
  return out;
}

}  // namespace vivalink::crypto
