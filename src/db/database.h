// db: the database vivalink keeps its ingestion ledger and analysis results in.
//
// One interface, two implementations: SQLite (the default; a single file, nothing to operate)
// and PostgreSQL (libpq). Callers write SQL once with `?` placeholders; for PostgreSQL they are
// rewritten to $1, $2, ... (a `?` inside a string literal, quoted identifier or comment is left
// alone). Portable SQL that both dialects accept: CREATE TABLE with TEXT, INTEGER, BIGINT,
// DOUBLE PRECISION; INSERT ... ON CONFLICT (cols) DO UPDATE SET c = excluded.c / DO NOTHING;
// CAST(? AS BIGINT) where a parameter's type cannot be inferred. BLOB (SQLite) vs BYTEA
// (PostgreSQL) differs; check dialect() or give a Migration per-dialect SQL.
//
//   ASSIGN_OR_RETURN(auto db, db::Database::Open("sqlite://./vivalink.db", {}));
//   ASSIGN_OR_RETURN(auto tx, db->Begin());
//   RETURN_IF_ERROR(db->Execute("UPDATE drops SET state = ? WHERE run_id = ?", {"done", run_id}));
//   RETURN_IF_ERROR(tx.Commit());
//
// Personal data: parameter values may be personal data, so no error message, log line or
// Describe() ever contains them; messages name the statement by its first ~80 characters of SQL.
// Never format data into the SQL text: pass it as parameters. Passwords in URLs never appear
// either (see url.h).
//
// Error codes (every function that returns Status/Result):
//   kInvalidArgument     bad URL, wrong number of parameters, bad table/column name, value that
//                        does not fit the column type (PostgreSQL data exceptions)
//   kUnavailable         retry later: SQLITE_BUSY/LOCKED after busy_timeout, a connection that
//                        cannot be made or was lost, serialization failure, deadlock
//   kFailedPrecondition  a constraint was violated (UNIQUE/PRIMARY KEY, NOT NULL, CHECK, FOREIGN
//                        KEY), or the call is not allowed now (a transaction is already open, a
//                        bulk insert is in progress, the transaction was aborted)
//   kUnauthenticated     PostgreSQL refused the credentials
//   kPermissionDenied    the file or table cannot be written (read-only file, missing grant)
//   kDataLoss            the SQLite file is corrupt or not a database
//   kInternal            SQL syntax errors, unknown tables/columns: our own bug
//
// Thread-compatibility: a Database is one connection. It may be used from any thread but by one
// thread at a time (no internal locking); give each worker its own Database. Statements,
// Transactions and BulkInserters belong to the Database that made them, must be used under the
// same rule, and must be destroyed before it.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/url.h"
#include "db/value.h"

namespace vivalink::db {

using core::Result;
using core::Status;

struct OpenOptions {
  // SQLite: how long a statement waits for another connection's lock before failing with
  // kUnavailable. Default 5 s.
  std::chrono::milliseconds busy_timeout{5000};
  // PostgreSQL: connect timeout (libpq connect_timeout), unless the URL sets one. Default 10 s.
  std::chrono::seconds connect_timeout{10};
  // SQLite: create the file (mode 0600) and its missing parent folders (mode 0700) when absent.
  // When false, a missing file is kNotFound. Default true.
  bool create_if_missing = true;
  // PostgreSQL: application_name reported to the server (pg_stat_activity). Default "vivalink".
  std::string application_name = "vivalink";
};

class Database;

// A prepared statement: SQL compiled once and executed many times with different parameters.
// Made by Database::Prepare(); see the thread-compatibility rule above. On PostgreSQL, parameter
// types are inferred from the statement when it is prepared (write CAST(? AS BIGINT) where there
// is no context, e.g. "SELECT ?").
class Statement {
 public:
  virtual ~Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Runs the statement, discarding any rows. kInvalidArgument when params.size() differs from
  // the number of placeholders.
  Status Execute(std::span<const Value> params) { return Run(params, nullptr, nullptr); }
  Status Execute(std::initializer_list<Value> params) { return Execute(AsSpan(params)); }
  // Runs the statement and returns the number of rows it inserted, updated or deleted.
  Result<std::int64_t> ExecuteUpdate(std::span<const Value> params);
  Result<std::int64_t> ExecuteUpdate(std::initializer_list<Value> params) {
    return ExecuteUpdate(AsSpan(params));
  }
  // Runs the statement and returns all of its rows.
  Result<QueryResult> Query(std::span<const Value> params);
  Result<QueryResult> Query(std::initializer_list<Value> params) { return Query(AsSpan(params)); }

  // The statement as named in error messages (first ~80 characters of its SQL).
  const std::string& label() const { return label_; }

 protected:
  explicit Statement(std::string label) : label_(std::move(label)) {}
  // Executes with params; fills *out (when not null) with the rows, *changes with the rows
  // affected.
  virtual Status Run(std::span<const Value> params, QueryResult* out, std::int64_t* changes) = 0;
  static std::span<const Value> AsSpan(std::initializer_list<Value> l) {
    return {l.begin(), l.size()};
  }

 private:
  std::string label_;
};

// A transaction, made by Database::Begin(). Commit() makes its changes durable (SQLite with
// synchronous=FULL, PostgreSQL with synchronous_commit on); destroying it without Commit() rolls
// it back. Movable, not copyable. Nested transactions are not supported.
//
// After any statement inside a transaction fails, roll the transaction back: PostgreSQL aborts
// the whole transaction on the first error (later statements fail with kFailedPrecondition),
// SQLite undoes just the failed statement; portable code must assume the former.
class [[nodiscard]] Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&& other) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Rolls back when still open; a rollback failure is logged (without data) and otherwise
  // ignored, since the server drops the transaction with the connection anyway.
  ~Transaction();

  // Commits. On failure the transaction is rolled back and the error returned (kUnavailable for
  // SQLITE_BUSY or a lost connection: the caller may retry the whole transaction). Calling it
  // twice, or after Rollback(), is kFailedPrecondition.
  Status Commit();
  // Rolls back now. Calling it when no longer open is kFailedPrecondition.
  Status Rollback();
  bool active() const { return db_ != nullptr; }

 private:
  friend class Database;
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;  // null once committed or rolled back
};

// Fast loading of many rows into one table: on SQLite a reused prepared INSERT, on PostgreSQL a
// COPY FROM STDIN stream, in binary format when every named column's type has a binary encoding
// (integers, floats, bool, text, varchar, json, jsonb, bytea, float8[]; values are converted as
// the text format would, e.g. "42" into an integer column) and in text format otherwise. Made by
// Database::BeginBulkInsert().
//
// The rows become visible with Finish(): if no transaction was open when the inserter was made,
// it runs in its own transaction that Finish() commits; inside a caller's transaction it uses a
// savepoint that Finish() releases (the caller commits). A failed Finish() or an inserter
// destroyed without Finish() leaves none of its rows and the caller's transaction still usable.
// Until Finish() returns or the inserter is destroyed, its Database accepts no other statement
// (kFailedPrecondition).
//
// Constraint violations surface from AddRow() on SQLite but only from Finish() on PostgreSQL.
class BulkInserter {
 public:
  virtual ~BulkInserter() = default;
  BulkInserter(const BulkInserter&) = delete;
  BulkInserter& operator=(const BulkInserter&) = delete;

  // Adds one row; row.size() must equal the number of columns (kInvalidArgument otherwise).
  // The values are used before AddRow returns; the caller may reuse them.
  virtual Status AddRow(std::span<const Value> row) = 0;
  // Flushes, checks and makes the rows visible (see above). After Finish, AddRow is
  // kFailedPrecondition.
  virtual Status Finish() = 0;
  // Rows added so far.
  std::int64_t rows() const { return rows_; }

 protected:
  BulkInserter() = default;
  std::int64_t rows_ = 0;
};

class Database {
 public:
  virtual ~Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Opens a connection to the database named by `url` (see url.h for the forms).
  //   SQLite: creates the file with mode 0600 (and missing parent folders, mode 0700) unless
  //   options.create_if_missing is false; sets journal_mode=WAL, synchronous=FULL,
  //   foreign_keys=ON, secure_delete=ON and busy_timeout.
  //   PostgreSQL: connects with client_encoding UTF8 and the options' timeout and application name.
  // Errors: kInvalidArgument for a malformed URL, kNotFound for a missing SQLite file when not
  // creating, kPermissionDenied for an unwritable file or folder, kUnavailable when the server
  // cannot be reached, kUnauthenticated for refused credentials. Messages carry Describe().
  static Result<std::unique_ptr<Database>> Open(std::string_view url, const OpenOptions& options);

  virtual Dialect dialect() const = 0;
  // The URL without its password; safe to log.
  virtual std::string Describe() const = 0;

  // Runs one statement, discarding any rows it returns. `params` bind to the `?` placeholders in
  // order. More than one statement in `sql` is kInvalidArgument (use ExecuteScript).
  Status Execute(std::string_view sql, std::span<const Value> params);
  Status Execute(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Execute(sql, AsSpan(params));
  }
  // Like Execute, and returns the number of rows inserted, updated or deleted (e.g. to check
  // that a conditional "UPDATE ... WHERE state = 'pending'" claimed the row).
  Result<std::int64_t> ExecuteUpdate(std::string_view sql, std::span<const Value> params);
  Result<std::int64_t> ExecuteUpdate(std::string_view sql,
                                     std::initializer_list<Value> params = {}) {
    return ExecuteUpdate(sql, AsSpan(params));
  }
  // Runs one statement and returns all its rows.
  Result<QueryResult> Query(std::string_view sql, std::span<const Value> params);
  Result<QueryResult> Query(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Query(sql, AsSpan(params));
  }
  // The first column of the first row; kNotFound when the query returns no row.
  Result<Value> QueryValue(std::string_view sql, std::span<const Value> params);
  Result<Value> QueryValue(std::string_view sql, std::initializer_list<Value> params = {}) {
    return QueryValue(sql, AsSpan(params));
  }
  // Runs several `;`-separated statements without parameters (DDL, migrations).
  Status ExecuteScript(std::string_view sql);

  // Compiles `sql` for repeated execution. The Statement must not outlive this Database.
  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql);

  // Opens a transaction (SQLite: BEGIN IMMEDIATE, so the write lock is taken now and a busy
  // database fails here with kUnavailable rather than at the first write). kFailedPrecondition
  // when one is already open. The Transaction must not outlive this Database.
  Result<Transaction> Begin();
  // True while a transaction is open on this connection.
  virtual bool in_transaction() const = 0;

  // Starts a bulk insert into `table` (columns in the order AddRow() gives values). Names must be
  // plain identifiers ([A-Za-z_][A-Za-z0-9_]*), else kInvalidArgument; they are quoted in the SQL.
  // The inserter must not outlive this Database. See BulkInserter for the transaction rules.
  Result<std::unique_ptr<BulkInserter>> BeginBulkInsert(std::string_view table,
                                                        const std::vector<std::string>& columns);

 protected:
  Database() = default;
  static std::span<const Value> AsSpan(std::initializer_list<Value> l) {
    return {l.begin(), l.size()};
  }

  // Implementations. The public wrappers have already checked that no bulk insert is running.
  virtual Status RunImpl(std::string_view sql, std::span<const Value> params, QueryResult* out,
                         std::int64_t* changes) = 0;
  virtual Status ExecuteScriptImpl(std::string_view sql) = 0;
  virtual Result<std::unique_ptr<Statement>> PrepareImpl(std::string_view sql) = 0;
  virtual Status BeginImpl() = 0;
  virtual Status CommitImpl() = 0;
  virtual Status RollbackImpl() = 0;
  // `table` and `columns` are already validated and quoted.
  virtual Result<std::unique_ptr<BulkInserter>> BeginBulkInsertImpl(
      std::string_view quoted_table, const std::vector<std::string>& quoted_columns) = 0;

  // Set by implementations' BulkInserters for their lifetime.
  bool bulk_active_ = false;

 private:
  friend class Transaction;
  Status CheckIdle(std::string_view sql) const;
};

}  // namespace vivalink::db
