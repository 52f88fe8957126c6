// The fuzz seeds were made outside this code (Python's gzip module and `openssl enc`), so they
// double as an interoperability check, and this keeps them valid for the fuzzer.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/io.h"
#include "crypto/aes.h"
#include "crypto/gzip.h"
#include "testutil.h"

namespace vivalink::crypto {
namespace {

AesKeyIv FuzzKey() {  // the key fuzz/gzip_cbc_fuzz.cc decrypts with
  std::string key;
  std::string iv;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(i);
  for (int i = 0; i < 16; ++i) iv += static_cast<char>(0xa0 + i);
  return *AesKeyIv::From(core::AsBytes(key), core::AsBytes(iv));
}

core::Result<std::string> Open(const std::string& seed, InflateEngine engine) {
  auto path = std::filesystem::path(VIVALINK_GZIP_CBC_CORPUS) / seed;
  auto aes = std::make_unique<AesCbcDecryptSource>(
      core::MemorySource::Owning(testutil::ReadFile(path)), FuzzKey(), seed);
  GzipInflateSource gunzip(std::move(aes), seed, engine);
  return core::ReadAll(gunzip);
}

TEST(FuzzSeeds, ExternallyMadeSeedsDecryptAndInflate) {
  for (auto engine : {InflateEngine::kIsal, InflateEngine::kZlib}) {
    auto single = Open("jsonl-member.bin", engine);
    ASSERT_TRUE(single.ok()) << single.status().ToString();
    EXPECT_EQ(single->size(), 1222u);
    EXPECT_EQ(single->substr(0, 13), "{\"PersonId\":\"");
    for (const char* seed : {"two-members.bin", "stored-block.bin", "named-member.bin"}) {
      auto r = Open(seed, engine);
      ASSERT_TRUE(r.ok()) << seed << ": " << r.status().ToString();
      EXPECT_EQ(*r, *single) << seed;
    }
    auto empty = Open("empty-member.bin", engine);
    ASSERT_TRUE(empty.ok()) << empty.status().ToString();
    EXPECT_EQ(*empty, "");
  }
}

}  // namespace
}  // namespace vivalink::crypto
