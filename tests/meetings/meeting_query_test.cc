// The meeting query analyses on a small hand-made query (expectations computed by hand in the
// comments) and on the vivainsights sample mt_data.csv (figures computed independently with
// pandas: groupby over the rows that are neither cancelled nor all-day).
#include "meetings/meeting_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "testutil.h"

namespace vivalink::meetings {
namespace {

using core::StatusCode;
using ::testing::HasSubstr;
using ::testing::Not;

// label(s) joined by '|' -> the row's number columns by name.
using Table = std::map<std::string, std::map<std::string, double>>;

Table Rows(const MeetingQueryTable& t) {
  Table out;
  const auto& b = t.rows;
  for (size_t r = 0; r < b.num_rows(); ++r) {
    std::string key;
    std::map<std::string, double> numbers;
    for (const auto& c : b.columns()) {
      if (c.type() == formats::ColumnType::kString) {
        key += (key.empty() ? "" : "|") + std::string(c.StringAt(r));
      } else {
        numbers[c.name()] = c.NumberAt(r);
      }
    }
    out[key] = numbers;
  }
  return out;
}

MeetingQueryTable MustAnalyze(std::string csv, MeetingQueryOptions options) {
  auto t = AnalyzeMeetingQuery(core::MemorySource::Owning(std::move(csv)), "mq.csv", options);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : MeetingQueryTable{};
}

// Five meetings of three organizers; one cancelled, one all-day.
const char kQuery[] =
    "MeetingId,Number_of_attendees,Duration,Attendee_meeting_hours,Recurring,Cancelled,"
    "All_Day_Meeting,Collaboration_start_time,TimeZone,Organizer,Organization\n"
    // Monday 05/12/2022 16:30-18:30, 3 attendees: 1.5 h after 17:00.
    "m1,3,2,6,FALSE,FALSE,FALSE,05/12/2022 16:30,America/Los_Angeles,o1,Sales\n"
    // Tuesday 10:00-10:30, 1:1, recurring, inside hours.
    "m2,2,0.5,1,TRUE,FALSE,FALSE,06/12/2022 10:00,America/Los_Angeles,o2,Sales\n"
    // Saturday 10/12/2022 09:00-10:00, 10 attendees: all after hours (weekend).
    "m3,10,1,10,TRUE,FALSE,FALSE,10/12/2022 09:00,Etc/UTC,o3,Finance\n"
    "m4,4,1,4,FALSE,TRUE,FALSE,07/12/2022 09:00,Etc/UTC,o1,Sales\n"
    "m5,4,8,32,FALSE,FALSE,TRUE,08/12/2022 00:00,Etc/UTC,o1,Sales\n";

TEST(MeetingQuery, TypesGroupBySizeAndLength) {
  auto t = MustAnalyze(kQuery, {.kind = MeetingQueryKind::kTypes});
  EXPECT_EQ(t.rows_read, 5u);
  EXPECT_EQ(t.excluded, 2u);
  Table rows = Rows(t);
  ASSERT_EQ(rows.size(), 3u);
  // Attendee hours 6 + 1 + 10 = 17.
  EXPECT_EQ(rows["3-8|>= 1 h"]["Meetings"], 1);
  EXPECT_DOUBLE_EQ(rows["3-8|>= 1 h"]["Attendee_meeting_hours"], 6);
  EXPECT_DOUBLE_EQ(rows["3-8|>= 1 h"]["Share_of_attendee_hours"], 600.0 / 17);
  EXPECT_DOUBLE_EQ(rows["2|<= 30 min"]["Attendee_meeting_hours"], 1);
  EXPECT_DOUBLE_EQ(rows["9-18|>= 1 h"]["Share_of_attendee_hours"], 1000.0 / 17);
}

TEST(MeetingQuery, RecurringAgainstOneOff) {
  Table rows = Rows(MustAnalyze(kQuery, {.kind = MeetingQueryKind::kRecurring}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows["Recurring"]["Meetings"], 2);
  EXPECT_DOUBLE_EQ(rows["Recurring"]["Attendee_meeting_hours"], 11);
  EXPECT_DOUBLE_EQ(rows["Recurring"]["Mean_duration_hours"], 0.75);
  EXPECT_DOUBLE_EQ(rows["Recurring"]["Mean_attendees"], 6);
  EXPECT_EQ(rows["One-off"]["Meetings"], 1);
  EXPECT_DOUBLE_EQ(rows["One-off"]["Share_of_attendee_hours"], 600.0 / 17);
}

TEST(MeetingQuery, OrganizerGroupsBelowTheMinimumAreLeftOut) {
  MeetingQueryOptions options{.kind = MeetingQueryKind::kOrganizers, .min_group = 2};
  auto t = MustAnalyze(kQuery, options);
  Table rows = Rows(t);
  // Sales has o1 and o2 (m4, m5 excluded); Finance only o3.
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(t.groups_suppressed, 1u);
  EXPECT_EQ(rows["Sales"]["Organizers"], 2);
  EXPECT_EQ(rows["Sales"]["Meetings"], 2);
  EXPECT_DOUBLE_EQ(rows["Sales"]["Attendee_meeting_hours"], 7);
  EXPECT_DOUBLE_EQ(rows["Sales"]["Mean_duration_hours"], 1.25);
  EXPECT_DOUBLE_EQ(rows["Sales"]["Recurring_share"], 50);
}

TEST(MeetingQuery, AfterHoursUseLocalStartsAndWeekends) {
  Table rows = Rows(MustAnalyze(kQuery, {.kind = MeetingQueryKind::kAfterHours}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows["Sales"]["Meetings"], 2);
  EXPECT_EQ(rows["Sales"]["Meetings_after_hours"], 1);
  EXPECT_DOUBLE_EQ(rows["Sales"]["After_hours_meeting_hours"], 1.5);
  EXPECT_DOUBLE_EQ(rows["Sales"]["After_hours_attendee_hours"], 4.5);
  EXPECT_DOUBLE_EQ(rows["Sales"]["After_hours_share"], 60);  // 1.5 of 2.5 hours
  EXPECT_DOUBLE_EQ(rows["Finance"]["After_hours_meeting_hours"], 1);
}

TEST(MeetingQuery, UtcStartTimesArePlacedInTheirZone) {
  // m1 16:30-18:30 UTC is 08:30-10:30 PST: 0.5 h before 09:00. m2 10:00 UTC = 02:00 PST: 0.5 h.
  MeetingQueryOptions options{.kind = MeetingQueryKind::kAfterHours, .start_times_utc = true};
  Table rows = Rows(MustAnalyze(kQuery, options));
  EXPECT_DOUBLE_EQ(rows["Sales"]["After_hours_meeting_hours"], 1.0);
  EXPECT_EQ(rows["Sales"]["Meetings_after_hours"], 2);
}

TEST(MeetingQuery, MonthFirstDatesAndIsoDatesAreRead) {
  // 12/05/2022 month-first is 5 December 2022 (a Monday) like m1; ISO too.
  std::string csv =
      "Number_of_attendees,Duration,Collaboration_start_time\n"
      "3,2,12/05/2022 16:30\n"
      "3,2,2022-12-05 16:30\n";
  MeetingQueryOptions options{.kind = MeetingQueryKind::kAfterHours, .by = "", .month_first = true};
  Table rows = Rows(MustAnalyze(csv, options));
  EXPECT_DOUBLE_EQ(rows["All"]["After_hours_meeting_hours"], 3.0);
}

TEST(MeetingQueryErrors, AFileWithoutTheColumnsIsNotAMeetingQuery) {
  auto t = AnalyzeMeetingQuery(core::MemorySource::Owning("PersonId,MetricDate\np,2024-01-07\n"),
                               "pq.csv", {});
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("Number_of_attendees"));
}

TEST(MeetingQueryErrors, BadStartTimeNamesLineAndColumnNotTheValue) {
  std::string csv =
      "Number_of_attendees,Duration,Collaboration_start_time\n"
      "3,1,05/12/2022 16:30\n"
      "3,1,SECRET-31/31/2022\n";
  auto t = AnalyzeMeetingQuery(core::MemorySource::Owning(csv), "mq.csv",
                               {.kind = MeetingQueryKind::kAfterHours, .by = ""});
  EXPECT_EQ(t.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(t.status().message(), HasSubstr("mq.csv: line 3"));
  EXPECT_THAT(t.status().message(), HasSubstr("Collaboration_start_time"));
  EXPECT_THAT(t.status().message(), Not(HasSubstr("SECRET")));
}

TEST(MeetingQueryErrors, UnknownKindAndBadMinimumAreInvalidArgument) {
  EXPECT_EQ(ParseMeetingQueryKind("sizes").status().code(), StatusCode::kInvalidArgument);
  auto t = AnalyzeMeetingQuery(core::MemorySource::Owning(kQuery), "mq.csv",
                               {.kind = MeetingQueryKind::kOrganizers, .min_group = 0});
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
}

// --- The vivainsights sample ------------------------------------------------------------------

std::string MtData() { return testutil::SharedData("mt_data.csv").string(); }

TEST(MeetingQuerySample, TypesOfTheSampleMatchPandas) {
  auto t = AnalyzeMeetingQueryFile(MtData(), {.kind = MeetingQueryKind::kTypes});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->rows_read, 612u);
  EXPECT_EQ(t->excluded, 66u);
  Table rows = Rows(*t);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows["1|<= 30 min"]["Meetings"], 177);
  EXPECT_NEAR(rows["1|<= 30 min"]["Attendee_meeting_hours"], 42.75, 1e-6);
  EXPECT_EQ(rows["1|>= 1 h"]["Meetings"], 366);
  EXPECT_NEAR(rows["1|>= 1 h"]["Attendee_meeting_hours"], 708, 1e-6);
  EXPECT_NEAR(rows["1|>= 1 h"]["Share_of_attendee_hours"], 93.930348, 1e-6);
  EXPECT_EQ(rows["2|<= 30 min"]["Meetings"], 3);
}

TEST(MeetingQuerySample, RecurringOfTheSampleMatchesPandas) {
  auto t = AnalyzeMeetingQueryFile(MtData(), {.kind = MeetingQueryKind::kRecurring});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  Table rows = Rows(*t);
  EXPECT_EQ(rows["Recurring"]["Meetings"], 67);
  EXPECT_NEAR(rows["Recurring"]["Attendee_meeting_hours"], 119, 1e-6);
  EXPECT_NEAR(rows["Recurring"]["Mean_duration_hours"], 1.776119, 1e-6);
  EXPECT_EQ(rows["One-off"]["Meetings"], 479);
  EXPECT_NEAR(rows["One-off"]["Attendee_meeting_hours"], 634.75, 1e-6);
  EXPECT_NEAR(rows["One-off"]["Mean_attendees"], 1.006263, 1e-6);
}

// One meeting has neither Organization nor Organizer: its group is "NA" with no organizer.
TEST(MeetingQuerySample, EveryOrganizationHasOneOrganizerSoTheDefaultMinimumHidesAll) {
  auto t = AnalyzeMeetingQueryFile(MtData(), {.kind = MeetingQueryKind::kOrganizers});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->rows.num_rows(), 0u);
  EXPECT_EQ(t->groups_suppressed, 8u);
  auto all =
      AnalyzeMeetingQueryFile(MtData(), {.kind = MeetingQueryKind::kOrganizers, .min_group = 1});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->groups_suppressed, 1u);
  Table rows = Rows(*all);
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows["Facilities"]["Meetings"], 187);
  EXPECT_NEAR(rows["Facilities"]["Attendee_meeting_hours"], 242.5, 1e-6);
  EXPECT_EQ(rows["Customer Service"]["Meetings"], 155);
}

TEST(MeetingQuerySample, AfterHoursOfTheSampleAreBoundedByTheirDurations) {
  auto t = AnalyzeMeetingQueryFile(MtData(), {.kind = MeetingQueryKind::kAfterHours});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  Table rows = Rows(*t);
  ASSERT_EQ(rows.size(), 8u);  // the seven organizations and NA
  EXPECT_EQ(rows["NA"]["Meetings"], 1);
  double meetings = 0;
  for (auto& [group, r] : rows) {
    meetings += r["Meetings"];
    EXPECT_GE(r["After_hours_share"], 0) << group;
    EXPECT_LE(r["After_hours_share"], 100) << group;
    EXPECT_LE(r["Meetings_after_hours"], r["Meetings"]) << group;
  }
  EXPECT_EQ(meetings, 546);
}

}  // namespace
}  // namespace vivalink::meetings
