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

std::string Substitute(std::string_view sql, std::string_view token, std::string_view with) {
  std::string out(sql);
  for (std::size_t at; (at = out.find(token)) != std::string::npos;) {
    out.replace(at, token.size(), with);
  }
  return out;
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
  m.push_back({.version = 5,
               .name = "ingest: claims with owner and lease, backoff, failure kinds, tenant path",
               .sqlite_sql = std::string(kIngestClaims),
               .postgres_sql = ""});
  // Migration 6, 7, ...: append here; never edit a released migration.
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
