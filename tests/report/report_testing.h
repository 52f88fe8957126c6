// Helpers shared by the report tests: a small person-week Frame with a group too small to be
// shown and a group whose name is markup, and checks every report must pass.
#pragma once

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "analysis/frame.h"

namespace vivalink::report::testing {

inline constexpr char kScriptGroup[] = "<script>alert(1)</script>";
inline constexpr char kTinyGroup[] = "TinyTeamQ";  // 2 persons, below the minimum of 5

// 4 weeks; "Big Org" 7 persons (one a non-knowledge worker), kScriptGroup 6 persons, kTinyGroup
// 2 persons. Person ids all start with "secret-person-".
inline analysis::Frame SmallFrame() {
  std::vector<std::string> persons, weeks, orgs;
  std::vector<double> collab, after_hours, emails, meetings;
  const std::vector<std::string> week_names = {"2024-05-05", "2024-05-12", "2024-05-19",
                                               "2024-05-26"};
  const auto add_person = [&](const std::string& org, int id, double base) {
    for (size_t w = 0; w < week_names.size(); ++w) {
      persons.push_back("secret-person-" + std::to_string(id));
      weeks.push_back(week_names[w]);
      orgs.push_back(org);
      const double wiggle = static_cast<double>((id * 7 + static_cast<int>(w) * 3) % 5);
      collab.push_back(base + wiggle);
      emails.push_back(2 + 0.3 * base + wiggle);
      meetings.push_back(0.5 * base - wiggle);
      after_hours.push_back(0.1 * base + 0.2 * wiggle);
    }
  };
  int id = 0;
  for (int i = 0; i < 6; ++i) add_person("Big Org", id++, 20 + 2 * i);
  add_person("Big Org", id++, 1);  // mean collaboration below 5 hours: a non-knowledge worker
  for (int i = 0; i < 6; ++i) add_person(kScriptGroup, id++, 25 + 3 * i);
  for (int i = 0; i < 2; ++i) add_person(kTinyGroup, id++, 30 + i);
  analysis::Frame f;
  EXPECT_TRUE(f.AddStrings("PersonId", persons).ok());
  EXPECT_TRUE(f.AddStrings("MetricDate", weeks).ok());
  EXPECT_TRUE(f.AddStrings("Organization", orgs).ok());
  EXPECT_TRUE(f.AddNumeric("Collaboration_hours", collab).ok());
  EXPECT_TRUE(f.AddNumeric("After_hours_collaboration_hours", after_hours).ok());
  EXPECT_TRUE(f.AddNumeric("Email_hours", emails).ok());
  EXPECT_TRUE(f.AddNumeric("Meeting_hours", meetings).ok());
  return f;
}

// Every "http" in the document is an XML namespace name (xmlns="http://www.w3.org/..."), every
// href is a fragment, and nothing is loaded: no src attribute, no CSS url() or @import.
inline void ExpectSelfContained(const std::string& html) {
  for (size_t pos = html.find("http"); pos != std::string::npos; pos = html.find("http", pos + 1)) {
    const std::string before = html.substr(pos >= 7 ? pos - 7 : 0, std::min<size_t>(pos, 7));
    EXPECT_EQ(before, "xmlns=\"") << "external reference near: " << html.substr(pos, 80);
  }
  for (size_t pos = html.find("href="); pos != std::string::npos;
       pos = html.find("href=", pos + 1)) {
    EXPECT_EQ(html.substr(pos, 7), "href=\"#") << html.substr(pos, 80);
  }
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
}

// The whole document parses as XML, and every <svg> opens with a <title>.
inline void ExpectWellFormed(const std::string& html, size_t min_svgs = 0) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(html.data(), html.size());
  ASSERT_TRUE(parsed) << parsed.description() << " at offset " << parsed.offset << ": "
                      << html.substr(
                             static_cast<size_t>(std::max<ptrdiff_t>(0, parsed.offset - 80)), 160);
  const pugi::xpath_node_set svgs = doc.select_nodes("//svg");
  EXPECT_GE(svgs.size(), min_svgs);
  for (const auto& node : svgs) {
    const pugi::xml_node svg = node.node();
    EXPECT_STREQ(svg.attribute("xmlns").value(), "http://www.w3.org/2000/svg");
    EXPECT_STREQ(svg.attribute("role").value(), "img");
    EXPECT_STREQ(svg.first_child().name(), "title");
    EXPECT_STRNE(svg.first_child().child_value(), "");
  }
}

}  // namespace vivalink::report::testing
