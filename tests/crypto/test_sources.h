// Byte sources for the crypto tests: ones that hand out data in awkward pieces, fail on demand,
// and deterministic test data.
#pragma once

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <string_view>

#include "core/io.h"
#include "core/status.h"

namespace vivalink::crypto::testing {

// Returns at most `chunk` bytes per Read, so stream boundaries fall everywhere.
class ChunkedSource final : public core::ByteSource {
 public:
  ChunkedSource(std::string data, size_t chunk) : data_(std::move(data)), chunk_(chunk) {}
  core::Result<size_t> Read(std::span<std::byte> out) override {
    size_t n = std::min({out.size(), chunk_, data_.size() - pos_});
    std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t chunk_;
  size_t pos_ = 0;
};

// Hands out `good` bytes of data, then fails with kUnavailable (a dropped connection).
class FailingSource final : public core::ByteSource {
 public:
  FailingSource(std::string data, size_t good) : data_(std::move(data)), good_(good) {}
  core::Result<size_t> Read(std::span<std::byte> out) override {
    if (pos_ >= good_) return core::UnavailableError("connection reset while reading blob");
    size_t n = std::min({out.size(), good_ - pos_, data_.size() - pos_});
    std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t good_;
  size_t pos_ = 0;
};

// Reads source to the end with reads of exactly `read_size` bytes requested each time.
inline core::Result<std::string> ReadAllWith(core::ByteSource& source, size_t read_size) {
  std::string out;
  std::string buf(read_size, '\0');
  while (true) {
    ASSIGN_OR_RETURN(size_t n, source.Read({reinterpret_cast<std::byte*>(buf.data()), read_size}));
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

inline std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

// JSON-lines-like text: compressible but not trivially so.
inline std::string JsonLines(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(n + 256);
  static constexpr std::string_view kNames[] = {"Collaboration hours", "Email hours",
                                                "Meeting hours", "Chat hours", "Call hours"};
  while (s.size() < n) {
    s += "{\"PersonId\":\"";
    for (int i = 0; i < 22; ++i)
      s += "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop0123456789+/"[rng() % 54];
    s += "==\",\"MetricDate\":\"2022-01-";
    s += std::to_string(10 + rng() % 18);
    s += "T00:00:00Z\"";
    for (auto name : kNames) {
      s += ",\"";
      s += name;
      s += "\":\"";
      s += std::to_string(rng() % 100) + "." + std::to_string(rng());
      s += '"';
    }
    s += "}\n";
  }
  s.resize(n);
  return s;
}

}  // namespace vivalink::crypto::testing
