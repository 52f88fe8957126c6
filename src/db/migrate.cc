#include "db/migrate.h"

#include <set>

#include "core/log.h"
#include "core/time.h"

namespace vivalink::db {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

Status Validate(std::span<const Migration> migrations) {
  std::int64_t previous = 0;
  for (const Migration& m : migrations) {
    if (m.version <= previous) {
      return core::InvalidArgumentError(
          "migration versions must be >= 1 and strictly increasing; version " +
          std::to_string(m.version) + " (" + m.name + ") follows " + std::to_string(previous));
    }
    if (m.sqlite_sql.empty()) {
      return core::InvalidArgumentError("migration " + std::to_string(m.version) + " (" + m.name +
                                        ") has no SQL");
    }
    previous = m.version;
  }
  return Status::Ok();
}

Status NewerError(Database& db, std::int64_t found, std::int64_t known) {
  return core::FailedPreconditionError(
      "the database " + db.Describe() + " has schema version " + std::to_string(found) +
      " but this build of vivalink knows versions up to " + std::to_string(known) +
      "; it was written by a newer vivalink: upgrade vivalink (nothing was changed)");
}

Result<std::int64_t> MaxVersion(Database& db) {
  ASSIGN_OR_RETURN(Value v, db.QueryValue("SELECT MAX(version) FROM schema_migrations"));
  if (const auto* i = v.GetInt()) return *i;
  return std::int64_t{0};  // NULL: no rows
}

}  // namespace

Result<std::int64_t> SchemaVersion(Database& db) {
  const char* exists_sql =
      db.dialect() == Dialect::kPostgres
          ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_name = 'schema_migrations'"
          : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
            "'schema_migrations'";
  ASSIGN_OR_RETURN(Value exists, db.QueryValue(exists_sql));
  if (exists.GetInt() == nullptr || *exists.GetInt() == 0) return std::int64_t{0};
  return MaxVersion(db);
}

Result<int> Migrate(Database& db, std::span<const Migration> migrations) {
  RETURN_IF_ERROR(Validate(migrations));
  if (db.in_transaction()) {
    return core::FailedPreconditionError("Migrate() on " + db.Describe() +
                                         " inside an open transaction; migrations run in their "
                                         "own transactions");
  }
  const std::int64_t known = migrations.empty() ? 0 : migrations.back().version;
  Status created = db.Execute(kCreateTable);
  if (created.code() == core::StatusCode::kFailedPrecondition) {
    // Two PostgreSQL sessions creating the table at once: one loses on the catalog's unique
    // index (IF NOT EXISTS does not lock). The table exists now; try once more to be sure.
    created = db.Execute(kCreateTable);
  }
  RETURN_IF_ERROR(created);
  ASSIGN_OR_RETURN(std::int64_t current, MaxVersion(db));
  if (current > known) return NewerError(db, current, known);

  int applied = 0;
  for (const Migration& m : migrations) {
    const std::string what = "migration " + std::to_string(m.version) + " (" + m.name + ")";
    ASSIGN_OR_RETURN(Transaction tx, db.Begin());
    // Repeat the checks under the write lock: another process may have migrated meanwhile.
    // (SQLite's BEGIN IMMEDIATE already holds the database's write lock.)
    if (db.dialect() == Dialect::kPostgres) {
      RETURN_IF_ERROR(db.Execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE"));
    }
    ASSIGN_OR_RETURN(std::int64_t now_max, MaxVersion(db));
    if (now_max > known) return NewerError(db, now_max, known);
    ASSIGN_OR_RETURN(Value done, db.QueryValue("SELECT COUNT(*) FROM schema_migrations WHERE "
                                               "version = ?",
                                               {m.version}));
    if (done.GetInt() != nullptr && *done.GetInt() > 0) {
      RETURN_IF_ERROR(tx.Rollback());
      continue;
    }
    Status s = db.ExecuteScript(m.SqlFor(db.dialect()));
    if (!s.ok()) return s.WithContext(what + " on " + db.Describe());
    RETURN_IF_ERROR(
        db.Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                   {m.version, m.name, core::FormatIso8601(core::SystemClock::Instance().Now())}));
    s = tx.Commit();
    if (!s.ok()) return s.WithContext(what + " on " + db.Describe());
    VL_LOG_INFO("{}: applied {}", db.Describe(), what);
    ++applied;
  }
  return applied;
}

}  // namespace vivalink::db
