// libFuzzer harness (built by fuzz/push.cmake, not by the unit tests): any bytes given to the
// push parsers must give a Status, never a crash, a leak or undefined behaviour, and what they
// accept must be self-consistent:
//   - a parsed notification names a drop whose metadata path parses back to the same drop;
//   - ParseEvents fails or succeeds independently of the container filter, and filtering only
//     moves events from hints to ignored;
//   - a body always verifies against its own signature, and any bytes as a header value are
//     handled.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drop/layout.h"
#include "push/notification.h"

namespace {

using vivalink::push::EventBatch;
using vivalink::push::HintSource;

void CheckRef(const vivalink::drop::DropRef& ref) {
  auto again = vivalink::drop::ParseDropRef(ref.metadata_path());
  if (!again.ok() || !(*again == ref)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto hint = vivalink::push::ParseDropNotification(text, HintSource::kQueue);
  if (hint.ok()) {
    if (hint->source != HintSource::kQueue) std::abort();
    CheckRef(hint->ref);
  }

  auto any = vivalink::push::ParseEvents(text, "");
  auto one = vivalink::push::ParseEvents(text, "drops");
  if (any.ok() != one.ok()) std::abort();
  if (any.ok()) {
    const EventBatch& a = *any;
    const EventBatch& o = *one;
    if (o.hints.size() > a.hints.size()) std::abort();
    if (o.hints.size() + static_cast<size_t>(o.ignored) !=
        a.hints.size() + static_cast<size_t>(a.ignored)) {
      std::abort();
    }
    if (a.validation_code != o.validation_code) std::abort();
    if (a.validation_code && a.validation_code->empty()) std::abort();
    for (const auto& h : a.hints) {
      if (h.source != HintSource::kEventGrid && h.source != HintSource::kCloudEvents) std::abort();
      if (h.container.empty()) std::abort();
      CheckRef(h.ref);
    }
  }

  if (!vivalink::push::VerifySignature("k", text,
                                       vivalink::push::SignatureHeaderValue("k", text))) {
    std::abort();
  }
  (void)vivalink::push::VerifySignature("k", "body", text);
  return 0;
}
