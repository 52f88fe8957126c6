#include "core/base64.h"

#include <gtest/gtest.h>

namespace vivalink::core {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(std::string_view("")), "");
  EXPECT_EQ(Base64Encode(std::string_view("f")), "Zg==");
  EXPECT_EQ(Base64Encode(std::string_view("fo")), "Zm8=");
  EXPECT_EQ(Base64Encode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(Base64Encode(std::string_view("foobar")), "Zm9vYmFy");
}

TEST(Base64, DecodesWhatItEncodes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n = 0; n < all.size(); n += 7) {
    std::string part = all.substr(0, n);
    EXPECT_EQ(*Base64Decode(Base64Encode(std::string_view(part))), part);
    EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(std::string_view(part))), part);
  }
}

TEST(Base64, RejectsInvalidCharacter) {
  auto r = Base64Decode("Zm9v!mFy");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(Base64, RejectsMissingPadding) {
  EXPECT_FALSE(Base64Decode("Zg").ok());
  EXPECT_FALSE(Base64Decode("Zg=").ok());
}

TEST(Base64, RejectsNonCanonicalTrailingBits) { EXPECT_FALSE(Base64Decode("Zh==").ok()); }

TEST(Base64Url, UsesUrlAlphabetWithoutPadding) {
  std::string bytes = "\xfb\xff\xbf";
  EXPECT_EQ(Base64UrlEncode(std::string_view(bytes)), "-_-_");
  EXPECT_EQ(Base64Encode(std::string_view(bytes)), "+/+/");
  EXPECT_EQ(Base64UrlEncode(std::string_view("f")), "Zg");
  EXPECT_EQ(*Base64UrlDecode("Zg"), "f");
  EXPECT_EQ(*Base64UrlDecode("Zg=="), "f");
}

TEST(Base64, DecodeToFillsCallerBuffer) {
  std::byte buf[Base64DecodedMaxSize(8)];
  auto n = Base64DecodeTo("Zm9vYmFy", buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), *n), "foobar");
}

}  // namespace
}  // namespace vivalink::core
