#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <string>

#include "core/strings.h"

namespace vivalink::crypto {
namespace {

using core::HexEncode;

TEST(Hash, Sha256MatchesFips180Vectors) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Hash, Md5MatchesRfc1321Vectors) {
  EXPECT_EQ(HexEncode(Md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HexEncode(Md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(Hash, HmacSha256MatchesRfc4231Vectors) {
  // Test case 1.
  EXPECT_EQ(HexEncode(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2.
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block size.
  EXPECT_EQ(HexEncode(HmacSha256(std::string(131, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Hash, HmacWithEmptyKeyWorks) {
  EXPECT_EQ(HexEncode(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Hash, IncrementalDigestsEqualOneShotAndReset) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += static_cast<char>(i * 31);
  Sha256Hasher sha;
  Md5Hasher md5;
  for (size_t pos = 0; pos < data.size(); pos += 997) {
    sha.Update(std::string_view(data).substr(pos, 997));
    md5.Update(std::string_view(data).substr(pos, 997));
  }
  EXPECT_EQ(sha.Finish(), Sha256(data));
  EXPECT_EQ(md5.Finish(), Md5(data));
  // Finish resets: the next digest starts from nothing.
  sha.Update("abc");
  EXPECT_EQ(sha.Finish(), Sha256("abc"));
  md5.Update("abc");
  EXPECT_EQ(md5.Finish(), Md5("abc"));
}

TEST(Hash, ConstantTimeEqualsComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
}

TEST(Hash, RandomBytesHaveTheLengthAskedAndDiffer) {
  EXPECT_EQ(RandomBytes(0), "");
  std::string a = RandomBytes(32);
  std::string b = RandomBytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace vivalink::crypto
