#include "db/database.h"

#include <utility>

#include "core/log.h"
#include "db/internal/open.h"
#include "db/internal/sql_text.h"

namespace vivalink::db {

using core::FailedPreconditionError;
using core::InvalidArgumentError;

// ---------------------------------------------------------------------------------------------
// Statement

Result<std::int64_t> Statement::ExecuteUpdate(std::span<const Value> params) {
  std::int64_t changes = 0;
  RETURN_IF_ERROR(Run(params, nullptr, &changes));
  return changes;
}

Result<QueryResult> Statement::Query(std::span<const Value> params) {
  QueryResult out;
  RETURN_IF_ERROR(Run(params, &out, nullptr));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction& Transaction::operator=(Transaction&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) Rollback().IgnoreError();
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Transaction::~Transaction() {
  if (db_ == nullptr) return;
  std::string where = db_->Describe();
  Status s = Rollback();
  if (!s.ok()) {
    VL_LOG_WARN("rollback of an abandoned transaction on {} failed: {}", where, s.ToString());
  }
}

Status Transaction::Commit() {
  if (db_ == nullptr) {
    return FailedPreconditionError(
        "Commit() on a transaction that was already committed or "
        "rolled back");
  }
  if (db_->bulk_active_) {
    return FailedPreconditionError("Commit() while a bulk insert is in progress on " +
                                   db_->Describe() + "; Finish() the bulk insert first");
  }
  Database* db = std::exchange(db_, nullptr);
  Status s = db->CommitImpl();
  if (!s.ok() && db->in_transaction()) db->RollbackImpl().IgnoreError();
  return s;
}

Status Transaction::Rollback() {
  if (db_ == nullptr) {
    return FailedPreconditionError(
        "Rollback() on a transaction that was already committed or "
        "rolled back");
  }
  if (db_->bulk_active_) {
    return FailedPreconditionError("Rollback() while a bulk insert is in progress on " +
                                   db_->Describe() + "; destroy the bulk inserter first");
  }
  Database* db = std::exchange(db_, nullptr);
  if (!db->in_transaction()) return Status::Ok();  // e.g. the server already ended it
  return db->RollbackImpl();
}

// ---------------------------------------------------------------------------------------------
// Database

Result<std::unique_ptr<Database>> Database::Open(std::string_view url, const OpenOptions& options) {
  ASSIGN_OR_RETURN(DatabaseUrl parsed, DatabaseUrl::Parse(url));
  if (parsed.dialect == Dialect::kPostgres) return internal::OpenPostgres(parsed, options);
  return internal::OpenSqlite(parsed, options);
}

Status Database::CheckIdle(std::string_view sql) const {
  if (!bulk_active_) return Status::Ok();
  return FailedPreconditionError("'" + internal::StatementLabel(sql) + "' on " + Describe() +
                                 ": a bulk insert is in progress on this connection; Finish() or "
                                 "destroy it first");
}

Status Database::Execute(std::string_view sql, std::span<const Value> params) {
  RETURN_IF_ERROR(CheckIdle(sql));
  return RunImpl(sql, params, nullptr, nullptr);
}

Result<std::int64_t> Database::ExecuteUpdate(std::string_view sql, std::span<const Value> params) {
  RETURN_IF_ERROR(CheckIdle(sql));
  std::int64_t changes = 0;
  RETURN_IF_ERROR(RunImpl(sql, params, nullptr, &changes));
  return changes;
}

Result<QueryResult> Database::Query(std::string_view sql, std::span<const Value> params) {
  RETURN_IF_ERROR(CheckIdle(sql));
  QueryResult out;
  RETURN_IF_ERROR(RunImpl(sql, params, &out, nullptr));
  return out;
}

Result<Value> Database::QueryValue(std::string_view sql, std::span<const Value> params) {
  ASSIGN_OR_RETURN(QueryResult r, Query(sql, params));
  if (r.rows.empty() || r.rows.front().empty()) {
    return core::NotFoundError("'" + internal::StatementLabel(sql) + "' on " + Describe() +
                               " returned no row");
  }
  return std::move(r.rows.front().front());
}

Status Database::ExecuteScript(std::string_view sql) {
  RETURN_IF_ERROR(CheckIdle(sql));
  return ExecuteScriptImpl(sql);
}

Result<std::unique_ptr<Statement>> Database::Prepare(std::string_view sql) {
  RETURN_IF_ERROR(CheckIdle(sql));
  return PrepareImpl(sql);
}

Result<Transaction> Database::Begin() {
  RETURN_IF_ERROR(CheckIdle("BEGIN"));
  if (in_transaction()) {
    return FailedPreconditionError("BEGIN on " + Describe() +
                                   ": a transaction is already open on this connection (nested "
                                   "transactions are not supported)");
  }
  RETURN_IF_ERROR(BeginImpl());
  return Transaction(this);
}

Result<std::unique_ptr<BulkInserter>> Database::BeginBulkInsert(
    std::string_view table, const std::vector<std::string>& columns) {
  RETURN_IF_ERROR(CheckIdle("bulk insert"));
  if (!internal::IsPlainIdentifier(table)) {
    return InvalidArgumentError("bulk insert: table name '" + std::string(table) +
                                "' is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
  }
  if (columns.empty()) {
    return InvalidArgumentError("bulk insert into " + std::string(table) + ": no columns given");
  }
  std::vector<std::string> quoted;
  quoted.reserve(columns.size());
  for (const auto& c : columns) {
    if (!internal::IsPlainIdentifier(c)) {
      return InvalidArgumentError("bulk insert into " + std::string(table) + ": column name '" + c +
                                  "' is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
    }
    quoted.push_back(internal::QuoteIdentifier(c));
  }
  return BeginBulkInsertImpl(internal::QuoteIdentifier(table), quoted);
}

}  // namespace vivalink::db
