#include "db/schema.h"

#include <string>
#include <vector>

namespace vivalink::db {
namespace {

// Migration 1. Written once in the SQL both dialects accept; "@WITHOUT_ROWID@" becomes
// "WITHOUT ROWID" on SQLite (the table is then stored clustered on its primary key, with no
// second copy of the key in a separate index) and nothing on PostgreSQL. Keep schema.h in step.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE tenants (
  tenant_id   TEXT NOT NULL PRIMARY KEY,
  watermark   TEXT,
  updated_at  TEXT
);

CREATE TABLE drops (
  tenant_id         TEXT NOT NULL,
  run_id            TEXT NOT NULL,
  metadata_etag     TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('VivaInsights', 'AADUser')),
  copy_activity_id  TEXT,
  state             TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'processing', 'done', 'failed',
                                     'failed_upstream', 'quarantined')),
  attempts          BIGINT NOT NULL DEFAULT 0,
  last_error        TEXT,
  error_code        TEXT,
  rows              BIGINT,
  bytes             BIGINT,
  metadata_created  TEXT,
  request_start     TEXT,
  request_end       TEXT,
  discovered_at     TEXT NOT NULL,
  started_at        TEXT,
  finished_at       TEXT,
  duration_ms       BIGINT,
  PRIMARY KEY (tenant_id, run_id, metadata_etag, kind)
);
CREATE INDEX drops_by_state ON drops (tenant_id, state, metadata_created);

CREATE TABLE person_week (
  tenant_id    TEXT NOT NULL,
  person_key   TEXT NOT NULL,
  metric_date  TEXT NOT NULL,
  run_id       TEXT NOT NULL,
  attrs        TEXT,
  PRIMARY KEY (tenant_id, person_key, metric_date)
);

CREATE TABLE person_week_metric (
  tenant_id    TEXT NOT NULL,
  person_key   TEXT NOT NULL,
  metric_date  TEXT NOT NULL,
  metric       TEXT NOT NULL,
  value        DOUBLE PRECISION,
  PRIMARY KEY (tenant_id, person_key, metric_date, metric)
) @WITHOUT_ROWID@;

CREATE TABLE partner_rows (
  tenant_id    TEXT NOT NULL,
  source       TEXT NOT NULL,
  person_ref   TEXT NOT NULL,
  metric_date  TEXT NOT NULL,
  data         TEXT NOT NULL,
  loaded_at    TEXT NOT NULL,
  PRIMARY KEY (tenant_id, source, person_ref, metric_date)
);

CREATE TABLE identity_map (
  tenant_id    TEXT NOT NULL,
  source       TEXT NOT NULL,
  person_ref   TEXT NOT NULL,
  person_key   TEXT NOT NULL,
  matched_by   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (tenant_id, source, person_ref)
);

CREATE TABLE analysis_results (
  tenant_id    TEXT NOT NULL,
  analysis     TEXT NOT NULL,
  run_at       TEXT NOT NULL,
  params       TEXT,
  result       TEXT NOT NULL,
  PRIMARY KEY (tenant_id, analysis, run_at)
);
)sql";

// Migration 2 (ingest): when a done drop's encrypted blobs were deleted (retention), and the
// identity table of the user export (AADUser drops). Keep schema.h in step.
constexpr std::string_view kIngestIdentity = R"sql(
ALTER TABLE drops ADD COLUMN cleaned_at TEXT;

CREATE TABLE person_identity (
  tenant_id    TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('object_id', 'mail', 'upn', 'proxy_address')),
  value_hash   TEXT NOT NULL,
  person_key   TEXT NOT NULL,
  run_id       TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (tenant_id, kind, value_hash)
);
CREATE INDEX person_identity_by_person ON person_identity (tenant_id, person_key);
)sql";

// Migration 3 (join): partner data stored per tenant and source (`vivalink partner load`). The
// partner_rows and identity_map of migration 1 were never written by any release; they are
// replaced by tables keyed by the resolved person (partner_rows) and by a hash of the partner's
// key (identity_map), so that no partner identifier is stored in plaintext. Keep schema.h in step.
constexpr std::string_view kJoinPartnerData = R"sql(
DROP TABLE partner_rows;
DROP TABLE identity_map;

CREATE TABLE partner_source (
  tenant_id           TEXT NOT NULL,
  source              TEXT NOT NULL,
  file_name           TEXT NOT NULL,
  file_sha256         TEXT NOT NULL,
  key_column          TEXT NOT NULL,
  key_type            TEXT NOT NULL CHECK (key_type IN ('email', 'object_id')),
  date_column         TEXT,
  value_columns       TEXT NOT NULL,
  rows_read           BIGINT NOT NULL,
  rows_refused        BIGINT NOT NULL,
  duplicates_dropped  BIGINT NOT NULL,
  rows_merged         BIGINT NOT NULL,
  entries             BIGINT NOT NULL,
  partner_persons     BIGINT NOT NULL,
  resolved_persons    BIGINT NOT NULL,
  matched_persons     BIGINT NOT NULL,
  match_rate          DOUBLE PRECISION,
  report              TEXT NOT NULL,
  loaded_at           TEXT NOT NULL,
  PRIMARY KEY (tenant_id, source)
);

CREATE TABLE partner_rows (
  tenant_id    TEXT NOT NULL,
  source       TEXT NOT NULL,
  person_key   TEXT NOT NULL,
  metric_date  TEXT NOT NULL,
  data         TEXT NOT NULL,
  PRIMARY KEY (tenant_id, source, person_key, metric_date)
);

CREATE TABLE identity_map (
  tenant_id    TEXT NOT NULL,
  source       TEXT NOT NULL,
  person_ref   TEXT NOT NULL,
  person_key   TEXT,
  matched_by   TEXT NOT NULL
               CHECK (matched_by IN ('object_id', 'mail', 'upn', 'proxy_address', 'unknown',
                                     'ambiguous')),
  PRIMARY KEY (tenant_id, source, person_ref)
);
)sql";

// Migration 4 (warehouse): person-weeks as one packed metric vector a row, keyed by small
// per-tenant numbers, replacing the long format of migration 1 (schema.h has the reasons and
// the measurements). Existing rows are converted in place; person_week and person_week_metric
// become views with the columns they had. The script is the parts below in order; the @TOKENS@
// differ per dialect (WarehouseMigration): SQLite decodes vectors with vivalink_metric() and
// vivalink_pack(), registered on every connection vivalink opens; PostgreSQL stores float8[].
// Keep schema.h in step.
constexpr std::string_view kWarehouseTables = R"sql(
CREATE TABLE wh_tenant (
  tenant_no       @TENANT_NO@,
  tenant_id       TEXT NOT NULL UNIQUE,
  next_person_no  BIGINT NOT NULL DEFAULT 1
);
CREATE TABLE wh_person (
  tenant_no   BIGINT NOT NULL,
  person_key  TEXT NOT NULL,
  person_no   BIGINT NOT NULL,
  PRIMARY KEY (tenant_no, person_key)
) @WITHOUT_ROWID@;
CREATE TABLE wh_dict (
  tenant_no  BIGINT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('run', 'attrs', 'layout')),
  dict_no    BIGINT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (tenant_no, kind, dict_no)
) @WITHOUT_ROWID@;
CREATE UNIQUE INDEX wh_dict_by_value ON wh_dict (tenant_no, kind, @DICT_VALUE_KEY@);
CREATE TABLE person_week_packed (
  id         @ID@,
  run_no     BIGINT NOT NULL,
  attrs_no   BIGINT,
  layout_no  BIGINT NOT NULL,
  metrics    @METRICS@
);

INSERT INTO wh_tenant (tenant_id) SELECT DISTINCT tenant_id FROM person_week ORDER BY tenant_id;
INSERT INTO wh_person (tenant_no, person_key, person_no)
  SELECT t.tenant_no, p.person_key,
         ROW_NUMBER() OVER (PARTITION BY t.tenant_no ORDER BY p.person_key)
  FROM (SELECT DISTINCT tenant_id, person_key FROM person_week) p
  JOIN wh_tenant t ON t.tenant_id = p.tenant_id;
UPDATE wh_tenant SET next_person_no = 1 + (SELECT COALESCE(MAX(person_no), 0) FROM wh_person
                                           WHERE wh_person.tenant_no = wh_tenant.tenant_no);
INSERT INTO wh_dict (tenant_no, kind, dict_no, value)
  SELECT t.tenant_no, 'run', ROW_NUMBER() OVER (PARTITION BY t.tenant_no ORDER BY r.run_id),
         r.run_id
  FROM (SELECT DISTINCT tenant_id, run_id FROM person_week) r
  JOIN wh_tenant t ON t.tenant_id = r.tenant_id;
INSERT INTO wh_dict (tenant_no, kind, dict_no, value)
  SELECT t.tenant_no, 'attrs', ROW_NUMBER() OVER (PARTITION BY t.tenant_no ORDER BY a.attrs),
         a.attrs
  FROM (SELECT DISTINCT tenant_id, attrs FROM person_week WHERE attrs IS NOT NULL) a
  JOIN wh_tenant t ON t.tenant_id = a.tenant_id;
)sql";

// The vectors of the long format, per dialect: one layout a tenant (its metric names), the
// index of each name in it (wh_migrate_index), then one packed row a person-week.
constexpr std::string_view kWarehouseVectorsSqlite = R"sql(
INSERT INTO wh_dict (tenant_no, kind, dict_no, value)
  SELECT t.tenant_no, 'layout', 1, json_group_array(m.metric)
  FROM (SELECT DISTINCT tenant_id, metric FROM person_week_metric) m
  JOIN wh_tenant t ON t.tenant_id = m.tenant_id
  GROUP BY t.tenant_no;
INSERT INTO wh_dict (tenant_no, kind, dict_no, value)
  SELECT tenant_no, 'layout', 1, '[]' FROM wh_tenant
  WHERE tenant_no NOT IN (SELECT tenant_no FROM wh_dict WHERE kind = 'layout');
CREATE TABLE wh_migrate_index AS
  SELECT l.tenant_no AS tenant_no, j.value AS metric, j.key AS i,
         json_array_length(l.value) AS n
  FROM wh_dict l, json_each(l.value) j WHERE l.kind = 'layout';
INSERT INTO person_week_packed (id, run_no, attrs_no, layout_no, metrics)
  SELECT (t.tenant_no << 47) | ((CAST(strftime('%s', w.metric_date) AS INTEGER) / 86400) << 27)
           | p.person_no,
         r.dict_no, a.dict_no, 1,
         COALESCE(
           (SELECT vivalink_pack(x.i, m.value, x.n) FROM person_week_metric m
            JOIN wh_migrate_index x ON x.tenant_no = t.tenant_no AND x.metric = m.metric
            WHERE m.tenant_id = w.tenant_id AND m.person_key = w.person_key
              AND m.metric_date = w.metric_date),
           (SELECT vivalink_pack(-1, NULL, json_array_length(l.value)) FROM wh_dict l
            WHERE l.tenant_no = t.tenant_no AND l.kind = 'layout' AND l.dict_no = 1))
  @FROM_OLD_ROWS@;
)sql";

constexpr std::string_view kWarehouseVectorsPostgres = R"sql(
INSERT INTO wh_dict (tenant_no, kind, dict_no, value)
  SELECT t.tenant_no, 'layout', 1,
         COALESCE((SELECT json_agg(m.metric ORDER BY m.metric)::text
                   FROM (SELECT DISTINCT metric FROM person_week_metric
                         WHERE tenant_id = t.tenant_id) m), '[]')
  FROM wh_tenant t;
CREATE TABLE wh_migrate_index AS
  SELECT l.tenant_no AS tenant_no, j.metric AS metric, j.i AS i
  FROM wh_dict l, json_array_elements_text(l.value::json) WITH ORDINALITY AS j(metric, i)
  WHERE l.kind = 'layout';
INSERT INTO person_week_packed (id, run_no, attrs_no, layout_no, metrics)
  SELECT (t.tenant_no << 47) | (CAST(CAST(w.metric_date AS DATE) - DATE '1970-01-01' AS BIGINT) << 27)
           | p.person_no,
         r.dict_no, a.dict_no, 1,
         COALESCE((SELECT array_agg(m.value ORDER BY x.i) FROM wh_migrate_index x
                   LEFT JOIN person_week_metric m ON m.tenant_id = w.tenant_id
                        AND m.person_key = w.person_key AND m.metric_date = w.metric_date
                        AND m.metric = x.metric
                   WHERE x.tenant_no = t.tenant_no), '{}')
  @FROM_OLD_ROWS@;
)sql";

// The old rows with their new numbers (the FROM of both packed inserts above).
constexpr std::string_view kWarehouseFromOldRows = R"sql(FROM person_week w
  JOIN wh_tenant t ON t.tenant_id = w.tenant_id
  JOIN wh_person p ON p.tenant_no = t.tenant_no AND p.person_key = w.person_key
  JOIN wh_dict r ON r.tenant_no = t.tenant_no AND r.kind = 'run' AND r.value = w.run_id
  LEFT JOIN wh_dict a ON a.tenant_no = t.tenant_no AND a.kind = 'attrs' AND a.value = w.attrs)sql";

// The old tables go; views with their columns take their names. @METRIC_DATE@ is the week as
// "YYYY-MM-DD"; @EACH_METRIC@ joins the names of the row's layout (j), @METRIC_NAME@ and
// @METRIC_VALUE@ are one name and its value.
constexpr std::string_view kWarehouseViews = R"sql(
DROP TABLE wh_migrate_index;
DROP TABLE person_week_metric;
DROP TABLE person_week;

CREATE VIEW person_week AS
  SELECT t.tenant_id AS tenant_id, p.person_key AS person_key,
         @METRIC_DATE@ AS metric_date, r.value AS run_id, a.value AS attrs
  FROM person_week_packed w
  JOIN wh_tenant t ON t.tenant_no = (w.id >> 47)
  JOIN wh_person p ON p.tenant_no = (w.id >> 47) AND p.person_no = (w.id & 134217727)
  JOIN wh_dict r ON r.tenant_no = (w.id >> 47) AND r.kind = 'run' AND r.dict_no = w.run_no
  LEFT JOIN wh_dict a ON a.tenant_no = (w.id >> 47) AND a.kind = 'attrs' AND a.dict_no = w.attrs_no;
CREATE VIEW person_week_metric AS
  SELECT t.tenant_id AS tenant_id, p.person_key AS person_key,
         @METRIC_DATE@ AS metric_date, @METRIC_NAME@ AS metric, @METRIC_VALUE@ AS value
  FROM person_week_packed w
  JOIN wh_tenant t ON t.tenant_no = (w.id >> 47)
  JOIN wh_person p ON p.tenant_no = (w.id >> 47) AND p.person_no = (w.id & 134217727)
  JOIN wh_dict l ON l.tenant_no = (w.id >> 47) AND l.kind = 'layout' AND l.dict_no = w.layout_no
  @EACH_METRIC@;
)sql";

// Migration 5 (ingest reliability, issue 10): the blob path's own spelling of the tenant, claims
// with an owner and a lease, per-drop backoff after transient failures, failures counted by kind,
// and the parts (name and ETag) of the imported version for cleanup. Keep schema.h in step.
constexpr std::string_view kIngestClaims = R"sql(
ALTER TABLE drops ADD COLUMN tenant_path TEXT;
ALTER TABLE drops ADD COLUMN claim_owner TEXT;
ALTER TABLE drops ADD COLUMN lease_expires_at TEXT;
ALTER TABLE drops ADD COLUMN next_attempt_at TEXT;
ALTER TABLE drops ADD COLUMN permanent_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE drops ADD COLUMN transient_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE drops ADD COLUMN imported_parts TEXT;
)sql";

// Migration 7 (offboarding, issue 13): the audit of erasures (`vivalink offboard` / `forget`).
// Counts only, never an identity. Keep schema.h in step.
constexpr std::string_view kErasureAudit = R"sql(
CREATE TABLE erasure_audit (
  tenant_id     TEXT NOT NULL,
  erasure_id    TEXT NOT NULL,
  action        TEXT NOT NULL CHECK (action IN ('offboard', 'forget')),
  requested_at  TEXT NOT NULL,
  committed_at  TEXT NOT NULL,
  completed_at  TEXT,
  row_counts    TEXT NOT NULL,
  rows_total    BIGINT NOT NULL,
  blobs         BIGINT NOT NULL DEFAULT 0,
  key_files     BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, erasure_id)
);
)sql";

// Migration 8 (ingest of Outlook calendars, issue 12): the ledger takes the calendar drop kinds
// (CalendarView_v0 under {RunId}/CalendarView/, Event_v1 under {RunId}/Event/), and the weekly
// meeting metrics derived from them get their own packed table beside person_week_packed (same
// id scheme, dictionaries and codec; schema.h says why not the same table), with the views
// meeting_week and meeting_week_metric. SQLite cannot change a CHECK constraint in place, so
// drops is rebuilt with the same columns (migrations 1, 2 and 5) and its index. Keep schema.h in
// step.
constexpr std::string_view kCalendarKindsSqlite = R"sql(
CREATE TABLE drops_v8 (
  tenant_id           TEXT NOT NULL,
  run_id              TEXT NOT NULL,
  metadata_etag       TEXT NOT NULL,
  kind                TEXT NOT NULL
                      CHECK (kind IN ('VivaInsights', 'AADUser', 'CalendarView', 'Event')),
  copy_activity_id    TEXT,
  state               TEXT NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'processing', 'done', 'failed',
                                       'failed_upstream', 'quarantined')),
  attempts            BIGINT NOT NULL DEFAULT 0,
  last_error          TEXT,
  error_code          TEXT,
  rows                BIGINT,
  bytes               BIGINT,
  metadata_created    TEXT,
  request_start       TEXT,
  request_end         TEXT,
  discovered_at       TEXT NOT NULL,
  started_at          TEXT,
  finished_at         TEXT,
  duration_ms         BIGINT,
  cleaned_at          TEXT,
  tenant_path         TEXT,
  claim_owner         TEXT,
  lease_expires_at    TEXT,
  next_attempt_at     TEXT,
  permanent_failures  BIGINT NOT NULL DEFAULT 0,
  transient_failures  BIGINT NOT NULL DEFAULT 0,
  imported_parts      TEXT,
  PRIMARY KEY (tenant_id, run_id, metadata_etag, kind)
);
INSERT INTO drops_v8 (tenant_id, run_id, metadata_etag, kind, copy_activity_id, state, attempts,
    last_error, error_code, rows, bytes, metadata_created, request_start, request_end,
    discovered_at, started_at, finished_at, duration_ms, cleaned_at, tenant_path, claim_owner,
    lease_expires_at, next_attempt_at, permanent_failures, transient_failures, imported_parts)
  SELECT tenant_id, run_id, metadata_etag, kind, copy_activity_id, state, attempts, last_error,
    error_code, rows, bytes, metadata_created, request_start, request_end, discovered_at,
    started_at, finished_at, duration_ms, cleaned_at, tenant_path, claim_owner, lease_expires_at,
    next_attempt_at, permanent_failures, transient_failures, imported_parts
  FROM drops;
DROP TABLE drops;
ALTER TABLE drops_v8 RENAME TO drops;
CREATE INDEX drops_by_state ON drops (tenant_id, state, metadata_created);
)sql";

constexpr std::string_view kCalendarKindsPostgres = R"sql(
ALTER TABLE drops DROP CONSTRAINT drops_kind_check;
ALTER TABLE drops ADD CONSTRAINT drops_kind_check
  CHECK (kind IN ('VivaInsights', 'AADUser', 'CalendarView', 'Event'));
)sql";

constexpr std::string_view kMeetingWeeks = R"sql(
CREATE TABLE meeting_week_packed (
  id         @ID@,
  run_no     BIGINT NOT NULL,
  attrs_no   BIGINT,
  layout_no  BIGINT NOT NULL,
  metrics    @METRICS@
);
CREATE VIEW meeting_week AS
  SELECT t.tenant_id AS tenant_id, p.person_key AS person_key,
         @METRIC_DATE@ AS metric_date, r.value AS run_id
  FROM meeting_week_packed w
  JOIN wh_tenant t ON t.tenant_no = (w.id >> 47)
  JOIN wh_person p ON p.tenant_no = (w.id >> 47) AND p.person_no = (w.id & 134217727)
  JOIN wh_dict r ON r.tenant_no = (w.id >> 47) AND r.kind = 'run' AND r.dict_no = w.run_no;
CREATE VIEW meeting_week_metric AS
  SELECT t.tenant_id AS tenant_id, p.person_key AS person_key,
         @METRIC_DATE@ AS metric_date, @METRIC_NAME@ AS metric, @METRIC_VALUE@ AS value
  FROM meeting_week_packed w
  JOIN wh_tenant t ON t.tenant_no = (w.id >> 47)
  JOIN wh_person p ON p.tenant_no = (w.id >> 47) AND p.person_no = (w.id & 134217727)
  JOIN wh_dict l ON l.tenant_no = (w.id >> 47) AND l.kind = 'layout' AND l.dict_no = w.layout_no
  @EACH_METRIC@;
)sql";

std::string Substitute(std::string_view sql, std::string_view token, std::string_view with) {
  std::string out(sql);
  for (std::size_t at; (at = out.find(token)) != std::string::npos;) {
    out.replace(at, token.size(), with);
  }
  return out;
}

// Replaces the warehouse's per-dialect @TOKENS@ (migrations 4 and 8).
std::string WarehouseTokens(std::string sql, Dialect dialect) {
  const bool sqlite = dialect == Dialect::kSqlite;
  const std::pair<std::string_view, std::string_view> tokens[] = {
      {"@TENANT_NO@",
       sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
      {"@WITHOUT_ROWID@", sqlite ? "WITHOUT ROWID" : ""},
      // PostgreSQL's btree entries are limited to ~2.7 KB; attribute sets may be longer.
      {"@DICT_VALUE_KEY@", sqlite ? "value" : "md5(value)"},
      {"@ID@", sqlite ? "INTEGER PRIMARY KEY" : "BIGINT PRIMARY KEY"},
      {"@METRICS@", sqlite ? "BLOB NOT NULL" : "DOUBLE PRECISION[] NOT NULL"},
      {"@FROM_OLD_ROWS@", kWarehouseFromOldRows},
      {"@METRIC_DATE@",
       sqlite ? "date(((w.id >> 27) & 1048575) * 86400, 'unixepoch')"
              : "to_char(DATE '1970-01-01' + CAST(((w.id >> 27) & 1048575) AS INTEGER), "
                "'YYYY-MM-DD')"},
      {"@EACH_METRIC@", sqlite ? ", json_each(l.value) j"
                               : "CROSS JOIN LATERAL json_array_elements_text(l.value::json) WITH "
                                 "ORDINALITY AS j(metric, i)"},
      {"@METRIC_NAME@", sqlite ? "j.value" : "j.metric"},
      {"@METRIC_VALUE@", sqlite ? "vivalink_metric(w.metrics, j.key)" : "w.metrics[j.i]"},
  };
  for (const auto& [token, with] : tokens) sql = Substitute(sql, token, with);
  return sql;
}

// Migration 4's script for one dialect, from the parts above.
std::string WarehouseMigration(Dialect dialect) {
  const bool sqlite = dialect == Dialect::kSqlite;
  return WarehouseTokens(
      std::string(kWarehouseTables) +
          std::string(sqlite ? kWarehouseVectorsSqlite : kWarehouseVectorsPostgres) +
          std::string(kWarehouseViews),
      dialect);
}

// Migration 8's script for one dialect: the drop kinds in the ledger, then the meeting-week
// table with the warehouse's tokens.
std::string MeetingWeekMigration(Dialect dialect) {
  const bool sqlite = dialect == Dialect::kSqlite;
  return std::string(sqlite ? kCalendarKindsSqlite : kCalendarKindsPostgres) +
         WarehouseTokens(std::string(kMeetingWeeks), dialect);
}

std::vector<Migration> MakeMigrations() {
  std::vector<Migration> m;
  m.push_back({.version = 1,
               .name = "initial schema",
               .sqlite_sql = Substitute(kInitialSchema, "@WITHOUT_ROWID@", "WITHOUT ROWID"),
               .postgres_sql = Substitute(kInitialSchema, "@WITHOUT_ROWID@", "")});
  m.push_back({.version = 2,
               .name = "ingest: drop cleanup time, user export identities",
               .sqlite_sql = std::string(kIngestIdentity),
               .postgres_sql = ""});
  m.push_back({.version = 3,
               .name = "join: partner data per tenant and source",
               .sqlite_sql = std::string(kJoinPartnerData),
               .postgres_sql = ""});
  m.push_back({.version = 4,
               .name = "warehouse: person-weeks as packed metric vectors",
               .sqlite_sql = WarehouseMigration(Dialect::kSqlite),
               .postgres_sql = WarehouseMigration(Dialect::kPostgres)});
  m.push_back({.version = 5,
               .name = "ingest: claims with owner and lease, backoff, failure kinds, tenant path",
               .sqlite_sql = std::string(kIngestClaims),
               .postgres_sql = ""});
  m.push_back({.version = 7,
               .name = "offboard: erasure audit",
               .sqlite_sql = std::string(kErasureAudit),
               .postgres_sql = ""});
  m.push_back({.version = 8,
               .name = "ingest: calendar drops, meeting-week metrics",
               .sqlite_sql = MeetingWeekMigration(Dialect::kSqlite),
               .postgres_sql = MeetingWeekMigration(Dialect::kPostgres)});
  // Migration 9, 10, ...: append here; never edit a released migration.
  return m;
}

}  // namespace

std::span<const Migration> ProductMigrations() {
  static const std::vector<Migration> migrations = MakeMigrations();
  return migrations;
}

Result<int> MigrateToLatest(Database& db) { return Migrate(db, ProductMigrations()); }

Result<std::unique_ptr<Database>> OpenMigrated(std::string_view url) {
  ASSIGN_OR_RETURN(auto db, Database::Open(url, {}));
  RETURN_IF_ERROR(MigrateToLatest(*db).status());
  return db;
}

}  // namespace vivalink::db
