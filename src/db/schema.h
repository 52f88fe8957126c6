// The product schema of vivalink's database, as migrations (see migrate.h). Docs are written from
// this file: keep the table descriptions here in step with the SQL in schema.cc.
//
// Conventions
//   - Every table is keyed by tenant_id first (PROTOCOL §8.4 tenant isolation: every query of
//     tenant data filters on it, and every primary key starts with it).
//   - Times are TEXT in ISO 8601 UTC ("2026-01-16T00:00:00Z", core::FormatIso8601); dates are
//     "YYYY-MM-DD". Text sorts like time, and both dialects store it the same way.
//   - Counters are BIGINT (INTEGER in SQLite is 64-bit anyway; in PostgreSQL it is 32-bit).
//   - JSON documents are TEXT (portable; PostgreSQL callers may cast to jsonb in queries).
//   - No plaintext identities: person_key is the opaque, per-tenant stable key that ingestion
//     derives for a person (never an e-mail address or name). Decrypted rows are stored only as
//     the metrics below (PROTOCOL §8.2).
//
// Migration 1 ("initial schema") creates:
//
// tenants — one row per customer tenant seen.
//   tenant_id TEXT PK       Entra ID tenant id (lower-case GUID)
//   watermark TEXT          creation time of the newest drop processed with no unfinished older
//                           drop before it (PROTOCOL §7); NULL before the first drop
//   updated_at TEXT         when watermark last changed
//
// drops — the ingestion ledger: one row per drop version (PROTOCOL §7, §8.1).
//   PK (tenant_id, run_id, metadata_etag, kind)
//   copy_activity_id TEXT   CopyActivityId of metadata.json (the key request id)
//   kind TEXT               'VivaInsights' | 'AADUser'
//   state TEXT              'pending' | 'processing' | 'done' | 'failed' | 'failed_upstream'
//                           (metadata Errors set) | 'quarantined' (max_attempts reached)
//   attempts BIGINT         processing attempts so far
//   last_error TEXT         the last failure's message (never data values)
//   error_code TEXT         its core::StatusCodeName ("DataLoss", ...)
//   rows, bytes BIGINT      rows imported, encrypted bytes read
//   metadata_created TEXT   creation time of metadata.json (orders drops for the watermark)
//   request_start, request_end TEXT   RequestStartDate / RequestEndDate of metadata.json
//   discovered_at, started_at, finished_at TEXT; duration_ms BIGINT
//   index drops_by_state (tenant_id, state, metadata_created): pending work and the watermark.
//
// person_week — one row per person and week of Viva Insights metrics.
//   PK (tenant_id, person_key, metric_date)
//   metric_date TEXT        the week's MetricDate, "YYYY-MM-DD"
//   run_id TEXT             the drop that delivered the current values (a newer drop for the same
//                           week replaces the row and its metrics, in its ledger transaction)
//   attrs TEXT              JSON object of the string HR attributes (Organization, FunctionType,
//                           LevelDesignation, ...), NULL when none
//
// person_week_metric — the numeric metrics of person_week, long format: one row per value.
//   PK (tenant_id, person_key, metric_date, metric); SQLite: WITHOUT ROWID (clustered on the key)
//   metric TEXT             canonical (analyst, underscore) column name, e.g. Collaboration_hours
//   value DOUBLE PRECISION  NULL when the drop had the column but no value for this person
//   Writers delete a person-week's metrics together with its person_week row (no foreign key:
//   per-row FK checks would slow the bulk load, and both are written by the same transaction).
//
// Why long format rather than a wide table with one column per metric (added by ALTER TABLE as
// new metrics appear)? Column sets differ between v0/v1/CSV shapes, tenants and Viva Insights
// versions; a wide table would need DDL driven by untrusted input at ingestion time, hits
// PostgreSQL's 63-byte identifier limit (canonical names derived from display names are longer,
// and would collide when truncated) and its 1600-column limit when a shared table collects every
// tenant's metrics, and cannot be described by versioned migrations. Long format takes any column
// set with a fixed schema, and analyses select metrics by name in SQL. The costs, measured with
// 1,000,000 values (10,000 persons x 100 metrics, one week; Release build, 2 shared cores under
// load, fsync on): loading takes 3.5 s on SQLite (~285,000 rows/s) and 8.4 s with PostgreSQL COPY
// (~120,000 rows/s), which is small next to a weekly cadence; size is ~134 bytes a value in SQLite
// and ~390 bytes a value in PostgreSQL (heap + primary key index), i.e. 0.13 / 0.39 GB per such
// week. If long-term retention makes size the constraint, a later migration can intern
// (tenant_id, person_key, metric_date) and metric names into integer ids (about 20 bytes a
// value) without changing the long shape. Note PROTOCOL §8.2: only what the partner configured is
// stored; ingestion decides whether these two tables are filled or only the analysis results.
//
// partner_rows — (replaced by migration 3) the partner's own data, one row per person and week.
//   PK (tenant_id, source, person_ref, metric_date)
//   source TEXT             partner dataset name (e.g. "crm")
//   person_ref TEXT         how the partner identifies the person (object id, e-mail or UPN as the
//                           partner gave it; resolved to person_key through identity_map)
//   data TEXT               JSON object: column -> value
//   loaded_at TEXT
//
// identity_map — (replaced by migration 3) how partner references were matched to persons.
//   PK (tenant_id, source, person_ref)
//   person_key TEXT         the matched person
//   matched_by TEXT         'object_id' | 'mail' | 'upn' | 'proxy_address' | ...
//   updated_at TEXT
//
// analysis_results — results of analyses, as configured by the partner.
//   PK (tenant_id, analysis, run_at)
//   analysis TEXT           analysis name (e.g. "drivers")
//   run_at TEXT             when it ran
//   params TEXT             JSON of the analysis parameters
//   result TEXT             JSON of the result
//
// Migration 2 ("ingest: drop cleanup time, user export identities") adds:
//
// drops.cleaned_at TEXT     when the drop's encrypted blobs were deleted (NULL: still in storage,
//                           e.g. kept for retention_days, or not yet cleaned after a crash)
//
// person_identity — the user export (AADUser drops) reduced to what joins need: which person_key
//   a partner's object id, e-mail, UPN or proxy address belongs to. No plaintext: value_hash is
//   identity::IdentityHash() of the normalised value (lower-case, trimmed; "smtp:" removed from
//   proxy addresses): hex SHA-256, or hex HMAC-SHA256 with the tenant's pseudonym key when
//   pseudonymisation is configured.
//   PK (tenant_id, kind, value_hash); index person_identity_by_person (tenant_id, person_key)
//   kind TEXT               'object_id' | 'mail' | 'upn' | 'proxy_address'
//   person_key TEXT         the person (as in person_week)
//   run_id TEXT             the AADUser drop that delivered it (a newer export overwrites)
//   updated_at TEXT
//
// Migration 3 ("join: partner data per tenant and source") replaces partner_rows and identity_map
// of migration 1 (never written by a release) and adds partner_source. Written by
// `vivalink partner load` (join/stored.h): one load of a source replaces the previous load of the
// same (tenant, source) in one transaction. No partner identifier is stored in plaintext.
//
// partner_source — one row per tenant and partner dataset: what was loaded and how it matched.
//   PK (tenant_id, source)
//   source TEXT             dataset name (e.g. "crm"; default: the file name without extension)
//   file_name TEXT          the file as given to the load; file_sha256 TEXT its SHA-256 (hex)
//   key_column TEXT         the partner's key column; key_type TEXT 'email' | 'object_id'
//   date_column TEXT        the date column (weekly/daily data, aligned to Viva weeks); NULL for
//                           static data (one value per person, broadcast to every week)
//   value_columns TEXT      JSON array [{"name","kind":"numeric"|"categorical","aggregation"}]
//   rows_read, rows_refused (no key, unknown or ambiguous key), duplicates_dropped (exact
//   duplicate rows), rows_merged (rows combined into an existing person-week), entries (rows
//   stored in partner_rows) BIGINT
//   partner_persons BIGINT  distinct partner persons: resolved persons + refused distinct keys
//   resolved_persons BIGINT persons whose key resolved through the user export (person_identity)
//   matched_persons BIGINT  resolved persons with at least one person-week in person_week at load
//   match_rate DOUBLE       matched_persons / partner_persons; NULL without partner persons
//   report TEXT             JSON of the load and match counts (join::PartnerLoadSummary::ToJson)
//   loaded_at TEXT          when the load committed
//
// partner_rows — the partner's data aligned to Viva Insights weeks, per resolved person.
//   PK (tenant_id, source, person_key, metric_date)
//   person_key TEXT         the person, as in person_week (resolved through person_identity)
//   metric_date TEXT        start (Sunday) of the Viva week, "YYYY-MM-DD"; "" for static data
//   data TEXT               JSON object column -> number or text; missing values are left out
//
// identity_map — how each distinct partner key was matched (for audits, and for counting the
//   distinct refused keys over several sources).
//   PK (tenant_id, source, person_ref)
//   person_ref TEXT         identity::IdentityHash of the partner's key ('mail' normalisation for
//                           e-mails, 'object_id' for object ids; keyed by the tenant's pseudonym
//                           key when pseudonymisation is configured) — never the key itself
//   person_key TEXT         the matched person; NULL for a refused key
//   matched_by TEXT         'object_id' | 'mail' | 'upn' | 'proxy_address' (the first of these
//                           that holds the address), or 'unknown' (no such address in the user
//                           export) | 'ambiguous' (two or more persons hold it): refused
//
// Migration 5 ("ingest: claims with owner and lease, backoff, failure kinds, tenant path") adds to
// drops (issue 10; ingest/ledger.h has the rules):
//   tenant_path TEXT          the TenantId as the blob path spells it, when it differs from the
//                             lower-case tenant_id (paths are rebuilt from it: storage is
//                             case-sensitive); NULL when equal
//   claim_owner TEXT          "<host>/<pid>/<nonce>" of the process holding the claim (processing)
//   lease_expires_at TEXT     until when the claim holds; after it another process may take over
//   next_attempt_at TEXT      a failed drop is not claimed before this time (exponential backoff
//                             with jitter after transient failures); NULL: at once
//   permanent_failures BIGINT failures that count toward quarantine (bad data, wrong key, an
//                             interrupted import); transient_failures BIGINT those that do not
//                             (network, 429, 5xx, locks) and set the backoff
//   imported_parts TEXT       JSON [{"name","etag"}] of the blobs of the imported version: cleanup
//                             deletes exactly these, each with If-Match on its ETag
// Migration 4 ("warehouse: person-weeks as packed metric vectors") replaces person_week and
// person_week_metric by the tables below, converts their rows in place, and re-creates the two
// names as VIEWS with the columns they had (for ad-hoc SQL and reports written against them).
// Owner: src/warehouse (the only module that reads or writes these tables).
//
// wh_tenant — a small number per tenant. tenant_no PK (SQLite INTEGER PRIMARY KEY, PostgreSQL
//   identity), tenant_id TEXT UNIQUE (lower-case), next_person_no BIGINT (the next person number
//   to hand out; PostgreSQL writers lock this row, so a tenant's writers take turns).
// wh_person — PK (tenant_no, person_key); person_no BIGINT, dense per tenant from 1.
//   SQLite: WITHOUT ROWID. person_key as in person_identity / partner_rows.
// wh_dict — per-tenant dictionaries: PK (tenant_no, kind, dict_no), unique (tenant_no, kind,
//   value) (PostgreSQL: on md5(value)). kind 'run' (a run id), 'attrs' (a JSON object of HR
//   attributes, as person_week.attrs was), 'layout' (a JSON array: the metric names of a vector,
//   in order).
// person_week_packed — one row per tenant, week and person.
//   id BIGINT PK            tenant_no << 47 | week << 27 | person_no (week: the MetricDate as days
//                           since 1970-01-01, 20 bits; person_no 27 bits; tenant_no 16 bits), so
//                           that a tenant's rows, and a week's rows of a tenant, are one id range.
//                           SQLite: the rowid itself (INTEGER PRIMARY KEY): rows are appended in
//                           id order and SQLite fills pages whole on append; a WITHOUT ROWID table
//                           keyed by (tenant_no, week, person_no) left 11% of every page empty (its
//                           index b-tree splits pages instead) and stored the key twice.
//   run_no, attrs_no (NULL: none), layout_no BIGINT   wh_dict numbers
//   metrics                 SQLite: BLOB, db/packed_vector.h; PostgreSQL: DOUBLE PRECISION[]
//                           (NULL elements for missing values), written with COPY into a temporary
//                           stage and merged with one INSERT ... ON CONFLICT per batch.
// Views: person_week (tenant_id, person_key, metric_date, run_id, attrs) and person_week_metric
//   (tenant_id, person_key, metric_date, metric, value). On SQLite person_week_metric decodes with
//   vivalink_metric(blob, i), registered on every connection vivalink opens (not in the sqlite3
//   shell); on PostgreSQL it is plain SQL (metrics[i]).
//
// Why (measured on one week of a 100,000-person vivasim tenant: 97,949 person-weeks x 69 metrics
// in the issue, 97,948 in bench/ingest.sh; docs/BENCHMARKS.md has the runs): the long format of
// migration 1 took 1,076 MB (11 KB a person-week, 159 B a value: every value repeated the tenant
// id, person key, date and metric name, twice with the primary key) and 26.8 s to import, against
// 47 MB (480 B a person-week) for DuckDB. The vector of one person-week is what every reader wants
// (the analyses load whole person-weeks) and what every writer has (one row of the drop), so it is
// the unit of storage. Alternatives considered:
//   - wide tables (a column per metric): DDL from untrusted input, PostgreSQL's 63-byte names and
//     1,600-column limit, and shapes/versions with different column sets (why migration 1 chose
//     long format); the layout dictionary keeps that freedom without DDL.
//   - raw little-endian doubles: 552 B a person-week before any key — over DuckDB's 480 B.
//   - zlib/deflate of each vector: ~450 B (full-precision doubles barely compress, and 500-byte
//     inputs give deflate little to work with).
//   - the packed vector (a class nibble per value: missing, zero, small integer as a varint,
//     double sharing the vector's exponent window in 7 bytes, raw double): 396 B on average
//     (avg(length(metrics)) of the 97,948 vectors of bench/ingest.sh; about 7 zeros, 15 integers
//     and 47 full-precision hours a person-week).
//   PostgreSQL keeps float8[]: native (queryable without our functions), and 8 B a value plus
//   ~24 B of array header stays within twice DuckDB's size.
//
// Migration 7 ("offboard: erasure audit", issue 13) adds:
// erasure_audit — one row per `vivalink offboard` (a whole tenant) or `vivalink forget` (one
//   person of a tenant), written in the erasure's own transaction (onboard/offboard.h). It holds
//   counts only: never the person's object id, e-mail, person key or any hash of them.
//   PK (tenant_id, erasure_id); an offboarding keeps the tenant's earlier audit rows.
//   erasure_id TEXT         a random UUID, printed to the operator (the request's reference)
//   action TEXT             'offboard' | 'forget'
//   requested_at TEXT       when the command started; committed_at TEXT when the rows were gone
//   completed_at TEXT       offboard: when the tenant's blobs and key files were deleted too (NULL:
//                           the command stopped after the commit; running it again finishes);
//                           forget: = committed_at
//   row_counts TEXT         JSON object table -> rows deleted; rows_total BIGINT their sum
//   blobs, key_files BIGINT storage blobs and key-store files deleted (offboard)
//
// Migration 8 ("ingest: calendar drops, meeting-week metrics", issue 12) lets the ledger hold the
// Outlook calendar drop kinds (drops.kind 'CalendarView' | 'Event'; SQLite rebuilds drops with
// the same columns to change the CHECK) and adds:
// meeting_week_packed — the weekly per-person meeting metrics that ingestion derives from
//   CalendarView_v0 / Event_v1 drops (src/meetings): one row per tenant, week and person, the
//   same columns, id scheme (tenant_no << 47 | week << 27 | person_no), person numbers (wh_person),
//   dictionaries (wh_dict: run, layout; attrs_no is always NULL) and codec as person_week_packed.
//   Its layouts are numbered negative (dict_no -1, -2, ...), so that each table's reader knows
//   its own layouts (a frame has every metric of its own table's layouts, as before).
//   Written and read only by src/warehouse (WeekTable::kMeetingWeek).
// Views: meeting_week (tenant_id, person_key, metric_date, run_id) and meeting_week_metric
//   (tenant_id, person_key, metric_date, metric, value), like person_week's.
// Why a table of its own rather than more values in person_week_packed: a person-week there is
//   one row that each Viva Insights drop replaces whole (its metrics and attributes), and the
//   calendar of the same week arrives in another drop, at another time, possibly re-delivered on
//   its own: sharing the row would make either drop erase the other's values (or force a
//   read-merge-write of every row, and a drop that can no longer replace stale values), and
//   their metric names collide (both have Meeting_hours, with different definitions). A second
//   table with the same id keeps each drop's replace-the-row rule and costs nothing to join: the
//   same person-week has the same id in both tables. The readers merge the two (warehouse
//   MergeMeetingWeeks) under a "Calendar_" prefix.
//
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "db/migrate.h"

namespace vivalink::db {

// The product's migrations, in order (migration 1 is the schema above). Later modules append
// migrations 2, 3, ... in schema.cc. The span refers to static storage.
std::span<const Migration> ProductMigrations();

// Applies ProductMigrations() to `db`; see Migrate() for behaviour and errors.
Result<int> MigrateToLatest(Database& db);

// Opens the database at url (Database::Open with default options) and applies every pending
// migration: what each command that reads or writes the product schema starts with.
Result<std::unique_ptr<Database>> OpenMigrated(std::string_view url);

}  // namespace vivalink::db
