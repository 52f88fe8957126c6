#include "ingest/ingestor.h"

#include <fmt/format.h>

#include "azure/open_store.h"
#include "core/log.h"
#include "core/strings.h"
#include "db/schema.h"

namespace vivalink::ingest {

using core::Result;
using core::Status;

std::string_view HintOutcomeName(HintOutcome outcome) {
  switch (outcome) {
    case HintOutcome::kProcessed:
      return "processed";
    case HintOutcome::kAlreadyKnown:
      return "already_known";
    case HintOutcome::kNotInStorage:
      return "not_in_storage";
    case HintOutcome::kOutsideWindow:
      return "outside_window";
    case HintOutcome::kOtherTenant:
      return "other_tenant";
  }
  return "unknown";
}

struct Ingestor::Parts {
  const Config* config = nullptr;
  CommandOptions options;
  core::Progress* progress = nullptr;
  std::unique_ptr<db::Database> db;
  std::unique_ptr<store::BlobStore> store;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<KeyClient> client;
  std::unique_ptr<ApiKeySource> api;
  std::unique_ptr<DirKeySource> dir;
  std::unique_ptr<ChainKeySource> keys;
  std::unique_ptr<Processor> processor;

  bool Stopping() const { return options.stop != nullptr && options.stop->load(); }
  bool InScope(std::string_view tenant) const {
    return options.tenant.empty() || core::EqualsIgnoreCase(tenant, options.tenant);
  }
};

Ingestor::Ingestor(std::unique_ptr<Parts> parts) : p_(std::move(parts)) {}
Ingestor::~Ingestor() = default;

Result<std::unique_ptr<Ingestor>> Ingestor::Open(const Config& config,
                                                 const CommandOptions& options,
                                                 core::Progress* progress) {
  auto p = std::make_unique<Parts>();
  p->config = &config;
  p->options = options;
  p->progress = progress;
  ASSIGN_OR_RETURN(p->db, db::OpenMigrated(config.database_url));
  ASSIGN_OR_RETURN(p->store, azure::OpenBlobStore(config.store_url));
  p->ledger = std::make_unique<Ledger>(*p->db, options.clock);

  std::vector<KeySource*> sources;
  if (!config.keys.keys_dir.empty()) {
    p->dir = std::make_unique<DirKeySource>(config.keys.keys_dir);
    sources.push_back(p->dir.get());
  }
  if (!config.keys.api_base_url.empty()) {
    p->client = MakeKeyClient(config, options.transport, options.clock);
    p->api = std::make_unique<ApiKeySource>(*p->client);
    sources.push_back(p->api.get());
  }
  p->keys = std::make_unique<ChainKeySource>(sources);
  ProcessorOptions po;
  po.config = &config;
  po.keys = p->keys.get();
  po.stop = options.stop;
  po.progress = progress;
  po.clock = options.clock;
  p->processor = std::make_unique<Processor>(*p->db, *p->store, *p->ledger, po);
  return std::unique_ptr<Ingestor>(new Ingestor(std::move(p)));
}

void Ingestor::Process(const std::vector<LedgerEntry>& todo, RunSummary& summary) {
  for (const LedgerEntry& e : todo) {
    if (p_->Stopping()) break;
    DropResult r = p_->processor->Process(e.key);
    // Another process took it, finished it or it is backing off (kFailedPrecondition, kNotFound):
    // not this pass's business. A claim the database could not record (disk full, connection
    // lost, busy) is this pass's failure: the run must not report success.
    const bool refused = r.error.code() == core::StatusCode::kFailedPrecondition ||
                         r.error.code() == core::StatusCode::kNotFound;
    if (!r.claimed && r.state != DropState::kQuarantined && refused) continue;
    ++summary.processed;
    if (!r.claimed && r.state != DropState::kQuarantined) {
      VL_LOG_WARN("drop {}: the claim could not be recorded: {}", e.key.ToString(),
                  r.error.message());
      ++summary.failed;
      summary.results.push_back(std::move(r));
      continue;
    }
    switch (r.state) {
      case DropState::kDone:
        ++summary.done;
        summary.rows += r.rows;
        summary.bytes += r.bytes;
        if (p_->config->retention_days == 0) ++summary.cleaned;
        break;
      case DropState::kFailedUpstream:
        ++summary.failed_upstream;
        break;
      case DropState::kQuarantined:
        ++summary.quarantined;
        break;
      case DropState::kPending:
        ++summary.cancelled;
        break;
      default:
        ++summary.failed;
    }
    summary.results.push_back(std::move(r));
  }
}

Result<RunSummary> Ingestor::Pass() {
  RunSummary summary;
  core::Progress* progress = p_->progress;
  if (progress != nullptr) progress->SetStage("listing");
  ASSIGN_OR_RETURN(auto found, drop::ListDrops(*p_->store));
  std::erase_if(found, [&](const drop::FoundDrop& f) { return !p_->InScope(f.ref.tenant_id); });
  summary.listed = static_cast<int>(found.size());
  ASSIGN_OR_RETURN(RegisterResult reg, p_->ledger->Register(found, p_->config->lookback));
  summary.registered = reg.new_drops;

  ASSIGN_OR_RETURN(auto todo, p_->ledger->Due(p_->options.tenant));
  Process(todo, summary);

  // Blobs of done drops still in storage: retention passed, or a crash between commit and
  // cleanup.
  if (!p_->Stopping()) {
    if (progress != nullptr) progress->SetStage("cleanup");
    ASSIGN_OR_RETURN(auto due, p_->ledger->DueForCleanup(p_->config->retention_days));
    for (const LedgerEntry& e : due) {
      if (!p_->InScope(e.key.tenant_id)) continue;
      core::Status s = p_->processor->Cleanup(e.key);
      if (s.ok()) {
        ++summary.cleaned;
      } else {
        VL_LOG_WARN("drop {}: blobs not deleted yet: {}", e.key.ref().ToString(), s.ToString());
      }
    }
  }
  return summary;
}

Result<HintResult> Ingestor::Hint(const drop::DropRef& ref) {
  HintResult result;
  if (!p_->InScope(ref.tenant_id)) {
    result.outcome = HintOutcome::kOtherTenant;
    return result;
  }
  auto props = p_->store->GetProperties(ref.metadata_path());
  if (!props.ok()) {
    if (props.status().code() == core::StatusCode::kNotFound) {
      result.outcome = HintOutcome::kNotInStorage;
      return result;
    }
    return props.status().WithContext("reading back the notified drop " + ref.ToString());
  }
  // Tenants compare in lower case; the path keeps the spelling storage has (case-sensitive).
  const std::string tenant = core::ToLower(ref.tenant_id);
  drop::FoundDrop found{ref, std::move(*props)};
  const LedgerKey key{tenant, ref.run_id, found.metadata.etag, ref.kind,
                      ref.tenant_id != tenant ? ref.tenant_id : ""};
  ASSIGN_OR_RETURN(RegisterResult reg, p_->ledger->Register({found}, p_->config->lookback));
  if (reg.before_window > 0) {
    result.outcome = HintOutcome::kOutsideWindow;
    return result;
  }
  ASSIGN_OR_RETURN(LedgerEntry entry, p_->ledger->Get(key));
  if (entry.state == DropState::kDone || entry.state == DropState::kFailedUpstream ||
      entry.state == DropState::kQuarantined) {
    result.outcome = HintOutcome::kAlreadyKnown;
    result.drop.key = key;
    result.drop.state = entry.state;
    return result;
  }
  ASSIGN_OR_RETURN(auto todo, p_->ledger->Due(tenant));
  // Only drops up to the hinted one: older unfinished drops first (the watermark's order), the
  // newer ones are left to their own hints or the next poll.
  std::vector<LedgerEntry> upto;
  for (LedgerEntry& e : todo) {
    const bool hinted = e.key == key;
    upto.push_back(std::move(e));
    if (hinted) break;
  }
  Process(upto, result.pass);
  result.outcome = HintOutcome::kProcessed;
  result.drop.key = key;
  result.drop.state = entry.state;  // when not due yet (backing off) or held by another process
  for (const DropResult& r : result.pass.results) {
    if (r.key == key) result.drop = r;
  }
  return result;
}

Result<StatusReport> Ingestor::Status() {
  const core::Clock& clock =
      p_->options.clock != nullptr ? *p_->options.clock : core::SystemClock::Instance();
  return BuildStatus(*p_->ledger, clock, p_->options.tenant);
}

Result<StatusReport> BuildStatus(Ledger& ledger, const core::Clock& clock,
                                 std::string_view tenant) {
  StatusReport report;
  ASSIGN_OR_RETURN(auto tenants, ledger.Tenants());
  for (const std::string& t : tenants) {
    if (!tenant.empty() && !core::EqualsIgnoreCase(t, tenant)) continue;
    TenantStatus s;
    s.tenant_id = t;
    ASSIGN_OR_RETURN(auto wm, ledger.Watermark(t));
    if (wm.has_value()) {
      s.watermark = core::FormatIso8601(*wm);
      s.lag_seconds = std::chrono::duration_cast<std::chrono::seconds>(clock.Now() - *wm).count();
    }
    ASSIGN_OR_RETURN(auto entries, ledger.Entries(t));
    std::string last_error_time;
    for (const LedgerEntry& e : entries) {
      switch (e.state) {
        case DropState::kPending:
          ++s.pending;
          break;
        case DropState::kProcessing:
          ++s.processing;
          break;
        case DropState::kDone:
          ++s.done;
          s.rows += e.rows;
          s.bytes += e.bytes;
          if (e.finished_at > s.last_done) s.last_done = e.finished_at;
          break;
        case DropState::kFailed:
          ++s.failed;
          break;
        case DropState::kFailedUpstream:
          ++s.failed_upstream;
          break;
        case DropState::kQuarantined:
          ++s.quarantined;
          break;
      }
      if (!e.last_error.empty() && e.finished_at >= last_error_time) {
        last_error_time = e.finished_at;
        s.last_error = e.last_error;
        s.last_error_drop = e.key.ref().ToString();
      }
      if (e.state == DropState::kFailed || e.state == DropState::kQuarantined) {
        report.problems.push_back(e);
      }
    }
    report.tenants.push_back(std::move(s));
  }
  return report;
}

}  // namespace vivalink::ingest
