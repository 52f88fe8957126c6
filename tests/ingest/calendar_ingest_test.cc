// Outlook calendar drops through `vivalink run` (issue 12): vivasim's CalendarView drop in a local
// store is decrypted in memory, its weekly meeting metrics are the ones the meetings module
// derives from the same plaintext, stored once beside the week's Viva Insights rows (never over
// them), on SQLite and on a real PostgreSQL server; a damaged part fails the drop naming the part,
// keeps nothing, and the drop imports once repaired.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "core/io.h"
#include "core/strings.h"
#include "db/database.h"
#include "identity/identity.h"
#include "ingest/calendar_import.h"
#include "ingest/commands.h"
#include "ingest_fixture.h"
#include "join/stored.h"
#include "meetings/metrics.h"
#include "postgres_server.h"
#include "sim/calendar.h"
#include "sim/organization.h"
#include "sim/pipeline.h"
#include "sim/simulator.h"
#include "sim/state.h"
#include "warehouse/meeting_weeks.h"

namespace vivalink::ingest {
namespace {

using testing::Count;
using testing::World;

enum class Backend { kSqlite, kPostgres };

struct Delivered {
  drop::DropRef viva;
  drop::DropRef calendar;
};

class CalendarIngest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    sim::OrgOptions options;
    options.people = 24;
    options.weeks = 2;
    options.seed = 5;
    options.partner_secret = "test";
    auto org = sim::Generate(options);
    ASSERT_TRUE(org.ok()) << org.status().ToString();
    org_ = std::move(org).value();
    ASSERT_TRUE(sim::WriteOrganization(OrgDir(), org_).ok());
    tenant_ = org_.tenants[0].id;
    const std::string url = GetParam() == Backend::kSqlite
                                ? world_.sqlite_url()
                                : testutil::SharedPostgresServer().CreateDatabase();
    config_ = world_.MakeConfig(url);
  }

  std::filesystem::path OrgDir() const { return world_.root() / "org"; }

  // One week of the simulated tenant (its Viva Insights and CalendarView drops) delivered into
  // the partner store, with the key API's answers saved where the config's keys_dir says.
  Delivered Deliver(int week, uint64_t part_rows = 0) {
    auto staging = store::LocalStore::Open(world_.root() / "staging", {.fsync = false});
    EXPECT_TRUE(staging.ok());
    sim::PipelineOptions options;
    options.dir = OrgDir();
    options.week = org_.WeekStart(week);
    options.include_users = false;
    options.include_calendar = true;
    options.part_rows = part_rows;
    auto result = sim::RunPipeline(org_, world_.store(), **staging, options);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    Delivered out;
    for (const auto& d : result->drops) {
      auto keys = sim::LoadRunKeys(OrgDir(), d.copy_activity_id);
      EXPECT_TRUE(keys.ok()) << keys.status().ToString();
      auto answer = drop::MakeKeysResponse(d.copy_activity_id, keys->keys,
                                           world_.TenantKey(d.ref.tenant_id).PublicKey());
      EXPECT_TRUE(answer.ok());
      testutil::WriteFile(
          std::filesystem::path(config_.keys.keys_dir) / (d.copy_activity_id + ".json"), *answer);
      (d.ref.kind == drop::kCalendarViewKind ? out.calendar : out.viva) = d.ref;
    }
    EXPECT_EQ(out.calendar.kind, drop::kCalendarViewKind);
    return out;
  }

  RunSummary Run() {
    auto r = RunOnce(config_, {.progress = 0});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunSummary{};
  }

  std::unique_ptr<db::Database> Db() {
    auto db = db::Database::Open(config_.database_url, {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(*db);
  }

  const DropResult* ResultOf(const RunSummary& s, std::string_view kind) {
    for (const auto& r : s.results) {
      if (r.key.kind == kind) return &r;
    }
    return nullptr;
  }

  // The week's plaintext calendar, as the simulator writes it, and the owners it names.
  std::string Plaintext(int week, std::set<std::string>* owners = nullptr,
                        double* truth_hours = nullptr) {
    core::StringSink sink;
    auto written = sim::WriteCalendarWeek(org_, 0, week, sink);
    EXPECT_TRUE(written.ok());
    if (truth_hours != nullptr) {
      *truth_hours = 0;
      for (const auto& t : written->truth) *truth_hours += t.meeting_hours;
    }
    if (owners != nullptr) {
      for (std::string_view line : core::Split(sink.data(), '\n')) {
        size_t at = line.find("\"puser\":\"");
        if (at != std::string_view::npos) {
          owners->insert(std::string(line.substr(at + 9, 36)));
        }
      }
    }
    return std::move(sink.data());
  }

  World world_;
  sim::Organization org_;
  std::string tenant_;
  Config config_;
};

double At(const analysis::Frame& f, std::string_view column, size_t row) {
  const analysis::FrameColumn* c = f.Find(column);
  EXPECT_NE(c, nullptr) << column;
  return c == nullptr ? -1 : c->numbers[row];
}

void ExpectSame(double expected, double stored, std::string_view what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(stored)) << what;
  } else {
    EXPECT_NEAR(stored, expected, 1e-9) << what;
  }
}

TEST_P(CalendarIngest, StoresTheMeetingWeeksTheMeetingsModuleDerivesOnceBesideTheVivaRows) {
  Deliver(1);
  RunSummary first = Run();
  EXPECT_EQ(first.done, 2);
  EXPECT_FALSE(first.any_failed());
  const DropResult* calendar = ResultOf(first, drop::kCalendarViewKind);
  ASSERT_NE(calendar, nullptr);
  EXPECT_EQ(calendar->state, DropState::kDone);

  // What the meetings module derives from the same plaintext, under the same options.
  std::set<std::string> owners;
  double truth_hours = 0;
  std::string plaintext = Plaintext(1, &owners, &truth_hours);
  auto options = MeetingOptionsFor(config_.meetings);
  ASSERT_TRUE(options.ok());
  auto derived =
      meetings::DeriveMeetingMetrics(core::MemorySource::Owning(plaintext), "plaintext", *options);
  ASSERT_TRUE(derived.ok()) << derived.status().ToString();
  EXPECT_EQ(calendar->rows, static_cast<int64_t>(derived->counts.events));

  auto db = Db();
  auto frame = warehouse::LoadMeetingWeeks(*db, "");
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  // One row per calendar owner: a week without a counted meeting is stored as 0, not left out.
  ASSERT_EQ(frame->num_rows(), owners.size());
  EXPECT_GT(owners.size(), derived->rows.size() / 2);
  std::map<std::pair<std::string, std::string>, size_t> row_of;
  for (size_t r = 0; r < frame->num_rows(); ++r) {
    row_of[{std::string(frame->Find("PersonId")->StringAt(r)),
            std::string(frame->Find("MetricDate")->StringAt(r))}] = r;
  }
  const std::string week = core::FormatDate(org_.WeekStart(1));
  size_t compared = 0;
  double stored_hours = 0;
  for (const auto& m : derived->rows) {
    if (core::FormatDate(m.week) != week) continue;  // a meeting running into the next week
    auto it = row_of.find({identity::PersonKey("", tenant_, m.person), week});
    ASSERT_NE(it, row_of.end()) << "a derived person-week was not stored";
    const size_t r = it->second;
    EXPECT_EQ(At(*frame, "Meetings", r), static_cast<double>(m.meetings));
    ExpectSame(m.meeting_hours, At(*frame, "Meeting_hours", r), "Meeting_hours");
    ExpectSame(m.after_hours_meeting_hours, At(*frame, "After_hours_meeting_hours", r), "after");
    ExpectSame(m.conflicting_meeting_hours, At(*frame, "Conflicting_meeting_hours", r), "confl");
    ExpectSame(m.large_meeting_hours, At(*frame, "Large_meeting_hours", r), "large");
    ExpectSame(m.long_meeting_hours, At(*frame, "Long_meeting_hours", r), "long");
    ExpectSame(m.large_and_long_meeting_hours, At(*frame, "Large_and_long_meeting_hours", r), "ll");
    EXPECT_EQ(At(*frame, "Recurring_meetings", r), static_cast<double>(m.recurring_meetings));
    ExpectSame(m.recurring_meeting_hours, At(*frame, "Recurring_meeting_hours", r), "recurring");
    EXPECT_EQ(At(*frame, "One_off_meetings", r), static_cast<double>(m.one_off_meetings));
    ExpectSame(m.one_off_meeting_hours, At(*frame, "One_off_meeting_hours", r), "one-off");
    ExpectSame(m.meeting_hours_with_manager, At(*frame, "Meeting_hours_with_manager", r), "mgr");
    ExpectSame(m.external_meeting_hours, At(*frame, "External_meeting_hours", r), "external");
    stored_hours += m.meeting_hours;
    ++compared;
  }
  EXPECT_GT(compared, 10u);
  // Each person's zone comes from their own calendar, so the hours are the simulator's truth.
  EXPECT_NEAR(stored_hours, truth_hours, 1e-6);

  // Beside the Viva rows of the same person-weeks, never over them; the views read both.
  const int64_t viva = Count(*db, "SELECT COUNT(*) FROM person_week");
  EXPECT_GT(viva, 0);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM meeting_week"), static_cast<int64_t>(owners.size()));
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM meeting_week_metric"),
            static_cast<int64_t>(owners.size() * 13));
  auto joined = join::LoadPersonWeeks(*db, "");
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  ASSERT_NE(joined->Find("Meeting_hours"), nullptr);           // Viva's
  ASSERT_NE(joined->Find("Calendar_Meeting_hours"), nullptr);  // derived from the calendar
  EXPECT_GE(joined->num_rows(), static_cast<size_t>(viva));

  // Run again: nothing is re-imported.
  RunSummary again = Run();
  EXPECT_EQ(again.processed, 0);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM meeting_week"), static_cast<int64_t>(owners.size()));
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM drops WHERE kind = 'CalendarView' AND state = 'done'"),
            1);

  // The same week delivered again (new run, new keys) replaces the rows, it does not add any.
  Deliver(1);
  RunSummary redelivered = Run();
  EXPECT_EQ(redelivered.done, 2);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM meeting_week"), static_cast<int64_t>(owners.size()));
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM person_week"), viva);
}

TEST_P(CalendarIngest, AGarbledPartFailsTheDropNamingThePartAndItImportsOnceRepaired) {
  Delivered d = Deliver(0);
  const std::string part = d.calendar.part_path(0);
  auto original = store::GetAll(world_.store(), part);
  ASSERT_TRUE(original.ok());
  std::string garbled = *original;
  for (size_t i = garbled.size() / 2; i < garbled.size() / 2 + 16 && i < garbled.size(); ++i) {
    garbled[i] = static_cast<char>(garbled[i] ^ 0x5a);
  }
  ASSERT_TRUE(store::PutString(world_.store(), part, garbled).ok());

  RunSummary s = Run();
  const DropResult* calendar = ResultOf(s, drop::kCalendarViewKind);
  ASSERT_NE(calendar, nullptr);
  EXPECT_EQ(calendar->state, DropState::kFailed);  // retried at the next pass
  EXPECT_EQ(calendar->error.code(), core::StatusCode::kDataLoss);
  EXPECT_NE(calendar->error.message().find(part), std::string::npos) << calendar->error.message();
  EXPECT_EQ(ResultOf(s, drop::kMetricsKind)->state, DropState::kDone);  // the other drop is fine
  auto db = Db();
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM meeting_week"), 0);
  EXPECT_FALSE(store::ListAll(world_.store(), d.calendar.prefix())->empty());  // nothing deleted

  // The copy repaired (re-sent), the next pass imports it; nothing was lost.
  ASSERT_TRUE(store::PutString(world_.store(), part, *original).ok());
  RunSummary repaired = Run();
  ASSERT_NE(ResultOf(repaired, drop::kCalendarViewKind), nullptr);
  EXPECT_EQ(ResultOf(repaired, drop::kCalendarViewKind)->state, DropState::kDone);
  std::set<std::string> owners;
  Plaintext(0, &owners);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM meeting_week"), static_cast<int64_t>(owners.size()));
}

TEST_P(CalendarIngest, ATruncatedLastPartFailsTheDropNamingThePart) {
  Delivered d = Deliver(0, /*part_rows=*/200);
  auto parts = drop::ListParts(world_.store(), d.calendar);
  ASSERT_TRUE(parts.ok());
  ASSERT_GE(parts->size(), 2u);
  const std::string part = parts->back().name;
  std::string bytes = *store::GetAll(world_.store(), part);
  bytes.resize(bytes.size() / 2 / 16 * 16);  // whole AES blocks: the damage is past the cipher
  ASSERT_TRUE(store::PutString(world_.store(), part, bytes).ok());

  RunSummary s = Run();
  const DropResult* calendar = ResultOf(s, drop::kCalendarViewKind);
  ASSERT_NE(calendar, nullptr);
  EXPECT_EQ(calendar->state, DropState::kFailed);
  EXPECT_EQ(calendar->error.code(), core::StatusCode::kDataLoss);
  EXPECT_NE(calendar->error.message().find(part), std::string::npos) << calendar->error.message();
  auto db = Db();
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM meeting_week"), 0);
  EXPECT_EQ(
      Count(*db, "SELECT COUNT(*) FROM drops WHERE kind = 'CalendarView' AND state = 'failed'"), 1);
}

TEST_P(CalendarIngest, AnOwnerThatIsNotAnObjectIdIsRefusedNamingTheLineNotTheValue) {
  const std::string row =
      R"({"puser":"ann.smith@contoso.com","responseStatus":{"response":"organizer"},)"
      R"("organizer":{"emailAddress":{"address":"ann.smith@contoso.com"}},)"
      R"("attendees":[{"type":"required","emailAddress":{"address":"bob@contoso.com"}}],)"
      R"("start":{"dateTime":"2024-01-08T10:00:00.0000000","timeZone":"UTC"},)"
      R"("end":{"dateTime":"2024-01-08T11:00:00.0000000","timeZone":"UTC"}})"
      "\n";
  world_.Write({.run_id = "44444444-4444-4444-8444-444444444444",
                .tenant = testing::kTenantA,
                .kind = "CalendarView",
                .rows = row + row});
  RunSummary s = Run();
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].state, DropState::kFailed);
  EXPECT_EQ(s.results[0].error.code(), core::StatusCode::kDataLoss);
  const std::string& message = s.results[0].error.message();
  EXPECT_NE(message.find("part-00000"), std::string::npos) << message;
  EXPECT_NE(message.find("line 1"), std::string::npos) << message;
  EXPECT_NE(message.find("puser"), std::string::npos) << message;
  EXPECT_EQ(message.find("ann.smith"), std::string::npos) << message;
  auto db = Db();
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM meeting_week"), 0);
}

TEST(MeetingsConfig, BadWorkingHoursOrAnUnknownZoneIsRefusedNamingTheKey) {
  auto hours = ParseConfig("[meetings]\nworking_hours = \"9-5\"\n", "vivalink.toml");
  EXPECT_EQ(hours.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(hours.status().message().find("meetings.working_hours"), std::string::npos)
      << hours.status().message();
  auto zone = ParseConfig("[meetings]\ntime_zone = \"Mars/Olympus\"\n", "vivalink.toml");
  EXPECT_EQ(zone.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(zone.status().message().find("meetings.time_zone"), std::string::npos)
      << zone.status().message();
  auto good = ParseConfig(
      "[meetings]\ntime_zone = \"W. Europe Standard Time\"\nworking_hours = \"08:30-16:30\"\n"
      "internal_domains = [\"contoso.com\"]\ncount_tentative = true\n",
      "vivalink.toml");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  auto options = MeetingOptionsFor(good->meetings);
  ASSERT_TRUE(options.ok());
  EXPECT_FALSE(options->zone_from_calendar);
  EXPECT_EQ(options->default_hours.time_zone, "W. Europe Standard Time");
  EXPECT_EQ(options->default_hours.start, std::chrono::minutes(8 * 60 + 30));
  EXPECT_TRUE(options->count_tentative);
  EXPECT_EQ(options->internal_domains, std::vector<std::string>{"contoso.com"});
  EXPECT_TRUE(MeetingOptionsFor(DefaultConfig().meetings)->zone_from_calendar);
}

INSTANTIATE_TEST_SUITE_P(Backends, CalendarIngest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& param_info) {
                           return param_info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace vivalink::ingest
