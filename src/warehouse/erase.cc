#include "warehouse/erase.h"

#include <fmt/format.h>

#include <optional>

#include "core/strings.h"
#include "warehouse/internal/person_week_id.h"

namespace vivalink::warehouse {
namespace {

using core::Result;
using core::Status;
using db::IntOf;
using db::Value;

// The tables keyed by the person-week id (migrations 4 and 6): Viva Insights metrics and the
// meeting metrics derived from calendars.
constexpr std::string_view kPackedTables[] = {"person_week_packed", "meeting_week_packed"};

Status CheckMode(db::Database& db, EraseMode mode) {
  if (mode == EraseMode::kDelete && !db.in_transaction()) {
    return core::FailedPreconditionError(
        "erasing person-weeks needs an open transaction (they commit with the rest of the "
        "erasure and its audit row)");
  }
  return core::OkStatus();
}

// The tenant's number, or nullopt when the warehouse never saw it. Deleting on PostgreSQL locks
// the row as the tenant's writers do (person_weeks.cc), so no import of the tenant interleaves.
Result<std::optional<std::int64_t>> TenantNo(db::Database& db, const std::string& tenant,
                                             EraseMode mode) {
  const bool lock = mode == EraseMode::kDelete && db.dialect() == db::Dialect::kPostgres;
  ASSIGN_OR_RETURN(auto rows, db.Query(lock ? "SELECT tenant_no FROM wh_tenant WHERE tenant_id = "
                                              "? FOR UPDATE"
                                            : "SELECT tenant_no FROM wh_tenant WHERE tenant_id = ?",
                                       {tenant}));
  if (rows.empty()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(IntOf(rows.rows[0][0]));
}

// Counts or deletes the rows of "<table> WHERE ...".
Result<std::int64_t> Rows(db::Database& db, EraseMode mode, std::string_view table_where,
                          std::initializer_list<Value> params) {
  if (mode == EraseMode::kDelete) {
    return db.ExecuteUpdate(fmt::format("DELETE FROM {}", table_where), params);
  }
  ASSIGN_OR_RETURN(Value n,
                   db.QueryValue(fmt::format("SELECT COUNT(*) FROM {}", table_where), params));
  return IntOf(n);
}

// The rows of one person in one packed table, one probe a week: the first id at or after the
// cursor names a week of the tenant; the person's row of that week is one point; the cursor then
// jumps to the next week.
Result<std::int64_t> PersonRows(db::Database& db, EraseMode mode, std::string_view table,
                                std::int64_t tenant_no, std::int64_t person_no) {
  ASSIGN_OR_RETURN(auto next_week, db.Prepare(fmt::format(
                                       "SELECT MIN(id) FROM {} WHERE id >= ? AND id <= ?", table)));
  const std::string point_sql = mode == EraseMode::kDelete
                                    ? fmt::format("DELETE FROM {} WHERE id = ?", table)
                                    : fmt::format("SELECT COUNT(*) FROM {} WHERE id = ?", table);
  ASSIGN_OR_RETURN(auto point, db.Prepare(point_sql));
  std::int64_t rows = 0;
  const std::int64_t last = internal::TenantLastId(tenant_no);
  for (std::int64_t cursor = internal::TenantFirstId(tenant_no); cursor <= last;) {
    ASSIGN_OR_RETURN(auto found, next_week->Query({cursor, last}));
    if (found.empty() || found.rows[0][0].is_null()) break;
    const std::int64_t week = internal::WeekOf(IntOf(found.rows[0][0]));
    const std::int64_t id = internal::PersonWeekId(tenant_no, week, person_no);
    if (mode == EraseMode::kDelete) {
      ASSIGN_OR_RETURN(std::int64_t n, point->ExecuteUpdate({id}));
      rows += n;
    } else {
      ASSIGN_OR_RETURN(auto n, point->Query({id}));
      rows += n.empty() ? 0 : IntOf(n.rows[0][0]);
    }
    if (week >= internal::kWeekMask) break;
    cursor = internal::PersonWeekId(tenant_no, week + 1, 0);
  }
  return rows;
}

}  // namespace

Result<std::vector<TableRows>> EraseTenant(db::Database& db, std::string_view tenant_id,
                                           EraseMode mode) {
  RETURN_IF_ERROR(CheckMode(db, mode));
  const std::string tenant = core::ToLower(core::Trim(tenant_id));
  std::vector<TableRows> out;
  for (std::string_view table : kPackedTables) out.push_back({std::string(table), 0});
  for (std::string_view table : {"wh_person", "wh_dict", "wh_tenant"}) {
    out.push_back({std::string(table), 0});
  }
  ASSIGN_OR_RETURN(auto no, TenantNo(db, tenant, mode));
  if (!no.has_value()) return out;
  const std::int64_t t = *no;
  size_t i = 0;
  for (std::string_view table : kPackedTables) {
    ASSIGN_OR_RETURN(out[i++].rows,
                     Rows(db, mode, fmt::format("{} WHERE id BETWEEN ? AND ?", table),
                          {internal::TenantFirstId(t), internal::TenantLastId(t)}));
  }
  ASSIGN_OR_RETURN(out[i++].rows, Rows(db, mode, "wh_person WHERE tenant_no = ?", {t}));
  ASSIGN_OR_RETURN(out[i++].rows, Rows(db, mode, "wh_dict WHERE tenant_no = ?", {t}));
  ASSIGN_OR_RETURN(out[i++].rows, Rows(db, mode, "wh_tenant WHERE tenant_no = ?", {t}));
  return out;
}

Result<std::vector<TableRows>> ErasePerson(db::Database& db, std::string_view tenant_id,
                                           std::string_view person_key, EraseMode mode) {
  RETURN_IF_ERROR(CheckMode(db, mode));
  const std::string tenant = core::ToLower(core::Trim(tenant_id));
  std::vector<TableRows> out;
  for (std::string_view table : kPackedTables) out.push_back({std::string(table), 0});
  out.push_back({"wh_person", 0});
  ASSIGN_OR_RETURN(auto no, TenantNo(db, tenant, mode));
  if (!no.has_value()) return out;
  const std::int64_t t = *no;
  ASSIGN_OR_RETURN(
      auto person,
      db.Query("SELECT person_no FROM wh_person WHERE tenant_no = ? AND person_key = ?",
               {t, std::string(person_key)}));
  if (person.empty()) return out;
  const std::int64_t person_no = IntOf(person.rows[0][0]);
  size_t i = 0;
  for (std::string_view table : kPackedTables) {
    ASSIGN_OR_RETURN(out[i++].rows, PersonRows(db, mode, table, t, person_no));
  }
  ASSIGN_OR_RETURN(out[i].rows, Rows(db, mode, "wh_person WHERE tenant_no = ? AND person_key = ?",
                                     {t, std::string(person_key)}));
  return out;
}

}  // namespace vivalink::warehouse
