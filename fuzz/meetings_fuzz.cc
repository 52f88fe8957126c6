// Fuzzes the meetings module on arbitrary input: as Outlook events (calendar metrics, with a
// Windows zone for working hours) and as a meeting query (after-hours, UTC starts placed by
// their TimeZone). Any bytes must give metrics or a clean error, never a crash or a hang, and the
// metrics must keep their invariants (parts never exceed the whole, nothing negative).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/io.h"
#include "meetings/meeting_query.h"
#include "meetings/metrics.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vivalink;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  meetings::MeetingOptions options;
  options.default_hours.time_zone = "Pacific Standard Time";
  options.owner = "owner";
  options.internal_domains = {"contoso.com"};
  auto m =
      meetings::DeriveMeetingMetrics(std::make_unique<core::MemorySource>(text), "fuzz", options);
  if (m.ok()) {
    const double eps = 1e-9;
    for (const auto& r : m->rows) {
      Check(r.meeting_hours >= 0 && r.meetings >= 0);
      Check(r.after_hours_meeting_hours <= r.meeting_hours + eps);
      Check(r.conflicting_meeting_hours <= r.meeting_hours + eps);
      Check(r.large_meeting_hours <= r.meeting_hours + eps);
      Check(r.long_meeting_hours <= r.meeting_hours + eps);
      Check(r.recurring_meeting_hours + r.one_off_meeting_hours <= r.meeting_hours + eps);
      Check(r.external_meeting_hours <= r.meeting_hours + eps);
      Check(r.recurring_meetings + r.one_off_meetings == r.meetings);
    }
    (void)meetings::ToCsv(*m);
  }

  meetings::MeetingQueryOptions q;
  q.kind = meetings::MeetingQueryKind::kAfterHours;
  q.by = "";
  q.start_times_utc = true;
  auto t = meetings::AnalyzeMeetingQuery(std::make_unique<core::MemorySource>(text), "fuzz", q);
  if (t.ok()) (void)meetings::ToCsv(*t);
  return 0;
}
