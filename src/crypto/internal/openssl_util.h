// Private to the crypto module: RAII handle types for OpenSSL objects and the text of OpenSSL's
// error queue for messages.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <string>
#include <string_view>

#include "core/handle.h"

namespace vivalink::crypto::internal {

using CipherCtx = core::UniqueHandle<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using MdCtx = core::UniqueHandle<EVP_MD_CTX, EVP_MD_CTX_free>;
using PkeyHandle = core::UniqueHandle<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtx = core::UniqueHandle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using BioHandle = core::UniqueHandle<BIO, BIO_free_all>;
using BignumHandle = core::UniqueHandle<BIGNUM, BN_free>;
using ParamBld = core::UniqueHandle<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamList = core::UniqueHandle<OSSL_PARAM, OSSL_PARAM_free>;

// Drains this thread's OpenSSL error queue into "what (reason; reason)". Always clears the queue,
// so a failure never leaks into an unrelated later check.
std::string OpensslError(std::string_view what);
// Clears this thread's OpenSSL error queue (after an expected failure).
void ClearOpensslErrors();

}  // namespace vivalink::crypto::internal
