// warehouse erase: removing the person-weeks (and meeting-weeks) of a whole tenant (`vivalink
// offboard`) or of one person (`vivalink forget`) from the warehouse tables (db/schema.h, migration
// 4). The orchestration — the other tables, storage, key files, the audit row — is
// onboard/offboard.h.
//
//   ASSIGN_OR_RETURN(db::Transaction tx, db.Begin());
//   ASSIGN_OR_RETURN(auto rows, warehouse::EraseTenant(db, tenant, warehouse::EraseMode::kDelete));
//   ...  // the other tables of the tenant, the audit row
//   RETURN_IF_ERROR(tx.Commit());
//
// A tenant's person-weeks are one id range (id = tenant_no << 47 | week << 27 | person_no), so
// erasing a tenant is one range DELETE that touches only that tenant's pages (no rewrite of the
// table); a person's rows are one point a stored week, found by skipping from week to week
// through the tenant's range (one index probe a week, never a scan of the tenant's rows).
// Dictionaries (wh_dict: run ids, HR attribute sets, metric layouts) are the tenant's and go with
// it; one person's erasure leaves them (they name no person and other persons share them).
// SQLite opens every connection with secure_delete=ON: the deleted rows' bytes are overwritten
// in the pages. PostgreSQL reclaims the space at the table's next (auto)vacuum.
//
// Counting (EraseMode::kCount) changes nothing and may run outside a transaction. Deleting runs
// inside the caller's transaction (kFailedPrecondition otherwise), so the caller commits it with
// its other deletions or rolls everything back. On PostgreSQL the tenant's wh_tenant row is
// locked first (FOR UPDATE), the lock the tenant's writers take: a writer that is importing
// finishes first (its rows are then erased too), later ones wait for the caller's commit.
// Errors: the database's. Thread-compatibility: as db::Database.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/database.h"

namespace vivalink::warehouse {

enum class EraseMode { kCount, kDelete };

// Rows of one table that an erasure removed (or, counting, would remove).
struct TableRows {
  std::string table;
  std::int64_t rows = 0;
};

// Every warehouse row of tenant_id (compared in lower case): person_week_packed,
// meeting_week_packed, wh_person, wh_dict and wh_tenant, in that order. A tenant the warehouse does
// not know gives zero counts.
core::Result<std::vector<TableRows>> EraseTenant(db::Database& db, std::string_view tenant_id,
                                                 EraseMode mode);

// The person-weeks (person_week_packed), meeting-weeks (meeting_week_packed) and the wh_person
// row of one person of tenant_id;
// person_key as stored (identity::PersonKey). An unknown person gives zero counts.
core::Result<std::vector<TableRows>> ErasePerson(db::Database& db, std::string_view tenant_id,
                                                 std::string_view person_key, EraseMode mode);

}  // namespace vivalink::warehouse
