// The ingestion ledger and the per-tenant watermark (PROTOCOL §7, §8.1), in the database tables
// `drops` and `tenants` (db/schema.h).
//
// A drop version is identified by (tenant, RunId, metadata ETag, kind). Its ledger row moves
//
//   pending ──claim──► processing ──commit──► done
//      ▲                  │  └──(metadata Errors)──► failed_upstream
//      │                  ├──error, not yet quarantined──► failed ──claim (when due)──► processing
//      │                  └──permanent failures >= max──► quarantined
//      └────────── replay (vivalink replay <run-id>) ─────────┘
//
// Failures are of two kinds (IsTransient). Transient ones (kUnavailable: network, HTTP 429 and
// 5xx, database locks and lost connections) never count toward quarantine: the drop is retried
// after an exponential backoff with jitter (`next_attempt_at`: base * 2^(n-1), capped, times a
// factor in [1 - jitter, 1 + jitter]) and holds the watermark meanwhile. Permanent ones (bad data,
// a wrong key, anything else) count in `permanent_failures` and are retried at the next pass
// until max_attempts, then the drop is quarantined. `attempts` counts claims.
//
// Claims: several processes may share one database (two `serve`, or `run` during `serve`). A
// claim records its owner ("<host>/<pid>/<nonce>", one per Ledger) and a lease. A row in
// processing is taken over only when its lease has expired, its owner is a process of this host
// that no longer runs, or the owner is this Ledger itself (a Ledger serves one thread, so its own
// row in processing was abandoned). A takeover is an interrupted import and counts as a
// permanent failure, so a drop that kills the process every time ends quarantined
// ("interrupted"). On PostgreSQL the claim reads the row with SELECT ... FOR UPDATE SKIP LOCKED;
// on both dialects every transition is an UPDATE with predicates on the state it leaves (and on
// the owner, for the transitions out of processing), so a process that lost its claim changes
// nothing: its commit is refused and rolled back.
//
// The blob path keeps the TenantId as stored (`LedgerKey::path_tenant`) while tenants are compared
// and stored in lower case: storage names are case-sensitive.
//
// Watermark of a tenant = the creation time of the newest finished drop (done, failed_upstream,
// quarantined) with no unfinished drop (pending, processing, failed) created before it. It only
// moves forward. Listing registers drops created at or after (watermark - lookback); older ones
// not in the ledger are ignored; drops already in the ledger are left alone (re-listing is
// harmless).
//
// Not thread-safe (a Database is one connection); use one Ledger per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "db/database.h"
#include "drop/layout.h"

namespace vivalink::ingest {

enum class DropState { kPending, kProcessing, kDone, kFailed, kFailedUpstream, kQuarantined };

// "pending", "processing", "done", "failed", "failed_upstream", "quarantined".
std::string_view DropStateName(DropState state);
core::Result<DropState> ParseDropState(std::string_view text);

struct LedgerKey {
  std::string tenant_id;  // lower case
  std::string run_id;
  std::string metadata_etag;
  std::string kind;  // "VivaInsights" | "AADUser"
  // The TenantId as the blob path spells it when that differs from tenant_id (e.g. upper case);
  // empty when equal. Not part of the identity: two keys are equal without it.
  std::string path_tenant;

  // The drop's location in storage, with the tenant as the path spells it.
  drop::DropRef ref() const {
    return {run_id, kind, path_tenant.empty() ? tenant_id : path_tenant};
  }
  std::string ToString() const;  // "{run}/{kind}/{tenant}@{etag}"
  bool operator==(const LedgerKey& o) const {
    return tenant_id == o.tenant_id && run_id == o.run_id && metadata_etag == o.metadata_etag &&
           kind == o.kind;
  }
};

// Transient failures (kUnavailable) are retried with backoff and never quarantine a drop; every
// other code is permanent.
bool IsTransient(const core::Status& error);

// The blob of a drop version that was imported (cleanup deletes exactly these).
struct ImportedBlob {
  std::string name;
  std::string etag;
};

struct LedgerEntry {
  LedgerKey key;
  std::string copy_activity_id;
  DropState state = DropState::kPending;
  int64_t attempts = 0;
  std::string last_error;
  std::string error_code;
  int64_t rows = 0;
  bool rows_recorded = false;  // false while the ledger holds no row count (not imported yet)
  int64_t bytes = 0;
  std::string metadata_created;  // ISO 8601 with milliseconds
  std::string discovered_at, started_at, finished_at, cleaned_at;
  std::string claim_owner;       // who holds the claim (processing), else empty
  std::string lease_expires_at;  // ISO 8601 with milliseconds, empty when not claimed
  std::string next_attempt_at;   // failed: not claimed before this (empty: at once)
  int64_t permanent_failures = 0;
  int64_t transient_failures = 0;
  std::vector<ImportedBlob> imported_parts;  // done: the parts of the imported version
};

struct LedgerOptions {
  const core::Clock* clock = nullptr;  // null = core::SystemClock
  // Claim owner id; empty = "<host>/<pid>/<random nonce>", made at construction.
  std::string owner;
  // How long a claim holds before another process may take the drop over (a process of this
  // host that died is taken over at once). Longer than any single import should take.
  std::chrono::seconds lease = std::chrono::minutes(30);
  // Backoff after the n-th consecutive transient failure: base * 2^(n-1), at most max, times a
  // uniform random factor in [1 - jitter, 1 + jitter].
  std::chrono::seconds backoff_base = std::chrono::seconds(30);
  std::chrono::seconds backoff_max = std::chrono::hours(1);
  double jitter = 0.5;
};

struct RegisterResult {
  int new_drops = 0;      // rows inserted as pending
  int known = 0;          // already in the ledger
  int before_window = 0;  // older than watermark - lookback and not in the ledger: ignored
};

class Ledger {
 public:
  // db must outlive the ledger; clock null = core::SystemClock.
  explicit Ledger(db::Database& db, const core::Clock* clock = nullptr);
  Ledger(db::Database& db, LedgerOptions options);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // This ledger's claim owner id.
  const std::string& owner() const { return options_.owner; }

  // Registers listed drops (see the header comment). Runs in its own transaction.
  core::Result<RegisterResult> Register(const std::vector<drop::FoundDrop>& found,
                                        std::chrono::hours lookback);

  // Inserts a pending row for one drop if absent (push notifications, tests). Own transaction
  // unless one is open. Returns true when inserted.
  core::Result<bool> Add(const LedgerKey& key, core::TimePoint metadata_created,
                         std::string_view copy_activity_id = "");

  // The tenant's watermark; nullopt before its first finished drop.
  core::Result<std::optional<core::TimePoint>> Watermark(std::string_view tenant_id);

  // Unfinished drops (pending, failed, processing), oldest first; all tenants when empty.
  core::Result<std::vector<LedgerEntry>> Unfinished(std::string_view tenant_id = "");
  // The unfinished drops a Claim would take now, oldest first: pending ones, failed ones whose
  // next_attempt_at has come, and processing ones whose claim may be taken over (see the file
  // comment). All tenants when empty.
  core::Result<std::vector<LedgerEntry>> Due(std::string_view tenant_id = "");
  // Every row; all tenants when empty; ordered by tenant, metadata_created, run, kind.
  core::Result<std::vector<LedgerEntry>> Entries(std::string_view tenant_id = "");
  core::Result<LedgerEntry> Get(const LedgerKey& key);
  // Tenants with at least one ledger row or a tenants row.
  core::Result<std::vector<std::string>> Tenants();

  // Claims a drop for this ledger's owner, in its own transaction: pending, failed (when due) or
  // processing (when it may be taken over) -> processing, attempts + 1, owner and lease set.
  // Returns the claimed entry. kFailedPrecondition when the row is in another state (done,
  // quarantined, ...), a failed row is backing off (not due before next_attempt_at), another
  // live process holds it, or another process claimed it meanwhile. kNotFound when absent. A
  // takeover that brings permanent_failures to max_attempts quarantines the drop instead
  // (error_code Aborted) and returns kFailedPrecondition saying so.
  core::Result<LedgerEntry> Claim(const LedgerKey& key, int max_attempts);

  // processing (claimed by this ledger) -> done, inside the caller's open transaction (the one
  // holding the drop's rows), records the imported parts and moves the watermark.
  // kFailedPrecondition when the row is not in processing under this owner (nothing is changed;
  // the caller must roll back).
  core::Status MarkDoneInTransaction(const LedgerKey& key, int64_t rows, int64_t bytes,
                                     int64_t duration_ms,
                                     const std::vector<ImportedBlob>& parts = {});
  // processing (this owner) -> failed_upstream (metadata Errors), inside the caller's transaction.
  core::Status MarkFailedUpstreamInTransaction(const LedgerKey& key, std::string_view errors);
  // processing (this owner) -> failed or quarantined with the error's code name and message; own
  // transaction. A transient error (IsTransient) sets next_attempt_at by the backoff and never
  // quarantines; a permanent one counts in permanent_failures and quarantines at max_attempts.
  // Returns the new state; kFailedPrecondition when this owner no longer holds the claim.
  core::Result<DropState> MarkFailed(const LedgerKey& key, const core::Status& error,
                                     int max_attempts);
  // processing (this owner) -> pending and attempts - 1: the drop was stopped on request, not by
  // its fault.
  core::Status Release(const LedgerKey& key);
  // Quarantined or failed drops of run_id -> pending with attempts and failure counts 0
  // (`vivalink replay`). Returns how many rows were reset; kNotFound when the run has none.
  core::Result<int> Replay(std::string_view run_id);

  // Done drops whose blobs are still in storage and whose retention has passed.
  core::Result<std::vector<LedgerEntry>> DueForCleanup(int retention_days);
  // done -> done with cleaned_at set.
  core::Status MarkCleaned(const LedgerKey& key);

  // Recomputes the tenant's watermark from the ledger (inside the caller's transaction if one is
  // open). Never moves it backwards.
  core::Status UpdateWatermark(std::string_view tenant_id);

 private:
  std::string Now() const;
  core::Result<std::vector<LedgerEntry>> Select(std::string_view where,
                                                std::span<const db::Value> params);
  // True when a Claim may take this processing row over now.
  bool MayTakeOver(const LedgerEntry& e) const;
  // True when a Claim may take this row now (see Due).
  bool Claimable(const LedgerEntry& e) const;
  std::chrono::milliseconds Backoff(int64_t transient_failures);

  db::Database& db_;
  LedgerOptions options_;
  const core::Clock* clock_;
  uint64_t jitter_state_;
};

}  // namespace vivalink::ingest
