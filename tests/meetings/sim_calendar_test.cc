// The simulator's calendars against the meetings module: the metrics derived from vivasim's
// CalendarView rows equal the simulator's own ground truth per person-week, and that truth is
// the person's Viva meeting metrics to the minute (where no cap cut it).
#include <gtest/gtest.h>

#include <map>

#include "meetings/metrics.h"
#include "sim/calendar.h"
#include "sim/organization.h"

namespace vivalink {
namespace {

sim::Organization Org(int people, int weeks, uint64_t seed) {
  sim::OrgOptions options;
  options.people = people;
  options.weeks = weeks;
  options.seed = seed;
  options.partner_secret = "test";
  auto org = sim::Generate(options);
  EXPECT_TRUE(org.ok()) << org.status().ToString();
  return std::move(org).value();
}

TEST(SimCalendar, DerivedMeetingHoursEqualTheSimulatorsTruthPerPersonWeek) {
  sim::Organization org = Org(60, 3, 7);
  const sim::Tenant& t = org.tenants[0];
  meetings::MeetingOptions options;
  for (const sim::Person& p : t.people) {
    meetings::WorkingHours hours;
    hours.time_zone = std::string(sim::CalendarTimeZone(p));
    options.hours_by_person[p.object_id] = hours;
  }
  meetings::MeetingAggregator aggregator(options);
  std::map<std::pair<std::string, std::string>, sim::CalendarTruth> truth;
  size_t rows = 0;
  for (int w = 0; w < org.options.weeks; ++w) {
    core::StringSink sink;
    auto week = sim::WriteCalendarWeek(org, 0, w, sink);
    ASSERT_TRUE(week.ok()) << week.status().ToString();
    rows += week->rows;
    for (auto& tr : week->truth) {
      truth[{tr.person, core::FormatDate(tr.week)}] = tr;
    }
    auto metrics = meetings::DeriveMeetingMetrics(
        core::MemorySource::Owning(std::move(sink.data())), "calendar-week", options);
    ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
    for (const auto& r : metrics->rows) {
      auto it = truth.find({r.person, core::FormatDate(r.week)});
      ASSERT_NE(it, truth.end()) << "a derived week the simulator did not write";
      const sim::CalendarTruth& tr = it->second;
      EXPECT_EQ(r.meetings, tr.meetings);
      EXPECT_NEAR(r.meeting_hours, tr.meeting_hours, 1e-9);
      EXPECT_NEAR(r.after_hours_meeting_hours, tr.after_hours_meeting_hours, 1e-9);
      EXPECT_NEAR(r.large_meeting_hours, tr.large_meeting_hours, 1e-9);
      EXPECT_NEAR(r.long_meeting_hours, tr.long_meeting_hours, 1e-9);
      EXPECT_NEAR(r.recurring_meeting_hours, tr.recurring_meeting_hours, 1e-9);
      EXPECT_EQ(r.recurring_meetings, tr.recurring_meetings);
      EXPECT_EQ(r.conflicting_meeting_hours, 0.0);  // the simulator never double-books
    }
    // Every truth week with meetings was derived.
    size_t with_meetings = 0;
    for (const auto& tr : week->truth) with_meetings += tr.meetings > 0 ? 1 : 0;
    EXPECT_EQ(metrics->rows.size(), with_meetings);
    // Declined, cancelled, free, appointments and out-of-office rows were written and left out.
    EXPECT_GT(metrics->counts.events, metrics->counts.meetings);
    EXPECT_GT(metrics->counts.not_attended, 0u);
    EXPECT_GT(metrics->counts.no_other_invitee, 0u);
  }
  EXPECT_GT(rows, 100u);

  // The truth is the Viva metric to the minute, unless the week held more than the windows.
  int compared = 0;
  for (const auto& [key, tr] : truth) {
    if (tr.viva_meeting_hours > 30 || tr.viva_after_hours_meeting_hours > 15) continue;
    if (tr.meetings == 0) continue;
    EXPECT_NEAR(tr.meeting_hours, tr.viva_meeting_hours, 1.0 / 60)
        << key.first << " " << key.second;
    EXPECT_NEAR(tr.after_hours_meeting_hours, tr.viva_after_hours_meeting_hours, 1.0 / 60);
    ++compared;
  }
  EXPECT_GT(compared, 100);
}

TEST(SimCalendar, TheSameWeekIsWrittenTheSameWay) {
  sim::Organization org = Org(20, 1, 3);
  core::StringSink a, b;
  ASSERT_TRUE(sim::WriteCalendarWeek(org, 0, 0, a).ok());
  ASSERT_TRUE(sim::WriteCalendarWeek(org, 0, 0, b).ok());
  EXPECT_EQ(a.data(), b.data());
  EXPECT_FALSE(a.data().empty());
}

TEST(SimCalendar, WeekOutsideTheOrganisationIsInvalidArgument) {
  sim::Organization org = Org(5, 1, 3);
  core::StringSink sink;
  EXPECT_EQ(sim::WriteCalendarWeek(org, 0, 1, sink).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(sim::WriteCalendarWeek(org, 1, 0, sink).status().code(),
            core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink
