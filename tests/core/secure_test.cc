// Wiped memory for keys and plaintext (core/secure.h).
#include "core/secure.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

namespace vivalink::core {
namespace {

bool Holds(const unsigned char* p, size_t n, std::string_view needle) {
  return std::string_view(reinterpret_cast<const char*>(p), n).find(needle) !=
         std::string_view::npos;
}

// Issue 10 item 9: a SecureString short enough for the small-string buffer was never wiped (no
// allocation, so the wiping allocator never saw it).
TEST(SecureString, ShortStringsAreWipedWhenDestroyed) {
  alignas(SecureString) unsigned char storage[sizeof(SecureString)];
  auto* s = new (storage) SecureString("pw-SENTINEL");
  ASSERT_EQ(s->size(), 11u);
  ASSERT_TRUE(Holds(storage, sizeof(storage), "SENTINEL")) << "the test needs the in-object buffer";
  s->~SecureString();
  EXPECT_FALSE(Holds(storage, sizeof(storage), "SENTINEL"));
}

TEST(SecureString, AMovedFromShortStringIsWipedWhenDestroyed) {
  alignas(SecureString) unsigned char storage[sizeof(SecureString)];
  auto* s = new (storage) SecureString("pw-SENTINEL");
  SecureString taken = std::move(*s);
  EXPECT_EQ(taken, "pw-SENTINEL");
  s->~SecureString();
  EXPECT_FALSE(Holds(storage, sizeof(storage), "SENTINEL"));
}

// Large wiped blocks are mapped on their own pages and left out of core dumps.
TEST(SecureBytes, LargeBlocksAreExcludedFromCoreDumps) {
  SecureBytes big(kSecurePageBytes * 2, std::byte{0x5a});
  std::string smaps;
  {
    FILE* f = std::fopen("/proc/self/smaps", "r");
    ASSERT_NE(f, nullptr);
    char line[512];
    while (std::fgets(line, sizeof(line), f) != nullptr) smaps += line;
    std::fclose(f);
  }
  // Find the mapping that holds big.data() and check its VmFlags carry "dd" (do not dump).
  auto addr = reinterpret_cast<uintptr_t>(big.data());
  bool found = false;
  size_t pos = 0;
  while (pos < smaps.size()) {
    size_t eol = smaps.find('\n', pos);
    std::string l = smaps.substr(pos, eol - pos);
    pos = eol == std::string::npos ? smaps.size() : eol + 1;
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(l.c_str(), "%lx-%lx ", &lo, &hi) == 2 && addr >= lo && addr < hi) {
      size_t flags = smaps.find("VmFlags:", pos);
      ASSERT_NE(flags, std::string::npos);
      std::string vm = smaps.substr(flags, smaps.find('\n', flags) - flags);
      EXPECT_NE(vm.find(" dd"), std::string::npos) << vm;
      found = true;
      break;
    }
  }
  EXPECT_TRUE(found);
}

TEST(SecureString, BehavesAsAString) {
  SecureString a = "abc";
  SecureString b(a.begin(), a.end());
  b += "def";
  SecureString c = a + b;
  EXPECT_EQ(c, "abcabcdef");
  EXPECT_EQ(std::string_view(c).substr(3), "abcdef");
  c = "x";
  EXPECT_EQ(c.size(), 1u);
  SecureString long_one(1000, 'k');
  SecureString copy = long_one;
  EXPECT_EQ(copy.size(), 1000u);
}

}  // namespace
}  // namespace vivalink::core
