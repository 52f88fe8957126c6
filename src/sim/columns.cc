#include "sim/columns.h"

namespace vivalink::sim {
namespace {

constexpr std::array<MetricInfo, kMetricCount> kMetrics = {{
    {"After-hours collaboration hours", "AfterHoursCollaboration", false},
    {"After-hours email hours", "AfterHoursCollaborationEmails", false},
    {"After-hours call hours", "", false},
    {"After-hours unscheduled call hours", "AfterHoursCollaborationAdhocCalls", false},
    {"After-hours scheduled call hours", "AfterHoursCollaborationScheduledCalls", false},
    {"After-hours chat hours", "AfterHoursCollaborationInstantMessages", false},
    {"After-hours meeting hours", "AfterHoursCollaborationMeetings", false},
    {"Collaboration hours", "CollaborationHours", false},
    {"Email hours", "CollaborationHoursEmails", false},
    {"Meeting hours", "CollaborationHoursMeetings", false},
    {"Chat hours", "CollaborationHoursInstantMessages", false},
    {"Call hours", "", false},
    {"Unscheduled call hours", "CollaborationHoursAdhocCalls", false},
    {"Scheduled call hours", "CollaborationHoursScheduledCalls", false},
    {"Multitasking hours", "MultitaskingMeetingHours", false},
    {"Emails sent", "", true},
    {"Meetings", "", true},
    {"Chats sent", "", true},
    {"Calls", "", true},
    {"Meeting and call hours", "", false},
    {"Weekend emails sent", "", true},
    {"Weekend chats sent", "", true},
    {"Weekend meetings", "", true},
    {"Unscheduled weekend calls", "", true},
    {"Urgent email hours", "", false},
    {"Urgent meeting hours", "", false},
    {"Small-group meeting, call, and chat hours", "", false},
    {"Small-group emails sent, excluding manager", "", true},
    {"Small-group chats sent excluding manager", "", true},
    {"Internal meeting hours without manager 1:1", "", false},
    {"Internal meeting hours with 3 to 8 attendees", "", false},
    {"Unscheduled call hours with manager 1:1", "", false},
    {"Unscheduled call hours with manager", "", false},
    {"Collaboration hours with direct reports", "", false},
    {"Small-group emails sent, including manager", "", true},
    {"Small-group chats sent, including manager", "", true},
    {"Manager coaching hours 1:1", "", false},
    {"Meeting hours with manager", "DirectManagerMeetingHours", false},
    {"Meeting hours with manager 1:1", "OneOnOneMeetingHours", false},
    {"Meeting hours with skip level", "SkipLevelMeetingHours", false},
    {"Meetings with manager", "", true},
    {"Meetings with manager 1:1", "", true},
    {"Meetings with skip level", "", true},
    {"External collaboration hours", "CollaborationHoursExternal", false},
    {"External unscheduled call hours", "", false},
    {"External email hours", "", false},
    {"External chat hours", "", false},
    {"External meeting hours", "", false},
    {"Available-to-focus hours", "TotalFocusHours", false},
    {"Uninterrupted hours", "UninterruptedHours", false},
    {"Interrupted hours", "", false},
    {"Conflicting meeting hours", "ConflictingMeetingHours", false},
    {"Small and short meeting hours", "", false},
    {"Small and short recurring meeting hours", "", false},
    {"Large and long meeting hours", "", false},
    {"Large and long recurring meeting hours", "", false},
    {"Large and short meeting hours", "", false},
    {"Large and short recurring meeting hours", "", false},
    {"Small and long meeting hours", "", false},
    {"Small and long recurring meeting hours", "", false},
    {"Recurring meeting hours", "", false},
    {"Working-hours collaboration hours", "", false},
    {"Working-hours email hours", "", false},
    {"Working-hours call hours", "", false},
    {"Working-hours chat hours", "", false},
    {"Working-hours meeting hours", "", false},
    {"Internal network size", "", true},
    {"External network size", "", true},
}};

bool KeepsCharacter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ',';
}

}  // namespace

const MetricInfo& Info(Metric m) { return kMetrics[Index(m)]; }
const std::array<MetricInfo, kMetricCount>& AllMetrics() { return kMetrics; }

std::string DisplayToCanonical(std::string_view display_name) {
  std::string out(display_name);
  for (char& c : out) {
    if (!KeepsCharacter(c)) c = '_';
  }
  return out;
}

std::string_view CanonicalName(Metric m) {
  static const std::array<std::string, kMetricCount> kNames = [] {
    std::array<std::string, kMetricCount> names;
    for (size_t i = 0; i < kMetricCount; ++i)
      names[i] = DisplayToCanonical(kMetrics[i].display_name);
    return names;
  }();
  return kNames[Index(m)];
}

}  // namespace vivalink::sim
