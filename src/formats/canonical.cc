#include "formats/canonical.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace vivalink::formats {
namespace {

// v0 (VivaInsightsDataset_v0, PascalCase) metric names -> analyst names. Each analyst name is the
// generic rule applied to the v1 (VivaInsightsDataset_PersonReport_v1) display name that measures
// the same thing, as both appear in shared/data/VivaInsightsDataset_v0.jsonl and
// VivaInsightsDataset_v1.jsonl:
//
//   v0 name                                 v1 display name
//   AfterHoursCollaboration                 "After-hours collaboration hours"
//   AfterHoursCollaborationMeetings         "After-hours meeting hours"
//   AfterHoursCollaborationEmails           "After-hours email hours"
//   AfterHoursCollaborationInstantMessages  "After-hours chat hours"
//   AfterHoursCollaborationScheduledCalls   "After-hours scheduled call hours"
//   AfterHoursCollaborationAdhocCalls       "After-hours unscheduled call hours"
//   CollaborationHours                      "Collaboration hours"
//   CollaborationHoursMeetings              "Meeting hours"
//   CollaborationHoursEmails                "Email hours"
//   CollaborationHoursExternal              "External collaboration hours"
//   CollaborationHoursInstantMessages       "Chat hours"
//   CollaborationHoursScheduledCalls        "Scheduled call hours"
//   CollaborationHoursAdhocCalls            "Unscheduled call hours"
//   MultitaskingMeetingHours                "Multitasking hours"
//   ConflictingMeetingHours                 "Conflicting meeting hours"
//   DirectManagerMeetingHours               "Meeting hours with manager"
//   OneOnOneMeetingHours                    "Meeting hours with manager 1:1"
//   SkipLevelMeetingHours                   "Meeting hours with skip level"
//   TotalFocusHours                         "Available-to-focus hours"
//   UninterruptedHours                      "Uninterrupted hours"
//   IsActive                                "IsActive" (same key in both shapes)
//
// ObjectId (v0) and PersonId (v1, CSV) are the same identifier and both become "PersonId".
// Sorted by v0 name for binary search.
constexpr std::pair<std::string_view, std::string_view> kV0Names[] = {
    {"AfterHoursCollaboration", "After_hours_collaboration_hours"},
    {"AfterHoursCollaborationAdhocCalls", "After_hours_unscheduled_call_hours"},
    {"AfterHoursCollaborationEmails", "After_hours_email_hours"},
    {"AfterHoursCollaborationInstantMessages", "After_hours_chat_hours"},
    {"AfterHoursCollaborationMeetings", "After_hours_meeting_hours"},
    {"AfterHoursCollaborationScheduledCalls", "After_hours_scheduled_call_hours"},
    {"CollaborationHours", "Collaboration_hours"},
    {"CollaborationHoursAdhocCalls", "Unscheduled_call_hours"},
    {"CollaborationHoursEmails", "Email_hours"},
    {"CollaborationHoursExternal", "External_collaboration_hours"},
    {"CollaborationHoursInstantMessages", "Chat_hours"},
    {"CollaborationHoursMeetings", "Meeting_hours"},
    {"CollaborationHoursScheduledCalls", "Scheduled_call_hours"},
    {"ConflictingMeetingHours", "Conflicting_meeting_hours"},
    {"DirectManagerMeetingHours", "Meeting_hours_with_manager"},
    {"IsActive", "IsActive"},
    {"MultitaskingMeetingHours", "Multitasking_hours"},
    {"ObjectId", "PersonId"},
    {"OneOnOneMeetingHours", "Meeting_hours_with_manager_1_1"},
    {"SkipLevelMeetingHours", "Meeting_hours_with_skip_level"},
    {"TotalFocusHours", "Available_to_focus_hours"},
    {"UninterruptedHours", "Uninterrupted_hours"},
};

// Columns that are always strings whatever they look like: identities, dates, HR attributes
// (Viva Insights person/meeting queries) and the fields of the Entra ID user export (MGDC
// User_v1). Sorted for binary search.
constexpr std::string_view kStringColumns[] = {
    "ADO_PersonSK",
    "City",
    "Country",
    "Date",
    "Department",
    "Domain",
    "FunctionType",
    "GroupName",
    "HireDate",
    "Layer",
    "Level",
    "LevelDesignation",
    "ManagerId",
    "MeetingId",
    "MetricDate",
    "Organization",
    "Organizer",
    "PersonId",
    "Population_Type",
    "Region",
    "State",
    "Subject",
    "SupervisorIndicator",
    "TimeZone",
    "aboutMe",
    "ageGroup",
    "birthday",
    "businessPhones",
    "city",
    "companyName",
    "country",
    "createdDateTime",
    "department",
    "displayName",
    "employeeId",
    "faxNumber",
    "givenName",
    "hireDate",
    "id",
    "imAddresses",
    "jobTitle",
    "legalAgeGroupClassification",
    "mail",
    "mailNickname",
    "mobilePhone",
    "mySite",
    "officeLocation",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesUserPrincipalName",
    "otherMails",
    "passwordPolicies",
    "postalCode",
    "preferredLanguage",
    "preferredName",
    "proxyAddresses",
    "ptenant",
    "puser",
    "state",
    "streetAddress",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
    "zId",
    "zip",
};

// Metric columns of the v1 PersonReport (canonical form of every display name in
// VivaInsightsDataset_v1.jsonl) plus the v0 table's targets: with keep_unknown_columns = false
// these and the string columns above are kept. Sorted for binary search.
constexpr std::string_view kKnownMetrics[] = {
    "After_hours_call_hours",
    "After_hours_chat_hours",
    "After_hours_collaboration_hours",
    "After_hours_email_hours",
    "After_hours_meeting_hours",
    "After_hours_scheduled_call_hours",
    "After_hours_unscheduled_call_hours",
    "Available_to_focus_hours",
    "Call_hours",
    "Calls",
    "Chat_hours",
    "Chats_sent",
    "Collaboration_hours",
    "Collaboration_hours_with_direct_reports",
    "Conflicting_meeting_hours",
    "Email_hours",
    "Emails_sent",
    "External_chat_hours",
    "External_collaboration_hours",
    "External_email_hours",
    "External_meeting_hours",
    "External_unscheduled_call_hours",
    "Internal_meeting_hours_with_3_to_8_attendees",
    "Internal_meeting_hours_without_manager_1_1",
    "Interrupted_hours",
    "IsActive",
    "Large_and_long_meeting_hours",
    "Large_and_long_recurring_meeting_hours",
    "Large_and_short_meeting_hours",
    "Large_and_short_recurring_meeting_hours",
    "Manager_coaching_hours_1_1",
    "Meeting_and_call_hours",
    "Meeting_hours",
    "Meeting_hours_with_manager",
    "Meeting_hours_with_manager_1_1",
    "Meeting_hours_with_skip_level",
    "Meetings",
    "Meetings_with_manager",
    "Meetings_with_manager_1_1",
    "Meetings_with_skip_level",
    "Multitasking_hours",
    "Recurring_meeting_hours",
    "Scheduled_call_hours",
    "Small_and_long_meeting_hours",
    "Small_and_long_recurring_meeting_hours",
    "Small_and_short_meeting_hours",
    "Small_and_short_recurring_meeting_hours",
    "Small_group_chats_sent,_including_manager",
    "Small_group_chats_sent_excluding_manager",
    "Small_group_emails_sent,_excluding_manager",
    "Small_group_emails_sent,_including_manager",
    "Small_group_meeting,_call,_and_chat_hours",
    "Uninterrupted_hours",
    "Unscheduled_call_hours",
    "Unscheduled_call_hours_with_manager",
    "Unscheduled_call_hours_with_manager_1_1",
    "Unscheduled_weekend_calls",
    "Urgent_email_hours",
    "Urgent_meeting_hours",
    "Weekend_chats_sent",
    "Weekend_emails_sent",
    "Weekend_meetings",
    "Working_hours_call_hours",
    "Working_hours_chat_hours",
    "Working_hours_collaboration_hours",
    "Working_hours_email_hours",
    "Working_hours_meeting_hours",
};

bool InSorted(const auto& table, std::string_view name) {
  return std::binary_search(std::begin(table), std::end(table), name);
}

bool IsCanonicalChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ',';
}

}  // namespace

std::string CanonicalName(std::string_view source_name) {
  auto it = std::lower_bound(std::begin(kV0Names), std::end(kV0Names), source_name,
                             [](const auto& entry, std::string_view n) { return entry.first < n; });
  if (it != std::end(kV0Names) && it->first == source_name) return std::string(it->second);
  std::string out(source_name);
  // Byte-wise: each byte of a multi-byte UTF-8 character becomes its own '_', which keeps the
  // rule simple and the result ASCII.
  for (char& c : out) {
    if (!IsCanonicalChar(c)) c = '_';
  }
  return out;
}

bool IsPiiColumn(std::string_view canonical_name) {
  // PROTOCOL §3: exactly these travel column-encrypted. proxyAddresses is personal data too but
  // the pipeline does not encrypt it.
  return canonical_name == "PersonId" || canonical_name == "id" || canonical_name == "mail" ||
         canonical_name == "userPrincipalName";
}

bool IsRowIdentifierColumn(std::string_view canonical_name) {
  return canonical_name == "PeopleHistoricalId";
}

bool IsStringColumn(std::string_view canonical_name) {
  return InSorted(kStringColumns, canonical_name);
}

bool IsKnownColumn(std::string_view canonical_name) {
  return InSorted(kStringColumns, canonical_name) || InSorted(kKnownMetrics, canonical_name);
}

namespace internal {
// Used by the tests to check the tables stay sorted (binary search depends on it).
bool CanonicalTablesSorted() {
  auto by_first = [](const auto& a, const auto& b) { return a.first < b.first; };
  return std::is_sorted(std::begin(kV0Names), std::end(kV0Names), by_first) &&
         std::is_sorted(std::begin(kStringColumns), std::end(kStringColumns)) &&
         std::is_sorted(std::begin(kKnownMetrics), std::end(kKnownMetrics));
}
}  // namespace internal

}  // namespace vivalink::formats
