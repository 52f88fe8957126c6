// The ingestion ledger and the per-tenant watermark (DESIGN §7, §8.1), in the database tables
// `drops` and `tenants` (db/schema.h).
//
// A drop version is identified by (tenant, RunId, metadata ETag, kind). Its ledger row moves
//
//   pending ──claim──► processing ──commit──► done
//      ▲                  │  └──(metadata Errors)──► failed_upstream
//      │                  ├──error, attempts < max──► failed ──claim──► processing ...
//      │                  └──error, attempts >= max──► quarantined
//      └────────── replay (vivalink replay <run-id>) ─────────┘
//
// `attempts` counts claims. A row left in `processing` by a crash is claimed again (the claim
// counts); when such a row already has max_attempts it is quarantined instead ("interrupted"),
// so a drop that kills the process every time cannot loop forever.
//
// Watermark of a tenant = the creation time of the newest finished drop (done, failed_upstream,
// quarantined) with no unfinished drop (pending, processing, failed) created before it. It only
// moves forward. Listing registers drops created at or after (watermark - lookback); older ones
// not in the ledger are ignored; drops already in the ledger are left alone (re-listing is
// harmless).
//
// One ingesting process per database: the claim is atomic, but a row in `processing` is taken to
// be a crash leftover. Not thread-safe (a Database is one connection); use one Ledger per thread.
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

  drop::DropRef ref() const { return {run_id, kind, tenant_id}; }
  std::string ToString() const;  // "{run}/{kind}/{tenant}@{etag}"
  bool operator==(const LedgerKey&) const = default;
};

struct LedgerEntry {
  LedgerKey key;
  std::string copy_activity_id;
  DropState state = DropState::kPending;
  int64_t attempts = 0;
  std::string last_error;
  std::string error_code;
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string metadata_created;  // ISO 8601 with milliseconds
  std::string discovered_at, started_at, finished_at, cleaned_at;
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
  // Every row; all tenants when empty; ordered by tenant, metadata_created, run, kind.
  core::Result<std::vector<LedgerEntry>> Entries(std::string_view tenant_id = "");
  core::Result<LedgerEntry> Get(const LedgerKey& key);
  // Tenants with at least one ledger row or a tenants row.
  core::Result<std::vector<std::string>> Tenants();

  // Claims a drop for processing: pending/failed/processing -> processing, attempts + 1, in its
  // own transaction. Returns the claimed entry, or kFailedPrecondition when the row is in another
  // state (done, quarantined, ...). A crash leftover with attempts >= max_attempts is quarantined
  // instead (kAborted-like: returns kFailedPrecondition saying so).
  core::Result<LedgerEntry> Claim(const LedgerKey& key, int max_attempts);

  // processing -> done, inside the caller's open transaction (the one holding the drop's rows),
  // and moves the watermark. kFailedPrecondition when the row is not in processing (nothing is
  // changed; the caller must roll back).
  core::Status MarkDoneInTransaction(const LedgerKey& key, int64_t rows, int64_t bytes,
                                     int64_t duration_ms);
  // processing -> failed_upstream (metadata Errors), inside the caller's transaction.
  core::Status MarkFailedUpstreamInTransaction(const LedgerKey& key, std::string_view errors);
  // processing -> failed (or quarantined when attempts >= max_attempts) with the error's code
  // name and message; own transaction. Returns the new state.
  core::Result<DropState> MarkFailed(const LedgerKey& key, const core::Status& error,
                                     int max_attempts);
  // processing -> pending and attempts - 1: the drop was stopped on request, not by its fault.
  core::Status Release(const LedgerKey& key);
  // Quarantined or failed drops of run_id -> pending with attempts 0 (`vivalink replay`).
  // Returns how many rows were reset; kNotFound when the run has no such drop.
  core::Result<int> Replay(std::string_view run_id);

  // Done drops whose blobs are still in storage and whose retention has passed.
  core::Result<std::vector<LedgerEntry>> DueForCleanup(int retention_days);
  core::Status MarkCleaned(const LedgerKey& key);

  // Recomputes the tenant's watermark from the ledger (inside the caller's transaction if one is
  // open). Never moves it backwards.
  core::Status UpdateWatermark(std::string_view tenant_id);

 private:
  std::string Now() const;
  core::Result<std::vector<LedgerEntry>> Select(std::string_view where,
                                                std::span<const db::Value> params);

  db::Database& db_;
  const core::Clock* clock_;
};

}  // namespace vivalink::ingest
