// Embedded name lists of the synthetic organisation (module-private).
#pragma once

#include <span>
#include <string_view>

namespace vivalink::sim::internal {

// A name as displayed (may hold UTF-8 letters or an apostrophe) and its ASCII form for addresses.
struct Name {
  std::string_view display;
  std::string_view ascii;
};

std::span<const Name> GivenNames();
std::span<const Name> Surnames();
// Fictional company names used for tenant domains ("contoso" -> contoso.com).
std::span<const std::string_view> CompanyNames();

}  // namespace vivalink::sim::internal
