#include "warehouse/person_weeks.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "core/strings.h"
#include "core/time.h"
#include "db/packed_vector.h"
#include "formats/canonical.h"
#include "identity/identity.h"
#include "warehouse/internal/person_week_id.h"

namespace vivalink::warehouse {
namespace {

using core::Result;
using core::Status;
using db::IntOf;
using db::TextOf;
using db::Value;
using formats::ColumnType;
using formats::RowBatch;

constexpr std::string_view kPersonColumn = "PersonId";
constexpr std::string_view kDateColumn = "MetricDate";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Rows a read query returns at most (bounds the memory of one result).
constexpr int64_t kReadChunk = 16384;

enum class DictKind { kRun, kAttrs, kLayout };

// person_week_packed.id (tenant number, week, person number in one integer):
// internal/person_week_id.h.
using internal::kPersonMask;
using internal::kTenantBits;
using internal::kWeekMask;
using internal::PersonOf;
using internal::TenantFirstId;
using internal::WeekOf;

std::string_view TableName(WeekTable table) {
  return table == WeekTable::kMeetingWeek ? "meeting_week_packed" : "person_week_packed";
}

std::string_view DictKindName(DictKind kind) {
  switch (kind) {
    case DictKind::kRun:
      return "run";
    case DictKind::kAttrs:
      return "attrs";
    case DictKind::kLayout:
      return "layout";
  }
  return "";
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Status Damaged(std::string_view what) {
  return core::DataLossError(fmt::format(
      "a stored person-week vector is damaged ({}); restore the database from a backup or "
      "import the drops again",
      what));
}

Result<size_t> ParseArray(std::string_view text, std::vector<double>& out) {
  out.clear();
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return Damaged("not an array");
  text = text.substr(1, text.size() - 2);
  if (text.empty()) return size_t{0};
  size_t at = 0;
  while (at <= text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(at, comma - at);
    if (item == "NULL") {
      out.push_back(kNaN);
    } else {
      double v = 0;
      auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
      if (ec != std::errc() || ptr != item.data() + item.size()) return Damaged("bad element");
      out.push_back(v);
    }
    at = comma + 1;
  }
  return out.size();
}

// The tenant's row (number and next person number); on PostgreSQL the row is
// locked (FOR UPDATE) so that writers of one tenant allocate person numbers one at a time.
struct TenantRow {
  int64_t tenant_no = 0;
  int64_t next_person_no = 1;
};

Result<std::optional<TenantRow>> LockTenant(db::Database& db, const std::string& tenant) {
  std::string sql = "SELECT tenant_no, next_person_no FROM wh_tenant WHERE tenant_id = ?";
  if (db.dialect() == db::Dialect::kPostgres) sql += " FOR UPDATE";
  ASSIGN_OR_RETURN(auto rows, db.Query(sql, {tenant}));
  if (rows.empty()) return std::optional<TenantRow>();
  return std::optional<TenantRow>(TenantRow{IntOf(rows.rows[0][0]), IntOf(rows.rows[0][1])});
}

// A per-tenant dictionary of one kind (run ids, attribute sets, layouts), interned on write.
class Dictionary {
 public:
  // step -1: new entries are numbered -1, -2, ... (the layouts of meeting_week_packed, so that a
  // reader knows its own table's layouts from the other's; schema.h migration 8).
  Dictionary(DictKind kind, int64_t step = 1)  // NOLINT(google-explicit-constructor)
      : kind_(kind), step_(step) {}

  void Load(int64_t no, std::string value) {
    if (no * step_ > 0) next_ = std::max(next_, no * step_ + 1);
    by_value_.emplace(std::move(value), no);
  }

  Result<int64_t> Intern(db::Database& db, int64_t tenant_no, const std::string& value) {
    auto it = by_value_.find(value);
    if (it != by_value_.end()) return it->second;
    int64_t no = step_ * next_++;
    RETURN_IF_ERROR(
        db.Execute("INSERT INTO wh_dict (tenant_no, kind, dict_no, value) VALUES (?, ?, ?, ?)",
                   {tenant_no, std::string(DictKindName(kind_)), no, value}));
    by_value_.emplace(value, no);
    return no;
  }

 private:
  DictKind kind_;
  int64_t step_ = 1;
  int64_t next_ = 1;
  std::unordered_map<std::string, int64_t> by_value_;
};

// A person-week on its way to the database: the packed vector (SQLite) or the values
// (PostgreSQL float8[]).
struct PendingRow {
  int64_t id = 0;
  int64_t attrs_no = 0;
  std::string packed;
  db::DoubleArray values;
};

// PostgreSQL: for each (tenant, week) met, whether the table held rows of it when this writer
// first met it, and for weeks that were empty, the person numbers written since. The rows of such
// a week can be COPYed straight into the table, without a stage and an upsert: the tenant's row
// is locked FOR UPDATE for the whole transaction (LockTenant), so no other writer adds rows of
// this tenant meanwhile.
class WeekTracker {
 public:
  // True when row `id` may be COPYed straight into `table` (its week was empty and the person
  // has no row of that week yet).
  Result<bool> Fresh(db::Database& db, std::string_view table, int64_t id) {
    const int64_t first = id & ~kPersonMask;
    auto [it, inserted] = weeks_.try_emplace(first);
    Week& week = it->second;
    if (inserted) {
      ASSIGN_OR_RETURN(
          auto rows,
          db.Query(fmt::format("SELECT 1 FROM {} WHERE id >= ? AND id <= ? LIMIT 1", table),
                   {first, first | kPersonMask}));
      week.fresh = rows.empty();
    }
    if (!week.fresh) return false;
    const auto person = static_cast<size_t>(PersonOf(id));
    if (person >= week.written.size()) {
      week.written.resize(std::max(person + 1, week.written.size() * 2));
    }
    if (week.written[person]) return false;  // twice in one drop: the upsert keeps the last
    week.written[person] = true;
    return true;
  }

 private:
  struct Week {
    bool fresh = false;
    std::vector<bool> written;  // by person number
  };
  std::unordered_map<int64_t, Week> weeks_;
};

// PostgreSQL: rows of fresh weeks (WeekTracker) by COPY into the table; the others by COPY into
// a session-local stage and one set-based upsert (a round trip a row would dominate). COPY runs
// in binary (db layer), so no double is formatted or parsed as text.
Status WritePostgres(db::Database& db, std::string_view table, int64_t run_no, int64_t layout_no,
                     std::vector<PendingRow>& pending, WeekTracker& weeks, bool& stage_ready) {
  std::vector<bool> direct(pending.size());
  size_t staged = 0;
  for (size_t i = 0; i < pending.size(); ++i) {
    ASSIGN_OR_RETURN(bool fresh, weeks.Fresh(db, table, pending[i].id));
    direct[i] = fresh;
    if (!fresh) ++staged;
  }
  auto copy = [&](std::string_view into, bool want_direct) -> Status {
    ASSIGN_OR_RETURN(
        auto bulk, db.BeginBulkInsert(into, {"id", "run_no", "attrs_no", "layout_no", "metrics"}));
    std::vector<Value> row(5);
    row[1] = run_no;
    row[3] = layout_no;
    for (size_t i = 0; i < pending.size(); ++i) {
      if (direct[i] != want_direct) continue;
      row[0] = pending[i].id;
      row[2] = pending[i].attrs_no == 0 ? Value() : Value(pending[i].attrs_no);
      row[4] = Value(std::move(pending[i].values));
      RETURN_IF_ERROR(bulk->AddRow(row));
    }
    return bulk->Finish();
  };
  if (staged < pending.size()) RETURN_IF_ERROR(copy(table, true));
  if (staged == 0) return core::OkStatus();
  if (!stage_ready) {
    RETURN_IF_ERROR(db.Execute(
        "CREATE TEMP TABLE IF NOT EXISTS wh_person_week_stage (id BIGINT, run_no BIGINT, "
        "attrs_no BIGINT, layout_no BIGINT, metrics DOUBLE PRECISION[]) ON COMMIT DELETE ROWS"));
    stage_ready = true;
  }
  RETURN_IF_ERROR(copy("wh_person_week_stage", false));
  RETURN_IF_ERROR(db.Execute(fmt::format(
      "INSERT INTO {} (id, run_no, attrs_no, layout_no, metrics) SELECT id, run_no, attrs_no, "
      "layout_no, metrics FROM wh_person_week_stage ON CONFLICT (id) DO UPDATE SET run_no = "
      "excluded.run_no, attrs_no = excluded.attrs_no, layout_no = excluded.layout_no, metrics = "
      "excluded.metrics",
      table)));
  return db.Execute("DELETE FROM wh_person_week_stage");
}

}  // namespace

// ---- PersonWeekWriter -------------------------------------------------------------------------

struct PersonWeekWriter::State {
  db::Database* db = nullptr;
  WriteRequest request;
  int64_t tenant_no = 0;
  int64_t next_person_no = 1;
  int64_t first_new_person_no = 1;
  int64_t run_no = 0;
  std::unordered_map<std::string, int64_t> persons;
  Dictionary attrs{DictKind::kAttrs};
  Dictionary layouts{DictKind::kLayout};
  std::unique_ptr<db::Statement> upsert;  // SQLite: one row at a time
  // Reused per batch.
  std::vector<double> values;
  std::vector<std::pair<std::string, int64_t>> new_persons;
  bool stage_ready = false;
  WeekTracker weeks;  // PostgreSQL
};

PersonWeekWriter::PersonWeekWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
PersonWeekWriter::~PersonWeekWriter() = default;

Result<std::unique_ptr<PersonWeekWriter>> PersonWeekWriter::Open(db::Database& db,
                                                                 WriteRequest request) {
  if (!db.in_transaction()) {
    return core::FailedPreconditionError(
        "PersonWeekWriter::Open needs an open transaction (the rows commit with the ledger row)");
  }
  auto s = std::make_unique<State>();
  s->db = &db;
  request.tenant_id = core::ToLower(core::Trim(request.tenant_id));
  s->request = std::move(request);
  const std::string& tenant = s->request.tenant_id;
  if (s->request.table == WeekTable::kMeetingWeek) s->layouts = Dictionary(DictKind::kLayout, -1);
  RETURN_IF_ERROR(db.Execute(
      "INSERT INTO wh_tenant (tenant_id) VALUES (?) ON CONFLICT (tenant_id) DO NOTHING", {tenant}));
  ASSIGN_OR_RETURN(auto row, LockTenant(db, tenant));
  if (!row.has_value()) return core::InternalError("wh_tenant: the tenant row just made is gone");
  s->tenant_no = row->tenant_no;
  if (s->tenant_no <= 0 || s->tenant_no >= (int64_t{1} << kTenantBits)) {
    return core::FailedPreconditionError(fmt::format(
        "this database holds the most tenants it can number ({}); use another database for "
        "more tenants",
        (int64_t{1} << kTenantBits) - 1));
  }
  s->next_person_no = s->first_new_person_no = row->next_person_no;

  ASSIGN_OR_RETURN(auto persons, db.Query("SELECT person_key, person_no FROM wh_person WHERE "
                                          "tenant_no = ?",
                                          {s->tenant_no}));
  s->persons.reserve(persons.size() + 1024);
  for (auto& r : persons.rows) s->persons.emplace(TextOf(r[0]), IntOf(r[1]));
  persons = {};
  Dictionary runs(DictKind::kRun);
  ASSIGN_OR_RETURN(auto dict, db.Query("SELECT kind, dict_no, value FROM wh_dict WHERE "
                                       "tenant_no = ?",
                                       {s->tenant_no}));
  for (auto& r : dict.rows) {
    const std::string kind = TextOf(r[0]);
    Dictionary* d = kind == "run"      ? &runs
                    : kind == "attrs"  ? &s->attrs
                    : kind == "layout" ? &s->layouts
                                       : nullptr;
    if (d != nullptr) d->Load(IntOf(r[1]), TextOf(r[2]));
  }
  ASSIGN_OR_RETURN(s->run_no, runs.Intern(db, s->tenant_no, s->request.run_id));
  if (db.dialect() == db::Dialect::kSqlite) {
    ASSIGN_OR_RETURN(
        s->upsert,
        db.Prepare(fmt::format("INSERT INTO {} (id, run_no, attrs_no, layout_no, "
                               "metrics) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                               "run_no = excluded.run_no, attrs_no = excluded.attrs_no, "
                               "layout_no = excluded.layout_no, metrics = excluded.metrics",
                               TableName(s->request.table))));
  }
  return std::unique_ptr<PersonWeekWriter>(new PersonWeekWriter(std::move(s)));
}

Status PersonWeekWriter::Add(const RowBatch& batch) {
  State& s = *state_;
  const WriteRequest& req = s.request;
  int person = batch.Find(kPersonColumn);
  int date = batch.Find(kDateColumn);
  if (person < 0 || date < 0) {
    return core::DataLossError(fmt::format("drop {} has no {} column; the drop was not imported",
                                           req.drop_name,
                                           person < 0 ? kPersonColumn : kDateColumn));
  }
  if (batch.num_rows() == 0) return core::OkStatus();
  std::vector<size_t> metrics, attrs;
  std::vector<std::string> names;
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    const formats::Column& col = batch.column(c);
    if (static_cast<int>(c) == person || static_cast<int>(c) == date) continue;
    if (col.type() == ColumnType::kString) {
      if (formats::IsPiiColumn(col.name()) || formats::IsRowIdentifierColumn(col.name())) {
        continue;
      }
      if (req.all_attributes || Contains(req.attributes, col.name())) attrs.push_back(c);
    } else if (req.all_metrics || Contains(req.metrics, col.name())) {
      metrics.push_back(c);
      names.push_back(col.name());
    }
  }
  ASSIGN_OR_RETURN(int64_t layout_no,
                   s.layouts.Intern(*s.db, s.tenant_no, nlohmann::json(names).dump()));

  const bool postgres = s.db->dialect() == db::Dialect::kPostgres;
  std::vector<PendingRow> pending;
  pending.reserve(batch.num_rows());
  s.new_persons.clear();
  std::string_view key(s.request.pseudonym_key.data(), s.request.pseudonym_key.size());
  const formats::Column& pc = batch.column(static_cast<size_t>(person));
  const formats::Column& dc = batch.column(static_cast<size_t>(date));
  s.values.resize(metrics.size());
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    if (pc.IsNull(r) || core::Trim(pc.StringAt(r)).empty() || dc.IsNull(r)) {
      return core::DataLossError(
          fmt::format("drop {}, {}: PersonId or MetricDate is empty; the drop was not imported",
                      req.drop_name, batch.RowWhere(r)));
    }
    auto when = core::ParseIso8601(dc.StringAt(r));
    if (!when.ok()) {
      return core::DataLossError(
          fmt::format("drop {}, {}: MetricDate is not a date; the drop was not imported",
                      req.drop_name, batch.RowWhere(r)));
    }
    PendingRow p;
    const int64_t week = std::chrono::floor<std::chrono::days>(*when).time_since_epoch().count();
    if (week < 0 || week > kWeekMask) {
      return core::DataLossError(
          fmt::format("drop {}, {}: MetricDate is outside 1970..4840; the drop was not imported",
                      req.drop_name, batch.RowWhere(r)));
    }
    std::string person_key = identity::PersonKey(key, req.tenant_id, pc.StringAt(r));
    auto [it, inserted] = s.persons.try_emplace(std::move(person_key), s.next_person_no);
    if (inserted) {
      ++s.next_person_no;
      s.new_persons.emplace_back(it->first, it->second);
    }
    if (it->second > kPersonMask) {
      return core::FailedPreconditionError(
          fmt::format("drop {}: tenant {} has more persons than can be numbered ({})",
                      req.drop_name, req.tenant_id, kPersonMask));
    }
    p.id = internal::PersonWeekId(s.tenant_no, week, it->second);
    p.attrs_no = 0;
    if (!attrs.empty()) {
      nlohmann::json j = nlohmann::json::object();
      for (size_t c : attrs) {
        const formats::Column& col = batch.column(c);
        if (!col.IsNull(r)) j[col.name()] = std::string(col.StringAt(r));
      }
      if (!j.empty()) {
        ASSIGN_OR_RETURN(p.attrs_no, s.attrs.Intern(*s.db, s.tenant_no, j.dump()));
      }
    }
    for (size_t i = 0; i < metrics.size(); ++i) s.values[i] = batch.column(metrics[i]).NumberAt(r);
    if (postgres) {
      p.values.assign(s.values.begin(), s.values.end());
    } else {
      db::PackDoubles(s.values, p.packed);
    }
    pending.push_back(std::move(p));
  }

  if (!s.new_persons.empty()) {
    ASSIGN_OR_RETURN(auto bulk,
                     s.db->BeginBulkInsert("wh_person", {"tenant_no", "person_key", "person_no"}));
    std::vector<Value> row(3);
    row[0] = s.tenant_no;
    for (auto& [person_key, no] : s.new_persons) {
      row[1] = person_key;
      row[2] = no;
      RETURN_IF_ERROR(bulk->AddRow(row));
    }
    RETURN_IF_ERROR(bulk->Finish());
  }

  if (!postgres) {
    std::vector<Value> row(5);
    row[1] = s.run_no;
    row[3] = layout_no;
    for (auto& p : pending) {
      row[0] = p.id;
      row[2] = p.attrs_no == 0 ? Value() : Value(p.attrs_no);
      db::Blob blob(p.packed.size());
      std::memcpy(blob.data(), p.packed.data(), p.packed.size());
      row[4] = std::move(blob);
      RETURN_IF_ERROR(s.upsert->Execute(row));
    }
    return core::OkStatus();
  }
  return WritePostgres(*s.db, TableName(req.table), s.run_no, layout_no, pending, s.weeks,
                       s.stage_ready);
  return core::OkStatus();
}

Status PersonWeekWriter::Finish() {
  State& s = *state_;
  if (s.next_person_no == s.first_new_person_no) return core::OkStatus();
  return s.db->Execute("UPDATE wh_tenant SET next_person_no = ? WHERE tenant_no = ?",
                       {s.next_person_no, s.tenant_no});
}

// ---- LoadPersonWeeks --------------------------------------------------------------------------

namespace {

// A categorical column under construction.
struct Categorical {
  std::vector<int32_t> codes;
  std::vector<std::string> levels;
  std::unordered_map<std::string, int32_t> index;

  int32_t Code(const std::string& value) {
    auto [it, inserted] = index.try_emplace(value, static_cast<int32_t>(levels.size()));
    if (inserted) levels.push_back(value);
    return it->second;
  }
};

struct FrameBuild {
  Categorical tenant, person, date;
  std::map<std::string, Categorical> attrs;  // by attribute name
  std::vector<std::string> metric_names;
  std::unordered_map<std::string, size_t> metric_index;
  std::vector<std::vector<double>> metrics;
  std::vector<uint32_t> person_rank;  // sort key within a week
  size_t rows = 0;

  size_t MetricColumn(const std::string& name) {
    auto [it, inserted] = metric_index.try_emplace(name, metric_names.size());
    if (inserted) {
      metric_names.push_back(name);
      metrics.emplace_back(rows, kNaN);
    }
    return it->second;
  }
};

// One tenant's dictionaries, decoded for reading.
struct TenantDicts {
  // layout_no -> metric names and their frame columns: the table's own layouts (dict_no > 0 for
  // person_week_packed, < 0 for meeting_week_packed) are resolved at once, so that a metric of a
  // replaced row stays a column; the other table's only when a row uses one.
  struct Layout {
    std::vector<std::string> names;
    std::vector<size_t> columns;
    bool resolved = false;
  };
  std::unordered_map<int64_t, Layout> layouts;
  // attrs_no -> (attribute column, level code)
  std::unordered_map<int64_t, std::vector<std::pair<Categorical*, int32_t>>> attrs;
};

Status LoadTenant(db::Database& db, const LoadOptions& options, int64_t tenant_no,
                  const std::string& tenant_id, FrameBuild& f) {
  // Persons, ranked by key (the order rows of one week are returned in).
  ASSIGN_OR_RETURN(auto persons, db.Query("SELECT person_no, person_key FROM wh_person WHERE "
                                          "tenant_no = ? ORDER BY person_key",
                                          {tenant_no}));
  std::unordered_map<int64_t, std::pair<int32_t, uint32_t>> person;  // no -> (code, rank)
  person.reserve(persons.size());
  for (size_t i = 0; i < persons.rows.size(); ++i) {
    const auto& r = persons.rows[i];
    person.emplace(IntOf(r[0]),
                   std::make_pair(f.person.Code(TextOf(r[1])), static_cast<uint32_t>(i)));
  }
  persons = {};
  TenantDicts dicts;
  ASSIGN_OR_RETURN(auto dict, db.Query("SELECT kind, dict_no, value FROM wh_dict WHERE tenant_no "
                                       "= ? AND kind IN ('attrs', 'layout')",
                                       {tenant_no}));
  for (const auto& r : dict.rows) {
    const std::string kind = TextOf(r[0]);
    const int64_t no = IntOf(r[1]);
    auto j = nlohmann::json::parse(TextOf(r[2]), nullptr, false);
    if (kind == "layout") {
      if (!j.is_array()) return Damaged("a layout is not a JSON array");
      TenantDicts::Layout layout;
      for (const auto& name : j) {
        if (!name.is_string()) return Damaged("a layout names a metric that is not a string");
        layout.names.push_back(name.get<std::string>());
      }
      if (options.metrics && (no > 0) == (options.table == WeekTable::kPersonWeek)) {
        for (const auto& name : layout.names) layout.columns.push_back(f.MetricColumn(name));
        layout.resolved = true;
      }
      dicts.layouts.emplace(no, std::move(layout));
    } else if (options.attributes) {
      if (!j.is_object()) return Damaged("an attribute set is not a JSON object");
      auto& entry = dicts.attrs[no];
      for (auto it = j.begin(); it != j.end(); ++it) {
        Categorical& column = f.attrs[it.key()];
        if (column.codes.size() < f.rows) column.codes.resize(f.rows, analysis::kMissingCode);
        entry.emplace_back(&column,
                           column.Code(it->is_string() ? it->get<std::string>() : it->dump()));
      }
    }
  }
  dict = {};
  const int32_t tenant_code = f.tenant.Code(tenant_id);
  std::unordered_map<int64_t, int32_t> week_codes;
  std::string sql = fmt::format(
      "SELECT id, attrs_no, layout_no{} FROM {} WHERE id > ? AND id < ? ORDER BY "
      "id LIMIT {}",
      options.metrics ? ", metrics" : "", TableName(options.table), kReadChunk);
  ASSIGN_OR_RETURN(auto statement, db.Prepare(sql));
  int64_t after = TenantFirstId(tenant_no) - 1;
  const int64_t end = TenantFirstId(tenant_no + 1);
  std::vector<double> values;
  std::vector<double> parsed;
  for (;;) {
    ASSIGN_OR_RETURN(auto chunk, statement->Query({after, end}));
    for (const auto& r : chunk.rows) {
      const int64_t week = WeekOf(IntOf(r[0]));
      const int64_t person_no = PersonOf(IntOf(r[0]));
      auto p = person.find(person_no);
      if (p == person.end()) return Damaged("a row names a person number that is not stored");
      auto [wc, new_week] = week_codes.try_emplace(week, 0);
      if (new_week) {
        wc->second = f.date.Code(core::FormatDate(core::Date(std::chrono::days(week))));
      }
      const size_t row = f.rows++;
      f.tenant.codes.push_back(tenant_code);
      f.person.codes.push_back(p->second.first);
      f.date.codes.push_back(wc->second);
      f.person_rank.push_back(p->second.second);
      for (auto& [name, column] : f.attrs) column.codes.push_back(analysis::kMissingCode);
      if (!r[1].is_null()) {
        auto a = dicts.attrs.find(IntOf(r[1]));
        if (a != dicts.attrs.end()) {
          for (auto& [column, code] : a->second) column->codes[row] = code;
        }
      }
      for (auto& column : f.metrics) column.push_back(kNaN);
      if (!options.metrics) continue;
      auto layout = dicts.layouts.find(IntOf(r[2]));
      if (layout == dicts.layouts.end()) return Damaged("a row names a layout that is not stored");
      if (!layout->second.resolved) {
        for (const auto& name : layout->second.names) {
          layout->second.columns.push_back(f.MetricColumn(name));
        }
        layout->second.resolved = true;
      }
      const std::vector<size_t>& columns = layout->second.columns;
      size_t n = 0;
      if (const db::Blob* blob = r[3].GetBlob()) {
        std::string_view bytes(reinterpret_cast<const char*>(blob->data()), blob->size());
        ASSIGN_OR_RETURN(size_t count, db::PackedSize(bytes));
        if (count != columns.size()) return Damaged("value count differs from its layout");
        values.resize(count);
        ASSIGN_OR_RETURN(n, db::UnpackDoubles(bytes, values));
      } else {
        ASSIGN_OR_RETURN(n, ParseArray(TextOf(r[3]), parsed));
        if (n != columns.size()) return Damaged("value count differs from its layout");
        values.swap(parsed);
      }
      for (size_t i = 0; i < n; ++i) f.metrics[columns[i]][row] = values[i];
    }
    if (chunk.rows.size() < static_cast<size_t>(kReadChunk)) break;
    after = IntOf(chunk.rows.back()[0]);
  }
  return core::OkStatus();
}

template <typename T>
void Permute(std::vector<T>& v, const std::vector<size_t>& order) {
  std::vector<T> out;
  out.reserve(v.size());
  for (size_t i : order) out.push_back(v[i]);
  v.swap(out);
}

}  // namespace

Result<analysis::Frame> LoadPersonWeeks(db::Database& db, const LoadOptions& options) {
  std::string sql = "SELECT tenant_no, tenant_id FROM wh_tenant";
  std::vector<Value> params;
  if (!options.tenant_id.empty()) {
    sql += " WHERE tenant_id = ?";
    params.emplace_back(core::ToLower(core::Trim(options.tenant_id)));
  }
  ASSIGN_OR_RETURN(auto tenants, db.Query(sql + " ORDER BY tenant_id", params));
  FrameBuild f;
  for (const auto& t : tenants.rows) {
    RETURN_IF_ERROR(LoadTenant(db, options, IntOf(t[0]), TextOf(t[1]), f));
  }
  for (auto& [name, column] : f.attrs) column.codes.resize(f.rows, analysis::kMissingCode);

  // Rows arrive by tenant, week and person number; order each week's rows by person key.
  std::vector<size_t> order(f.rows);
  std::iota(order.begin(), order.end(), 0);
  for (size_t begin = 0; begin < f.rows;) {
    size_t end = begin + 1;
    while (end < f.rows && f.tenant.codes[end] == f.tenant.codes[begin] &&
           f.date.codes[end] == f.date.codes[begin]) {
      ++end;
    }
    std::sort(order.begin() + static_cast<std::ptrdiff_t>(begin),
              order.begin() + static_cast<std::ptrdiff_t>(end),
              [&](size_t a, size_t b) { return f.person_rank[a] < f.person_rank[b]; });
    begin = end;
  }
  const bool sorted = std::is_sorted(order.begin(), order.end());

  analysis::Frame frame;
  auto add = [&](std::string name, Categorical& c) -> Status {
    if (!sorted) Permute(c.codes, order);
    return frame.AddCategorical(std::move(name), std::move(c.codes), std::move(c.levels));
  };
  RETURN_IF_ERROR(add("TenantId", f.tenant));
  RETURN_IF_ERROR(add("PersonId", f.person));
  RETURN_IF_ERROR(add("MetricDate", f.date));
  for (auto& [name, column] : f.attrs) RETURN_IF_ERROR(add(name, column));
  std::vector<size_t> by_name(f.metric_names.size());
  std::iota(by_name.begin(), by_name.end(), 0);
  std::sort(by_name.begin(), by_name.end(),
            [&](size_t a, size_t b) { return f.metric_names[a] < f.metric_names[b]; });
  for (size_t m : by_name) {
    if (!sorted) Permute(f.metrics[m], order);
    RETURN_IF_ERROR(frame.AddNumeric(f.metric_names[m], std::move(f.metrics[m])));
  }
  return frame;
}

}  // namespace vivalink::warehouse
