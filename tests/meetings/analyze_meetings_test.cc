// `vivalink analyze meetings` as an operator runs it: help, a bad argument, a missing and a
// corrupt file, and a real run on the Microsoft CalendarView sample (CSV and JSON).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "testutil.h"

namespace vivalink {
namespace {

using testutil::RunProgram;

std::string Vivalink() { return (testutil::BuildDir() / "src/cli/vivalink").string(); }
std::string Sample() {
  return testutil::SharedData("BasicDataSet_v0.CalendarView_v0.jsonl").string();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(AnalyzeMeetingsCli, HelpListsTheOptionsAndExitsZero) {
  auto r = RunProgram({Vivalink(), "analyze", "meetings", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--working-hours"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--time-zone"), std::string::npos) << r.out;
}

TEST(AnalyzeMeetingsCli, SampleGivesOneRowPerPersonWeek) {
  auto r = RunProgram({Vivalink(), "analyze", "meetings", "--input", Sample()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 8u) << r.out;  // header + 7 person-weeks
  EXPECT_TRUE(lines[0].starts_with("PersonId,MetricDate,Meetings,Meeting_hours,")) << lines[0];
  EXPECT_EQ(lines[1],
            "6618944e-1fe9-4c03-955e-b1ebbf5737c9,2020-01-05,1,1,1,0,0,1,0,1,1,0,0,NA,NA");
  EXPECT_NE(r.err.find("10 events: 7 meetings"), std::string::npos) << r.err;
}

TEST(AnalyzeMeetingsCli, WorkingHoursInAnotherZoneMoveAfterHours) {
  // Row 1 is 22:00-23:00 UTC = 14:00-15:00 Pacific (PST): inside 09:00-17:00 there.
  auto r = RunProgram({Vivalink(), "analyze", "meetings", "--input", Sample(), "--format", "json",
                       "--time-zone", "Pacific Standard Time", "--internal-domain",
                       "M365x723843.OnMicrosoft.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto first = nlohmann::json::parse(Lines(r.out).at(0));
  EXPECT_EQ(first["MetricDate"], "2020-01-05");
  EXPECT_EQ(first["Meeting_hours"].get<double>(), 1.0);
  EXPECT_EQ(first["After_hours_meeting_hours"].get<double>(), 0.0);
  EXPECT_EQ(first["External_meeting_hours"].get<double>(), 0.0);
}

TEST(AnalyzeMeetingsCli, BadWorkingHoursExitTwo) {
  auto r = RunProgram(
      {Vivalink(), "analyze", "meetings", "--input", Sample(), "--working-hours", "9 to 5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("HH:MM-HH:MM"), std::string::npos) << r.err;
}

TEST(AnalyzeMeetingsCli, UnknownZoneExitsTwo) {
  auto r = RunProgram(
      {Vivalink(), "analyze", "meetings", "--input", Sample(), "--time-zone", "Nowhere/Land"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Nowhere/Land"), std::string::npos) << r.err;
}

TEST(AnalyzeMeetingsCli, UnknownFormatIsAnArgumentError) {
  auto r = RunProgram({Vivalink(), "analyze", "meetings", "--input", Sample(), "--format", "xml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(AnalyzeMeetingsCli, MissingFileExitsOneNamingIt) {
  auto r = RunProgram({Vivalink(), "analyze", "meetings", "--input", "/nonexistent/cal.jsonl"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/cal.jsonl"), std::string::npos) << r.err;
}

TEST(AnalyzeMeetingsCli, CorruptRowExitsOneNamingTheLine) {
  auto path = std::filesystem::path(::testing::TempDir()) / "corrupt_calendar.jsonl";
  {
    std::ofstream out(path);
    out << R"({"start":{"dateTime":"2024-03-05T09:00:00","timeZone":"UTC"},"end":{"dateTime":"2024-03-05T10:00:00","timeZone":"UTC"},"puser":"p"})"
        << "\n{\"start\": 17}\n";
  }
  auto r = RunProgram({Vivalink(), "analyze", "meetings", "--input", path.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
  std::filesystem::remove(path);
}

TEST(AnalyzeMeetingsCli, DerivedMetricsFeedThePersonQueryAnalyses) {
  // The output is a person query (PersonId, MetricDate, metrics): analyze patterns reads it.
  auto derived = RunProgram({Vivalink(), "analyze", "meetings", "--input", Sample()});
  ASSERT_EQ(derived.exit_code, 0) << derived.err;
  auto path = std::filesystem::path(::testing::TempDir()) / "derived_meetings.csv";
  {
    std::ofstream out(path);
    out << derived.out;
  }
  auto r = RunProgram({Vivalink(), "analyze", "patterns", "--input", path.string(), "--kind",
                       "trend", "--metric", "Meeting_hours", "--by", "", "--min-group", "1"});
  std::filesystem::remove(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 8u) << r.out;  // header + the 7 weeks (one person each)
  EXPECT_EQ(lines[3], "Meeting_hours,Total,2020-05-10,1,1.5,0.5") << r.out;
}

// --- analyze meeting-query -------------------------------------------------------------------

std::string MtData() { return testutil::SharedData("mt_data.csv").string(); }

TEST(AnalyzeMeetingQueryCli, HelpExitsZero) {
  auto r = RunProgram({Vivalink(), "analyze", "meeting-query", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--kind"), std::string::npos) << r.out;
}

TEST(AnalyzeMeetingQueryCli, TypesOfTheSample) {
  auto r = RunProgram({Vivalink(), "analyze", "meeting-query", "--input", MtData()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;  // header + three size/length classes
  EXPECT_EQ(lines[0], "Size,Length,Meetings,Attendee_meeting_hours,Share_of_attendee_hours");
  EXPECT_TRUE(lines[2].starts_with("1,>= 1 h,366,")) << lines[2];
  EXPECT_NE(r.err.find("612 meetings read, 66 cancelled or all-day"), std::string::npos) << r.err;
}

TEST(AnalyzeMeetingQueryCli, OrganizersAsJsonWithAMinimumOfOne) {
  auto r = RunProgram({Vivalink(), "analyze", "meeting-query", "--input", MtData(), "--kind",
                       "organizers", "--min-group", "1", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 7u) << r.out;
  auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["Organization"], "Biz Dev");
  EXPECT_EQ(first["Meetings"].get<double>(), 65);
}

TEST(AnalyzeMeetingQueryCli, UnknownKindIsAnArgumentError) {
  auto r =
      RunProgram({Vivalink(), "analyze", "meeting-query", "--input", MtData(), "--kind", "sizes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--kind"), std::string::npos) << r.err;
}

TEST(AnalyzeMeetingQueryCli, APersonQueryIsNotAMeetingQueryExitTwo) {
  auto r = RunProgram({Vivalink(), "analyze", "meeting-query", "--input",
                       testutil::SharedData("pq_data.csv").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Number_of_attendees"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vivalink
