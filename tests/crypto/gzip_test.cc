#include "crypto/gzip.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_sources.h"

namespace vivalink::crypto {
namespace {

using testing::ChunkedSource;
using ::testing::HasSubstr;
using testing::JsonLines;
using testing::RandomBytes;
using testing::ReadAllWith;

constexpr InflateEngine kEngines[] = {InflateEngine::kIsal, InflateEngine::kZlib};

std::string EngineName(InflateEngine e) { return e == InflateEngine::kZlib ? "zlib" : "isal"; }

std::string Compress(std::string_view data, int level = 6) {
  auto r = GzipCompress(data, level);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

// Inflates gz fed `in_chunk` bytes at a time, reading `out_chunk` bytes at a time.
core::Result<std::string> Inflate(const std::string& gz, InflateEngine engine,
                                  size_t in_chunk = 1 << 20, size_t out_chunk = 1 << 16,
                                  size_t buffer_bytes = 1 << 20) {
  GzipInflateSource source(std::make_unique<ChunkedSource>(gz, in_chunk), "part-00000.json.gz",
                           engine, buffer_bytes);
  return ReadAllWith(source, out_chunk);
}

core::Status InflateStatus(const std::string& gz, InflateEngine engine) {
  auto r = Inflate(gz, engine);
  return r.ok() ? core::OkStatus() : r.status();
}

TEST(Gzip, BothEnginesGiveIdenticalOutputOnRandomDataAtManySizes) {
  const size_t sizes[] = {
      1, 2, 15, 16, 17, 255, 4095, 32768, 65537, 1 << 20, (1 << 20) + 3, 5 * (1 << 20) + 11};
  const size_t out_chunks[] = {1, 7, 4093, 65537, 3 << 20};
  uint32_t seed = 1;
  for (size_t size : sizes) {
    for (bool text : {false, true}) {
      std::string plain = text ? JsonLines(size, seed) : RandomBytes(size, seed);
      ++seed;
      for (int level : {0, 1, 6, 9}) {
        if (level == 9 && size > (1 << 20)) continue;  // slow and adds nothing at this size
        std::string gz = Compress(plain, level);
        for (size_t out_chunk : out_chunks) {
          // One-byte reads of megabytes only cost time; small sizes cover that path.
          if (out_chunk < 4096 && size > (1 << 20)) continue;
          std::string outputs[2];
          for (int e = 0; e < 2; ++e) {
            auto r = Inflate(gz, kEngines[e], 4099, out_chunk, 1 << 16);
            ASSERT_TRUE(r.ok()) << EngineName(kEngines[e]) << " size " << size << " level " << level
                                << ": " << r.status().ToString();
            outputs[e] = std::move(r).value();
          }
          ASSERT_EQ(outputs[0].size(), plain.size()) << "size " << size << " level " << level;
          ASSERT_TRUE(outputs[0] == plain)
              << "isal differs, size " << size << " level " << level << " out_chunk " << out_chunk;
          ASSERT_TRUE(outputs[1] == outputs[0]) << "zlib differs from isal, size " << size;
        }
      }
    }
  }
}

TEST(Gzip, EmptyMemberInflatesToNothing) {
  std::string gz = Compress("");
  for (auto engine : kEngines) {
    auto r = Inflate(gz, engine);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, "");
  }
}

TEST(Gzip, MultiMemberGzipIsReadWhole) {
  std::string a = JsonLines(100000, 7);
  std::string b = RandomBytes(3000, 8);
  std::string c = JsonLines(70001, 9);
  std::string gz = Compress(a) + Compress("") + Compress(b, 1) + Compress(c, 0) + Compress(c);
  std::string want = a + b + c + c;
  for (auto engine : kEngines) {
    // Small buffers and odd chunks put member boundaries at every kind of buffer edge.
    for (size_t in_chunk : {size_t{1}, size_t{3}, size_t{1000}, size_t{1} << 20}) {
      for (size_t buffer : {size_t{64}, size_t{4096}, size_t{1} << 20}) {
        auto r = Inflate(gz, engine, in_chunk, 8191, buffer);
        ASSERT_TRUE(r.ok()) << EngineName(engine) << " in_chunk " << in_chunk << ": "
                            << r.status().ToString();
        ASSERT_TRUE(*r == want) << EngineName(engine) << " in_chunk " << in_chunk << " buffer "
                                << buffer << " got " << r->size() << " bytes";
      }
    }
  }
}

TEST(Gzip, ManyTinyMembersAreReadWhole) {
  std::string gz;
  std::string want;
  for (int i = 0; i < 200; ++i) {
    std::string line = "{\"row\":" + std::to_string(i) + "}\n";
    gz += Compress(line);
    want += line;
  }
  for (auto engine : kEngines) {
    auto r = Inflate(gz, engine, 5, 3, 64);
    ASSERT_TRUE(r.ok()) << EngineName(engine) << ": " << r.status().ToString();
    EXPECT_EQ(*r, want) << EngineName(engine);
  }
}

TEST(Gzip, CompressedBytesCountsTheWholeInput) {
  std::string gz = Compress(JsonLines(300000, 3));
  for (auto engine : kEngines) {
    GzipInflateSource source(std::make_unique<core::MemorySource>(gz), "x", engine, 4096);
    ASSERT_TRUE(core::ReadAll(source).ok());
    EXPECT_EQ(source.compressed_bytes(), gz.size()) << EngineName(engine);
  }
}

TEST(Gzip, TruncatedGzipIsDataLoss) {
  std::string gz = Compress(JsonLines(20000, 4));
  for (auto engine : kEngines) {
    // Every cut from just after the magic to one byte short of the end.
    for (size_t cut = 2; cut < gz.size(); cut += (cut < 40 || cut > gz.size() - 40) ? 1 : 97) {
      core::Status st = InflateStatus(gz.substr(0, cut), engine);
      ASSERT_EQ(st.code(), core::StatusCode::kDataLoss)
          << EngineName(engine) << " cut at " << cut << ": " << st.ToString();
      EXPECT_THAT(st.message(), HasSubstr("truncated")) << EngineName(engine) << " cut " << cut;
      EXPECT_THAT(st.message(), HasSubstr("part-00000.json.gz"));
      EXPECT_THAT(st.message(), HasSubstr("offset " + std::to_string(cut)));
    }
  }
}

TEST(Gzip, TruncatedSecondMemberIsDataLoss) {
  std::string one = Compress(JsonLines(5000, 5));
  std::string gz = one + one.substr(0, one.size() / 2);
  for (auto engine : kEngines) {
    core::Status st = InflateStatus(gz, engine);
    ASSERT_EQ(st.code(), core::StatusCode::kDataLoss) << EngineName(engine);
    EXPECT_THAT(st.message(), HasSubstr("truncated"));
    EXPECT_THAT(st.message(), HasSubstr("member 2"));
  }
}

TEST(Gzip, FlippedByteInMiddleIsDataLoss) {
  std::string gz = Compress(JsonLines(200000, 6));
  for (auto engine : kEngines) {
    for (size_t i = 0; i < 25; ++i) {
      size_t pos = gz.size() / 4 + i * (gz.size() / 2) / 25;
      std::string bad = gz;
      bad[pos] = static_cast<char>(bad[pos] ^ 0x5a);
      core::Status st = InflateStatus(bad, engine);
      ASSERT_EQ(st.code(), core::StatusCode::kDataLoss)
          << EngineName(engine) << " flip at " << pos << ": " << st.ToString();
      EXPECT_THAT(st.message(), HasSubstr("corrupt gzip data"));
    }
  }
}

TEST(Gzip, CrcMismatch) {
  std::string gz = Compress(JsonLines(10000, 10));
  gz[gz.size() - 8] = static_cast<char>(gz[gz.size() - 8] ^ 1);  // first byte of CRC-32
  for (auto engine : kEngines) {
    core::Status st = InflateStatus(gz, engine);
    ASSERT_EQ(st.code(), core::StatusCode::kDataLoss) << EngineName(engine);
    EXPECT_THAT(st.message(), HasSubstr("CRC-32")) << st.message();
  }
}

TEST(Gzip, LengthTrailerMismatchIsDataLoss) {
  std::string gz = Compress(JsonLines(10000, 11));
  gz[gz.size() - 4] = static_cast<char>(gz[gz.size() - 4] ^ 1);  // first byte of ISIZE
  for (auto engine : kEngines) {
    core::Status st = InflateStatus(gz, engine);
    ASSERT_EQ(st.code(), core::StatusCode::kDataLoss) << EngineName(engine);
    EXPECT_THAT(st.message(), HasSubstr("ISIZE")) << st.message();
  }
}

TEST(Gzip, TrailingGarbage) {
  std::string gz = Compress(JsonLines(10000, 12));
  for (std::string junk : {std::string("garbage"), std::string("\x1f"), std::string(1, '\0'),
                           std::string(512, '\0')}) {
    for (auto engine : kEngines) {
      core::Status st = InflateStatus(gz + junk, engine);
      ASSERT_EQ(st.code(), core::StatusCode::kDataLoss) << EngineName(engine);
      EXPECT_THAT(st.message(), HasSubstr("trailing garbage"));
      EXPECT_THAT(st.message(), HasSubstr("offset " + std::to_string(gz.size())));
    }
  }
}

TEST(Gzip, GarbageThatStartsLikeAMemberIsDataLoss) {
  std::string gz = Compress("hello\n");
  for (auto engine : kEngines) {
    core::Status st = InflateStatus(gz + "\x1f\x8bthis is not a gzip header at all", engine);
    EXPECT_EQ(st.code(), core::StatusCode::kDataLoss) << EngineName(engine);
  }
}

TEST(Gzip, NonGzipInputIsDataLoss) {
  for (auto engine : kEngines) {
    core::Status st = InflateStatus("{\"PersonId\":\"x\"}\n", engine);
    ASSERT_EQ(st.code(), core::StatusCode::kDataLoss);
    EXPECT_THAT(st.message(), HasSubstr("not gzip"));
    EXPECT_THAT(st.message(), HasSubstr("7b 22"));  // the bytes it did find
  }
}

TEST(Gzip, EmptyInputIsDataLoss) {
  for (auto engine : kEngines) {
    EXPECT_EQ(InflateStatus("", engine).code(), core::StatusCode::kDataLoss);
    EXPECT_EQ(InflateStatus("\x1f", engine).code(), core::StatusCode::kDataLoss);
  }
}

TEST(Gzip, BadHeaderMethodIsDataLoss) {
  std::string gz = Compress("hello\n");
  gz[2] = 7;  // CM must be 8 (deflate)
  for (auto engine : kEngines) {
    EXPECT_EQ(InflateStatus(gz, engine).code(), core::StatusCode::kDataLoss) << EngineName(engine);
  }
}

TEST(Gzip, ErrorIsStickyAcrossReads) {
  GzipInflateSource source(std::make_unique<core::MemorySource>("plain text"), "x");
  std::string buf(100, '\0');
  std::span<std::byte> out(reinterpret_cast<std::byte*>(buf.data()), buf.size());
  EXPECT_EQ(source.Read(out).status().code(), core::StatusCode::kDataLoss);
  EXPECT_EQ(source.Read(out).status().code(), core::StatusCode::kDataLoss);
}

TEST(Gzip, InnerSourceErrorPassesThroughUnchanged) {
  std::string gz = Compress(RandomBytes(100000, 13));
  GzipInflateSource source(std::make_unique<testing::FailingSource>(gz, 5000), "x",
                           InflateEngine::kAuto, 1024);
  auto r = core::ReadAll(source);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
}

TEST(Gzip, DeflateSourceRoundTripsThroughBothEngines) {
  std::string plain = JsonLines(3 << 20, 14);
  for (int level : {-1, 0, 1, 9}) {
    GzipDeflateSource deflater(std::make_unique<ChunkedSource>(plain, 77777), level, 1 << 16);
    auto gz = ReadAllWith(deflater, 1001);
    ASSERT_TRUE(gz.ok()) << gz.status().ToString();
    if (level != 0) {
      EXPECT_LT(gz->size(), plain.size() / 2);
    }
    for (auto engine : kEngines) {
      auto r = GzipDecompress(*gz, engine);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_TRUE(*r == plain) << "level " << level << " " << EngineName(engine);
    }
  }
}

TEST(Gzip, DeflateWritesGzipMagic) {
  std::string gz = Compress("x");
  ASSERT_GE(gz.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
}

TEST(Gzip, InvalidLevelIsInvalidArgument) {
  EXPECT_EQ(GzipCompress("x", 10).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(GzipCompress("x", -2).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Gzip, AutoEngineMatchesZlib) {
  std::string plain = JsonLines(123457, 15);
  std::string gz = Compress(plain);
  auto a = GzipDecompress(gz, InflateEngine::kAuto);
  auto z = GzipDecompress(gz, InflateEngine::kZlib);
  ASSERT_TRUE(a.ok() && z.ok());
  EXPECT_TRUE(*a == *z);
  EXPECT_TRUE(*a == plain);
}

}  // namespace
}  // namespace vivalink::crypto
