#include "formats/canonical.h"

#include <gtest/gtest.h>

#include <set>

#include "formats_testing.h"

namespace vivalink::formats {
namespace internal {
bool CanonicalTablesSorted();
}
namespace {

TEST(Canonical, DisplayNamesBecomeUnderscoreNames) {
  EXPECT_EQ(CanonicalName("After-hours email hours"), "After_hours_email_hours");
  EXPECT_EQ(CanonicalName("Collaboration hours"), "Collaboration_hours");
  EXPECT_EQ(CanonicalName("Internal meeting hours without manager 1:1"),
            "Internal_meeting_hours_without_manager_1_1");
  EXPECT_EQ(CanonicalName("Copilot actions taken in Copilot chat (work)"),
            "Copilot_actions_taken_in_Copilot_chat__work_");
}

TEST(Canonical, CommasAreKept) {
  EXPECT_EQ(CanonicalName("Small-group meeting, call, and chat hours"),
            "Small_group_meeting,_call,_and_chat_hours");
}

TEST(Canonical, NonAsciiBytesBecomeUnderscores) {
  EXPECT_EQ(CanonicalName("Caf\xC3\xA9 hours"), "Caf___hours");
}

TEST(Canonical, AnalystNamesAreUnchanged) {
  for (const char* name : {"Collaboration_hours", "Meeting_hours_with_manager_1_1",
                           "Small_group_emails_sent,_excluding_manager", "LevelDesignation"}) {
    EXPECT_EQ(CanonicalName(name), name);
  }
}

TEST(Canonical, ObjectIdAndPersonIdAreBothPersonId) {
  EXPECT_EQ(CanonicalName("ObjectId"), "PersonId");
  EXPECT_EQ(CanonicalName("PersonId"), "PersonId");
}

TEST(Canonical, V0NamesMapThroughTheTable) {
  const std::pair<const char*, const char*> cases[] = {
      {"CollaborationHours", "Collaboration_hours"},
      {"AfterHoursCollaboration", "After_hours_collaboration_hours"},
      {"CollaborationHoursMeetings", "Meeting_hours"},
      {"CollaborationHoursEmails", "Email_hours"},
      {"CollaborationHoursExternal", "External_collaboration_hours"},
      {"CollaborationHoursInstantMessages", "Chat_hours"},
      {"CollaborationHoursScheduledCalls", "Scheduled_call_hours"},
      {"CollaborationHoursAdhocCalls", "Unscheduled_call_hours"},
      {"AfterHoursCollaborationMeetings", "After_hours_meeting_hours"},
      {"AfterHoursCollaborationEmails", "After_hours_email_hours"},
      {"AfterHoursCollaborationInstantMessages", "After_hours_chat_hours"},
      {"AfterHoursCollaborationScheduledCalls", "After_hours_scheduled_call_hours"},
      {"AfterHoursCollaborationAdhocCalls", "After_hours_unscheduled_call_hours"},
      {"MultitaskingMeetingHours", "Multitasking_hours"},
      {"ConflictingMeetingHours", "Conflicting_meeting_hours"},
      {"DirectManagerMeetingHours", "Meeting_hours_with_manager"},
      {"OneOnOneMeetingHours", "Meeting_hours_with_manager_1_1"},
      {"SkipLevelMeetingHours", "Meeting_hours_with_skip_level"},
      {"TotalFocusHours", "Available_to_focus_hours"},
      {"UninterruptedHours", "Uninterrupted_hours"},
      {"IsActive", "IsActive"},
  };
  for (const auto& [v0, analyst] : cases) EXPECT_EQ(CanonicalName(v0), analyst) << v0;
}

TEST(Canonical, V0TableTargetsAreNamesOfTheV1Sample) {
  // The table's comment says each target is a v1 display name's canonical form: check it.
  auto v1 = testing::ReadText(testing::SharedText("VivaInsightsDataset_v1.jsonl"));
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  std::set<std::string> v1_names;
  for (const auto& s : v1->source_columns) v1_names.insert(CanonicalName(s));
  auto v0 = testing::ReadText(testing::SharedText("VivaInsightsDataset_v0.jsonl"));
  ASSERT_TRUE(v0.ok()) << v0.status().ToString();
  int mapped = 0;
  for (const auto& s : v0->source_columns) {
    if (s == "PeopleHistoricalId" || s == "duplicateCol") continue;  // no v1 counterpart
    EXPECT_TRUE(v1_names.count(CanonicalName(s))) << s << " -> " << CanonicalName(s);
    ++mapped;
  }
  EXPECT_EQ(mapped, 23);
}

TEST(Canonical, UnknownV0NamesUseTheGenericRule) {
  EXPECT_EQ(CanonicalName("PeopleHistoricalId"), "PeopleHistoricalId");
  EXPECT_EQ(CanonicalName("duplicateCol"), "duplicateCol");
  EXPECT_EQ(CanonicalName("DuplicateCol"), "DuplicateCol");
  EXPECT_EQ(CanonicalName("collaborationhours"), "collaborationhours");  // the table is exact
}

TEST(Canonical, PiiColumnsAreTheIdentifiers) {
  for (const char* name : {"PersonId", "id", "mail", "userPrincipalName"}) {
    EXPECT_TRUE(IsPiiColumn(name)) << name;
  }
  // PROTOCOL §3 encrypts exactly the four above; proxyAddresses travels in clear.
  for (const char* name :
       {"ObjectId", "MetricDate", "displayName", "Collaboration_hours", "proxyAddresses"}) {
    EXPECT_FALSE(IsPiiColumn(name)) << name;
  }
}

TEST(Canonical, StringColumnsAreIdsDatesAndHrAttributes) {
  for (const char* name :
       {"PersonId", "MetricDate", "Date", "Organization", "FunctionType", "LevelDesignation",
        "SupervisorIndicator", "Region", "HireDate", "Domain", "TimeZone", "id", "mail",
        "userPrincipalName", "displayName", "postalCode"}) {
    EXPECT_TRUE(IsStringColumn(name)) << name;
  }
  for (const char* name : {"Collaboration_hours", "IsActive", "Emails_sent", "datarow"}) {
    EXPECT_FALSE(IsStringColumn(name)) << name;
  }
}

TEST(Canonical, KnownColumnsCoverV1MetricsAndStringColumns) {
  EXPECT_TRUE(IsKnownColumn("Small_group_meeting,_call,_and_chat_hours"));
  EXPECT_TRUE(IsKnownColumn("Working_hours_meeting_hours"));
  EXPECT_TRUE(IsKnownColumn("PersonId"));
  EXPECT_FALSE(IsKnownColumn("PeopleHistoricalId"));
  EXPECT_FALSE(IsKnownColumn("duplicateCol"));
}

TEST(Canonical, TablesAreSortedForBinarySearch) { EXPECT_TRUE(internal::CanonicalTablesSorted()); }

}  // namespace
}  // namespace vivalink::formats
