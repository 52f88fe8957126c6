#include "db/database.h"

#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "db_fixture.h"

namespace vivalink::db {
namespace {

using core::StatusCode;

Blob AllBytes() {
  Blob b;
  for (int i = 0; i < 256; ++i) b.push_back(static_cast<std::byte>(i));
  return b;
}

// Text that exercises escaping: COPY's tab/newline/backslash, SQL quotes, a '?', UTF-8.
const std::string kAwkwardText = "tab\there\nnew line\r\\back\\slash 'quote' \"dq\" ? Zoë 東京 \\N";

class DatabaseBehaviour : public BothBackends {
 protected:
  void CreateValuesTable() {
    ASSERT_OK(db_->Execute(std::string("CREATE TABLE vals (id BIGINT PRIMARY KEY, i BIGINT, ") +
                           "d DOUBLE PRECISION, s TEXT, b " + blob_type() + ")"));
  }
  std::int64_t Count(const std::string& table, Database* db = nullptr) {
    auto v = (db ? db : db_.get())->QueryValue("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() && v->GetInt() ? *v->GetInt() : -1;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseBehaviour,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

TEST_P(DatabaseBehaviour, ReportsItsDialect) {
  EXPECT_EQ(db_->dialect(), postgres() ? Dialect::kPostgres : Dialect::kSqlite);
}

TEST_P(DatabaseBehaviour, RoundTripsEveryValueType) {
  CreateValuesTable();
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::int64_t small = std::numeric_limits<std::int64_t>::min();
  ASSERT_OK(db_->Execute("INSERT INTO vals (id, i, d, s, b) VALUES (?, ?, ?, ?, ?)",
                         {1, big, 0.1, kAwkwardText, AllBytes()}));
  ASSERT_OK(db_->Execute("INSERT INTO vals (id, i, d, s, b) VALUES (?, ?, ?, ?, ?)",
                         {2, small, -1.5e300, "", Blob{}}));
  auto r = db_->Query("SELECT id, i, d, s, b FROM vals ORDER BY id");
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->rows[0], (Row{1, big, 0.1, kAwkwardText, AllBytes()}));
  EXPECT_EQ(r->rows[1], (Row{2, small, -1.5e300, "", Blob{}}));
  EXPECT_EQ(r->rows[0][2].type(), ValueType::kDouble);
  EXPECT_EQ(r->rows[0][4].type(), ValueType::kBlob);
}

TEST_P(DatabaseBehaviour, NullsRoundTripAndMatchIsNull) {
  CreateValuesTable();
  ASSERT_OK(db_->Execute("INSERT INTO vals (id, i, d, s, b) VALUES (?, ?, ?, ?, ?)",
                         {1, nullptr, Value(), std::optional<std::string>(), nullptr}));
  auto r = db_->Query("SELECT i, d, s, b FROM vals");
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 1u);
  for (const Value& v : r->rows[0]) EXPECT_TRUE(v.is_null()) << v;
  auto n = db_->QueryValue("SELECT COUNT(*) FROM vals WHERE s IS NULL AND i IS NULL");
  ASSERT_OK(n.status());
  EXPECT_EQ(*n, Value(1));
}

TEST_P(DatabaseBehaviour, ReportsColumnNamesInOrder) {
  CreateValuesTable();
  auto r = db_->Query("SELECT s, id AS renamed FROM vals");
  ASSERT_OK(r.status());
  EXPECT_EQ(r->columns, (std::vector<std::string>{"s", "renamed"}));
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(r->ColumnIndex("renamed"), 1u);
  EXPECT_EQ(r->ColumnIndex("missing"), std::nullopt);
}

TEST_P(DatabaseBehaviour, QuestionMarkInsideLiteralIsNotAPlaceholder) {
  auto r = db_->Query("SELECT 'a?b' AS s, CAST(? AS BIGINT) AS n", {7});
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->rows[0], (Row{"a?b", 7}));
}

TEST_P(DatabaseBehaviour, WrongParameterCountIsInvalidArgument) {
  CreateValuesTable();
  EXPECT_CODE(db_->Execute("INSERT INTO vals (id, i) VALUES (?, ?)", {1}),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(db_->Execute("SELECT COUNT(*) FROM vals", {1}), StatusCode::kInvalidArgument);
}

TEST_P(DatabaseBehaviour, TwoStatementsInExecuteAreInvalidArgumentButFineInAScript) {
  EXPECT_CODE(db_->Execute("CREATE TABLE a (x TEXT); CREATE TABLE b (x TEXT)"),
              StatusCode::kInvalidArgument);
  ASSERT_OK(db_->ExecuteScript("CREATE TABLE a (x TEXT); CREATE TABLE b (x TEXT);"));
  EXPECT_EQ(Count("a"), 0);
  EXPECT_EQ(Count("b"), 0);
}

TEST_P(DatabaseBehaviour, SyntaxErrorIsInternalAndNamesTheStatement) {
  Status s = db_->Execute("SELEKT nonsense FROM nowhere");
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s.ToString();
  EXPECT_NE(s.message().find("SELEKT nonsense FROM nowhere"), std::string::npos) << s.message();
}

TEST_P(DatabaseBehaviour, LongStatementIsNamedByItsFirstEightyCharacters) {
  std::string sql = "SELECT no_such_column FROM vals_missing WHERE " + std::string(200, 'x');
  Status s = db_->Execute(sql);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find(sql.substr(0, 80) + "..."), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(std::string(150, 'x')), std::string::npos);
}

TEST_P(DatabaseBehaviour, DuplicateKeyIsFailedPreconditionWithoutTheValues) {
  CreateValuesTable();
  ASSERT_OK(db_->Execute("INSERT INTO vals (id, s) VALUES (?, ?)", {424242, "alice@example.com"}));
  Status s = db_->Execute("INSERT INTO vals (id, s) VALUES (?, ?)", {424242, "bob@example.com"});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.message().find("424242"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("example.com"), std::string::npos) << s.message();
}

TEST_P(DatabaseBehaviour, NotNullAndCheckViolationsAreFailedPrecondition) {
  ASSERT_OK(db_->Execute("CREATE TABLE c (k TEXT NOT NULL, n BIGINT CHECK (n > 0))"));
  EXPECT_CODE(db_->Execute("INSERT INTO c (k, n) VALUES (?, ?)", {nullptr, 1}),
              StatusCode::kFailedPrecondition);
  Status s = db_->Execute("INSERT INTO c (k, n) VALUES (?, ?)", {"carol@example.com", -5});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.message().find("carol"), std::string::npos) << s.message();
}

TEST_P(DatabaseBehaviour, ExecuteUpdateCountsChangedRows) {
  CreateValuesTable();
  for (int i = 1; i <= 5; ++i)
    ASSERT_OK(db_->Execute("INSERT INTO vals (id, i) VALUES (?, ?)", {i, i % 2}));
  auto n = db_->ExecuteUpdate("UPDATE vals SET s = ? WHERE i = ?", {"odd", 1});
  ASSERT_OK(n.status());
  EXPECT_EQ(*n, 3);
  n = db_->ExecuteUpdate("DELETE FROM vals WHERE i = ?", {7});
  ASSERT_OK(n.status());
  EXPECT_EQ(*n, 0);
}

TEST_P(DatabaseBehaviour, QueryValueOfNoRowsIsNotFound) {
  CreateValuesTable();
  EXPECT_CODE(db_->QueryValue("SELECT id FROM vals").status(), StatusCode::kNotFound);
}

TEST_P(DatabaseBehaviour, PreparedStatementRunsManyTimes) {
  CreateValuesTable();
  auto insert = db_->Prepare("INSERT INTO vals (id, s, d) VALUES (?, ?, ?)");
  ASSERT_OK(insert.status());
  for (int i = 1; i <= 3; ++i) {
    auto n = (*insert)->ExecuteUpdate({i, "row " + std::to_string(i), i * 0.5});
    ASSERT_OK(n.status());
    EXPECT_EQ(*n, 1);
  }
  EXPECT_CODE((*insert)->Execute({1}), StatusCode::kInvalidArgument);
  auto select = db_->Prepare("SELECT s FROM vals WHERE id = ?");
  ASSERT_OK(select.status());
  auto r = (*select)->Query({2});
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->rows[0][0], Value("row 2"));
  EXPECT_EQ((*select)->label(), "SELECT s FROM vals WHERE id = ?");
}

TEST_P(DatabaseBehaviour, PreparingBadSqlFailsAtOnce) {
  EXPECT_CODE(db_->Prepare("SELECT * FROM no_such_table").status(), StatusCode::kInternal);
}

TEST_P(DatabaseBehaviour, CommittedTransactionIsVisibleToAnotherConnection) {
  CreateValuesTable();
  auto other = OpenOrDie();
  ASSERT_NE(other, nullptr);
  auto tx = db_->Begin();
  ASSERT_OK(tx.status());
  EXPECT_TRUE(db_->in_transaction());
  ASSERT_OK(db_->Execute("INSERT INTO vals (id) VALUES (?)", {1}));
  EXPECT_EQ(Count("vals", other.get()), 0);  // not yet committed
  ASSERT_OK(tx->Commit());
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_FALSE(tx->active());
  EXPECT_EQ(Count("vals", other.get()), 1);
}

TEST_P(DatabaseBehaviour, RollbackDiscardsChanges) {
  CreateValuesTable();
  auto tx = db_->Begin();
  ASSERT_OK(tx.status());
  ASSERT_OK(db_->Execute("INSERT INTO vals (id) VALUES (?)", {1}));
  ASSERT_OK(tx->Rollback());
  EXPECT_EQ(Count("vals"), 0);
  EXPECT_FALSE(db_->in_transaction());
}

TEST_P(DatabaseBehaviour, DestroyingAnUncommittedTransactionRollsItBack) {
  CreateValuesTable();
  {
    auto tx = db_->Begin();
    ASSERT_OK(tx.status());
    ASSERT_OK(db_->Execute("INSERT INTO vals (id) VALUES (?)", {1}));
  }
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(Count("vals"), 0);
}

TEST_P(DatabaseBehaviour, MovedTransactionIsCommittedOnceByItsNewOwner) {
  CreateValuesTable();
  auto tx = db_->Begin();
  ASSERT_OK(tx.status());
  ASSERT_OK(db_->Execute("INSERT INTO vals (id) VALUES (?)", {1}));
  Transaction moved = std::move(*tx);
  EXPECT_FALSE(tx->active());
  ASSERT_OK(moved.Commit());
  EXPECT_EQ(Count("vals"), 1);
}

TEST_P(DatabaseBehaviour, NestedBeginAndDoubleCommitAreFailedPrecondition) {
  auto tx = db_->Begin();
  ASSERT_OK(tx.status());
  EXPECT_CODE(db_->Begin().status(), StatusCode::kFailedPrecondition);
  ASSERT_OK(tx->Commit());
  EXPECT_CODE(tx->Commit(), StatusCode::kFailedPrecondition);
  EXPECT_CODE(tx->Rollback(), StatusCode::kFailedPrecondition);
}

TEST_P(DatabaseBehaviour, BulkInsertsAHundredThousandRows) {
  ASSERT_OK(
      db_->Execute("CREATE TABLE bulk (id BIGINT PRIMARY KEY, person TEXT NOT NULL, "
                   "value DOUBLE PRECISION, note TEXT)"));
  constexpr std::int64_t kRows = 100'000;
  auto start = std::chrono::steady_clock::now();
  auto ins = db_->BeginBulkInsert("bulk", {"id", "person", "value", "note"});
  ASSERT_OK(ins.status());
  Row row(4);
  std::string person;
  for (std::int64_t i = 0; i < kRows; ++i) {
    person = "person-key-" + std::to_string(i % 1000) + "-abcdefghijklmnopqrstuvwxyz";
    row[0] = Value(i);
    row[1].storage() = person;  // reuses the string's capacity after the first row
    row[2] = Value(static_cast<double>(i) * 0.5);
    row[3] = i % 10 == 0 ? Value() : Value("n");
    ASSERT_OK((*ins)->AddRow(row));
  }
  ASSERT_OK((*ins)->Finish());
  EXPECT_EQ((*ins)->rows(), kRows);
  ins->reset();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ info ] %s bulk insert: %lld rows in %.3f s = %.0f rows/s\n",
              postgres() ? "PostgreSQL" : "SQLite", static_cast<long long>(kRows), seconds,
              static_cast<double>(kRows) / seconds);

  auto r = db_->Query(
      "SELECT COUNT(*), SUM(id), SUM(value), COUNT(note), COUNT(DISTINCT person) "
      "FROM bulk");
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 1u);
  const Row& got = r->rows[0];
  EXPECT_EQ(got[0], Value(kRows));
  EXPECT_EQ(got[1], Value(kRows * (kRows - 1) / 2));
  EXPECT_DOUBLE_EQ(got[2].AsNumber().value_or(-1), 0.5 * kRows * (kRows - 1) / 2);
  EXPECT_EQ(got[3], Value(kRows - kRows / 10));
  EXPECT_EQ(got[4], Value(1000));
}

TEST_P(DatabaseBehaviour, BulkInsertRoundTripsAwkwardValues) {
  CreateValuesTable();
  auto ins = db_->BeginBulkInsert("vals", {"id", "i", "d", "s", "b"});
  ASSERT_OK(ins.status());
  const Row a{1, std::numeric_limits<std::int64_t>::min(), 1e-300, kAwkwardText, AllBytes()};
  const Row b{2, nullptr, nullptr, "", Blob{}};
  const Row c{3, 0, -0.25, nullptr, nullptr};
  ASSERT_OK((*ins)->AddRow(a));
  ASSERT_OK((*ins)->AddRow(b));
  ASSERT_OK((*ins)->AddRow(c));
  ASSERT_OK((*ins)->Finish());
  auto r = db_->Query("SELECT id, i, d, s, b FROM vals ORDER BY id");
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(r->rows[0], a);
  EXPECT_EQ(r->rows[1], b);
  EXPECT_EQ(r->rows[2], c);
}

TEST_P(DatabaseBehaviour, BulkInsertInATransactionCommitsWithIt) {
  CreateValuesTable();
  auto other = OpenOrDie();
  auto tx = db_->Begin();
  ASSERT_OK(tx.status());
  ASSERT_OK(db_->Execute("INSERT INTO vals (id) VALUES (?)", {100}));
  {
    auto ins = db_->BeginBulkInsert("vals", {"id"});
    ASSERT_OK(ins.status());
    for (int i = 0; i < 10; ++i) ASSERT_OK((*ins)->AddRow(std::vector<Value>{i}));
    ASSERT_OK((*ins)->Finish());
  }
  EXPECT_TRUE(db_->in_transaction());
  EXPECT_EQ(Count("vals"), 11);
  EXPECT_EQ(Count("vals", other.get()), 0);
  ASSERT_OK(tx->Rollback());
  EXPECT_EQ(Count("vals"), 0);  // the bulk rows went with the transaction
}

TEST_P(DatabaseBehaviour, AbandonedBulkInsertLeavesNoRowsAndTheTransactionUsable) {
  CreateValuesTable();
  auto tx = db_->Begin();
  ASSERT_OK(tx.status());
  ASSERT_OK(db_->Execute("INSERT INTO vals (id) VALUES (?)", {100}));
  {
    auto ins = db_->BeginBulkInsert("vals", {"id"});
    ASSERT_OK(ins.status());
    for (int i = 0; i < 10; ++i) ASSERT_OK((*ins)->AddRow(std::vector<Value>{i}));
  }  // no Finish()
  ASSERT_OK(db_->Execute("INSERT INTO vals (id) VALUES (?)", {101}));
  ASSERT_OK(tx->Commit());
  EXPECT_EQ(Count("vals"), 2);

  {
    auto ins = db_->BeginBulkInsert("vals", {"id"});  // its own transaction
    ASSERT_OK(ins.status());
    ASSERT_OK((*ins)->AddRow(std::vector<Value>{7}));
  }
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(Count("vals"), 2);
}

TEST_P(DatabaseBehaviour, BulkInsertDuplicateKeyIsFailedPreconditionAndKeepsNothing) {
  CreateValuesTable();
  auto ins = db_->BeginBulkInsert("vals", {"id", "s"});
  ASSERT_OK(ins.status());
  Status s = (*ins)->AddRow(Row{1, "dave@example.com"});
  if (s.ok()) s = (*ins)->AddRow(Row{1, "dave@example.com"});  // SQLite reports it here
  if (s.ok()) s = (*ins)->Finish();                            // PostgreSQL here
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.message().find("dave"), std::string::npos) << s.message();
  ins->reset();
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(Count("vals"), 0);
}

TEST_P(DatabaseBehaviour, OtherStatementsWaitUntilTheBulkInsertEnds) {
  CreateValuesTable();
  auto ins = db_->BeginBulkInsert("vals", {"id"});
  ASSERT_OK(ins.status());
  EXPECT_CODE(db_->Execute("SELECT 1"), StatusCode::kFailedPrecondition);
  EXPECT_CODE(db_->Begin().status(), StatusCode::kFailedPrecondition);
  EXPECT_CODE(db_->BeginBulkInsert("vals", {"id"}).status(), StatusCode::kFailedPrecondition);
  ASSERT_OK((*ins)->Finish());
  EXPECT_CODE((*ins)->AddRow(std::vector<Value>{1}), StatusCode::kFailedPrecondition);
  EXPECT_OK(db_->Execute("SELECT 1"));
}

TEST_P(DatabaseBehaviour, BulkInsertValidatesNamesAndRowWidth) {
  CreateValuesTable();
  EXPECT_CODE(db_->BeginBulkInsert("vals; DROP TABLE vals", {"id"}).status(),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(db_->BeginBulkInsert("vals", {"id\"x"}).status(), StatusCode::kInvalidArgument);
  EXPECT_CODE(db_->BeginBulkInsert("vals", {}).status(), StatusCode::kInvalidArgument);
  EXPECT_CODE(db_->BeginBulkInsert("no_such_table", {"id"}).status(), StatusCode::kInternal);
  EXPECT_FALSE(db_->in_transaction());
  auto ins = db_->BeginBulkInsert("vals", {"id", "s"});
  ASSERT_OK(ins.status());
  EXPECT_CODE((*ins)->AddRow(std::vector<Value>{1}), StatusCode::kInvalidArgument);
}

TEST_P(DatabaseBehaviour, DescribeNamesTheDatabaseWithoutAPassword) {
  std::string d = db_->Describe();
  EXPECT_EQ(d.rfind(postgres() ? "postgresql://" : "sqlite://", 0), 0u) << d;
}

// ----------------------------------------------------------------------------------------------
// SQLite specifics

TEST(SqliteDatabase, CreatesTheFileWithMode0600AndParentFoldersWith0700) {
  testutil::TempDir tmp;
  auto path = tmp.path() / "a" / "b" / "vivalink.db";
  auto db = Database::Open("sqlite://" + path.string(), {});
  ASSERT_OK(db.status());
  ASSERT_OK((*db)->Execute("CREATE TABLE t (x TEXT)"));
  ASSERT_OK((*db)->Execute("INSERT INTO t VALUES (?)", {"x"}));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((path.string() + "-wal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(path.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(SqliteDatabase, OpensARelativePath) {
  testutil::TempDir tmp;
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(tmp.path());
  auto db = Database::Open("sqlite://./rel/x.db", {});
  std::filesystem::current_path(old);
  ASSERT_OK(db.status());
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "rel" / "x.db"));
  EXPECT_EQ((*db)->Describe(), "sqlite://./rel/x.db");
}

TEST(SqliteDatabase, SetsDurabilityAndPrivacyPragmas) {
  testutil::TempDir tmp;
  auto db = Database::Open("sqlite://" + (tmp.path() / "p.db").string(), {});
  ASSERT_OK(db.status());
  auto q = [&](const char* pragma) {
    auto v = (*db)->QueryValue(std::string("PRAGMA ") + pragma);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Value();
  };
  EXPECT_EQ(q("journal_mode"), Value("wal"));
  EXPECT_EQ(q("synchronous"), Value(2));  // FULL
  EXPECT_EQ(q("foreign_keys"), Value(1));
  EXPECT_EQ(q("secure_delete"), Value(1));
  EXPECT_EQ(q("busy_timeout"), Value(5000));
}

TEST(SqliteDatabase, EnforcesForeignKeys) {
  testutil::TempDir tmp;
  auto db = Database::Open("sqlite://" + (tmp.path() / "fk.db").string(), {});
  ASSERT_OK(db.status());
  ASSERT_OK(
      (*db)->ExecuteScript("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                           "CREATE TABLE c (p INTEGER REFERENCES p (id));"));
  EXPECT_CODE((*db)->Execute("INSERT INTO c VALUES (?)", {5}), StatusCode::kFailedPrecondition);
}

TEST(SqliteDatabase, MissingFileWithoutCreateIsNotFound) {
  testutil::TempDir tmp;
  OpenOptions options;
  options.create_if_missing = false;
  auto db = Database::Open("sqlite://" + (tmp.path() / "none.db").string(), options);
  EXPECT_CODE(db.status(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "none.db"));
}

TEST(SqliteDatabase, AFileThatIsNotADatabaseIsDataLoss) {
  testutil::TempDir tmp;
  testutil::WriteFile(tmp.path() / "junk.db", std::string(8192, 'j'));
  auto db = Database::Open("sqlite://" + (tmp.path() / "junk.db").string(), {});
  EXPECT_CODE(db.status(), StatusCode::kDataLoss);
}

TEST(SqliteDatabase, UnwritableFolderIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can write anywhere";
  testutil::TempDir tmp;
  std::filesystem::create_directory(tmp.path() / "ro");
  ::chmod((tmp.path() / "ro").c_str(), 0500);
  auto db = Database::Open("sqlite://" + (tmp.path() / "ro" / "x.db").string(), {});
  EXPECT_CODE(db.status(), StatusCode::kPermissionDenied);
  ::chmod((tmp.path() / "ro").c_str(), 0700);
}

TEST(SqliteDatabase, ALockedDatabaseIsUnavailableAfterTheBusyTimeout) {
  testutil::TempDir tmp;
  const std::string url = "sqlite://" + (tmp.path() / "busy.db").string();
  OpenOptions quick;
  quick.busy_timeout = std::chrono::milliseconds(50);
  auto a = Database::Open(url, quick);
  auto b = Database::Open(url, quick);
  ASSERT_OK(a.status());
  ASSERT_OK(b.status());
  ASSERT_OK((*a)->Execute("CREATE TABLE t (x TEXT)"));
  auto tx = (*a)->Begin();
  ASSERT_OK(tx.status());
  EXPECT_CODE((*b)->Begin().status(), StatusCode::kUnavailable);
  EXPECT_CODE((*b)->Execute("INSERT INTO t VALUES (?)", {"x"}), StatusCode::kUnavailable);
  ASSERT_OK(tx->Commit());
  EXPECT_OK((*b)->Execute("INSERT INTO t VALUES (?)", {"x"}));
}

TEST(SqliteDatabase, DeletedRowsDoNotLingerInTheFile) {
  testutil::TempDir tmp;
  auto path = tmp.path() / "sd.db";
  {
    auto db = Database::Open("sqlite://" + path.string(), {});
    ASSERT_OK(db.status());
    ASSERT_OK((*db)->Execute("CREATE TABLE t (x TEXT)"));
    ASSERT_OK((*db)->Execute("INSERT INTO t VALUES (?)", {"erin.secret.marker@example.com"}));
    ASSERT_OK((*db)->Execute("DELETE FROM t"));
    ASSERT_OK((*db)->Execute("PRAGMA wal_checkpoint(TRUNCATE)"));
  }
  EXPECT_EQ(testutil::ReadFile(path).find("erin.secret.marker"), std::string::npos);
}

// ----------------------------------------------------------------------------------------------
// PostgreSQL specifics

TEST(PostgresDatabase, PasswordInTheUrlNeverAppearsInDescribeOrErrors) {
  auto& pg = testutil::SharedPostgresServer();
  const std::string db_url = pg.CreateDatabase();
  // The test server trusts 127.0.0.1, so the password is accepted and ignored.
  std::string with_password = db_url;
  with_password.insert(with_password.find('@'), ":Sup3rS3cretPw");
  auto db = Database::Open(with_password, {});
  ASSERT_OK(db.status());
  EXPECT_EQ((*db)->Describe().find("Sup3rS3cretPw"), std::string::npos) << (*db)->Describe();
  Status s = (*db)->Execute("SELECT * FROM missing_table");
  EXPECT_EQ(s.message().find("Sup3rS3cretPw"), std::string::npos) << s.message();

  auto refused =
      Database::Open("postgresql://u:Sup3rS3cretPw@127.0.0.1:1/db?password=Sup3rS3cretPw", {});
  EXPECT_CODE(refused.status(), StatusCode::kUnavailable);
  EXPECT_EQ(refused.status().message().find("Sup3rS3cretPw"), std::string::npos)
      << refused.status().message();
}

TEST(PostgresDatabase, MissingDatabaseIsNotFound) {
  auto& pg = testutil::SharedPostgresServer();
  EXPECT_CODE(Database::Open(pg.UrlFor("no_such_database"), {}).status(), StatusCode::kNotFound);
}

TEST(PostgresDatabase, CommitAfterAFailedStatementIsFailedPrecondition) {
  auto db = Database::Open(testutil::SharedPostgresServer().CreateDatabase(), {});
  ASSERT_OK(db.status());
  ASSERT_OK((*db)->Execute("CREATE TABLE t (id BIGINT PRIMARY KEY)"));
  auto tx = (*db)->Begin();
  ASSERT_OK(tx.status());
  ASSERT_OK((*db)->Execute("INSERT INTO t VALUES (?)", {1}));
  EXPECT_CODE((*db)->Execute("INSERT INTO t VALUES (?)", {1}), StatusCode::kFailedPrecondition);
  EXPECT_CODE((*db)->Execute("INSERT INTO t VALUES (?)", {2}), StatusCode::kFailedPrecondition);
  EXPECT_CODE(tx->Commit(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE((*db)->in_transaction());
  auto n = (*db)->QueryValue("SELECT COUNT(*) FROM t");
  ASSERT_OK(n.status());
  EXPECT_EQ(*n, Value(0));
}

TEST(PostgresDatabase, BadValueForAColumnTypeIsInvalidArgumentWithoutTheValue) {
  auto db = Database::Open(testutil::SharedPostgresServer().CreateDatabase(), {});
  ASSERT_OK(db.status());
  ASSERT_OK((*db)->Execute("CREATE TABLE t (n INTEGER)"));
  Status s = (*db)->Execute("INSERT INTO t (n) VALUES (CAST(? AS INTEGER))", {"frank@example.com"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.message().find("frank"), std::string::npos) << s.message();
}

TEST(PostgresDatabase, ALostConnectionIsUnavailable) {
  auto& pg = testutil::SharedPostgresServer();
  const std::string url = pg.CreateDatabase();
  auto victim = Database::Open(url, {});
  auto killer = Database::Open(url, {});
  ASSERT_OK(victim.status());
  ASSERT_OK(killer.status());
  auto pid = (*victim)->QueryValue("SELECT pg_backend_pid()");
  ASSERT_OK(pid.status());
  ASSERT_OK((*killer)->Execute("SELECT pg_terminate_backend(CAST(? AS INTEGER))", {*pid}));
  // The backend may need a moment to go; the first statement after that fails.
  Status s;
  for (int i = 0; i < 50 && s.ok(); ++i) s = (*victim)->Execute("SELECT 1");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
}

// COPY runs in binary when every column's type has a binary encoding (postgres_database.cc).
TEST(PostgresDatabase, BulkInsertOfDoubleArraysRoundTripsThroughBinaryCopy) {
  auto db = Database::Open(testutil::SharedPostgresServer().CreateDatabase(), {});
  ASSERT_OK(db.status());
  ASSERT_OK((*db)->Execute("CREATE TABLE t (id BIGINT, a DOUBLE PRECISION[])"));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const DoubleArray full{1.5, nan, -0.25, 1e300, 3, 4.9e-324};
  auto ins = (*db)->BeginBulkInsert("t", {"id", "a"});
  ASSERT_OK(ins.status());
  ASSERT_OK((*ins)->AddRow(Row{1, Value(full)}));
  ASSERT_OK((*ins)->AddRow(Row{2, Value(DoubleArray{})}));
  ASSERT_OK((*ins)->AddRow(Row{3, nullptr}));
  ASSERT_OK((*ins)->Finish());
  auto r =
      (*db)->Query("SELECT id, CAST(a AS TEXT), a[2] IS NULL, cardinality(a) FROM t ORDER BY id");
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(TextOf(r->rows[0][1]), FormatDoubleArray(full));
  EXPECT_EQ(TextOf(r->rows[0][1]), "{1.5,NULL,-0.25,1e+300,3,5e-324}");
  EXPECT_EQ(IntOf(r->rows[0][2]), 1);
  EXPECT_EQ(IntOf(r->rows[0][3]), 6);
  EXPECT_EQ(TextOf(r->rows[1][1]), "{}");
  EXPECT_TRUE(r->rows[2][1].is_null());
}

TEST(PostgresDatabase, BulkInsertConvertsValuesAsTheTextFormatWould) {
  auto db = Database::Open(testutil::SharedPostgresServer().CreateDatabase(), {});
  ASSERT_OK(db.status());
  ASSERT_OK((*db)->Execute(
      "CREATE TABLE t (i4 INTEGER, i2 SMALLINT, f4 REAL, ok BOOLEAN, j JSONB, v VARCHAR(8), "
      "x DOUBLE PRECISION)"));
  auto ins = (*db)->BeginBulkInsert("t", {"i4", "i2", "f4", "ok", "j", "v", "x"});
  ASSERT_OK(ins.status());
  ASSERT_OK((*ins)->AddRow(Row{"42", 7.0, 2, 1, R"({"a": [1, 2]})", 12, "0.5"}));
  ASSERT_OK((*ins)->AddRow(Row{-3, nullptr, 0.5, "false", "null", "", -1}));
  ASSERT_OK((*ins)->Finish());
  auto r = (*db)->Query(
      "SELECT i4, i2, f4, CAST(ok AS INTEGER), CAST(j -> 'a' ->> 1 AS TEXT), v, x FROM t ORDER BY "
      "i4 DESC");
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->rows[0], (Row{42, 7, 2.0, 1, "2", "12", 0.5}));
  EXPECT_EQ(r->rows[1], (Row{-3, nullptr, 0.5, 0, nullptr, "", -1.0}));
}

TEST(PostgresDatabase, BulkInsertOfAValueThatDoesNotFitIsInvalidArgumentWithoutTheValue) {
  auto db = Database::Open(testutil::SharedPostgresServer().CreateDatabase(), {});
  ASSERT_OK(db.status());
  ASSERT_OK((*db)->Execute("CREATE TABLE t (id BIGINT, small SMALLINT)"));
  {
    auto ins = (*db)->BeginBulkInsert("t", {"id", "small"});
    ASSERT_OK(ins.status());
    ASSERT_OK((*ins)->AddRow(Row{1, 5}));
    Status too_big = (*ins)->AddRow(Row{2, 70000});
    EXPECT_EQ(too_big.code(), StatusCode::kInvalidArgument) << too_big.ToString();
    EXPECT_EQ(too_big.message().find("70000"), std::string::npos) << too_big.message();
    EXPECT_NE(too_big.message().find("small"), std::string::npos) << too_big.message();
    Status text = (*ins)->AddRow(Row{"frank@example.com", 1});
    EXPECT_EQ(text.code(), StatusCode::kInvalidArgument) << text.ToString();
    EXPECT_EQ(text.message().find("frank"), std::string::npos) << text.message();
    // Abandoned: nothing of it stays.
  }
  auto n = (*db)->QueryValue("SELECT COUNT(*) FROM t");
  ASSERT_OK(n.status());
  EXPECT_EQ(*n, Value(0));
  // A failed row leaves the stream whole: the rows before and after it arrive.
  auto ins = (*db)->BeginBulkInsert("t", {"id", "small"});
  ASSERT_OK(ins.status());
  ASSERT_OK((*ins)->AddRow(Row{1, 5}));
  EXPECT_FALSE((*ins)->AddRow(Row{2, 70000}).ok());
  ASSERT_OK((*ins)->AddRow(Row{3, 6}));
  ASSERT_OK((*ins)->Finish());
  n = (*db)->QueryValue("SELECT SUM(small) FROM t");
  ASSERT_OK(n.status());
  EXPECT_EQ(*n, Value(11));
}

TEST(PostgresDatabase, BulkInsertIntoAColumnWithoutABinaryEncodingUsesText) {
  auto db = Database::Open(testutil::SharedPostgresServer().CreateDatabase(), {});
  ASSERT_OK(db.status());
  ASSERT_OK((*db)->Execute("CREATE TABLE t (id BIGINT, at TIMESTAMPTZ, a DOUBLE PRECISION[])"));
  auto ins = (*db)->BeginBulkInsert("t", {"id", "at", "a"});
  ASSERT_OK(ins.status());
  ASSERT_OK((*ins)->AddRow(Row{1, "2024-01-07T00:00:00Z", Value(DoubleArray{2, 0.5})}));
  ASSERT_OK((*ins)->Finish());
  auto r = (*db)->Query("SELECT CAST(EXTRACT(EPOCH FROM at) AS BIGINT), CAST(a AS TEXT) FROM t");
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->rows[0], (Row{1704585600, "{2,0.5}"}));
}

TEST(SqliteDatabase, ADoubleArrayIsRefusedAsAParameter) {
  testutil::TempDir tmp;
  auto db = Database::Open("sqlite://" + (tmp.path() / "a.db").string(), {});
  ASSERT_OK(db.status());
  ASSERT_OK((*db)->Execute("CREATE TABLE t (a BLOB)"));
  Status s = (*db)->Execute("INSERT INTO t (a) VALUES (?)", {Value(DoubleArray{1, 2})});
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace vivalink::db
