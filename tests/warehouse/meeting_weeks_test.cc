// The meeting-week table (migration 8) on SQLite and on a real PostgreSQL server: meeting metrics
// are stored beside the Viva Insights row of the same person-week and never over it, read back,
// and merged with the person-weeks as "Calendar_" columns; the migration keeps the ledger.
#include "warehouse/meeting_weeks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "db/migrate.h"
#include "db/schema.h"
#include "db/value.h"
#include "postgres_server.h"
#include "testutil.h"

namespace vivalink::warehouse {
namespace {

constexpr char kT1[] = "11111111-1111-4111-8111-111111111111";
constexpr char kAnn[] = "8b1f2c3d-0000-4000-8000-00000000000a";
constexpr char kBob[] = "8b1f2c3d-0000-4000-8000-00000000000b";

enum class Backend { kSqlite, kPostgres };

struct Values {
  std::string person;
  std::string week;
  double meetings;
  double hours;
};

// A batch of the given numeric columns (the shapes the two writers get).
formats::RowBatch Batch(const std::vector<Values>& rows, const char* count_column,
                        const char* hours_column) {
  formats::RowBatch batch;
  batch.AddColumn("PersonId", formats::ColumnType::kString);
  batch.AddColumn("MetricDate", formats::ColumnType::kString);
  batch.AddColumn(count_column, formats::ColumnType::kNumber);
  batch.AddColumn(hours_column, formats::ColumnType::kNumber);
  for (const auto& r : rows) {
    batch.mutable_column(0).AppendString(r.person);
    batch.mutable_column(1).AppendString(r.week);
    batch.mutable_column(2).AppendNumber(r.meetings);
    batch.mutable_column(3).AppendNumber(r.hours);
    batch.FinishRow();
  }
  return batch;
}

class MeetingWeeks : public ::testing::TestWithParam<Backend> {
 protected:
  std::string NewUrl() {
    return GetParam() == Backend::kSqlite ? "sqlite://" + (tmp_.path() / "vivalink.db").string()
                                          : testutil::SharedPostgresServer().CreateDatabase();
  }
  void Open() {
    auto db = db::OpenMigrated(NewUrl());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  core::Status Write(bool meetings, const char* run, const std::vector<Values>& rows) {
    ASSIGN_OR_RETURN(auto tx, db_->Begin());
    WriteRequest request;
    request.tenant_id = kT1;
    request.run_id = run;
    request.drop_name = std::string(kT1) + "/" + run;
    std::unique_ptr<PersonWeekWriter> writer;
    if (meetings) {
      ASSIGN_OR_RETURN(writer, OpenMeetingWeekWriter(*db_, std::move(request)));
      RETURN_IF_ERROR(writer->Add(Batch(rows, "Meetings", "Meeting_hours")));
    } else {
      ASSIGN_OR_RETURN(writer, PersonWeekWriter::Open(*db_, std::move(request)));
      RETURN_IF_ERROR(writer->Add(Batch(rows, "Emails_sent", "Meeting_hours")));
    }
    RETURN_IF_ERROR(writer->Finish());
    return tx.Commit();
  }

  int64_t Count(const std::string& sql) {
    auto v = db_->QueryValue(sql);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() && v->GetInt() != nullptr ? *v->GetInt() : -1;
  }

  testutil::TempDir tmp_;
  std::unique_ptr<db::Database> db_;
};

double Value(const analysis::Frame& f, const std::string& column, size_t row) {
  const analysis::FrameColumn* c = f.Find(column);
  EXPECT_NE(c, nullptr) << column;
  return c == nullptr ? -1 : c->numbers[row];
}

TEST_P(MeetingWeeks, MeetingRowsSitBesideTheVivaRowOfTheSamePersonWeek) {
  Open();
  ASSERT_TRUE(Write(false, "run-viva", {{kAnn, "2024-01-07", 40, 5}}).ok());
  ASSERT_TRUE(
      Write(true, "run-cal", {{kAnn, "2024-01-07", 3, 2.5}, {kBob, "2024-01-14", 1, 1}}).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM meeting_week"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM meeting_week_metric"), 4);

  auto people = LoadPersonWeeks(*db_, {});
  ASSERT_TRUE(people.ok()) << people.status().ToString();
  ASSERT_EQ(people->num_rows(), 1u);
  EXPECT_EQ(Value(*people, "Meeting_hours", 0), 5);  // Viva's value, untouched
  auto meetings = LoadMeetingWeeks(*db_, "");
  ASSERT_TRUE(meetings.ok()) << meetings.status().ToString();
  ASSERT_EQ(meetings->num_rows(), 2u);
  // Each frame has its own table's metrics only (the tenant's layouts are shared).
  EXPECT_EQ(meetings->Find("Emails_sent"), nullptr);

  auto merged = MergeMeetingWeeks(std::move(*people), *meetings);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  ASSERT_EQ(merged->num_rows(), 2u);  // Ann's week once (both), Bob's calendar-only week
  EXPECT_EQ(merged->Find("PersonId")->StringAt(0), kAnn);
  EXPECT_EQ(merged->Find("MetricDate")->StringAt(0), "2024-01-07");
  EXPECT_EQ(Value(*merged, "Meeting_hours", 0), 5);
  EXPECT_EQ(Value(*merged, "Calendar_Meeting_hours", 0), 2.5);
  EXPECT_EQ(Value(*merged, "Calendar_Meetings", 0), 3);
  EXPECT_EQ(merged->Find("PersonId")->StringAt(1), kBob);
  EXPECT_EQ(merged->Find("MetricDate")->StringAt(1), "2024-01-14");
  EXPECT_TRUE(std::isnan(Value(*merged, "Meeting_hours", 1)));
  EXPECT_TRUE(std::isnan(Value(*merged, "Emails_sent", 1)));
  EXPECT_EQ(Value(*merged, "Calendar_Meeting_hours", 1), 1);
}

TEST_P(MeetingWeeks, ANewerCalendarDropReplacesTheMeetingRowOnly) {
  Open();
  ASSERT_TRUE(Write(false, "run-viva", {{kAnn, "2024-01-07", 40, 5}}).ok());
  ASSERT_TRUE(Write(true, "run-cal-1", {{kAnn, "2024-01-07", 3, 2.5}}).ok());
  ASSERT_TRUE(Write(true, "run-cal-2", {{kAnn, "2024-01-07", 4, 3.75}}).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM meeting_week WHERE run_id = 'run-cal-2'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM meeting_week"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week WHERE run_id = 'run-viva'"), 1);
  auto meetings = LoadMeetingWeeks(*db_, kT1);
  ASSERT_TRUE(meetings.ok());
  EXPECT_EQ(Value(*meetings, "Meeting_hours", 0), 3.75);
  auto people = LoadPersonWeeks(*db_, {});
  ASSERT_TRUE(people.ok());
  EXPECT_EQ(Value(*people, "Meeting_hours", 0), 5);
  EXPECT_EQ(Value(*people, "Emails_sent", 0), 40);
}

TEST_P(MeetingWeeks, WithoutMeetingRowsTheMergeLeavesThePersonWeeksAlone) {
  Open();
  ASSERT_TRUE(Write(false, "run-viva", {{kAnn, "2024-01-07", 40, 5}}).ok());
  auto people = LoadPersonWeeks(*db_, {});
  ASSERT_TRUE(people.ok());
  const size_t columns = people->num_columns();
  auto meetings = LoadMeetingWeeks(*db_, "");
  ASSERT_TRUE(meetings.ok());
  auto merged = MergeMeetingWeeks(std::move(*people), *meetings);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->num_columns(), columns);
  EXPECT_EQ(merged->num_rows(), 1u);
}

TEST_P(MeetingWeeks, TheCalendarMigrationKeepsTheLedgerRowsAndTakesTheCalendarKinds) {
  auto db = db::Database::Open(NewUrl(), {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto all = db::ProductMigrations();
  size_t calendar = 0;  // the migrations before the calendar migration (8)
  while (calendar < all.size() && all[calendar].version < 8) ++calendar;
  ASSERT_LT(calendar, all.size());
  auto before = all.first(calendar);
  ASSERT_TRUE(db::Migrate(**db, before).ok());
  ASSERT_TRUE((*db)
                  ->Execute("INSERT INTO drops (tenant_id, run_id, metadata_etag, kind, state, "
                            "attempts, rows, discovered_at, imported_parts, permanent_failures) "
                            "VALUES (?, 'r1', 'e1', 'VivaInsights', 'done', 2, 17, "
                            "'2024-01-01T00:00:00Z', '[]', 1)",
                            {std::string(kT1)})
                  .ok());
  auto version = db::MigrateToLatest(**db);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_GE(*version, 1);  // the calendar migration and any later ones
  auto kept = (*db)->Query(
      "SELECT kind, state, attempts, rows, imported_parts, permanent_failures FROM drops");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  ASSERT_EQ(kept->rows.size(), 1u);
  EXPECT_EQ(db::TextOf(kept->rows[0][0]), "VivaInsights");
  EXPECT_EQ(db::TextOf(kept->rows[0][1]), "done");
  EXPECT_EQ(db::IntOf(kept->rows[0][2]), 2);
  EXPECT_EQ(db::IntOf(kept->rows[0][3]), 17);
  EXPECT_EQ(db::TextOf(kept->rows[0][4]), "[]");
  EXPECT_EQ(db::IntOf(kept->rows[0][5]), 1);
  for (const char* kind : {"CalendarView", "Event"}) {
    EXPECT_TRUE((*db)
                    ->Execute("INSERT INTO drops (tenant_id, run_id, metadata_etag, kind, "
                              "discovered_at) VALUES (?, 'r2', 'e1', ?, '2024-01-01T00:00:00Z')",
                              {std::string(kT1), std::string(kind)})
                    .ok())
        << kind;
  }
  EXPECT_FALSE((*db)
                   ->Execute("INSERT INTO drops (tenant_id, run_id, metadata_etag, kind, "
                             "discovered_at) VALUES (?, 'r3', 'e1', 'Other', "
                             "'2024-01-01T00:00:00Z')",
                             {std::string(kT1)})
                   .ok());
  // The index the ledger's queries use is back.
  auto index = (*db)->QueryValue(
      GetParam() == Backend::kSqlite
          ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'drops_by_state'"
          : "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'drops_by_state'");
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->AsNumber().value_or(-1), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, MeetingWeeks,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& param_info) {
                           return param_info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace vivalink::warehouse
