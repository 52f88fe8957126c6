// SQLite implementation of db::Database.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "core/handle.h"
#include "core/log.h"
#include "db/internal/open.h"
#include "db/internal/sql_text.h"
#include "db/packed_vector.h"

namespace vivalink::db::internal {
namespace {

namespace fs = std::filesystem;
using core::StatusCode;

using SqliteHandle = core::UniqueHandle<sqlite3, sqlite3_close_v2>;
using StmtHandle = core::UniqueHandle<sqlite3_stmt, sqlite3_finalize>;

StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
    case SQLITE_CANTOPEN:
    case SQLITE_INTERRUPT:
      return StatusCode::kUnavailable;
    case SQLITE_CONSTRAINT:
      return StatusCode::kFailedPrecondition;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return StatusCode::kPermissionDenied;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kDataLoss;
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
      return StatusCode::kInvalidArgument;
    default:
      return StatusCode::kInternal;  // SQLITE_ERROR: syntax, unknown table or column
  }
}

// SQLite's messages name tables, columns and constraints, never bound values.
Status SqliteError(sqlite3* db, int rc, std::string_view label, const std::string& where) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Status(CodeFor(rc), "'" + std::string(label) + "' on " + where + " failed: " + detail +
                                 " (" + sqlite3_errstr(rc) + ")");
}

int BindValue(sqlite3_stmt* st, int index, const Value& v) {
  switch (v.type()) {
    case ValueType::kNull:
      return sqlite3_bind_null(st, index);
    case ValueType::kInt:
      return sqlite3_bind_int64(st, index, v.as_int());
    case ValueType::kDouble:
      return sqlite3_bind_double(st, index, v.as_double());
    case ValueType::kText: {
      const std::string& t = v.as_text();
      // SQLITE_STATIC: the value outlives the step that uses it (bound, stepped, reset).
      return sqlite3_bind_text64(st, index, t.data(), t.size(), SQLITE_STATIC, SQLITE_UTF8);
    }
    case ValueType::kBlob: {
      const Blob& b = v.as_blob();
      if (b.empty()) return sqlite3_bind_zeroblob(st, index, 0);  // a null pointer would bind NULL
      return sqlite3_bind_blob64(st, index, b.data(), b.size(), SQLITE_STATIC);
    }
    case ValueType::kDoubleArray:
      return SQLITE_MISMATCH;  // SQLite has no arrays (value.h)
  }
  return SQLITE_MISUSE;
}

Value ColumnValue(sqlite3_stmt* st, int col) {
  switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER:
      return Value(static_cast<std::int64_t>(sqlite3_column_int64(st, col)));
    case SQLITE_FLOAT:
      return Value(sqlite3_column_double(st, col));
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
      return Value(std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st, col))));
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const std::byte*>(sqlite3_column_blob(st, col));
      auto n = static_cast<std::size_t>(sqlite3_column_bytes(st, col));
      return Value(p == nullptr ? Blob{} : Blob(p, p + n));
    }
    default:
      return Value();
  }
}

// Binds params, steps to completion, collects rows into *out and the change count into
// *changes. Leaves the statement reset with its bindings cleared.
Status Step(sqlite3* db, sqlite3_stmt* st, std::span<const Value> params, QueryResult* out,
            std::int64_t* changes, std::string_view label, const std::string& where) {
  const int expected = sqlite3_bind_parameter_count(st);
  if (params.size() != static_cast<std::size_t>(expected)) {
    return core::InvalidArgumentError("'" + std::string(label) + "' on " + where + " takes " +
                                      std::to_string(expected) + " parameters but " +
                                      std::to_string(params.size()) + " were given");
  }
  sqlite3_reset(st);
  for (std::size_t i = 0; i < params.size(); ++i) {
    int rc = BindValue(st, static_cast<int>(i + 1), params[i]);
    if (rc != SQLITE_OK) {
      sqlite3_clear_bindings(st);
      return SqliteError(db, rc, label, where);
    }
  }
  const int ncols = sqlite3_column_count(st);
  if (out != nullptr) {
    out->columns.clear();
    out->rows.clear();
    for (int c = 0; c < ncols; ++c) out->columns.emplace_back(sqlite3_column_name(st, c));
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (out == nullptr) continue;
    Row row;
    row.reserve(static_cast<std::size_t>(ncols));
    for (int c = 0; c < ncols; ++c) row.push_back(ColumnValue(st, c));
    out->rows.push_back(std::move(row));
  }
  Status status;
  if (rc != SQLITE_DONE) {
    status = SqliteError(db, rc, label, where);
  } else if (changes != nullptr) {
    *changes = sqlite3_changes64(db);
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return status;
}

class SqliteDatabase;

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(SqliteDatabase* db, StmtHandle stmt, std::string label)
      : Statement(std::move(label)), db_(db), stmt_(std::move(stmt)) {}

 protected:
  Status Run(std::span<const Value> params, QueryResult* out, std::int64_t* changes) override;

 private:
  SqliteDatabase* db_;
  StmtHandle stmt_;
};

class SqliteBulkInserter;

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(SqliteHandle db, std::string describe)
      : db_(std::move(db)), describe_(std::move(describe)) {}

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string Describe() const override { return describe_; }
  bool in_transaction() const override { return sqlite3_get_autocommit(db_.get()) == 0; }

  sqlite3* handle() const { return db_.get(); }
  const std::string& where() const { return describe_; }
  void set_bulk_active(bool active) { bulk_active_ = active; }

  // Compiles exactly one statement; kInvalidArgument when sql holds none or more than one.
  Result<StmtHandle> Compile(std::string_view sql, const std::string& label) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, &tail);
    StmtHandle st(raw);
    if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, label, describe_);
    if (st == nullptr) {
      return core::InvalidArgumentError("'" + label + "' on " + describe_ +
                                        ": the SQL holds no statement");
    }
    std::string_view rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
    if (!rest.empty()) {
      sqlite3_stmt* extra = nullptr;
      rc = sqlite3_prepare_v2(db_.get(), rest.data(), static_cast<int>(rest.size()), &extra,
                              nullptr);
      StmtHandle extra_owner(extra);
      if (rc != SQLITE_OK || extra != nullptr) {
        return core::InvalidArgumentError("'" + label + "' on " + describe_ +
                                          ": more than one statement; use ExecuteScript()");
      }
    }
    return st;
  }

  // Runs parameterless control SQL (BEGIN, SAVEPOINT, PRAGMA ...).
  Status Exec(const char* sql) {
    int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, StatementLabel(sql), describe_);
    return Status::Ok();
  }

 protected:
  Status RunImpl(std::string_view sql, std::span<const Value> params, QueryResult* out,
                 std::int64_t* changes) override {
    std::string label = StatementLabel(sql);
    ASSIGN_OR_RETURN(StmtHandle st, Compile(sql, label));
    return Step(db_.get(), st.get(), params, out, changes, label, describe_);
  }

  Status ExecuteScriptImpl(std::string_view sql) override {
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
    if (err != nullptr) sqlite3_free(err);  // sqlite3_errmsg() below holds the same text
    if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, StatementLabel(sql), describe_);
    return Status::Ok();
  }

  Result<std::unique_ptr<Statement>> PrepareImpl(std::string_view sql) override {
    std::string label = StatementLabel(sql);
    ASSIGN_OR_RETURN(StmtHandle st, Compile(sql, label));
    return std::unique_ptr<Statement>(
        std::make_unique<SqliteStatement>(this, std::move(st), std::move(label)));
  }

  Status BeginImpl() override { return Exec("BEGIN IMMEDIATE"); }
  Status CommitImpl() override { return Exec("COMMIT"); }
  Status RollbackImpl() override { return Exec("ROLLBACK"); }

  Result<std::unique_ptr<BulkInserter>> BeginBulkInsertImpl(
      std::string_view quoted_table, const std::vector<std::string>& quoted_columns) override;

 private:
  SqliteHandle db_;
  std::string describe_;
};

Status SqliteStatement::Run(std::span<const Value> params, QueryResult* out,
                            std::int64_t* changes) {
  return Step(db_->handle(), stmt_.get(), params, out, changes, label(), db_->where());
}

// A reused prepared INSERT. Rows are bound without copying (SQLITE_STATIC) and stepped at once.
class SqliteBulkInserter final : public BulkInserter {
 public:
  SqliteBulkInserter(SqliteDatabase* db, StmtHandle stmt, std::size_t columns, bool own_tx,
                     std::string label)
      : db_(db),
        stmt_(std::move(stmt)),
        columns_(columns),
        own_tx_(own_tx),
        label_(std::move(label)) {
    db_->set_bulk_active(true);
  }

  ~SqliteBulkInserter() override {
    if (!finished_) Abandon();
    db_->set_bulk_active(false);
  }

  Status AddRow(std::span<const Value> row) override {
    if (finished_) {
      return core::FailedPreconditionError("'" + label_ + "': AddRow() after Finish()");
    }
    if (row.size() != columns_) {
      return core::InvalidArgumentError("'" + label_ + "' on " + db_->where() + ": a row has " +
                                        std::to_string(row.size()) + " values but " +
                                        std::to_string(columns_) + " columns were named");
    }
    sqlite3_stmt* st = stmt_.get();
    for (std::size_t i = 0; i < row.size(); ++i) {
      int rc = BindValue(st, static_cast<int>(i + 1), row[i]);
      if (rc != SQLITE_OK) return SqliteError(db_->handle(), rc, label_, db_->where());
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return SqliteError(db_->handle(), rc, label_, db_->where());
    ++rows_;
    return Status::Ok();
  }

  Status Finish() override {
    if (finished_) return core::FailedPreconditionError("'" + label_ + "': Finish() twice");
    finished_ = true;
    stmt_.reset();
    db_->set_bulk_active(false);
    Status s = db_->Exec(own_tx_ ? "COMMIT" : "RELEASE SAVEPOINT vl_bulk_insert");
    if (!s.ok()) Undo();
    return s;
  }

 private:
  void Abandon() {
    finished_ = true;
    stmt_.reset();
    Undo();
  }
  void Undo() {
    if (own_tx_) {
      if (db_->in_transaction()) db_->Exec("ROLLBACK").IgnoreError();
    } else {
      db_->Exec("ROLLBACK TO SAVEPOINT vl_bulk_insert").IgnoreError();
      db_->Exec("RELEASE SAVEPOINT vl_bulk_insert").IgnoreError();
    }
  }

  SqliteDatabase* db_;
  StmtHandle stmt_;
  std::size_t columns_;
  bool own_tx_;
  std::string label_;
  bool finished_ = false;
};

Result<std::unique_ptr<BulkInserter>> SqliteDatabase::BeginBulkInsertImpl(
    std::string_view quoted_table, const std::vector<std::string>& quoted_columns) {
  std::string sql = "INSERT INTO " + std::string(quoted_table) + " (";
  std::string marks;
  for (std::size_t i = 0; i < quoted_columns.size(); ++i) {
    sql += (i ? ", " : "") + quoted_columns[i];
    marks += i ? ", ?" : "?";
  }
  sql += ") VALUES (" + marks + ")";
  std::string label = StatementLabel(sql);
  ASSIGN_OR_RETURN(StmtHandle st, Compile(sql, label));
  const bool own_tx = !in_transaction();
  RETURN_IF_ERROR(Exec(own_tx ? "BEGIN IMMEDIATE" : "SAVEPOINT vl_bulk_insert"));
  return std::unique_ptr<BulkInserter>(std::make_unique<SqliteBulkInserter>(
      this, std::move(st), quoted_columns.size(), own_tx, std::move(label)));
}

// Creates missing parent folders one by one with mode 0700 (create_directories would use the
// umask's 0755: the folder of a database of personal data should not be listable by others).
Status CreateParents(const fs::path& file, const std::string& where) {
  fs::path parent = file.parent_path();
  if (parent.empty()) return Status::Ok();
  std::vector<fs::path> missing;
  for (fs::path p = parent; !p.empty(); p = p.parent_path()) {
    std::error_code ec;
    if (fs::exists(p, ec)) break;
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      int err = errno;
      auto code = err == EACCES || err == EPERM || err == EROFS ? StatusCode::kPermissionDenied
                                                                : StatusCode::kUnavailable;
      return Status(code, "cannot create the folder " + it->string() + " for " + where + ": " +
                              std::strerror(err));
    }
  }
  return Status::Ok();
}

// Creates the database file with mode 0600 before SQLite opens it (SQLite would create it with
// 0644 & ~umask); SQLite gives its -wal and -shm files the database file's mode.
Status CreateFile(const fs::path& file, const std::string& where) {
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Ok();  // created meanwhile by someone else
    int err = errno;
    auto code = err == EACCES || err == EPERM || err == EROFS ? StatusCode::kPermissionDenied
                                                              : StatusCode::kUnavailable;
    return Status(code, "cannot create the database file of " + where + ": " + std::strerror(err));
  }
  ::fchmod(fd, 0600);  // O_CREAT's mode is filtered by the umask; make it exact
  ::close(fd);
  return Status::Ok();
}

// vivalink_metric(blob, i): the i-th value (0-based) of a packed metric vector (packed_vector.h),
// NULL when missing; what the person_week_metric view decodes person_week_packed with. A malformed
// blob is an SQL error naming the problem (never the values).
void MetricFunction(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  const void* data = sqlite3_value_blob(argv[0]);
  const int size = sqlite3_value_bytes(argv[0]);
  const sqlite3_int64 index = sqlite3_value_int64(argv[1]);
  if (index < 0) {
    sqlite3_result_null(context);
    return;
  }
  auto value =
      PackedValueAt(std::string_view(static_cast<const char*>(data), static_cast<size_t>(size)),
                    static_cast<size_t>(index));
  if (!value.ok()) {
    sqlite3_result_error(context, value.status().message().c_str(), -1);
  } else if (std::isnan(*value)) {
    sqlite3_result_null(context);
  } else {
    sqlite3_result_double(context, *value);
  }
}

// vivalink_pack(i, value, n): aggregates (index, value) pairs into a packed vector of n values
// (missing where no pair sets one; an index outside [0, n) is ignored). Used by migration 4 to
// convert the long format in place.
struct PackState {
  std::vector<double>* values;
};

void PackStep(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  auto* state = static_cast<PackState*>(sqlite3_aggregate_context(context, sizeof(PackState)));
  if (state == nullptr) {
    sqlite3_result_error_nomem(context);
    return;
  }
  if (state->values == nullptr) {
    const sqlite3_int64 n = sqlite3_value_int64(argv[2]);
    if (n < 0 || n > (1 << 20)) {
      sqlite3_result_error(context, "vivalink_pack: n out of range", -1);
      return;
    }
    state->values =
        new std::vector<double>(static_cast<size_t>(n), std::numeric_limits<double>::quiet_NaN());
  }
  const sqlite3_int64 i = sqlite3_value_int64(argv[0]);
  if (i < 0 || static_cast<size_t>(i) >= state->values->size()) return;
  if (sqlite3_value_type(argv[1]) != SQLITE_NULL) {
    (*state->values)[static_cast<size_t>(i)] = sqlite3_value_double(argv[1]);
  }
}

void PackFinal(sqlite3_context* context) {
  auto* state = static_cast<PackState*>(sqlite3_aggregate_context(context, 0));
  if (state == nullptr || state->values == nullptr) {
    sqlite3_result_null(context);
    return;
  }
  std::string packed;
  PackDoubles(*state->values, packed);
  delete state->values;
  state->values = nullptr;
  sqlite3_result_blob64(context, packed.data(), packed.size(), SQLITE_TRANSIENT);
}

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const DatabaseUrl& url, const OpenOptions& options) {
  const std::string where = url.Describe();
  const bool memory = url.path == ":memory:";
  if (!memory) {
    fs::path file(url.path);
    std::error_code ec;
    if (!fs::exists(file, ec)) {
      if (!options.create_if_missing) {
        return core::NotFoundError("the database file of " + where +
                                   " does not exist (and creating it was not requested)");
      }
      RETURN_IF_ERROR(CreateParents(file, where));
      RETURN_IF_ERROR(CreateFile(file, where));
    }
  }

  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(url.path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteHandle handle(raw);
  if (rc != SQLITE_OK) {
    auto code = CodeFor(rc);
    if ((rc & 0xff) == SQLITE_CANTOPEN && ::access(url.path.c_str(), R_OK | W_OK) != 0 &&
        errno == EACCES) {
      code = StatusCode::kPermissionDenied;
    }
    return Status(code, "cannot open " + where + ": " +
                            (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
  rc = sqlite3_create_function_v2(raw, "vivalink_metric", 2,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                  &MetricFunction, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function_v2(raw, "vivalink_pack", 3, SQLITE_UTF8 | SQLITE_INNOCUOUS,
                                    nullptr, nullptr, &PackStep, &PackFinal, nullptr);
  }
  if (rc != SQLITE_OK) {
    return core::InternalError("cannot register vivalink functions on " + where + ": " +
                               sqlite3_errmsg(raw));
  }

  auto db = std::make_unique<SqliteDatabase>(std::move(handle), where);
  // journal_mode=WAL reads the file header first: a file that is not a database fails here
  // (kDataLoss). WAL is persistent in the file; synchronous=FULL makes every COMMIT durable
  // (exactly-once ingestion relies on it); secure_delete overwrites freed pages so deleted
  // personal data does not linger in the file.
  // A new file gets 16 KiB pages (a no-op on an existing database): person_week_packed rows are
  // ~450 bytes, and 4 KiB pages leave ~9% of every page unused (measured; schema.h).
  RETURN_IF_ERROR(db->Execute("PRAGMA page_size=16384"));
  ASSIGN_OR_RETURN(Value mode, db->QueryValue("PRAGMA journal_mode=WAL"));
  if (!memory && (mode.GetText() == nullptr || *mode.GetText() != "wal")) {
    return core::UnavailableError("cannot switch " + where +
                                  " to WAL journal mode (another connection may hold it in "
                                  "another mode); retry later");
  }
  RETURN_IF_ERROR(db->Execute("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(db->Execute("PRAGMA foreign_keys=ON"));
  RETURN_IF_ERROR(db->Execute("PRAGMA secure_delete=ON"));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace vivalink::db::internal
