#include "http/transport.h"

#include <gtest/gtest.h>

namespace vivalink::http {
namespace {

TEST(UrlEncode, PathKeepsUnreservedAndSlash) {
  EXPECT_EQ(UrlEncodePath("incoming/2026/part-0001.enc"), "incoming/2026/part-0001.enc");
  EXPECT_EQ(UrlEncodePath("a b/c~d_e.f"), "a%20b/c~d_e.f");
}

TEST(UrlEncode, PathEncodesReservedAndNonAscii) {
  EXPECT_EQ(UrlEncodePath("a?b#c%d&e=f+g"), "a%3Fb%23c%25d%26e%3Df%2Bg");
  EXPECT_EQ(UrlEncodePath("\xC3\xA9"), "%C3%A9");  // é in UTF-8
  EXPECT_EQ(UrlEncodePath(std::string_view("\0", 1)), "%00");
}

TEST(UrlEncode, QueryEncodesSlashAndBase64Characters) {
  EXPECT_EQ(UrlEncodeQuery("a/b"), "a%2Fb");
  EXPECT_EQ(UrlEncodeQuery("AbC+def/g=="), "AbC%2Bdef%2Fg%3D%3D");
  EXPECT_EQ(UrlEncodeQuery(""), "");
}

TEST(UrlDecode, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(UrlDecode(UrlEncodeQuery(all)), all);
  EXPECT_EQ(UrlDecode(UrlEncodePath(all)), all);
}

TEST(UrlDecode, AcceptsLowerCaseHexAndKeepsPlus) {
  EXPECT_EQ(UrlDecode("a%2fb%2Fc"), "a/b/c");
  EXPECT_EQ(UrlDecode("a+b"), "a+b");
}

TEST(UrlDecode, KeepsMalformedEscapesVerbatim) {
  EXPECT_EQ(UrlDecode("100%"), "100%");
  EXPECT_EQ(UrlDecode("%4"), "%4");
  EXPECT_EQ(UrlDecode("%zz%41"), "%zzA");
}

TEST(ParseQuery, DecodesPairsInOrder) {
  auto q = ParseQuery("?b=x%20y&a=1&flag&c=p+q&&d=");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>("b", "x y")));
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>("a", "1")));
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>("flag", "")));
  EXPECT_EQ(q[3], (std::pair<std::string, std::string>("c", "p q")));
  EXPECT_EQ(q[4], (std::pair<std::string, std::string>("d", "")));
}

TEST(ParseQuery, ValueMayContainEqualsSign) {
  auto q = ParseQuery("sig=AbC%2Bdef%3D&x=a=b");
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].second, "AbC+def=");
  EXPECT_EQ(q[1].second, "a=b");
  EXPECT_TRUE(ParseQuery("").empty());
}

TEST(UrlWithoutQuery, DropsQueryAndFragment) {
  EXPECT_EQ(UrlWithoutQuery("https://a.blob.core.windows.net/c/b?sv=1&sig=secret"),
            "https://a.blob.core.windows.net/c/b");
  EXPECT_EQ(UrlWithoutQuery("http://h/p#frag"), "http://h/p");
  EXPECT_EQ(UrlWithoutQuery("http://h/p"), "http://h/p");
}

TEST(Headers, LookupIsCaseInsensitive) {
  Response r;
  r.headers["Content-Type"] = "text/plain";
  r.headers["x-ms-request-id"] = "abc";
  EXPECT_EQ(r.Header("content-type"), "text/plain");
  EXPECT_EQ(r.Header("X-MS-REQUEST-ID"), "abc");
  EXPECT_EQ(r.Header("Retry-After"), "");
  r.headers["CONTENT-TYPE"] = "application/json";
  EXPECT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
}

TEST(RewindableMemorySource, RewindStartsOver) {
  RewindableMemorySource src("hello");
  std::string out(3, '\0');
  auto n = src.Read(std::as_writable_bytes(std::span(out)));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3u);
  ASSERT_TRUE(src.Rewind().ok());
  auto all = core::ReadAll(src);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, "hello");
}

}  // namespace
}  // namespace vivalink::http
