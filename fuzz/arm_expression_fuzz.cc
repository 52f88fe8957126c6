// libFuzzer harness (built by fuzz/sim.cmake, not by the unit tests): any bytes given to the
// ARM / ADF expression parser and evaluator (sim/arm_expression.h) must give a Status, never a
// crash, a leak, unbounded recursion or undefined behaviour; and what parses must evaluate
// deterministically (the same value or the same error twice).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sim/arm_expression.h"

namespace {

using vivalink::sim::arm::FunctionScope;
using vivalink::sim::arm::Value;

// A few scope functions so member access and indexing see real objects.
class FuzzScope final : public FunctionScope {
 public:
  std::optional<vivalink::core::Result<Value>> Call(std::string_view name,
                                                    const std::vector<Value>&) override {
    if (name == "pipeline") {
      return Value{{"RunId", "r"}, {"parameters", {{"TenantId", "t"}, {"Flag", true}}}};
    }
    if (name == "activity") return Value{{"output", {{"n", 1}, {"list", {1, 2}}}}};
    return std::nullopt;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  FuzzScope scope;
  auto e = vivalink::sim::arm::ParseExpression(text);
  if (e.ok()) {
    auto a = vivalink::sim::arm::Evaluate(*e, scope);
    auto b = vivalink::sim::arm::Evaluate(*e, scope);
    if (a.ok() != b.ok() || (a.ok() && !(*a == *b) && !(a->is_number_float()))) std::abort();
  }
  (void)vivalink::sim::arm::EvaluateAdfString(text, scope);
  (void)vivalink::sim::arm::EvaluateArmString(text, scope);
  return 0;
}
