#include "ingest/crash_point.h"

#include <csignal>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>

namespace vivalink::ingest {
namespace {

struct CrashSpec {
  std::string stage;
  long n = 0;
  long seen = 0;
};

CrashSpec* Spec() {
  static std::optional<CrashSpec> spec = []() -> std::optional<CrashSpec> {
    const char* v = std::getenv("VIVALINK_CRASH_AT");
    if (v == nullptr) return std::nullopt;
    std::string s(v);
    auto colon = s.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    CrashSpec c;
    c.stage = s.substr(0, colon);
    c.n = std::strtol(s.c_str() + colon + 1, nullptr, 10);
    return c;
  }();
  return spec ? &*spec : nullptr;
}

}  // namespace

void CrashPoint(std::string_view stage) {
  CrashSpec* spec = Spec();
  if (spec == nullptr || spec->stage != stage) return;
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (++spec->seen == spec->n) std::raise(SIGKILL);
}

}  // namespace vivalink::ingest
