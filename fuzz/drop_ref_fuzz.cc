// Fuzzes blob paths as drop names (drop/layout.h ParseDropRef), what listing and push hints turn
// storage names into: any bytes give a DropRef or kInvalidArgument, never a crash; an accepted
// name has GUID run and tenant ids and a known kind, and its own paths parse back to it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drop/layout.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vivalink;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ref = drop::ParseDropRef(text);
  if (!ref.ok()) {
    if (ref.status().code() != core::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  if (ref->run_id.empty() || ref->tenant_id.empty() || ref->kind.empty()) std::abort();
  for (const std::string& path : {ref->metadata_path(), ref->ToString(), ref->prefix()}) {
    auto again = drop::ParseDropRef(path);
    if (!again.ok() || again->run_id != ref->run_id || again->kind != ref->kind ||
        again->tenant_id != ref->tenant_id) {
      std::abort();
    }
  }
  return 0;
}
