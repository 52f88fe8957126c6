// Fuzzes the calendar reader (CalendarView_v0 / Event_v1 rows): any bytes must give events or a
// clean error, never a crash, and reading them through 64-byte chunks and 3-event batches must
// give the same events as reading them whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/io.h"
#include "formats/calendar_reader.h"

namespace {

using vivalink::formats::CalendarBatch;
using vivalink::formats::CalendarEvent;
using vivalink::formats::CalendarReaderOptions;

// A digest of every event read, or one ending in "error".
std::string ReadEvents(std::string_view data, CalendarReaderOptions options) {
  auto reader = vivalink::formats::OpenCalendarReader(
      std::make_unique<vivalink::core::MemorySource>(data), std::move(options));
  if (!reader.ok()) return "open error";
  std::string out;
  CalendarBatch batch;
  while (true) {
    auto more = (*reader)->Next(batch);
    if (!more.ok()) return out + "error";
    if (!*more) break;
    for (const CalendarEvent& e : batch) {
      out += std::to_string(e.line) + "|" + e.id + "|" +
             std::to_string(e.start.local.time_since_epoch().count()) + e.start.time_zone + "|" +
             std::to_string(e.end.local.time_since_epoch().count()) + e.end.time_zone + "|" +
             std::to_string(static_cast<int>(e.type)) + std::to_string(e.is_cancelled) +
             std::to_string(static_cast<int>(e.response)) + e.organizer_address + "|" +
             std::to_string(e.attendees.size()) + e.puser + "\n";
      for (const auto& a : e.attendees)
        out += a.address + std::to_string(static_cast<int>(a.response));
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string whole = ReadEvents(text, {.max_line_bytes = 1 << 16, .chunk_bytes = 1 << 16});
  std::string chunked =
      ReadEvents(text, {.batch_events = 3, .max_line_bytes = 1 << 16, .chunk_bytes = 64});
  bool whole_failed = whole.ends_with("error");
  if (whole_failed != chunked.ends_with("error")) std::abort();
  if (!whole_failed && whole != chunked) std::abort();
  return 0;
}
