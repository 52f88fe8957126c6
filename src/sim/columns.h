// The Viva Insights metric columns the simulator produces, in one table: the v1 display name
// (PersonReport), the v0 PascalCase name where the v0 shape has the metric, the canonical
// (analyst, underscore) name of PROTOCOL §5, and whether the metric is a count (integer).
//
// The enum order is the column order of the v1 sample (shared/data/VivaInsightsDataset_v1.jsonl),
// followed by the metrics that sample lacks but the person query has (network sizes).
// Thread-safe: the table is immutable.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace vivalink::sim {

enum class Metric : size_t {
  kAfterHoursCollaborationHours,
  kAfterHoursEmailHours,
  kAfterHoursCallHours,
  kAfterHoursUnscheduledCallHours,
  kAfterHoursScheduledCallHours,
  kAfterHoursChatHours,
  kAfterHoursMeetingHours,
  kCollaborationHours,
  kEmailHours,
  kMeetingHours,
  kChatHours,
  kCallHours,
  kUnscheduledCallHours,
  kScheduledCallHours,
  kMultitaskingHours,
  kEmailsSent,
  kMeetings,
  kChatsSent,
  kCalls,
  kMeetingAndCallHours,
  kWeekendEmailsSent,
  kWeekendChatsSent,
  kWeekendMeetings,
  kUnscheduledWeekendCalls,
  kUrgentEmailHours,
  kUrgentMeetingHours,
  kSmallGroupMeetingCallChatHours,
  kSmallGroupEmailsSentExclManager,
  kSmallGroupChatsSentExclManager,
  kInternalMeetingHoursWithoutManager1on1,
  kInternalMeetingHours3to8,
  kUnscheduledCallHoursWithManager1on1,
  kUnscheduledCallHoursWithManager,
  kCollaborationHoursWithDirectReports,
  kSmallGroupEmailsSentInclManager,
  kSmallGroupChatsSentInclManager,
  kManagerCoachingHours1on1,
  kMeetingHoursWithManager,
  kMeetingHoursWithManager1on1,
  kMeetingHoursWithSkipLevel,
  kMeetingsWithManager,
  kMeetingsWithManager1on1,
  kMeetingsWithSkipLevel,
  kExternalCollaborationHours,
  kExternalUnscheduledCallHours,
  kExternalEmailHours,
  kExternalChatHours,
  kExternalMeetingHours,
  kAvailableToFocusHours,
  kUninterruptedHours,
  kInterruptedHours,
  kConflictingMeetingHours,
  kSmallShortMeetingHours,
  kSmallShortRecurringMeetingHours,
  kLargeLongMeetingHours,
  kLargeLongRecurringMeetingHours,
  kLargeShortMeetingHours,
  kLargeShortRecurringMeetingHours,
  kSmallLongMeetingHours,
  kSmallLongRecurringMeetingHours,
  kRecurringMeetingHours,
  kWorkingHoursCollaborationHours,
  kWorkingHoursEmailHours,
  kWorkingHoursCallHours,
  kWorkingHoursChatHours,
  kWorkingHoursMeetingHours,
  kInternalNetworkSize,
  kExternalNetworkSize,
  kCount,  // not a metric: the number of metrics
};

inline constexpr size_t kMetricCount = static_cast<size_t>(Metric::kCount);

struct MetricInfo {
  std::string_view display_name;  // v1 column, e.g. "After-hours email hours"
  std::string_view v0_name;       // v0 column, e.g. "AfterHoursCollaborationEmails"; "" if none
  bool is_count;                  // integer-valued (counts, network sizes)
};

// The row of one metric.
const MetricInfo& Info(Metric m);
// All metrics in enum order.
const std::array<MetricInfo, kMetricCount>& AllMetrics();
// The canonical (analyst) name of m: DisplayToCanonical(Info(m).display_name), cached.
std::string_view CanonicalName(Metric m);
// PROTOCOL §5: every character outside [A-Za-z0-9,] becomes '_'
// ("Small-group meeting, call, and chat hours" -> "Small_group_meeting,_call,_and_chat_hours").
std::string DisplayToCanonical(std::string_view display_name);

inline constexpr size_t Index(Metric m) { return static_cast<size_t>(m); }

}  // namespace vivalink::sim
