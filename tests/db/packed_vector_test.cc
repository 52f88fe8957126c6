#include "db/packed_vector.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "db/database.h"

namespace vivalink::db {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> RoundTrip(const std::vector<double>& in) {
  std::string blob;
  PackDoubles(in, blob);
  std::vector<double> out(in.size() + 3, 42.0);
  auto n = UnpackDoubles(blob, out);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, in.size());
  out.resize(in.size());
  return out;
}

void ExpectSameBits(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i])) {
      EXPECT_TRUE(std::isnan(b[i])) << "index " << i;
    } else {
      EXPECT_EQ(std::bit_cast<uint64_t>(a[i]), std::bit_cast<uint64_t>(b[i])) << "index " << i;
    }
  }
}

TEST(PackedVector, RoundTripsEveryKindOfValueBitForBit) {
  const std::vector<double> in = {0.0,
                                  -0.0,
                                  1.0,
                                  -1.0,
                                  63.0,
                                  64.0,
                                  -1234567.0,
                                  9007199254740991.0,
                                  9007199254740992.0,
                                  1e300,
                                  -1e-300,
                                  std::numeric_limits<double>::denorm_min(),
                                  std::numeric_limits<double>::infinity(),
                                  -std::numeric_limits<double>::infinity(),
                                  kNaN,
                                  0.1,
                                  12.345678901234567,
                                  -3.75,
                                  1.0 / 3.0};
  ExpectSameBits(in, RoundTrip(in));
}

TEST(PackedVector, RoundTripsRandomVectorsOfEveryLength) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> hours(0, 80);
  std::uniform_int_distribution<uint64_t> any_bits;
  for (size_t n = 0; n < 80; ++n) {
    std::vector<double> in(n);
    for (size_t i = 0; i < n; ++i) {
      switch (rng() % 5) {
        case 0:
          in[i] = hours(rng);
          break;
        case 1:
          in[i] = std::round(hours(rng));
          break;
        case 2:
          in[i] = kNaN;
          break;
        case 3:
          in[i] = std::bit_cast<double>(any_bits(rng));
          break;
        default:
          in[i] = hours(rng) / 1000;
          break;
      }
    }
    ExpectSameBits(in, RoundTrip(in));
  }
}

TEST(PackedVector, ValueAtMatchesTheDecodedVector) {
  const std::vector<double> in = {3.5, kNaN, 0, 17, 0.001, -2.25, 1e9 + 0.5};
  std::string blob;
  PackDoubles(in, blob);
  for (size_t i = 0; i < in.size(); ++i) {
    auto v = PackedValueAt(blob, i);
    ASSERT_TRUE(v.ok());
    if (std::isnan(in[i])) {
      EXPECT_TRUE(std::isnan(*v));
    } else {
      EXPECT_EQ(*v, in[i]);
    }
  }
  auto beyond = PackedValueAt(blob, in.size());
  ASSERT_TRUE(beyond.ok());
  EXPECT_TRUE(std::isnan(*beyond));
  auto n = PackedSize(blob);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, in.size());
}

TEST(PackedVector, TypicalPersonWeekIsAboutSevenBytesAValue) {
  // The shape measured on vivasim data: 7 zeros, 15 integers, 47 full-precision hours.
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> hours(0.05, 40);
  std::vector<double> in;
  for (int i = 0; i < 7; ++i) in.push_back(0);
  for (int i = 0; i < 15; ++i) in.push_back(static_cast<double>(rng() % 200));
  for (int i = 0; i < 47; ++i) in.push_back(hours(rng));
  std::string blob;
  PackDoubles(in, blob);
  EXPECT_LT(blob.size(), 69u * 8u * 3 / 4);  // well under the 552 bytes of raw doubles
  ExpectSameBits(in, RoundTrip(in));
}

TEST(PackedVector, EveryTruncationIsDataLossNotACrash) {
  std::string blob;
  PackDoubles(std::vector<double>{1.5, 2, kNaN, 1e300, 0.25, -7}, blob);
  std::vector<double> out(16);
  for (size_t len = 0; len < blob.size(); ++len) {
    auto r = UnpackDoubles(std::string_view(blob).substr(0, len), out);
    ASSERT_FALSE(r.ok()) << "length " << len;
    EXPECT_EQ(r.status().code(), core::StatusCode::kDataLoss);
  }
  auto trailing = UnpackDoubles(blob + "x", out);
  EXPECT_EQ(trailing.status().code(), core::StatusCode::kDataLoss);
  std::string other_version = blob;
  other_version[0] = 9;
  EXPECT_EQ(UnpackDoubles(other_version, out).status().code(), core::StatusCode::kDataLoss);
}

TEST(PackedVector, HugeCountInAShortBlobIsRefused) {
  std::string blob = {1, '\xff', '\xff', '\xff', '\xff', 0x0f, 0, 0};
  std::vector<double> out(4);
  EXPECT_EQ(UnpackDoubles(blob, out).status().code(), core::StatusCode::kDataLoss);
  EXPECT_EQ(PackedSize(blob).status().code(), core::StatusCode::kDataLoss);
}

TEST(PackedVector, ShortOutputSpanIsInvalidArgument) {
  std::string blob;
  PackDoubles(std::vector<double>{1, 2, 3}, blob);
  std::vector<double> out(2);
  EXPECT_EQ(UnpackDoubles(blob, out).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(PackedVector, SqliteDecodesItWithVivalinkMetric) {
  auto db = Database::Open("sqlite://:memory:", {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::string packed;
  PackDoubles(std::vector<double>{2.5, kNaN, 40}, packed);
  Blob blob(packed.size());
  std::memcpy(blob.data(), packed.data(), packed.size());
  auto a = (*db)->QueryValue("SELECT vivalink_metric(?, 0)", {Value(blob)});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->as_double(), 2.5);
  auto b = (*db)->QueryValue("SELECT vivalink_metric(?, 1)", {Value(blob)});
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->is_null());
  auto c = (*db)->QueryValue("SELECT vivalink_metric(?, 2)", {Value(blob)});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->as_double(), 40);
  Blob bad = {std::byte{1}, std::byte{5}};
  auto d = (*db)->QueryValue("SELECT vivalink_metric(?, 0)", {Value(bad)});
  EXPECT_FALSE(d.ok());
}

}  // namespace
}  // namespace vivalink::db
