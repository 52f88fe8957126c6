#include "sim/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/io.h"
#include "sim/writers.h"
#include "sim_test_util.h"
#include "testutil.h"

namespace vivalink::sim {
namespace {

using M = Metric;
using testing::CsvFields;
using testing::Lines;
using testing::MustGenerate;
using testing::SmallOptions;

// Every consistency rule of sim/metrics.h on one row.
void ExpectConsistent(const WeekMetrics& m, const std::string& where) {
  constexpr double kEps = 1e-9;
  SCOPED_TRACE(where);
  for (size_t k = 0; k < kMetricCount; ++k) {
    ASSERT_TRUE(std::isfinite(m.values[k])) << AllMetrics()[k].display_name;
    ASSERT_GE(m.values[k], 0.0) << AllMetrics()[k].display_name;
    if (AllMetrics()[k].is_count) {
      ASSERT_EQ(m.values[k], std::floor(m.values[k])) << AllMetrics()[k].display_name;
    }
  }
  const double collab = m[M::kCollaborationHours];
  const double components =
      m[M::kMeetingHours] + m[M::kEmailHours] + m[M::kChatHours] + m[M::kCallHours];
  EXPECT_NEAR(collab, components - m[M::kMultitaskingHours], 1e-9 * (1 + collab));
  EXPECT_LE(collab, components + kEps);
  EXPECT_GE(collab, 0.5 * components - kEps);
  EXPECT_LE(m[M::kAfterHoursCollaborationHours], collab + kEps);
  EXPECT_NEAR(m[M::kWorkingHoursCollaborationHours] + m[M::kAfterHoursCollaborationHours], collab,
              1e-9 * (1 + collab));
  const std::pair<M, M> parts[] = {{M::kAfterHoursEmailHours, M::kEmailHours},
                                   {M::kAfterHoursMeetingHours, M::kMeetingHours},
                                   {M::kAfterHoursChatHours, M::kChatHours},
                                   {M::kAfterHoursCallHours, M::kCallHours},
                                   {M::kWorkingHoursEmailHours, M::kEmailHours},
                                   {M::kWorkingHoursMeetingHours, M::kMeetingHours},
                                   {M::kWorkingHoursChatHours, M::kChatHours},
                                   {M::kWorkingHoursCallHours, M::kCallHours},
                                   {M::kExternalCollaborationHours, M::kCollaborationHours},
                                   {M::kExternalMeetingHours, M::kMeetingHours},
                                   {M::kExternalEmailHours, M::kEmailHours},
                                   {M::kConflictingMeetingHours, M::kMeetingHours},
                                   {M::kMeetingHoursWithManager, M::kMeetingHours},
                                   {M::kMeetingHoursWithManager1on1, M::kMeetingHoursWithManager},
                                   {M::kRecurringMeetingHours, M::kMeetingHours},
                                   {M::kUrgentEmailHours, M::kEmailHours},
                                   {M::kWeekendEmailsSent, M::kEmailsSent},
                                   {M::kMeetingsWithManager, M::kMeetings},
                                   {M::kAvailableToFocusHours, M::kUninterruptedHours},
                                   {M::kMultitaskingHours, M::kMeetingHours}};
  for (const auto& [part, whole] : parts) {
    EXPECT_LE(m[part], m[whole] + kEps)
        << Info(part).display_name << " > " << Info(whole).display_name;
  }
  EXPECT_NEAR(m[M::kWorkingHoursEmailHours] + m[M::kAfterHoursEmailHours], m[M::kEmailHours], 1e-9);
  EXPECT_NEAR(m[M::kCallHours], m[M::kScheduledCallHours] + m[M::kUnscheduledCallHours], 1e-9);
  EXPECT_NEAR(m[M::kMeetingAndCallHours], m[M::kMeetingHours] + m[M::kCallHours], 1e-9);
  EXPECT_NEAR(m[M::kSmallShortMeetingHours] + m[M::kSmallLongMeetingHours] +
                  m[M::kLargeShortMeetingHours] + m[M::kLargeLongMeetingHours],
              m[M::kMeetingHours], 1e-9);
  EXPECT_LE(m[M::kUninterruptedHours] + m[M::kInterruptedHours], 40.0 + kEps);
  EXPECT_EQ(m.is_active, collab > 0);
}

TEST(Metrics, EveryRowSatisfiesTheConsistencyRules) {
  const Organization org = MustGenerate(SmallOptions(500, 12, 21));
  const Tenant& t = org.tenants[0];
  size_t rows = 0;
  for (int w = 0; w < org.options.weeks; ++w) {
    for (const Person& p : t.people) {
      if (!p.EmployedIn(w)) continue;
      ExpectConsistent(PersonWeekMetrics(org, t, p, w),
                       "person " + std::to_string(p.index) + " week " + std::to_string(w));
      ++rows;
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  EXPECT_GT(rows, 5000u);
}

TEST(Metrics, TypicalLevelsAreRealistic) {
  const Organization org = MustGenerate(SmallOptions(2000, 4, 2));
  std::vector<double> collab, after, focus, meeting;
  for (const Person& p : org.tenants[0].people) {
    const WeekMetrics m = PersonWeekMetrics(org, org.tenants[0], p, 1);
    if (!m.is_active) continue;
    collab.push_back(m[M::kCollaborationHours]);
    after.push_back(m[M::kAfterHoursCollaborationHours]);
    focus.push_back(m[M::kAvailableToFocusHours]);
    meeting.push_back(m[M::kMeetingHours]);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  EXPECT_GT(median(collab), 15.0);
  EXPECT_LT(median(collab), 30.0);
  EXPECT_GT(median(meeting), 5.0);
  EXPECT_LT(median(after), 6.0);
  EXPECT_GT(median(focus), 8.0);
}

TEST(Metrics, FocusFallsAsMeetingLoadRises) {
  const Organization org = MustGenerate(SmallOptions(3000, 2, 3));
  double low_sum = 0, high_sum = 0;
  int low = 0, high = 0;
  for (const Person& p : org.tenants[0].people) {
    const WeekMetrics m = PersonWeekMetrics(org, org.tenants[0], p, 0);
    if (!m.is_active) continue;
    if (m[M::kMeetingHours] < 5) {
      low_sum += m[M::kAvailableToFocusHours];
      ++low;
    } else if (m[M::kMeetingHours] > 15) {
      high_sum += m[M::kAvailableToFocusHours];
      ++high;
    }
  }
  ASSERT_GT(low, 50);
  ASSERT_GT(high, 50);
  EXPECT_LT(high_sum / high, 0.8 * (low_sum / low));
}

TEST(Metrics, HolidayWeekDropsCollaborationForEveryone) {
  OrgOptions o = SmallOptions(1000, 6, 4);
  o.first_week = core::Date{std::chrono::year{2023} / std::chrono::December / 10};
  const Organization org = MustGenerate(o);
  auto mean_collab = [&](int w) {
    double s = 0;
    int n = 0;
    for (const Person& p : org.tenants[0].people) {
      if (!p.licensed || !p.EmployedIn(w)) continue;
      s += PersonWeekMetrics(org, org.tenants[0], p, w)[M::kCollaborationHours];
      ++n;
    }
    return s / n;
  };
  EXPECT_LT(mean_collab(2), 0.5 * mean_collab(0));  // 2023-12-24: Christmas week
}

TEST(Metrics, SomeWeeksAreVacationsWithNoActivity) {
  const Organization org = MustGenerate(SmallOptions(1000, 10, 4));
  int inactive = 0, rows = 0;
  for (int w = 0; w < 10; ++w) {
    core::Result<std::vector<MetricRow>> week = MetricsForWeek(org, 0, w);
    ASSERT_TRUE(week.ok());
    for (const MetricRow& r : *week) {
      ++rows;
      if (!r.metrics.is_active) {
        ++inactive;
        EXPECT_EQ(r.metrics[M::kCollaborationHours], 0.0);
      }
    }
  }
  // vacation rate 2-6% per week, 40% of those fully away: ~1.6%.
  EXPECT_GT(inactive, rows / 200);
  EXPECT_LT(inactive, rows / 25);
}

TEST(Metrics, PeopleAppearOnlyInTheirEmployedWeeksAndOnlyWhenLicensed) {
  const Organization org = MustGenerate(SmallOptions(1500, 20, 6));
  const Tenant& t = org.tenants[0];
  for (int w = 0; w < 20; w += 3) {
    core::Result<std::vector<MetricRow>> rows = MetricsForWeek(org, 0, w);
    ASSERT_TRUE(rows.ok());
    std::set<uint32_t> present;
    for (const MetricRow& r : *rows) {
      present.insert(r.person->index);
      EXPECT_EQ(r.metric_date, org.WeekStart(w));
    }
    for (const Person& p : t.people) {
      EXPECT_EQ(present.count(p.index) == 1, p.licensed && p.EmployedIn(w))
          << "person " << p.index << " week " << w;
    }
  }
}

TEST(Metrics, OutOfRangeTenantOrWeekIsInvalidArgument) {
  const Organization org = MustGenerate(SmallOptions(10, 2, 1));
  EXPECT_EQ(MetricsForWeek(org, 1, 0).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(MetricsForWeek(org, 0, 2).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(MetricsForWeek(org, 0, -1).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Columns, CanonicalNameKeepsLettersDigitsAndCommas) {
  EXPECT_EQ(DisplayToCanonical("After-hours email hours"), "After_hours_email_hours");
  EXPECT_EQ(DisplayToCanonical("Small-group meeting, call, and chat hours"),
            "Small_group_meeting,_call,_and_chat_hours");
  EXPECT_EQ(DisplayToCanonical("Manager coaching hours 1:1"), "Manager_coaching_hours_1_1");
  EXPECT_EQ(CanonicalName(M::kAvailableToFocusHours), "Available_to_focus_hours");
}

// ---- writers ----

std::vector<std::string> SampleKeys(const std::string& file) {
  std::ifstream in(testutil::SharedData(file));
  std::vector<std::string> keys;
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::ordered_json j = nlohmann::ordered_json::parse(line);
    for (const auto& item : j.items()) {
      if (std::find(keys.begin(), keys.end(), item.key()) == keys.end()) {
        keys.push_back(item.key());
      }
    }
  }
  return keys;
}

TEST(Writers, V1RowsHoldEveryColumnOfTheMicrosoftSampleWithNumbersAsStrings) {
  const std::vector<std::string> sample = SampleKeys("VivaInsightsDataset_v1.jsonl");
  ASSERT_GT(sample.size(), 60u);
  const Organization org = MustGenerate(SmallOptions(100, 3, 2));
  core::Result<std::vector<MetricRow>> rows = MetricsForWeek(org, 0, 1);
  ASSERT_TRUE(rows.ok());
  const std::vector<std::string> lines = Lines(FormatRows(RowShape::kV1, *rows));
  ASSERT_EQ(lines.size(), rows->size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const nlohmann::json j = nlohmann::json::parse(lines[i]);
    for (const std::string& key : sample) ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["PersonId"], (*rows)[i].person->object_id);
    EXPECT_EQ(j["MetricDate"], core::FormatDate(org.WeekStart(1)) + "T00:00:00Z");
    EXPECT_TRUE(j["IsActive"].is_boolean());
    EXPECT_TRUE(j["Collaboration hours"].is_string());
    EXPECT_EQ(std::stod(j["Collaboration hours"].get<std::string>()),
              (*rows)[i].metrics[M::kCollaborationHours]);  // exact round trip
    EXPECT_EQ(j["Emails sent"].get<std::string>().find('.'), std::string::npos);
  }
}

TEST(Writers, V0RowsHoldThePascalCaseColumnsAsNumbers) {
  std::vector<std::string> sample = SampleKeys("VivaInsightsDataset_v0.jsonl");
  std::erase(sample, "duplicateCol");  // an artefact of that export
  ASSERT_GT(sample.size(), 20u);
  const Organization org = MustGenerate(SmallOptions(50, 2, 2));
  core::Result<std::vector<MetricRow>> rows = MetricsForWeek(org, 0, 0);
  ASSERT_TRUE(rows.ok());
  for (const std::string& line : Lines(FormatRows(RowShape::kV0, *rows))) {
    const nlohmann::json j = nlohmann::json::parse(line);
    for (const std::string& key : sample) ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j["CollaborationHours"].is_number());
    EXPECT_TRUE(j["TotalFocusHours"].is_number());
    EXPECT_TRUE(j["ObjectId"].is_string());
  }
}

TEST(Writers, PersonQueryCsvHasCanonicalHeaderAndHrAttributes) {
  const Organization org = MustGenerate(SmallOptions(80, 2, 2));
  core::Result<std::vector<MetricRow>> rows = MetricsForWeek(org, 0, 0);
  ASSERT_TRUE(rows.ok());
  const std::vector<std::string> lines = Lines(FormatRows(RowShape::kPersonQuery, *rows));
  ASSERT_EQ(lines.size(), rows->size() + 1);
  const std::vector<std::string> header = CsvFields(lines[0]);
  EXPECT_EQ(header, ColumnNames(RowShape::kPersonQuery));
  EXPECT_EQ(header[0], "PersonId");
  EXPECT_EQ(header[1], "MetricDate");
  for (const char* c : {"Collaboration_hours", "After_hours_collaboration_hours",
                        "Small_group_meeting,_call,_and_chat_hours", "Organization", "FunctionType",
                        "LevelDesignation", "SupervisorIndicator", "Region", "HireDate"}) {
    EXPECT_NE(std::find(header.begin(), header.end(), c), header.end()) << c;
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> f = CsvFields(lines[i]);
    ASSERT_EQ(f.size(), header.size()) << lines[i];
    EXPECT_EQ(f[1], core::FormatDate(org.WeekStart(0)));
    EXPECT_EQ(f[header.size() - 6], std::string((*rows)[i - 1].person->organization));
  }
}

TEST(Writers, StreamingWeekWriterMatchesTheMaterialisedRows) {
  const Organization org = MustGenerate(SmallOptions(3000, 3, 2));
  for (RowShape shape : {RowShape::kV1, RowShape::kV0, RowShape::kPersonQuery}) {
    core::Result<std::vector<MetricRow>> rows = MetricsForWeek(org, 0, 2);
    ASSERT_TRUE(rows.ok());
    core::StringSink sink;
    core::Result<size_t> n = WriteWeek(org, 0, 2, shape, sink);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, rows->size());
    EXPECT_EQ(sink.data(), FormatRows(shape, *rows)) << RowShapeName(shape);
    core::StringSink sink2;
    ASSERT_TRUE(WriteRows(shape, *rows, sink2).ok());
    EXPECT_EQ(sink2.data(), sink.data());
  }
}

class FailingSink final : public core::ByteSink {
 public:
  core::Status Write(std::span<const std::byte>) override {
    return core::UnavailableError("disk full");
  }
  core::Status Close() override { return core::OkStatus(); }
};

TEST(Writers, SinkErrorsAreReturned) {
  const Organization org = MustGenerate(SmallOptions(20, 1, 2));
  FailingSink sink;
  core::Result<size_t> n = WriteWeek(org, 0, 0, RowShape::kV1, sink);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), core::StatusCode::kUnavailable);
}

TEST(Writers, RowShapeNamesRoundTrip) {
  for (RowShape s : {RowShape::kV1, RowShape::kV0, RowShape::kPersonQuery}) {
    core::Result<RowShape> parsed = ParseRowShape(RowShapeName(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(ParseRowShape("v2").status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Writers, UserExportHasTheMgdcFieldsForEveryDirectoryUser) {
  const Organization org = MustGenerate(SmallOptions(300, 10, 2));
  core::StringSink sink;
  core::Result<size_t> n = WriteUsers(org, 0, sink);
  ASSERT_TRUE(n.ok());
  size_t in_directory = 0;
  for (const Person& p : org.tenants[0].people) in_directory += p.in_directory ? 1 : 0;
  EXPECT_EQ(*n, in_directory);
  const std::vector<std::string> lines = Lines(sink.data());
  ASSERT_EQ(lines.size(), in_directory);
  int disabled = 0;
  for (const std::string& line : lines) {
    const nlohmann::json j = nlohmann::json::parse(line);
    for (const char* k : {"id", "mail", "userPrincipalName", "proxyAddresses", "displayName",
                          "givenName", "surname", "department", "jobTitle", "hireDate", "puser",
                          "ptenant", "datarow", "userrow", "pagerow", "rowinformation"}) {
      ASSERT_TRUE(j.contains(k)) << k;
    }
    EXPECT_EQ(j["ptenant"], org.tenants[0].id);
    EXPECT_EQ(j["puser"], j["id"]);
    EXPECT_EQ(j["proxyAddresses"][0], "SMTP:" + j["mail"].get<std::string>());
    if (!j["accountEnabled"].get<bool>()) ++disabled;
  }
  EXPECT_GT(disabled, 0);  // leavers stay in the export, disabled
}

}  // namespace
}  // namespace vivalink::sim
