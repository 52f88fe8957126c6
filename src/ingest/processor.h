// Processing one drop exactly once (PROTOCOL §7, §8; docs/ARCHITECTURE.md "Data flow of one drop"):
//
//   claim in the ledger -> metadata.json at the ledger's ETag -> (Errors set: failed_upstream)
//   -> keys of the drop's own tenant only -> DropReader (decrypt + parse in memory) with
//   DropValidator -> rows into person_week / person_week_metric (VivaInsights),
//   person_identity (AADUser) or, for an Outlook calendar drop (CalendarView / Event), the weekly
//   meeting metrics derived from its events (calendar_import.h) into meeting_week, inside ONE
//   transaction that also sets the ledger row to done
//   -> commit -> delete the encrypted blobs (metadata.json last) unless retention is configured.
//
// A failure at any step rolls the transaction back: none of the drop's rows stay, the ledger row
// becomes failed (or quarantined after max_attempts) with the error code name and a message that
// never contains data values. A stop request between batches rolls back and returns the drop to
// pending. A crash at any point leaves either the committed drop (done) or nothing of it.
//
// A newer drop for the same person-weeks replaces their rows (and all their metrics) in its own
// transaction. Only configured metrics/attributes are stored (Config::store_metrics,
// store_attributes); person ids are pseudonymised when configured (identity.h).
//
// Not thread-safe: one Processor per thread, each with its own Database.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/progress.h"
#include "core/status.h"
#include "core/time.h"
#include "db/database.h"
#include "drop/keys.h"
#include "drop/metadata.h"
#include "ingest/config.h"
#include "ingest/key_client.h"
#include "ingest/ledger.h"
#include "store/blob_store.h"

namespace vivalink::ingest {

// Where the wrapped keys of a copy activity come from.
class KeySource {
 public:
  virtual ~KeySource() = default;
  // The wrapped File/Column keys for request_id (CopyActivityId) of tenant_id.
  virtual core::Result<std::vector<drop::WrappedKey>> Fetch(std::string_view tenant_id,
                                                            std::string_view request_id) = 0;
};

// The key API through a KeyClient (not owned; must outlive the source).
class ApiKeySource final : public KeySource {
 public:
  explicit ApiKeySource(KeyClient& client) : client_(client) {}
  core::Result<std::vector<drop::WrappedKey>> Fetch(std::string_view tenant_id,
                                                    std::string_view request_id) override;

 private:
  KeyClient& client_;
};

// Saved key API answers: <dir>/<CopyActivityId>.json (what `vivasim drop write --keys-out`
// writes). kNotFound when absent.
class DirKeySource final : public KeySource {
 public:
  explicit DirKeySource(std::string dir) : dir_(std::move(dir)) {}
  core::Result<std::vector<drop::WrappedKey>> Fetch(std::string_view tenant_id,
                                                    std::string_view request_id) override;

 private:
  std::string dir_;
};

// Tries each source in order; the first that does not answer kNotFound wins.
class ChainKeySource final : public KeySource {
 public:
  explicit ChainKeySource(std::vector<KeySource*> sources) : sources_(std::move(sources)) {}
  core::Result<std::vector<drop::WrappedKey>> Fetch(std::string_view tenant_id,
                                                    std::string_view request_id) override;

 private:
  std::vector<KeySource*> sources_;
};

struct ProcessorOptions {
  const Config* config = nullptr;           // required; must outlive the processor
  KeySource* keys = nullptr;                // required; not owned
  const std::atomic<bool>* stop = nullptr;  // checked between batches; may be null
  core::Progress* progress = nullptr;       // may be null
  const core::Clock* clock = nullptr;       // null = core::SystemClock
};

// What happened to one drop.
struct DropResult {
  LedgerKey key;
  DropState state = DropState::kPending;  // the ledger state afterwards
  core::Status error;                     // why, when not done
  // False when the claim was refused (another process holds the drop or finished it, or it is
  // backing off): then nothing was done to the drop here. A refused claim that quarantined an
  // interrupted drop has state kQuarantined.
  bool claimed = false;
  int64_t rows = 0;
  int64_t bytes = 0;
};

class Processor {
 public:
  // db, store and ledger must outlive the processor; ledger must use db.
  Processor(db::Database& db, store::BlobStore& store, Ledger& ledger, ProcessorOptions options);

  // Claims and processes one ledger entry; records the outcome in the ledger. Returns the
  // result (never an error status itself: failures are in DropResult::error). A stop request
  // gives state pending and error kCancelled.
  DropResult Process(const LedgerKey& key);

  // Deletes the encrypted blobs of the imported version of a done drop (parts first,
  // metadata.json last), each with If-Match on the ETag it was read at: blobs of a newer delivery
  // of the same run are kept. Absent blobs are fine. Records cleaned_at.
  core::Status Cleanup(const LedgerKey& key);

 private:
  // The transactional part: returns the final state (done or failed_upstream) or an error.
  core::Result<DropState> Import(const LedgerEntry& entry, int64_t& rows, int64_t& bytes);
  core::Result<drop::DropKeys> Keys(const drop::DropRef& ref, const drop::DropMetadata& metadata);
  bool Stopping() const { return options_.stop != nullptr && options_.stop->load(); }

  db::Database& db_;
  store::BlobStore& store_;
  Ledger& ledger_;
  ProcessorOptions options_;
  const core::Clock* clock_;
};

}  // namespace vivalink::ingest
