// libFuzzer target: input bytes are an encrypted data file. They go through
// AesCbcDecryptSource (fixed key) -> GzipInflateSource with both inflate engines, as the drop
// reader does. Nothing may crash, hang or leak; every failure must be a Status, and when both
// engines accept the input they must agree on every byte.
//
// Seeds in corpus/gzip_cbc_fuzz/ are gzip files encrypted with the key below, e.g.
//   openssl enc -aes-256-cbc -K 000102...1f -iv a0a1...af -in x.gz -out seed
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/io.h"
#include "crypto/aes.h"
#include "crypto/gzip.h"

namespace {

using vivalink::core::ByteSource;
using vivalink::core::MemorySource;
using vivalink::core::Result;
using vivalink::core::StatusCode;
using vivalink::crypto::AesCbcDecryptSource;
using vivalink::crypto::AesKeyIv;
using vivalink::crypto::GzipInflateSource;
using vivalink::crypto::InflateEngine;

// Decompression bombs are legal input; stop reading after this much output.
constexpr size_t kMaxOutput = 32 << 20;

const AesKeyIv& FuzzKey() {
  static const AesKeyIv key = [] {
    std::byte k[32];
    std::byte iv[16];
    for (int i = 0; i < 32; ++i) k[i] = static_cast<std::byte>(i);
    for (int i = 0; i < 16; ++i) iv[i] = static_cast<std::byte>(0xa0 + i);
    return *AesKeyIv::From(k, iv);
  }();
  return key;
}

struct Outcome {
  bool ok = false;
  std::string data;
};

Outcome Run(const uint8_t* data, size_t size, InflateEngine engine) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Small blocks and buffers, chosen by the input, put stream boundaries everywhere.
  size_t block = 16 * (1 + size % 7);
  size_t buffer = 64 + size % 251;
  size_t read_size = 1 + size % 4099;
  auto aes = std::make_unique<AesCbcDecryptSource>(std::make_unique<MemorySource>(input), FuzzKey(),
                                                   "fuzz.json.gz", block);
  GzipInflateSource gunzip(std::move(aes), "fuzz.json.gz", engine, buffer);
  Outcome outcome;
  std::string buf(read_size, '\0');
  while (outcome.data.size() < kMaxOutput) {
    Result<size_t> n = gunzip.Read({reinterpret_cast<std::byte*>(buf.data()), buf.size()});
    if (!n.ok()) {
      // Corrupt input must surface as DataLoss, never as anything else.
      if (n.status().code() != StatusCode::kDataLoss) {
        std::fprintf(stderr, "unexpected status: %s\n", n.status().ToString().c_str());
        std::abort();
      }
      return outcome;
    }
    if (*n == 0) {
      outcome.ok = true;
      return outcome;
    }
    if (*n > buf.size()) std::abort();
    outcome.data.append(buf.data(), *n);
  }
  outcome.ok = true;  // cut short at kMaxOutput: compare the prefixes
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Outcome isal = Run(data, size, InflateEngine::kIsal);
  Outcome zlib = Run(data, size, InflateEngine::kZlib);
  if (isal.ok && zlib.ok && isal.data != zlib.data) {
    std::fprintf(stderr, "ISA-L and zlib disagree: %zu vs %zu bytes\n", isal.data.size(),
                 zlib.data.size());
    std::abort();
  }
  return 0;
}
