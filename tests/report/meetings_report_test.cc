// The report's meeting metrics (issue 12): the "Calendar_" columns that imported Outlook calendar
// drops add to the person-weeks are driver candidates like every behaviour, get a section of their
// own (coverage, mean and median of each, each key metric ranked against them alone), and a
// tenant with calendars only still gets a report.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "report/report.h"
#include "report_testing.h"

namespace vivalink::report {
namespace {

// SmallFrame plus a partner Revenue and two meeting metrics (NaN where a person-week has no
// calendar row: the first week of everyone).
analysis::Frame WithMeetings(bool with_viva_outcome = true) {
  analysis::Frame f = testing::SmallFrame();
  std::vector<double> revenue, hours, count;
  const auto* person = f.Find("PersonId");
  const auto* week = f.Find("MetricDate");
  for (size_t r = 0; r < f.num_rows(); ++r) {
    const double code = static_cast<double>(person->codes[r]);
    revenue.push_back(1000 + 10 * code + static_cast<double>(r % 4));
    const bool calendar = week->StringAt(r) != "2024-05-05";
    hours.push_back(calendar ? 2 + 0.5 * code : std::nan(""));
    count.push_back(calendar ? static_cast<double>(r % 7) : std::nan(""));
  }
  EXPECT_TRUE(f.AddNumeric("Revenue", revenue).ok());
  EXPECT_TRUE(f.AddNumeric("Calendar_Meeting_hours", hours).ok());
  EXPECT_TRUE(f.AddNumeric("Calendar_Meetings", count).ok());
  if (with_viva_outcome) return f;
  // A tenant that delivers calendars only: no Viva metrics, no partner data.
  analysis::Frame only;
  for (const auto& c : f.columns()) {
    if (c.name == "PersonId" || c.name == "MetricDate" || c.name.starts_with("Calendar_")) {
      EXPECT_TRUE(only.AddColumn(c).ok());
    }
  }
  std::vector<double> after;
  for (double h : f.Find("Calendar_Meeting_hours")->numbers) after.push_back(h * 0.1);
  EXPECT_TRUE(only.AddNumeric("Calendar_After_hours_meeting_hours", after).ok());
  return only;
}

JoinedPersonWeeks Joined(const analysis::Frame& frame, bool partner = true) {
  JoinedPersonWeeks data;
  data.frame = &frame;
  if (partner) {
    data.partner_columns = {"Revenue"};
    data.sources = {{"crm", "email", false, {"Revenue"}, 100}};
  }
  return data;
}

TEST(MeetingsReport, MeetingMetricsGetTheirSectionAndAreDriverCandidates) {
  const analysis::Frame frame = WithMeetings();
  auto in = BuildPartnerReport(Joined(frame), {});
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_TRUE(in->meetings.has_value());
  const MeetingsSection& m = *in->meetings;
  EXPECT_EQ(m.person_weeks, static_cast<int64_t>(frame.num_rows() / 4 * 3));  // 3 of 4 weeks
  EXPECT_EQ(m.persons, 15);
  EXPECT_EQ(m.weeks, 3);
  ASSERT_EQ(m.metrics.size(), 2u);
  EXPECT_EQ(m.metrics[0].metric, "Calendar_Meeting_hours");
  double sum = 0;
  int64_t n = 0;
  for (double v : frame.Find("Calendar_Meeting_hours")->numbers) {
    if (std::isnan(v)) continue;
    sum += v;
    ++n;
  }
  EXPECT_EQ(m.metrics[0].n, n);
  EXPECT_NEAR(m.metrics[0].mean, sum / static_cast<double>(n), 1e-12);
  EXPECT_EQ(m.metrics[0].median, 2 + 0.5 * 7);  // persons 0..14 with equal weeks: the 8th
  // Revenue ranked against the meeting metrics alone ...
  ASSERT_EQ(m.drivers.size(), 1u);
  EXPECT_EQ(m.drivers[0].outcome, "Revenue");
  std::vector<std::string> candidates;
  for (const auto& r : m.drivers[0].person_week) candidates.push_back(r.behaviour);
  std::sort(candidates.begin(), candidates.end());
  EXPECT_EQ(candidates, (std::vector<std::string>{"Calendar_Meeting_hours", "Calendar_Meetings"}));
  EXPECT_EQ(m.drivers[0].person_week[0].behaviour, "Calendar_Meeting_hours");  // made of code
  EXPECT_GT(m.drivers[0].person_week[0].spearman_rho, 0.9);
  // ... and among every behaviour in the main driver table.
  ASSERT_FALSE(in->drivers.empty());
  const auto& all = in->drivers[0].person_week;
  EXPECT_TRUE(std::any_of(all.begin(), all.end(), [](const analysis::DriverRow& r) {
    return r.behaviour == "Calendar_Meeting_hours";
  }));

  const std::string html = RenderReport(*in);
  EXPECT_NE(html.find("Meetings from Outlook calendars"), std::string::npos);
  EXPECT_NE(html.find("Calendar Meeting hours"), std::string::npos);
  EXPECT_NE(html.find("Revenue and meetings"), std::string::npos);
}

TEST(MeetingsReport, WithoutCalendarDataTheSectionSaysSo) {
  const analysis::Frame frame = testing::SmallFrame();
  auto in = BuildPartnerReport(Joined(frame, false), {});
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_FALSE(in->meetings.has_value());
  const std::string html = RenderReport(*in);
  EXPECT_NE(html.find("Meetings from Outlook calendars"), std::string::npos);
  EXPECT_NE(html.find("No meeting metrics"), std::string::npos);
}

TEST(MeetingsReport, ATenantWithCalendarsOnlyIsExplainedByItsAfterHoursMeetings) {
  const analysis::Frame frame = WithMeetings(false);
  auto in = BuildPartnerReport(Joined(frame, false), {});
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_EQ(in->drivers.size(), 1u);
  EXPECT_EQ(in->drivers[0].outcome, "Calendar_After_hours_meeting_hours");
  ASSERT_TRUE(in->meetings.has_value());
  EXPECT_EQ(in->meetings->metrics.size(), 3u);
}

}  // namespace
}  // namespace vivalink::report
