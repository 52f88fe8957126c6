// Fuzzes the working-hours option of the meetings analysis (meetings/metrics.h
// ParseWorkingHours, "09:00-17:00"): any text gives hours or kInvalidArgument, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "meetings/metrics.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vivalink;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  meetings::WorkingHours hours;
  core::Status s = meetings::ParseWorkingHours(text, hours);
  if (!s.ok() && s.code() != core::StatusCode::kInvalidArgument) std::abort();
  return 0;
}
