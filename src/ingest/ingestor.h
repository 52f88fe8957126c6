// One open ingestion context — database (migrated), storage, key sources, ledger and processor —
// kept for the life of `vivalink run` (one pass) or `vivalink serve` (many passes and hints).
//
//   Pass()  the pull model: list every drop, register new ones in the ledger, process every
//           unfinished drop (oldest first), clean up blobs whose retention passed.
//   Hint()  the push model: a notification named one drop. It is only a hint (PROTOCOL §6): the
//           drop's metadata.json is read back from storage (a hint for a blob that is not there
//           changes nothing), registered in the ledger under the ETag storage reports (so a
//           duplicate notification finds the row it already has), then the tenant's unfinished
//           drops are processed oldest first. The tenant comes from the storage path, never from
//           the notification body.
//
// Not thread-safe: one Ingestor per thread (it holds one database connection).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/progress.h"
#include "core/status.h"
#include "db/database.h"
#include "drop/layout.h"
#include "ingest/commands.h"
#include "ingest/config.h"
#include "ingest/ledger.h"
#include "ingest/processor.h"
#include "store/blob_store.h"

namespace vivalink::ingest {

// What a hint led to.
enum class HintOutcome {
  kProcessed,      // the hinted drop was taken up in this call (see HintResult::drop)
  kAlreadyKnown,   // the ledger already had it finished (done, failed upstream, quarantined)
  kNotInStorage,   // no metadata.json at the hinted path: stale or forged, nothing changed
  kOutsideWindow,  // older than watermark - lookback and never seen: ignored like a poll would
  kOtherTenant,    // the serve process is limited to another tenant (CommandOptions::tenant)
};
std::string_view HintOutcomeName(HintOutcome outcome);

struct HintResult {
  HintOutcome outcome = HintOutcome::kNotInStorage;
  DropResult drop;  // the hinted drop's result when outcome == kProcessed
  RunSummary pass;  // every drop of the tenant processed in this call (older ones first)
};

class Ingestor {
 public:
  // Opens the database (applying migrations), the store and the key sources. progress may be
  // null (no progress line).
  static core::Result<std::unique_ptr<Ingestor>> Open(const Config& config,
                                                      const CommandOptions& options,
                                                      core::Progress* progress);
  ~Ingestor();
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  // One pull pass (what `vivalink run` does). Errors: listing or the ledger failed.
  core::Result<RunSummary> Pass();
  // One push hint (see the file comment). Errors: storage or the ledger could not be read; a
  // drop that fails is not an error (see HintResult::drop.state).
  core::Result<HintResult> Hint(const drop::DropRef& ref);
  // The ledger's view of every tenant (for status and /metrics).
  core::Result<StatusReport> Status();

 private:
  struct Parts;
  explicit Ingestor(std::unique_ptr<Parts> parts);
  void Process(const std::vector<LedgerEntry>& todo, RunSummary& summary);
  std::unique_ptr<Parts> p_;
};

// The status of every tenant (or one) as the ledger has it.
core::Result<StatusReport> BuildStatus(Ledger& ledger, const core::Clock& clock,
                                       std::string_view tenant);

}  // namespace vivalink::ingest
