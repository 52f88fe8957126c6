#include "crypto/aes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/base64.h"
#include "core/strings.h"
#include "test_sources.h"

namespace vivalink::crypto {
namespace {

using testing::ChunkedSource;
using ::testing::HasSubstr;
using testing::JsonLines;
using testing::RandomBytes;
using testing::ReadAllWith;

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

AesKeyIv FixedKey(uint8_t first) {
  std::string key;
  std::string iv;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(first + i);
  for (int i = 0; i < 16; ++i) iv += static_cast<char>(0xA0 + i);
  auto k = AesKeyIv::From(core::AsBytes(key), core::AsBytes(iv));
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

std::string Encrypt(const AesKeyIv& key, std::string_view plain) {
  auto r = AesCbcEncrypt(key, core::AsBytes(plain));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

core::Result<std::string> DecryptStream(const std::string& cipher, const AesKeyIv& key,
                                        size_t in_chunk = 1 << 20, size_t out_chunk = 1 << 16,
                                        size_t block = 1 << 20) {
  AesCbcDecryptSource source(std::make_unique<ChunkedSource>(cipher, in_chunk), key,
                             "part-00000.json.gz", block);
  return ReadAllWith(source, out_chunk);
}

// NIST SP 800-38A F.2.5 (CBC-AES256.Encrypt). Our API always pads, so the NIST ciphertext is
// followed by one more block of padding.
TEST(AesCbc, MatchesNistSp80038aVector) {
  std::string key = Unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  std::string iv = Unhex("000102030405060708090a0b0c0d0e0f");
  std::string plain = Unhex(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
  std::string want = Unhex(
      "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
      "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b");
  auto k = AesKeyIv::From(core::AsBytes(key), core::AsBytes(iv));
  ASSERT_TRUE(k.ok());
  std::string cipher = Encrypt(*k, plain);
  ASSERT_EQ(cipher.size(), 80u);
  EXPECT_EQ(core::HexEncode(cipher.substr(0, 64)), core::HexEncode(want));
  auto back = AesCbcDecrypt(*k, core::AsBytes(cipher));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::string(back->data(), back->size()), plain);
}

TEST(AesCbc, StreamRoundTripsAtManySizesAndChunkings) {
  AesKeyIv key = AesKeyIv::Random();
  for (size_t size : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{4095},
                      size_t{65536}, (size_t{1} << 20) + 5}) {
    std::string plain = RandomBytes(size, static_cast<uint32_t>(size));
    // Encrypt source and one-shot agree.
    AesCbcEncryptSource enc(std::make_unique<ChunkedSource>(plain, 999), key, 64);
    auto cipher = ReadAllWith(enc, 333);
    ASSERT_TRUE(cipher.ok()) << cipher.status().ToString();
    ASSERT_EQ(*cipher, Encrypt(key, plain)) << "size " << size;
    ASSERT_EQ(cipher->size(), size / 16 * 16 + 16);
    for (size_t block : {size_t{16}, size_t{48}, size_t{1} << 20}) {
      for (size_t out_chunk : {size_t{1}, size_t{17}, size_t{3} << 20}) {
        if (out_chunk == 1 && size > 100000) continue;
        auto r = DecryptStream(*cipher, key, 7, out_chunk, block);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ASSERT_TRUE(*r == plain) << "size " << size << " block " << block << " out " << out_chunk;
      }
    }
  }
}

TEST(AesCbc, CiphertextBytesCountsConsumedInput) {
  AesKeyIv key = FixedKey(1);
  std::string cipher = Encrypt(key, JsonLines(100000, 1));
  AesCbcDecryptSource source(std::make_unique<core::MemorySource>(cipher), key, "x", 4096);
  ASSERT_TRUE(core::ReadAll(source).ok());
  EXPECT_EQ(source.ciphertext_bytes(), cipher.size());
}

TEST(AesCbc, WrongAesKeyGivesBadPadding) {
  std::string cipher = Encrypt(FixedKey(1), JsonLines(5000, 2));
  auto r = DecryptStream(cipher, FixedKey(2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("bad padding"));
  EXPECT_THAT(r.status().message(), HasSubstr("part-00000.json.gz"));
}

TEST(AesCbc, BadPaddingIsDataLoss) {
  AesKeyIv key = FixedKey(3);
  // A whole number of blocks: the last plaintext block is sixteen 0x10 bytes. Flipping the low
  // bit of the previous ciphertext block's last byte makes the last padding byte 0x11.
  std::string cipher = Encrypt(key, std::string(64, 'a'));
  ASSERT_EQ(cipher.size(), 80u);
  cipher[63] = static_cast<char>(cipher[63] ^ 0x01);
  for (size_t block : {size_t{16}, size_t{1} << 20}) {
    auto r = DecryptStream(cipher, key, 5, 3, block);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kDataLoss);
    EXPECT_THAT(r.status().message(), HasSubstr("bad padding"));
    EXPECT_THAT(r.status().message(), HasSubstr("byte offset 64 of 80"));
    EXPECT_THAT(r.status().message(), HasSubstr("download the file again"));
  }
  auto one_shot = AesCbcDecrypt(key, core::AsBytes(cipher));
  EXPECT_EQ(one_shot.status().code(), core::StatusCode::kDataLoss);
}

TEST(AesCbc, TamperedLastBlockIsDataLoss) {
  AesKeyIv key = FixedKey(4);
  std::string cipher = Encrypt(key, std::string(64, 'a'));
  cipher[70] = static_cast<char>(cipher[70] ^ 0x80);
  auto r = DecryptStream(cipher, key);
  EXPECT_EQ(r.status().code(), core::StatusCode::kDataLoss);
}

TEST(AesCbc, TruncatedCiphertextIsDataLoss) {
  AesKeyIv key = FixedKey(5);
  std::string cipher = Encrypt(key, JsonLines(1000, 3));
  std::string cut = cipher.substr(0, cipher.size() - 5);
  for (size_t block : {size_t{16}, size_t{64}, size_t{1} << 20}) {
    auto r = DecryptStream(cut, key, 11, 100, block);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kDataLoss);
    EXPECT_THAT(r.status().message(), HasSubstr("truncated ciphertext"));
    EXPECT_THAT(r.status().message(), HasSubstr(std::to_string(cut.size()) + " bytes"));
    EXPECT_THAT(r.status().message(), HasSubstr("part-00000.json.gz"));
  }
  EXPECT_EQ(AesCbcDecrypt(key, core::AsBytes(cut)).status().code(), core::StatusCode::kDataLoss);
}

TEST(AesCbc, EmptyCiphertextIsTruncated) {
  auto r = DecryptStream("", FixedKey(6));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("truncated ciphertext"));
}

TEST(AesCbc, MissingLastBlockIsDataLoss) {
  AesKeyIv key = FixedKey(7);
  std::string cipher = Encrypt(key, std::string(100, 'b'));
  auto r = DecryptStream(cipher.substr(0, cipher.size() - 16), key);
  EXPECT_EQ(r.status().code(), core::StatusCode::kDataLoss);
}

TEST(AesCbc, InnerSourceErrorPassesThroughUnchanged) {
  AesKeyIv key = FixedKey(8);
  std::string cipher = Encrypt(key, RandomBytes(10000, 4));
  AesCbcDecryptSource source(std::make_unique<testing::FailingSource>(cipher, 5000), key, "x", 64);
  auto r = core::ReadAll(source);
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
}

TEST(AesCbc, ErrorIsStickyAcrossReads) {
  AesKeyIv key = FixedKey(9);
  AesCbcDecryptSource source(std::make_unique<core::MemorySource>("0123456789"), key, "x");
  std::string buf(64, '\0');
  std::span<std::byte> out(reinterpret_cast<std::byte*>(buf.data()), buf.size());
  EXPECT_EQ(source.Read(out).status().code(), core::StatusCode::kDataLoss);
  EXPECT_EQ(source.Read(out).status().code(), core::StatusCode::kDataLoss);
}

TEST(AesKeyIv, FromRejectsWrongSizes) {
  std::string k32(32, 'k');
  std::string iv16(16, 'i');
  EXPECT_TRUE(AesKeyIv::From(core::AsBytes(k32), core::AsBytes(iv16)).ok());
  EXPECT_EQ(AesKeyIv::From(core::AsBytes(k32.substr(1)), core::AsBytes(iv16)).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(AesKeyIv::From(core::AsBytes(k32), core::AsBytes(iv16 + "x")).status().code(),
            core::StatusCode::kInvalidArgument);
}

TEST(AesKeyIv, RandomGivesFreshKeys) {
  AesKeyIv a = AesKeyIv::Random();
  AesKeyIv b = AesKeyIv::Random();
  EXPECT_EQ(a.key.size(), 32u);
  EXPECT_NE(a.key, b.key);
  EXPECT_NE(a.iv, b.iv);
}

TEST(AesCbc, ShortKeyIsInvalidArgument) {
  AesKeyIv key = FixedKey(1);
  key.key.pop_back();
  auto r = DecryptStream(std::string(32, 'x'), key);
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(AesCbcEncrypt(key, core::AsBytes(std::string_view("x"))).status().code(),
            core::StatusCode::kInvalidArgument);
  std::string out;
  EXPECT_EQ(ColumnCipher(key).DecryptBase64("AAAAAAAAAAAAAAAAAAAAAA==", out).code(),
            core::StatusCode::kInvalidArgument);
}

TEST(ColumnCipher, RoundTripsAndIsDeterministic) {
  ColumnCipher cipher(FixedKey(10));
  std::string out;
  for (std::string value :
       {std::string("007cc8e6-fcfc-34f2-b3da-d800cb284b21"), std::string(), std::string(16, 'x'),
        std::string("Zoë Ünïcødé"), std::string(1000, 'y')}) {
    std::string b64 = cipher.EncryptToBase64(value);
    EXPECT_EQ(b64, cipher.EncryptToBase64(value));  // one IV per run: equal ids stay equal
    ASSERT_TRUE(cipher.DecryptBase64(b64, out).ok());
    EXPECT_EQ(out, value);
  }
}

TEST(ColumnCipher, MatchesOneShotEncryption) {
  AesKeyIv key = FixedKey(11);
  ColumnCipher cipher(key);
  std::string value = "someone@example.com";
  EXPECT_EQ(cipher.EncryptToBase64(value), core::Base64Encode(Encrypt(key, value)));
}

TEST(ColumnCipher, BadBase64IsDataLoss) {
  ColumnCipher cipher(FixedKey(12));
  std::string out;
  core::Status st = cipher.DecryptBase64("not base64!", out);
  EXPECT_EQ(st.code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(st.message(), HasSubstr("base64"));
}

TEST(ColumnCipher, WrongLengthIsDataLoss) {
  ColumnCipher cipher(FixedKey(13));
  std::string out;
  EXPECT_EQ(cipher.DecryptBase64(core::Base64Encode(std::string_view("short")), out).code(),
            core::StatusCode::kDataLoss);
  EXPECT_EQ(cipher.DecryptBase64("", out).code(), core::StatusCode::kDataLoss);
}

TEST(ColumnCipher, WrongKeyIsDataLossAndCipherStaysUsable) {
  ColumnCipher right(FixedKey(14));
  ColumnCipher wrong(FixedKey(15));
  std::string b64 = right.EncryptToBase64("007cc8e6-fcfc-34f2-b3da-d800cb284b21");
  std::string out;
  core::Status st = wrong.DecryptBase64(b64, out);
  EXPECT_EQ(st.code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(st.message(), HasSubstr("padding"));
  // The reused context recovers after a failure.
  std::string own = wrong.EncryptToBase64("abc");
  ASSERT_TRUE(wrong.DecryptBase64(own, out).ok());
  EXPECT_EQ(out, "abc");
}

TEST(ColumnCipher, MovedCipherKeepsWorking) {
  ColumnCipher a(FixedKey(16));
  std::string b64 = a.EncryptToBase64("id-1");
  ColumnCipher b = std::move(a);
  std::string out;
  ASSERT_TRUE(b.DecryptBase64(b64, out).ok());
  EXPECT_EQ(out, "id-1");
}

}  // namespace
}  // namespace vivalink::crypto
