// Helpers shared by the simulator's tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sim/organization.h"

namespace vivalink::sim::testing {

// Options of a small world with a fixed partner secret (byte-identical output).
inline OrgOptions SmallOptions(int people = 300, int weeks = 8, uint64_t seed = 17,
                               int tenants = 1) {
  OrgOptions o;
  o.tenants = tenants;
  o.people = people;
  o.weeks = weeks;
  o.seed = seed;
  o.partner_secret = "test-secret";
  return o;
}

inline Organization MustGenerate(const OrgOptions& o) {
  core::Result<Organization> org = Generate(o);
  EXPECT_TRUE(org.ok()) << org.status().ToString();
  return org.ok() ? std::move(org).value() : Organization{};
}

inline std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// One CSV record (RFC 4180 quoting, no embedded line breaks).
inline std::vector<std::string> CsvFields(std::string_view line) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  out.push_back(field);
  return out;
}

}  // namespace vivalink::sim::testing
