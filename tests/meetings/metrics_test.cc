// Expectations are computed by hand from the event times in each test (comments show the
// arithmetic); the sample's come from reading its ten rows.
#include "meetings/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "core/file.h"
#include "meetings/time_zone.h"
#include "testutil.h"

namespace vivalink::meetings {
namespace {

using core::StatusCode;
using formats::Attendee;
using formats::CalendarEvent;
using formats::EventType;
using formats::ResponseType;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPerson[] = "3f1a8c2e-0000-4000-8000-000000000001";

formats::WallTime Wall(std::string_view text, std::string zone) {
  auto t = core::ParseIso8601(text);
  EXPECT_TRUE(t.ok()) << text;
  return {LocalTime(t.ok() ? t->time_since_epoch() : std::chrono::milliseconds(0)),
          std::move(zone)};
}

// An event the person organised with `others` other invitees (other1@contoso.com, ...).
CalendarEvent Meeting(std::string_view start, std::string_view end, std::string zone = "UTC",
                      int others = 1) {
  static int next_id = 0;
  CalendarEvent e;
  e.id = "event-" + std::to_string(++next_id);
  e.line = static_cast<uint64_t>(next_id);
  e.puser = kPerson;
  e.response = ResponseType::kOrganizer;
  e.start = Wall(start, zone);
  e.end = Wall(end, zone);
  e.organizer_address = "me@contoso.com";
  for (int i = 1; i <= others; ++i) {
    Attendee a;
    a.address = "other" + std::to_string(i) + "@contoso.com";
    e.attendees.push_back(a);
  }
  return e;
}

MeetingMetrics MustDerive(const std::vector<CalendarEvent>& events, MeetingOptions options = {}) {
  MeetingAggregator agg(std::move(options));
  for (const auto& e : events) {
    core::Status s = agg.Add(e, "events.jsonl");
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  auto m = std::move(agg).Finish();
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(m).value() : MeetingMetrics{};
}

core::Status FirstError(const std::vector<CalendarEvent>& events, MeetingOptions options = {}) {
  MeetingAggregator agg(std::move(options));
  for (const auto& e : events) RETURN_IF_ERROR(agg.Add(e, "events.jsonl"));
  return std::move(agg).Finish().status();
}

std::string Week(const PersonWeekMeetings& r) { return core::FormatDate(r.week); }

// --- The Microsoft sample ------------------------------------------------------------------

TEST(MeetingSample, DerivesEveryPersonWeekOfTheSample) {
  auto m = DeriveMeetingMetricsFromFile(
      testutil::SharedData("BasicDataSet_v0.CalendarView_v0.jsonl").string(), {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  // Rows 2, 3 (nobody invited) and 9 (the organizer alone) are appointments, not meetings.
  EXPECT_EQ(m->counts.events, 10u);
  EXPECT_EQ(m->counts.meetings, 7u);
  EXPECT_EQ(m->counts.no_other_invitee, 3u);
  ASSERT_EQ(m->rows.size(), 7u);
  // Row 1: Tuesday 2020-01-07 22:00-23:00 UTC, organised, 5 invitees, an occurrence.
  const auto& r0 = m->rows[0];
  EXPECT_EQ(r0.person, "6618944e-1fe9-4c03-955e-b1ebbf5737c9");
  EXPECT_EQ(Week(r0), "2020-01-05");  // the Sunday before
  EXPECT_EQ(r0.meetings, 1);
  EXPECT_DOUBLE_EQ(r0.meeting_hours, 1.0);
  EXPECT_DOUBLE_EQ(r0.after_hours_meeting_hours, 1.0);  // after 17:00 UTC
  EXPECT_DOUBLE_EQ(r0.long_meeting_hours, 1.0);
  EXPECT_DOUBLE_EQ(r0.large_meeting_hours, 0.0);
  EXPECT_DOUBLE_EQ(r0.recurring_meeting_hours, 1.0);
  EXPECT_TRUE(std::isnan(r0.meeting_hours_with_manager));
  EXPECT_TRUE(std::isnan(r0.external_meeting_hours));
  // Megan's calendar (e5276af8...): rows 6, 10, 4, 5, 7, 8 in week order.
  std::vector<std::string> weeks;
  for (size_t i = 1; i < m->rows.size(); ++i) {
    EXPECT_EQ(m->rows[i].person, "e5276af8-be29-47ba-9b6f-e93b643a8922");
    weeks.push_back(Week(m->rows[i]));
  }
  EXPECT_THAT(weeks, ::testing::ElementsAre("2020-04-26", "2020-05-10", "2021-05-02", "2021-05-09",
                                            "2021-06-13", "2021-06-20"));
  // Row 6: Monday 16:00-17:00 UTC, inside working hours.
  EXPECT_DOUBLE_EQ(m->rows[1].meeting_hours, 1.0);
  EXPECT_DOUBLE_EQ(m->rows[1].after_hours_meeting_hours, 0.0);
  // Row 10: Thursday 22:00-23:30 UTC.
  EXPECT_DOUBLE_EQ(m->rows[2].meeting_hours, 1.5);
  EXPECT_DOUBLE_EQ(m->rows[2].after_hours_meeting_hours, 1.5);
  EXPECT_DOUBLE_EQ(m->rows[2].long_meeting_hours, 1.5);
  // Row 4: accepted (not organised) Tuesday 21:00-22:00 UTC.
  EXPECT_DOUBLE_EQ(m->rows[3].meeting_hours, 1.0);
}

TEST(MeetingSample, CsvAndJsonCarryTheColumnsInOrder) {
  auto m = DeriveMeetingMetricsFromFile(
      testutil::SharedData("BasicDataSet_v0.CalendarView_v0.jsonl").string(), {});
  ASSERT_TRUE(m.ok());
  std::string csv = ToCsv(*m);
  EXPECT_TRUE(
      csv.starts_with("PersonId,MetricDate,Meetings,Meeting_hours,After_hours_meeting_hours,"
                      "Conflicting_meeting_hours,"))
      << csv;
  EXPECT_THAT(
      csv,
      HasSubstr("\n6618944e-1fe9-4c03-955e-b1ebbf5737c9,2020-01-05,1,1,1,0,0,1,0,1,1,0,0,NA,NA\n"));
  std::string json = ToJsonLines(*m);
  EXPECT_THAT(json, HasSubstr(R"("MetricDate":"2020-05-10","Meetings":1,"Meeting_hours":1.5)"));
  EXPECT_THAT(json, HasSubstr(R"("Meeting_hours_with_manager":null)"));
}

TEST(MeetingSample, AMissingFileIsNotFound) {
  auto m = DeriveMeetingMetricsFromFile("/nonexistent/calendar.jsonl", {});
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(m.status().message(), HasSubstr("/nonexistent/calendar.jsonl"));
}

// --- Merging, conflicts, kinds --------------------------------------------------------------

TEST(MeetingMetrics, OverlappingMeetingsAreMergedAndTheOverlapIsConflicting) {
  // Monday 2024-03-04: 10:00-11:00 and 10:30-12:00 -> union 10:00-12:00 = 2 h, both 0.5 h.
  auto m = MustDerive({Meeting("2024-03-04T10:00:00", "2024-03-04T11:00:00"),
                       Meeting("2024-03-04T10:30:00", "2024-03-04T12:00:00")});
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_EQ(Week(m.rows[0]), "2024-03-03");
  EXPECT_EQ(m.rows[0].meetings, 2);
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours, 2.0);
  EXPECT_DOUBLE_EQ(m.rows[0].conflicting_meeting_hours, 0.5);
  EXPECT_DOUBLE_EQ(m.rows[0].long_meeting_hours, 2.0);  // both >= 1 h
  EXPECT_DOUBLE_EQ(m.rows[0].after_hours_meeting_hours, 0.0);
  EXPECT_DOUBLE_EQ(m.rows[0].one_off_meeting_hours, 2.0);
}

TEST(MeetingMetrics, NestedAndTripleOverlapsCountEachMomentOnce) {
  // 09:00-12:00 holds 10:00-11:00 and 10:30-11:30: union 3 h; two or more meet 10:00-11:30.
  auto m = MustDerive({Meeting("2024-03-05T09:00:00", "2024-03-05T12:00:00"),
                       Meeting("2024-03-05T10:00:00", "2024-03-05T11:00:00"),
                       Meeting("2024-03-05T10:30:00", "2024-03-05T11:30:00")});
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours, 3.0);
  EXPECT_DOUBLE_EQ(m.rows[0].conflicting_meeting_hours, 1.5);
  // Long: 09:00-12:00 (3 h) and 10:00-11:00 (1 h): their union is 3 h; 10:30-11:30 is 1 h too.
  EXPECT_DOUBLE_EQ(m.rows[0].long_meeting_hours, 3.0);
}

TEST(MeetingMetrics, BackToBackMeetingsDoNotConflict) {
  auto m = MustDerive({Meeting("2024-03-05T09:00:00", "2024-03-05T09:30:00"),
                       Meeting("2024-03-05T09:30:00", "2024-03-05T10:00:00")});
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours, 1.0);
  EXPECT_DOUBLE_EQ(m.rows[0].conflicting_meeting_hours, 0.0);
  EXPECT_DOUBLE_EQ(m.rows[0].long_meeting_hours, 0.0);  // each is 30 minutes
}

TEST(MeetingMetrics, CancelledDeclinedAllDayFreeAndAppointmentsAreNotMeetings) {
  std::vector<CalendarEvent> events;
  events.push_back(Meeting("2024-03-05T09:00:00", "2024-03-05T10:00:00"));  // counted
  events.push_back(Meeting("2024-03-05T11:00:00", "2024-03-05T12:00:00"));
  events.back().is_cancelled = true;
  events.push_back(Meeting("2024-03-05T13:00:00", "2024-03-05T14:00:00"));
  events.back().response = ResponseType::kDeclined;
  events.push_back(Meeting("2024-03-05T00:00:00", "2024-03-06T00:00:00"));
  events.back().is_all_day = true;
  events.push_back(Meeting("2024-03-05T15:00:00", "2024-03-05T16:00:00"));
  events.back().show_as = formats::ShowAs::kFree;
  events.push_back(Meeting("2024-03-05T16:00:00", "2024-03-05T17:00:00", "UTC", 0));  // alone
  events.push_back(Meeting("2024-03-05T14:00:00", "2024-03-05T15:00:00"));
  events.back().response = ResponseType::kTentativelyAccepted;
  events.push_back(Meeting("2024-03-05T14:00:00", "2024-03-05T14:00:00"));  // zero length
  events.push_back(Meeting("2024-03-05T08:00:00", "2024-03-05T09:00:00"));
  events.back().type = EventType::kSeriesMaster;
  auto m = MustDerive(events);
  EXPECT_EQ(m.counts.events, 9u);
  EXPECT_EQ(m.counts.meetings, 1u);
  EXPECT_EQ(m.counts.cancelled, 1u);
  EXPECT_EQ(m.counts.not_attended, 2u);  // declined, tentative
  EXPECT_EQ(m.counts.all_day, 1u);
  EXPECT_EQ(m.counts.shown_as_free, 1u);
  EXPECT_EQ(m.counts.no_other_invitee, 1u);
  EXPECT_EQ(m.counts.zero_length, 1u);
  EXPECT_EQ(m.counts.series_masters, 1u);
  EXPECT_EQ(m.counts.series_not_expanded, 1u);  // a master without its recurrence
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours, 1.0);

  MeetingOptions tentative;
  tentative.count_tentative = true;
  auto t = MustDerive(events, tentative);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(t.rows[0].meeting_hours, 2.0);
}

TEST(MeetingMetrics, TimedEventsLongerThanADayAreNotMeetings) {
  // 26 h (a blocked conference period) is left out; exactly 24 h still counts.
  auto m = MustDerive({Meeting("2024-03-05T08:00:00", "2024-03-06T10:00:00"),
                       Meeting("2024-03-07T00:00:00", "2024-03-08T00:00:00"),
                       Meeting("0001-01-01T00:00:00", "9999-12-31T00:00:00")});
  EXPECT_EQ(m.counts.too_long, 2u);
  EXPECT_EQ(m.counts.meetings, 1u);
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours, 24.0);
  EXPECT_DOUBLE_EQ(m.rows[0].after_hours_meeting_hours, 16.0);
}

TEST(MeetingMetrics, AcceptedInvitationCountsAndOrganizerAmongAttendeesIsOnePerson) {
  CalendarEvent accepted = Meeting("2024-03-05T09:00:00", "2024-03-05T10:00:00", "UTC", 0);
  accepted.response = ResponseType::kAccepted;
  Attendee self;
  self.address = "ME@contoso.com";  // the organizer again, other case: still one person
  accepted.attendees.push_back(self);
  Attendee room;
  room.address = "room-1@contoso.com";
  room.type = formats::AttendeeType::kResource;
  accepted.attendees.push_back(room);
  auto alone = MustDerive({accepted});
  EXPECT_EQ(alone.counts.no_other_invitee, 1u);

  Attendee other;
  other.address = "colleague@contoso.com";
  accepted.attendees.push_back(other);
  auto m = MustDerive({accepted});
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours, 1.0);
}

TEST(MeetingMetrics, NineInviteesMakeALargeMeetingEightDoNot) {
  // Organizer + 8 others = 9 (large); organizer + 7 = 8 (not). Both 2 h, on two days.
  auto m = MustDerive({Meeting("2024-03-05T09:00:00", "2024-03-05T11:00:00", "UTC", 8),
                       Meeting("2024-03-06T09:00:00", "2024-03-06T11:00:00", "UTC", 7),
                       Meeting("2024-03-07T09:00:00", "2024-03-07T09:30:00", "UTC", 8)});
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(m.rows[0].large_meeting_hours, 2.5);
  EXPECT_DOUBLE_EQ(m.rows[0].long_meeting_hours, 4.0);
  EXPECT_DOUBLE_EQ(m.rows[0].large_and_long_meeting_hours, 2.0);
}

TEST(MeetingMetrics, RecurringOccurrencesAndOneOffMeetingsAreSeparated) {
  std::vector<CalendarEvent> events;
  // A weekly series (3 occurrences, one an exception moved to 15:00) and one single instance.
  for (std::string day : {"2024-03-04", "2024-03-11", "2024-03-18"}) {
    events.push_back(Meeting(day + "T10:00:00", day + "T10:30:00"));
    events.back().type = EventType::kOccurrence;
    events.back().series_master_id = "master-1";
  }
  events[1].type = EventType::kException;
  events[1].start = Wall("2024-03-11T15:00:00", "UTC");
  events[1].end = Wall("2024-03-11T15:30:00", "UTC");
  events.push_back(Meeting("2024-03-12T10:00:00", "2024-03-12T11:15:00"));
  auto m = MustDerive(events);
  ASSERT_EQ(m.rows.size(), 3u);
  EXPECT_EQ(m.rows[0].recurring_meetings, 1);
  EXPECT_EQ(m.rows[0].one_off_meetings, 0);
  EXPECT_DOUBLE_EQ(m.rows[0].recurring_meeting_hours, 0.5);
  EXPECT_EQ(Week(m.rows[1]), "2024-03-10");
  EXPECT_EQ(m.rows[1].meetings, 2);
  EXPECT_EQ(m.rows[1].recurring_meetings, 1);
  EXPECT_EQ(m.rows[1].one_off_meetings, 1);
  EXPECT_DOUBLE_EQ(m.rows[1].recurring_meeting_hours, 0.5);
  EXPECT_DOUBLE_EQ(m.rows[1].one_off_meeting_hours, 1.25);
  EXPECT_DOUBLE_EQ(m.rows[1].meeting_hours, 1.75);
}

TEST(MeetingMetrics, SeriesMasterIsExpandedAndExceptionsReplaceItsOccurrences) {
  // Event_v1: a weekly Monday 16:00-17:00 Pacific series from 2024-03-04, 3 occurrences; it
  // crosses the US DST change of 2024-03-10, so the UTC times move and the wall time stays.
  // The 2024-03-11 occurrence was moved to Tuesday 10:00-10:30 (an exception row); the 03-18
  // one was cancelled (a cancelled exception row).
  CalendarEvent master =
      Meeting("2024-03-04T16:00:00", "2024-03-04T17:00:00", "Pacific Standard Time");
  master.type = EventType::kSeriesMaster;
  master.id = "master-A";
  formats::Recurrence r;
  r.pattern_type = "weekly";
  r.days_mask = 1u << 1;
  r.range_type = "numbered";
  r.number_of_occurrences = 3;
  r.range_start = *core::ParseDate("2024-03-04");
  master.recurrence = r;
  CalendarEvent moved =
      Meeting("2024-03-12T10:00:00", "2024-03-12T10:30:00", "Pacific Standard Time");
  moved.type = EventType::kException;
  moved.series_master_id = "master-A";
  moved.original_start = *core::ParseIso8601("2024-03-11T23:00:00Z");  // 16:00 PDT
  CalendarEvent dropped =
      Meeting("2024-03-18T16:00:00", "2024-03-18T17:00:00", "Pacific Standard Time");
  dropped.type = EventType::kException;
  dropped.series_master_id = "master-A";
  dropped.original_start = *core::ParseIso8601("2024-03-18T23:00:00Z");
  dropped.is_cancelled = true;

  MeetingOptions options;
  options.default_hours.time_zone = "America/Los_Angeles";
  auto m = MustDerive({master, moved, dropped}, options);
  EXPECT_EQ(m.counts.series_masters, 1u);
  EXPECT_EQ(m.counts.series_occurrences, 3u);
  EXPECT_EQ(m.counts.replaced_occurrences, 2u);
  EXPECT_EQ(m.counts.cancelled, 1u);
  EXPECT_EQ(m.counts.meetings, 2u);  // the 03-04 occurrence and the moved one
  ASSERT_EQ(m.rows.size(), 2u);
  EXPECT_EQ(Week(m.rows[0]), "2024-03-03");
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours, 1.0);
  EXPECT_DOUBLE_EQ(m.rows[0].after_hours_meeting_hours, 0.0);
  EXPECT_EQ(m.rows[0].recurring_meetings, 1);
  EXPECT_EQ(Week(m.rows[1]), "2024-03-10");
  EXPECT_DOUBLE_EQ(m.rows[1].meeting_hours, 0.5);
  EXPECT_DOUBLE_EQ(m.rows[1].recurring_meeting_hours, 0.5);

  // Without the exception rows all three occurrences count, each 16:00-17:00 local.
  auto all = MustDerive({master}, options);
  ASSERT_EQ(all.rows.size(), 3u);
  for (const auto& row : all.rows) {
    EXPECT_DOUBLE_EQ(row.meeting_hours, 1.0);
    EXPECT_DOUBLE_EQ(row.after_hours_meeting_hours, 0.0);  // in hours despite the DST change
  }
}

TEST(MeetingMetrics, MasterOfAnUnsupportedPatternIsCountedNotExpanded) {
  CalendarEvent master = Meeting("2024-03-04T16:00:00", "2024-03-04T17:00:00");
  master.type = EventType::kSeriesMaster;
  formats::Recurrence r;
  r.pattern_type = "relativeYearly";
  master.recurrence = r;
  auto m = MustDerive({master});
  EXPECT_EQ(m.counts.series_not_expanded, 1u);
  EXPECT_TRUE(m.rows.empty());
}

TEST(MeetingMetrics, TheSameRowTwiceCountsOnce) {
  CalendarEvent e = Meeting("2024-03-05T09:00:00", "2024-03-05T10:00:00");
  auto m = MustDerive({e, e});
  EXPECT_EQ(m.counts.duplicates, 1u);
  EXPECT_EQ(m.counts.meetings, 1u);
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_EQ(m.rows[0].meetings, 1);
  EXPECT_DOUBLE_EQ(m.rows[0].conflicting_meeting_hours, 0.0);
}

TEST(MeetingMetrics, ManagerAndExternalMeetingsNeedTheirInputs) {
  CalendarEvent with_boss = Meeting("2024-03-05T09:00:00", "2024-03-05T10:00:00");
  Attendee boss;
  boss.address = "Boss@Contoso.com";
  with_boss.attendees.push_back(boss);
  CalendarEvent with_customer = Meeting("2024-03-05T11:00:00", "2024-03-05T11:30:00");
  Attendee customer;
  customer.address = "buyer@fabrikam.com";
  with_customer.attendees.push_back(customer);
  MeetingOptions options;
  options.manager_of[kPerson] = "boss@contoso.com";
  options.internal_domains = {"Contoso.com"};
  auto m = MustDerive({with_boss, with_customer}, options);
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours_with_manager, 1.0);
  EXPECT_DOUBLE_EQ(m.rows[0].external_meeting_hours, 0.5);
}

// --- Time zones, weeks, DST -----------------------------------------------------------------

TEST(MeetingMetrics, AfterHoursAreCutInThePersonsOwnZone) {
  MeetingOptions options;
  options.default_hours.time_zone = "W. Europe Standard Time";  // Berlin, UTC+1 in January
  // Monday 2024-01-15 16:00-18:00 UTC = 17:00-19:00 Berlin: all after 17:00.
  // 07:30-09:00 UTC = 08:30-10:00 Berlin: 30 minutes before 09:00.
  auto m = MustDerive({Meeting("2024-01-15T16:00:00", "2024-01-15T18:00:00"),
                       Meeting("2024-01-15T07:30:00", "2024-01-15T09:00:00")},
                      options);
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours, 3.5);
  EXPECT_DOUBLE_EQ(m.rows[0].after_hours_meeting_hours, 2.5);
}

TEST(MeetingMetrics, EventZonesAreResolvedFromWindowsNames) {
  // 09:00-10:00 Tokyo (UTC+9, no DST) = 00:00-01:00 UTC: after hours for a UTC 9-17 person.
  auto m =
      MustDerive({Meeting("2024-03-05T09:00:00", "2024-03-05T10:00:00", "Tokyo Standard Time")});
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours, 1.0);
  EXPECT_DOUBLE_EQ(m.rows[0].after_hours_meeting_hours, 1.0);
}

TEST(MeetingMetrics, SpringForwardWeekShortensAWallClockMeeting) {
  MeetingOptions options;
  options.default_hours.time_zone = "America/Los_Angeles";
  // Sunday 2024-03-10 01:30-03:30 Pacific wall time spans the 02:00->03:00 jump: 1 real hour.
  // Friday 2024-03-08 16:00-17:00 UTC = 08:00-09:00 PST: before work (1 h after hours).
  // Monday 2024-03-11 16:00-17:00 UTC = 09:00-10:00 PDT: inside working hours.
  auto m =
      MustDerive({Meeting("2024-03-10T01:30:00", "2024-03-10T03:30:00", "Pacific Standard Time"),
                  Meeting("2024-03-08T16:00:00", "2024-03-08T17:00:00"),
                  Meeting("2024-03-11T16:00:00", "2024-03-11T17:00:00")},
                 options);
  ASSERT_EQ(m.rows.size(), 2u);
  EXPECT_EQ(Week(m.rows[0]), "2024-03-03");
  EXPECT_DOUBLE_EQ(m.rows[0].after_hours_meeting_hours, 1.0);
  EXPECT_EQ(Week(m.rows[1]), "2024-03-10");
  EXPECT_EQ(m.rows[1].meetings, 2);
  EXPECT_DOUBLE_EQ(m.rows[1].meeting_hours, 2.0);
  EXPECT_DOUBLE_EQ(m.rows[1].after_hours_meeting_hours, 1.0);  // the Sunday one
  EXPECT_DOUBLE_EQ(m.rows[1].long_meeting_hours, 2.0);
}

TEST(MeetingMetrics, FallBackWeekLengthensAWallClockMeeting) {
  MeetingOptions options;
  options.default_hours.time_zone = "America/Los_Angeles";
  // Sunday 2024-11-03 00:30 PDT (07:30 UTC) to 02:30 PST (10:30 UTC): 3 real hours.
  auto m = MustDerive(
      {Meeting("2024-11-03T00:30:00", "2024-11-03T02:30:00", "Pacific Standard Time")}, options);
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_EQ(Week(m.rows[0]), "2024-11-03");
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours, 3.0);
}

TEST(MeetingMetrics, AMeetingAcrossTheWeekBoundaryIsSplit) {
  // Saturday 2024-03-09 23:00 to Sunday 01:00 UTC: 1 h in each week; it starts in the first.
  auto m = MustDerive({Meeting("2024-03-09T23:00:00", "2024-03-10T01:00:00")});
  ASSERT_EQ(m.rows.size(), 2u);
  EXPECT_EQ(Week(m.rows[0]), "2024-03-03");
  EXPECT_DOUBLE_EQ(m.rows[0].meeting_hours, 1.0);
  EXPECT_EQ(m.rows[0].meetings, 1);
  EXPECT_EQ(Week(m.rows[1]), "2024-03-10");
  EXPECT_DOUBLE_EQ(m.rows[1].meeting_hours, 1.0);
  EXPECT_EQ(m.rows[1].meetings, 0);
}

TEST(MeetingMetrics, PersonalWorkingHoursOverrideTheDefault) {
  MeetingOptions options;
  WorkingHours early;
  early.time_zone = "UTC";
  early.start = std::chrono::minutes(6 * 60);
  early.end = std::chrono::minutes(14 * 60);
  options.hours_by_person[kPerson] = early;
  // Tuesday 13:00-15:00 UTC: one hour after 14:00.
  auto m = MustDerive({Meeting("2024-03-05T13:00:00", "2024-03-05T15:00:00")}, options);
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(m.rows[0].after_hours_meeting_hours, 1.0);
}

// --- Errors -----------------------------------------------------------------------------

TEST(MeetingErrors, UnknownEventZoneNamesLineAndFieldNotTheValue) {
  CalendarEvent e = Meeting("2024-03-05T09:00:00", "2024-03-05T10:00:00", "Atlantis/Capital");
  e.line = 42;
  core::Status s = FirstError({e});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("events.jsonl: line 42"));
  EXPECT_THAT(s.message(), HasSubstr("start.timeZone"));
  EXPECT_THAT(s.message(), Not(HasSubstr("Atlantis")));
}

TEST(MeetingErrors, EndBeforeStartIsDataLoss) {
  core::Status s = FirstError({Meeting("2024-03-05T10:00:00", "2024-03-05T09:00:00")});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("ends"));
}

TEST(MeetingErrors, RowWithoutPuserNeedsAnOwner) {
  CalendarEvent e = Meeting("2024-03-05T09:00:00", "2024-03-05T10:00:00");
  e.puser.clear();
  core::Status s = FirstError({e});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("puser"));
  MeetingOptions options;
  options.owner = "me@contoso.com";
  auto m = MustDerive({e}, options);
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_EQ(m.rows[0].person, "me@contoso.com");
}

TEST(MeetingErrors, BadOptionsAreInvalidArgument) {
  MeetingOptions zone;
  zone.default_hours.time_zone = "Nowhere/Land";
  core::Status s = FirstError({}, zone);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("Nowhere/Land"));
  MeetingOptions hours;
  hours.default_hours.end = std::chrono::minutes(8 * 60);  // before the 09:00 start
  EXPECT_EQ(FirstError({}, hours).code(), StatusCode::kInvalidArgument);
  MeetingOptions large;
  large.large_meeting_attendees = 1;
  EXPECT_EQ(FirstError({}, large).code(), StatusCode::kInvalidArgument);
}

TEST(MeetingOptionsText, WorkingHoursParseAndBadTextIsInvalidArgument) {
  WorkingHours h;
  ASSERT_TRUE(ParseWorkingHours("08:30-16:45", h).ok());
  EXPECT_EQ(h.start, std::chrono::minutes(8 * 60 + 30));
  EXPECT_EQ(h.end, std::chrono::minutes(16 * 60 + 45));
  ASSERT_TRUE(ParseWorkingHours("00:00-24:00", h).ok());
  EXPECT_EQ(h.end, std::chrono::minutes(24 * 60));
  for (std::string_view bad : {"9-17", "17:00-09:00", "09:00", "25:00-26:00", "09:60-10:00", ""}) {
    core::Status s = ParseWorkingHours(bad, h);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace vivalink::meetings
