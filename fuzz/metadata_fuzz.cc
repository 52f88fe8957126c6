// Fuzzes metadata.json parsing (PROTOCOL §2): any bytes must give a Status, never a crash, and a
// parsed metadata must survive a serialise/parse round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drop/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = vivalink::drop::ParseMetadata(text, "fuzz/metadata.json");
  if (m.ok()) {
    auto again = vivalink::drop::ParseMetadata(vivalink::drop::SerializeMetadata(*m), "again");
    if (!again.ok() || again->rows_extracted != m->rows_extracted ||
        again->copy_activity_id != m->copy_activity_id) {
      std::abort();
    }
    (void)vivalink::drop::MatchColumnsRequested(m->columns_requested, {"PersonId", "a,b"});
  }
  return 0;
}
