#include "warehouse/person_weeks.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/migrate.h"
#include "db/schema.h"
#include "postgres_server.h"
#include "testutil.h"

namespace vivalink::warehouse {
namespace {

constexpr char kT1[] = "11111111-1111-4111-8111-111111111111";
constexpr char kT2[] = "22222222-2222-4222-8222-222222222222";
constexpr char kAnn[] = "8b1f2c3d-0000-4000-8000-00000000000a";
constexpr char kBob[] = "8b1f2c3d-0000-4000-8000-00000000000b";

enum class Backend { kSqlite, kPostgres };

struct Row {
  std::string person;
  std::string week;
  std::optional<double> hours;     // Collaboration_hours
  std::optional<double> emails;    // Emails_sent (absent from the batch when every row lacks it)
  std::optional<std::string> org;  // Organization
};

class PersonWeeks : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    url_ = GetParam() == Backend::kSqlite ? "sqlite://" + (tmp_.path() / "vivalink.db").string()
                                          : testutil::SharedPostgresServer().CreateDatabase();
    auto db = db::OpenMigrated(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  core::Status Write(const char* tenant, const char* run, const std::vector<Row>& rows,
                     bool with_emails = true) {
    ASSIGN_OR_RETURN(auto tx, db_->Begin());
    WriteRequest request;
    request.tenant_id = tenant;
    request.run_id = run;
    request.drop_name = std::string(tenant) + "/" + run;
    ASSIGN_OR_RETURN(auto writer, PersonWeekWriter::Open(*db_, std::move(request)));
    formats::RowBatch batch;
    batch.AddColumn("PersonId", formats::ColumnType::kString);
    batch.AddColumn("MetricDate", formats::ColumnType::kString);
    batch.AddColumn("Collaboration_hours", formats::ColumnType::kNumber);
    if (with_emails) batch.AddColumn("Emails_sent", formats::ColumnType::kNumber);
    batch.AddColumn("Organization", formats::ColumnType::kString);
    batch.AddColumn("mail", formats::ColumnType::kString);  // PII: never stored
    for (const auto& r : rows) {
      size_t c = 0;
      batch.mutable_column(c++).AppendString(r.person);
      batch.mutable_column(c++).AppendString(r.week);
      auto number = [&](std::optional<double> v) {
        if (v.has_value()) {
          batch.mutable_column(c++).AppendNumber(*v);
        } else {
          batch.mutable_column(c++).AppendNull();
        }
      };
      number(r.hours);
      if (with_emails) number(r.emails);
      if (r.org.has_value()) {
        batch.mutable_column(c++).AppendString(*r.org);
      } else {
        batch.mutable_column(c++).AppendNull();
      }
      batch.mutable_column(c++).AppendString("ann@contoso.com");
      batch.FinishRow();
    }
    RETURN_IF_ERROR(writer->Add(batch));
    RETURN_IF_ERROR(writer->Finish());
    return tx.Commit();
  }

  int64_t Count(const std::string& sql, std::initializer_list<db::Value> params = {}) {
    auto v = db_->QueryValue(sql, params);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() && v->GetInt() != nullptr ? *v->GetInt() : -1;
  }

  testutil::TempDir tmp_;
  std::string url_;
  std::unique_ptr<db::Database> db_;
};

TEST_P(PersonWeeks, WrittenRowsReadBackAsAFrameInTenantWeekPersonOrder) {
  ASSERT_TRUE(Write(kT1, "run-1",
                    {{kBob, "2024-01-07", 20.25, 3, "Sales"},
                     {kAnn, "2024-01-07", 10.5, 0, "R&D"},
                     {kAnn, "2024-01-14", std::nullopt, 7, std::nullopt}})
                  .ok());
  auto frame = LoadPersonWeeks(*db_, {});
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  ASSERT_EQ(frame->num_rows(), 3u);
  const auto* person = frame->Find("PersonId");
  const auto* date = frame->Find("MetricDate");
  const auto* hours = frame->Find("Collaboration_hours");
  const auto* emails = frame->Find("Emails_sent");
  const auto* org = frame->Find("Organization");
  ASSERT_NE(person, nullptr);
  ASSERT_NE(hours, nullptr);
  ASSERT_NE(emails, nullptr);
  ASSERT_NE(org, nullptr);
  EXPECT_EQ(frame->Find("mail"), nullptr);
  EXPECT_EQ(person->StringAt(0), kAnn);
  EXPECT_EQ(date->StringAt(0), "2024-01-07");
  EXPECT_EQ(hours->numbers[0], 10.5);
  EXPECT_EQ(org->StringAt(0), "R&D");
  EXPECT_EQ(person->StringAt(1), kBob);
  EXPECT_EQ(hours->numbers[1], 20.25);
  EXPECT_EQ(emails->numbers[1], 3);
  EXPECT_EQ(date->StringAt(2), "2024-01-14");
  EXPECT_TRUE(std::isnan(hours->numbers[2]));
  EXPECT_EQ(emails->numbers[2], 7);
  EXPECT_TRUE(org->IsMissing(2));
}

TEST_P(PersonWeeks, ANewerDropReplacesThePersonWeekWhole) {
  ASSERT_TRUE(Write(kT1, "run-1", {{kAnn, "2024-01-07", 10, 5, "Sales"}}).ok());
  ASSERT_TRUE(Write(kT1, "run-2", {{kAnn, "2024-01-07", 11, std::nullopt, std::nullopt}},
                    /*with_emails=*/false)
                  .ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week WHERE run_id = 'run-2' AND attrs IS NULL"), 1);
  auto frame = LoadPersonWeeks(*db_, {});
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  ASSERT_EQ(frame->num_rows(), 1u);
  EXPECT_EQ(frame->Find("Collaboration_hours")->numbers[0], 11);
  // Emails_sent was in the old row's layout only: the replacement has no value for it.
  ASSERT_NE(frame->Find("Emails_sent"), nullptr);
  EXPECT_TRUE(std::isnan(frame->Find("Emails_sent")->numbers[0]));
}

// PostgreSQL COPYs the rows of a week that held none straight into the table and sends a
// person-week met again in the same drop through the stage and upsert: the last one wins, as on
// SQLite, and a week that already held rows is merged, not duplicated.
TEST_P(PersonWeeks, APersonWeekTwiceInOneDropKeepsTheLastAndAFilledWeekIsMerged) {
  ASSERT_TRUE(Write(kT1, "run-1",
                    {{kAnn, "2024-01-07", 1, 1, "A"},
                     {kBob, "2024-01-07", 2, 2, "B"},
                     {kAnn, "2024-01-07", 3, 3, "C"}})
                  .ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week"), 2);
  ASSERT_TRUE(
      Write(kT1, "run-2", {{kBob, "2024-01-07", 5, 5, "D"}, {kAnn, "2024-01-14", 6, 6, "E"}}).ok());
  auto frame = LoadPersonWeeks(*db_, {});
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  ASSERT_EQ(frame->num_rows(), 3u);
  std::multiset<double> hours(frame->Find("Collaboration_hours")->numbers.begin(),
                              frame->Find("Collaboration_hours")->numbers.end());
  EXPECT_EQ(hours, (std::multiset<double>{3, 5, 6}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week WHERE run_id = 'run-2'"), 2);
}

// Viva Insights v0 rows carry PeopleHistoricalId, unique per person-week and holding a person
// id: stored as an attribute it made every row's attribute set new (97,948 dictionary rows for
// one week of 100,000 people, 431 bytes a person-week instead of about 150) and kept the id.
TEST_P(PersonWeeks, ARowIdentifierIsNeitherStoredNorAnAttribute) {
  auto tx = db_->Begin();
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  WriteRequest request;
  request.tenant_id = kT1;
  request.run_id = "run-v0";
  request.drop_name = "v0";
  auto writer = PersonWeekWriter::Open(*db_, std::move(request));
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  formats::RowBatch batch;
  batch.AddColumn("PersonId", formats::ColumnType::kString);
  batch.AddColumn("MetricDate", formats::ColumnType::kString);
  batch.AddColumn("Collaboration_hours", formats::ColumnType::kNumber);
  batch.AddColumn("PeopleHistoricalId", formats::ColumnType::kString);
  batch.AddColumn("Organization", formats::ColumnType::kString);
  for (const char* person : {kAnn, kBob}) {
    batch.mutable_column(0).AppendString(person);
    batch.mutable_column(1).AppendString("2024-01-07T00:00:00Z");
    batch.mutable_column(2).AppendNumber(4);
    batch.mutable_column(3).AppendString(std::string(person) + "-63839779200");
    batch.mutable_column(4).AppendString("Sales");
    batch.FinishRow();
  }
  ASSERT_TRUE((*writer)->Add(batch).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM wh_dict WHERE kind = 'attrs'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM wh_dict WHERE value LIKE '%63839779200%'"), 0);
  auto frame = LoadPersonWeeks(*db_, {});
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  EXPECT_EQ(frame->num_rows(), 2u);
  EXPECT_EQ(frame->Find("PeopleHistoricalId"), nullptr);
}

TEST_P(PersonWeeks, TenantsAreKeptApartAndCaseInsensitive) {
  ASSERT_TRUE(Write(kT1, "run-1", {{kAnn, "2024-01-07", 1, 1, "A"}}).ok());
  ASSERT_TRUE(Write(kT2, "run-1", {{kAnn, "2024-01-07", 2, 2, "B"}}).ok());
  std::string upper = kT1;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  ASSERT_TRUE(Write(upper.c_str(), "run-2", {{kBob, "2024-01-07", 3, 3, "A"}}).ok());
  LoadOptions one;
  one.tenant_id = kT2;
  auto frame = LoadPersonWeeks(*db_, one);
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  ASSERT_EQ(frame->num_rows(), 1u);
  EXPECT_EQ(frame->Find("Collaboration_hours")->numbers[0], 2);
  LoadOptions by_upper;
  by_upper.tenant_id = upper;
  auto t1 = LoadPersonWeeks(*db_, by_upper);
  ASSERT_TRUE(t1.ok()) << t1.status().ToString();
  EXPECT_EQ(t1->num_rows(), 2u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM wh_tenant"), 2);
}

TEST_P(PersonWeeks, TheLongViewShowsEveryValueUnderItsName) {
  ASSERT_TRUE(Write(kT1, "run-1",
                    {{kAnn, "2024-01-07", 10.5, 4, "Sales"}, {kBob, "2024-01-07", 0.125, 0, "R&D"}})
                  .ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week_metric"), 4);
  auto v = db_->QueryValue(
      "SELECT value FROM person_week_metric WHERE person_key = ? AND metric = "
      "'Collaboration_hours' AND metric_date = '2024-01-07'",
      {kBob});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->AsNumber().value_or(-1), 0.125);
}

TEST_P(PersonWeeks, ManyPersonsAcrossReadChunksAndDropsKeepTheirNumbers) {
  std::vector<Row> rows;
  for (int i = 0; i < 20000; ++i) {
    rows.push_back({fmt::format("{:08x}-0000-4000-8000-000000000000", i), "2024-01-07", i * 0.25,
                    static_cast<double>(i % 7), std::string(i % 2 == 0 ? "A" : "B")});
  }
  ASSERT_TRUE(Write(kT1, "run-1", rows).ok());
  for (auto& r : rows) r.week = "2024-01-14";
  ASSERT_TRUE(Write(kT1, "run-2", rows).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM wh_person"), 20000);
  auto frame = LoadPersonWeeks(*db_, {});
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  ASSERT_EQ(frame->num_rows(), 40000u);
  const auto* person = frame->Find("PersonId");
  const auto* hours = frame->Find("Collaboration_hours");
  for (size_t r = 0; r < frame->num_rows(); ++r) {
    const int i = std::stoi(std::string(person->StringAt(r).substr(0, 8)), nullptr, 16);
    ASSERT_EQ(hours->numbers[r], i * 0.25) << "row " << r;
    ASSERT_EQ(static_cast<int>(r % 20000), i) << "rows of a week are ordered by person key";
  }
}

TEST_P(PersonWeeks, MissingKeyColumnIsDataLossNamingTheDrop) {
  auto tx = db_->Begin();
  ASSERT_TRUE(tx.ok());
  WriteRequest request;
  request.tenant_id = kT1;
  request.run_id = "run-1";
  request.drop_name = "t1/run-1/VivaInsights";
  auto writer = PersonWeekWriter::Open(*db_, std::move(request));
  ASSERT_TRUE(writer.ok());
  formats::RowBatch batch;
  batch.AddColumn("PersonId", formats::ColumnType::kString);
  batch.mutable_column(0).AppendString(kAnn);
  batch.FinishRow();
  auto st = (*writer)->Add(batch);
  EXPECT_EQ(st.code(), core::StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("t1/run-1/VivaInsights"), std::string::npos);
  EXPECT_NE(st.message().find("MetricDate"), std::string::npos);
}

TEST_P(PersonWeeks, WriterOutsideATransactionIsRefused) {
  WriteRequest request;
  request.tenant_id = kT1;
  auto writer = PersonWeekWriter::Open(*db_, std::move(request));
  EXPECT_EQ(writer.status().code(), core::StatusCode::kFailedPrecondition);
}

TEST_P(PersonWeeks, MigrationFourConvertsTheLongFormatInPlace) {
  // A database at version 3 holding long-format rows, as written before migration 4.
  std::string url = GetParam() == Backend::kSqlite
                        ? "sqlite://" + (tmp_.path() / "old.db").string()
                        : testutil::SharedPostgresServer().CreateDatabase();
  auto opened = db::Database::Open(url, {});
  ASSERT_TRUE(opened.ok());
  auto& db = **opened;
  auto all = db::ProductMigrations();
  ASSERT_TRUE(db::Migrate(db, all.subspan(0, 3)).ok());
  auto exec = [&](const std::string& sql, std::initializer_list<db::Value> p) {
    auto st = db.Execute(sql, p);
    ASSERT_TRUE(st.ok()) << st.ToString();
  };
  const std::string pw =
      "INSERT INTO person_week (tenant_id, person_key, metric_date, run_id, attrs) VALUES (?, ?, "
      "?, ?, ?)";
  const std::string pwm =
      "INSERT INTO person_week_metric (tenant_id, person_key, metric_date, metric, value) VALUES "
      "(?, ?, ?, ?, ?)";
  exec(pw, {kT1, kAnn, "2024-01-07", "run-1", R"({"Organization":"Sales"})"});
  exec(pwm, {kT1, kAnn, "2024-01-07", "Collaboration_hours", 12.75});
  exec(pwm, {kT1, kAnn, "2024-01-07", "Emails_sent", 4.0});
  exec(pw, {kT1, kBob, "2024-01-07", "run-1", db::Value()});
  exec(pwm, {kT1, kBob, "2024-01-07", "Collaboration_hours", db::Value()});
  exec(pw, {kT2, kAnn, "2024-01-14", "run-9", db::Value()});  // no metrics at all
  ASSERT_TRUE(db::MigrateToLatest(db).ok());

  auto frame = LoadPersonWeeks(db, {});
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  ASSERT_EQ(frame->num_rows(), 3u);
  const auto* hours = frame->Find("Collaboration_hours");
  const auto* emails = frame->Find("Emails_sent");
  ASSERT_NE(hours, nullptr);
  ASSERT_NE(emails, nullptr);
  EXPECT_EQ(hours->numbers[0], 12.75);
  EXPECT_EQ(emails->numbers[0], 4);
  EXPECT_EQ(frame->Find("Organization")->StringAt(0), "Sales");
  EXPECT_TRUE(std::isnan(hours->numbers[1]));
  EXPECT_TRUE(std::isnan(emails->numbers[1]));
  EXPECT_EQ(frame->Find("MetricDate")->StringAt(2), "2024-01-14");
  // The old names still answer ad-hoc SQL.
  auto runs = db.QueryValue("SELECT COUNT(*) FROM person_week WHERE run_id = 'run-9'");
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  EXPECT_EQ(runs->AsNumber().value_or(-1), 1);
  // New drops continue the numbering after the converted persons.
  auto tx = db.Begin();
  ASSERT_TRUE(tx.ok());
  WriteRequest request;
  request.tenant_id = kT1;
  request.run_id = "run-2";
  request.drop_name = "t1/run-2";
  auto writer = PersonWeekWriter::Open(db, std::move(request));
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  formats::RowBatch batch;
  batch.AddColumn("PersonId", formats::ColumnType::kString);
  batch.AddColumn("MetricDate", formats::ColumnType::kString);
  batch.mutable_column(0).AppendString("8b1f2c3d-0000-4000-8000-00000000000c");
  batch.mutable_column(1).AppendString("2024-01-07");
  batch.FinishRow();
  ASSERT_TRUE((*writer)->Add(batch).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  ASSERT_TRUE(tx->Commit().ok());
  auto distinct = db.QueryValue("SELECT COUNT(DISTINCT person_no) FROM wh_person");
  ASSERT_TRUE(distinct.ok());
  EXPECT_EQ(distinct->AsNumber().value_or(-1), 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, PersonWeeks,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& param_info) {
                           return param_info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace vivalink::warehouse
