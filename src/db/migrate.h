// Versioned schema migrations: bring a database's schema up to what this build of vivalink knows.
//
// Each Migration has a version (1, 2, 3, ... strictly increasing), a name and the SQL script that
// applies it, optionally different per dialect. Migrate() records applied migrations in
//
//   schema_migrations(version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT /*ISO 8601 UTC*/)
//
// and applies each missing one in its own transaction together with its schema_migrations row,
// so a crash leaves the database at a clean version boundary and a rerun continues from there.
// Concurrent Migrate() calls from several processes are safe: the version check is repeated
// under the write lock (SQLite BEGIN IMMEDIATE, PostgreSQL LOCK TABLE schema_migrations).
//
// Migrations are append-only: never edit a released migration; add migration N+1 instead.
// Scripts run inside a transaction: no BEGIN/COMMIT, VACUUM or CREATE INDEX CONCURRENTLY in them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "db/database.h"

namespace vivalink::db {

struct Migration {
  std::int64_t version = 0;  // >= 1; strictly increasing within a list
  std::string name;          // short description, stored in schema_migrations.name
  std::string sqlite_sql;    // the script run on SQLite (several statements allowed)
  std::string postgres_sql;  // the script run on PostgreSQL; empty: use sqlite_sql

  const std::string& SqlFor(Dialect dialect) const {
    return dialect == Dialect::kPostgres && !postgres_sql.empty() ? postgres_sql : sqlite_sql;
  }
};

// The highest applied version, 0 for a database without schema_migrations. Errors as Database.
Result<std::int64_t> SchemaVersion(Database& db);

// Creates schema_migrations when missing, then applies, in order, every migration whose version
// is not yet recorded. Returns how many were applied (0 on an up-to-date database).
// Must not be called inside an open transaction (kFailedPrecondition).
// Errors:
//   kInvalidArgument     versions not >= 1 and strictly increasing, or an empty script
//   kFailedPrecondition  the database has a version newer than the newest in `migrations` (an
//                        older vivalink against a newer database): nothing is changed
//   any code of Database for a failing statement; the message names the migration, and the
//   failed migration (and only it) is rolled back.
Result<int> Migrate(Database& db, std::span<const Migration> migrations);

}  // namespace vivalink::db
