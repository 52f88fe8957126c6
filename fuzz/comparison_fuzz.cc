// Fuzzes the outcome-expression parser (analysis/expr.h): any text gives a comparison or a clean
// error, never a crash; a parsed comparison's canonical text parses back to the same comparison.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "analysis/expr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = vivalink::analysis::ParseComparison(text);
  if (!parsed.ok()) {
    if (parsed.status().code() != vivalink::core::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  if (parsed->column.empty()) std::abort();
  if (!std::isfinite(parsed->value)) return 0;  // "inf" is not in the grammar
  auto again = vivalink::analysis::ParseComparison(parsed->ToString());
  if (!again.ok() || again->column != parsed->column || again->op != parsed->op ||
      again->value != parsed->value) {
    std::abort();
  }
  return 0;
}
