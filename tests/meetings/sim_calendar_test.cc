// The simulator's calendars against the meetings module: the metrics derived from vivasim's
// CalendarView rows equal the simulator's own ground truth per person-week, and that truth is
// the person's Viva meeting metrics to the minute (where no cap cut it).
#include <gtest/gtest.h>

#include <map>

#include "core/io.h"
#include "crypto/aes.h"
#include "crypto/gzip.h"
#include "drop/layout.h"
#include "drop/metadata.h"
#include "meetings/metrics.h"
#include "sim/calendar.h"
#include "sim/organization.h"
#include "sim/pipeline.h"
#include "sim/simulator.h"
#include "sim/state.h"
#include "store/local_store.h"
#include "testutil.h"

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

// The calendar travels like the other datasets: {RunId}/CalendarView/{TenantId}/ parts,
// AES-256-CBC over gzip with the run's own File key, metadata last; decrypted (independently of
// the pipeline's code) and derived, it gives the truth of that week.
TEST(SimCalendar, PipelineDeliversTheWeekAsAnEncryptedCalendarViewDrop) {
  testutil::TempDir dir;
  sim::Organization org = Org(30, 2, 11);
  ASSERT_TRUE(sim::WriteOrganization(dir.path(), org).ok());
  store::LocalStoreOptions lo;
  lo.fsync = false;
  auto partner = store::LocalStore::Open(dir.path() / "partner", lo);
  auto staging = store::LocalStore::Open(dir.path() / "staging", lo);
  ASSERT_TRUE(partner.ok() && staging.ok());
  sim::PipelineOptions options;
  options.dir = dir.path();
  options.week = org.WeekStart(1);
  options.include_users = false;
  options.include_calendar = true;
  auto result = sim::RunPipeline(org, **partner, **staging, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const sim::DropOutcome* calendar = nullptr;
  for (const auto& d : result->drops) {
    if (d.ref.kind == sim::kCalendarKind) calendar = &d;
  }
  ASSERT_NE(calendar, nullptr);
  EXPECT_EQ(calendar->outcome, "complete");
  EXPECT_TRUE(calendar->metadata_written);

  auto text = store::GetAll(**partner, calendar->ref.metadata_path());
  ASSERT_TRUE(text.ok());
  auto metadata = drop::ParseMetadata(*text, calendar->ref.metadata_path());
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  EXPECT_EQ(metadata->table_name.value_or(""), "BasicDataSet_v0.CalendarView_v0");
  EXPECT_EQ(static_cast<uint64_t>(metadata->rows_extracted), calendar->rows);

  auto keys = sim::LoadRunKeys(dir.path(), calendar->copy_activity_id);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  auto parts = drop::ListParts(**partner, calendar->ref);
  ASSERT_TRUE(parts.ok());
  ASSERT_FALSE(parts->empty());
  std::string jsonl;
  for (const auto& part : *parts) {
    auto enc = store::GetAll(**partner, part.name);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(enc->find("\"puser\""), std::string::npos) << "plaintext in the blob";
    auto gz = crypto::AesCbcDecrypt(keys->keys.file, core::AsBytes(*enc));
    ASSERT_TRUE(gz.ok()) << gz.status().ToString();
    auto plain = crypto::GzipDecompress(std::string_view(*gz));
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    jsonl += *plain;
  }
  core::StringSink expected_rows;
  auto week = sim::WriteCalendarWeek(org, 0, 1, expected_rows);
  ASSERT_TRUE(week.ok());
  EXPECT_EQ(jsonl, expected_rows.data());  // the same week, byte for byte

  meetings::MeetingOptions mo;
  for (const sim::Person& p : org.tenants[0].people) {
    mo.hours_by_person[p.object_id].time_zone = std::string(sim::CalendarTimeZone(p));
  }
  auto metrics =
      meetings::DeriveMeetingMetrics(core::MemorySource::Owning(jsonl), "calendar drop", mo);
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  double derived = 0, truth = 0;
  for (const auto& r : metrics->rows) derived += r.meeting_hours;
  for (const auto& t : week->truth) truth += t.meeting_hours;
  EXPECT_GT(truth, 10);
  EXPECT_NEAR(derived, truth, 1e-6);
}

}  // namespace
}  // namespace vivalink
