#include "ingest/ledger.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "core/strings.h"
#include "core/uuid.h"

namespace vivalink::ingest {
namespace {

using core::Result;
using core::Status;
using db::IntOf;
using db::TextOf;
using db::Value;

constexpr std::string_view kColumns =
    "tenant_id, run_id, metadata_etag, kind, copy_activity_id, state, attempts, last_error, "
    "error_code, rows, bytes, metadata_created, discovered_at, started_at, finished_at, "
    "cleaned_at, tenant_path, claim_owner, lease_expires_at, next_attempt_at, permanent_failures, "
    "transient_failures, imported_parts";

// The primary key predicate; every statement below binds the four key fields in this order.
constexpr std::string_view kWhereKey =
    "tenant_id = ? AND run_id = ? AND metadata_etag = ? AND kind = ?";

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

std::string MakeOwner() {
  return fmt::format("{}/{}/{}", HostName(), ::getpid(), core::NewUuid().substr(0, 8));
}

// The owners of the Ledgers alive in this process (serve runs one per thread).
std::mutex& LiveOwnersMutex() {
  static std::mutex m;
  return m;
}
std::set<std::string>& LiveOwners() {
  static std::set<std::string> s;
  return s;
}
bool IsLiveOwnerOfThisProcess(std::string_view owner) {
  std::lock_guard<std::mutex> lock(LiveOwnersMutex());
  return LiveOwners().contains(std::string(owner));
}

// True when owner names a process of this host that no longer runs (a crash leftover that need
// not wait for its lease), or an owner with this process's pid that no live Ledger of this
// process has (an earlier process that had the same pid).
bool OwnerIsDeadHere(std::string_view owner) {
  auto parts = core::Split(owner, '/');
  if (parts.size() != 3 || parts[0] != HostName()) return false;
  int64_t pid = 0;
  for (char c : parts[1]) {
    if (c < '0' || c > '9' || pid > 1'000'000'000) return false;
    pid = pid * 10 + (c - '0');
  }
  if (pid <= 0) return false;
  if (pid == ::getpid()) return !IsLiveOwnerOfThisProcess(owner);
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

std::string PartsJson(const std::vector<ImportedBlob>& parts) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& p : parts) j.push_back({{"name", p.name}, {"etag", p.etag}});
  return j.dump();
}

std::vector<ImportedBlob> ParsePartsJson(const std::string& text) {
  std::vector<ImportedBlob> out;
  if (text.empty()) return out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (e.is_object() && e.contains("name") && e["name"].is_string() && e.contains("etag") &&
        e["etag"].is_string()) {
      out.push_back({e["name"].get<std::string>(), e["etag"].get<std::string>()});
    }
  }
  return out;
}

// Runs f inside a transaction: the caller's when one is open, else a new one committed here.
template <typename F>
Status InTransaction(db::Database& db, F&& f) {
  if (db.in_transaction()) return f();
  ASSIGN_OR_RETURN(db::Transaction tx, db.Begin());
  RETURN_IF_ERROR(f());
  return tx.Commit();
}

}  // namespace

std::string_view DropStateName(DropState state) {
  switch (state) {
    case DropState::kPending:
      return "pending";
    case DropState::kProcessing:
      return "processing";
    case DropState::kDone:
      return "done";
    case DropState::kFailed:
      return "failed";
    case DropState::kFailedUpstream:
      return "failed_upstream";
    case DropState::kQuarantined:
      return "quarantined";
  }
  return "pending";
}

Result<DropState> ParseDropState(std::string_view text) {
  for (DropState s : {DropState::kPending, DropState::kProcessing, DropState::kDone,
                      DropState::kFailed, DropState::kFailedUpstream, DropState::kQuarantined}) {
    if (DropStateName(s) == text) return s;
  }
  return core::InternalError(fmt::format("unknown drop state \"{}\" in the ledger", text));
}

bool IsTransient(const Status& error) { return error.code() == core::StatusCode::kUnavailable; }

std::string LedgerKey::ToString() const {
  return fmt::format("{}/{}/{}@{}", run_id, kind, tenant_id, metadata_etag);
}

Ledger::Ledger(db::Database& db, const core::Clock* clock)
    : Ledger(db, [clock] {
        LedgerOptions o;
        o.clock = clock;
        return o;
      }()) {}

Ledger::Ledger(db::Database& db, LedgerOptions options)
    : db_(db),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &core::SystemClock::Instance()) {
  if (options_.owner.empty()) options_.owner = MakeOwner();
  {
    std::lock_guard<std::mutex> lock(LiveOwnersMutex());
    LiveOwners().insert(options_.owner);
  }
  jitter_state_ = std::hash<std::string>{}(options_.owner + core::NewUuid()) | 1;
}

Ledger::~Ledger() {
  std::lock_guard<std::mutex> lock(LiveOwnersMutex());
  LiveOwners().erase(options_.owner);
}

std::chrono::milliseconds Ledger::Backoff(int64_t transient_failures) {
  double base = static_cast<double>(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.backoff_base).count());
  double cap = static_cast<double>(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.backoff_max).count());
  int64_t n = std::max<int64_t>(transient_failures, 1);
  double d = std::min(cap, base * std::pow(2.0, static_cast<double>(std::min<int64_t>(n - 1, 40))));
  // xorshift64: jitter only needs to spread processes apart, not to be unpredictable.
  jitter_state_ ^= jitter_state_ << 13;
  jitter_state_ ^= jitter_state_ >> 7;
  jitter_state_ ^= jitter_state_ << 17;
  double u = static_cast<double>(jitter_state_ >> 11) / static_cast<double>(uint64_t{1} << 53);
  double factor = 1.0 - options_.jitter + 2.0 * options_.jitter * u;
  return std::chrono::milliseconds(static_cast<int64_t>(d * factor));
}

bool Ledger::MayTakeOver(const LedgerEntry& e) const {
  return e.claim_owner.empty() || e.claim_owner == options_.owner || e.lease_expires_at.empty() ||
         e.lease_expires_at <= Now() || OwnerIsDeadHere(e.claim_owner);
}

bool Ledger::Claimable(const LedgerEntry& e) const {
  switch (e.state) {
    case DropState::kPending:
      return true;
    case DropState::kFailed:
      return e.next_attempt_at.empty() || e.next_attempt_at <= Now();
    case DropState::kProcessing:
      return MayTakeOver(e);
    default:
      return false;
  }
}

std::string Ledger::Now() const { return core::FormatIso8601Millis(clock_->Now()); }

Result<std::vector<LedgerEntry>> Ledger::Select(std::string_view where,
                                                std::span<const Value> params) {
  ASSIGN_OR_RETURN(db::QueryResult r,
                   db_.Query(fmt::format("SELECT {} FROM drops {}", kColumns, where), params));
  std::vector<LedgerEntry> out;
  out.reserve(r.rows.size());
  for (const db::Row& row : r.rows) {
    LedgerEntry e;
    e.key = {TextOf(row[0]), TextOf(row[1]), TextOf(row[2]), TextOf(row[3]), ""};
    e.copy_activity_id = TextOf(row[4]);
    ASSIGN_OR_RETURN(e.state, ParseDropState(TextOf(row[5])));
    e.attempts = IntOf(row[6]);
    e.last_error = TextOf(row[7]);
    e.error_code = TextOf(row[8]);
    e.rows = IntOf(row[9]);
    e.rows_recorded = !row[9].is_null();
    e.bytes = IntOf(row[10]);
    e.metadata_created = TextOf(row[11]);
    e.discovered_at = TextOf(row[12]);
    e.started_at = TextOf(row[13]);
    e.finished_at = TextOf(row[14]);
    e.cleaned_at = TextOf(row[15]);
    e.key.path_tenant = TextOf(row[16]);
    e.claim_owner = TextOf(row[17]);
    e.lease_expires_at = TextOf(row[18]);
    e.next_attempt_at = TextOf(row[19]);
    e.permanent_failures = IntOf(row[20]);
    e.transient_failures = IntOf(row[21]);
    e.imported_parts = ParsePartsJson(TextOf(row[22]));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::optional<core::TimePoint>> Ledger::Watermark(std::string_view tenant_id) {
  ASSIGN_OR_RETURN(db::QueryResult r, db_.Query("SELECT watermark FROM tenants WHERE tenant_id = ?",
                                                {core::ToLower(tenant_id)}));
  if (r.rows.empty() || r.rows[0][0].is_null()) return std::optional<core::TimePoint>();
  ASSIGN_OR_RETURN(core::TimePoint t, core::ParseIso8601(TextOf(r.rows[0][0])));
  return std::optional<core::TimePoint>(t);
}

Result<bool> Ledger::Add(const LedgerKey& key, core::TimePoint metadata_created,
                         std::string_view copy_activity_id) {
  bool inserted = false;
  Status tx_status = InTransaction(db_, [&]() -> Status {
    RETURN_IF_ERROR(
        db_.Execute("INSERT INTO tenants (tenant_id) VALUES (?) ON CONFLICT (tenant_id) DO NOTHING",
                    {key.tenant_id}));
    ASSIGN_OR_RETURN(
        int64_t n,
        db_.ExecuteUpdate(
            "INSERT INTO drops (tenant_id, run_id, metadata_etag, kind, copy_activity_id, state, "
            "attempts, metadata_created, discovered_at, tenant_path) VALUES (?, ?, ?, ?, ?, "
            "'pending', 0, ?, ?, ?) ON CONFLICT (tenant_id, run_id, metadata_etag, kind) DO "
            "NOTHING",
            {key.tenant_id, key.run_id, key.metadata_etag, key.kind,
             copy_activity_id.empty() ? Value() : Value(copy_activity_id),
             core::FormatIso8601Millis(metadata_created), Now(),
             key.path_tenant.empty() || key.path_tenant == key.tenant_id
                 ? Value()
                 : Value(key.path_tenant)}));
    inserted = n > 0;
    return core::OkStatus();
  });
  if (!tx_status.ok()) return tx_status;
  return inserted;
}

Result<RegisterResult> Ledger::Register(const std::vector<drop::FoundDrop>& found,
                                        std::chrono::hours lookback) {
  RegisterResult result;
  std::map<std::string, std::optional<core::TimePoint>> watermarks;
  ASSIGN_OR_RETURN(db::Transaction tx, db_.Begin());
  for (const drop::FoundDrop& f : found) {
    // Tenants compare in lower case; the path keeps the spelling storage has (case-sensitive).
    LedgerKey key{core::ToLower(f.ref.tenant_id), f.ref.run_id, f.metadata.etag, f.ref.kind, ""};
    if (f.ref.tenant_id != key.tenant_id) key.path_tenant = f.ref.tenant_id;
    ASSIGN_OR_RETURN(db::QueryResult known,
                     db_.Query("SELECT 1 FROM drops WHERE tenant_id = ? AND run_id = ? AND "
                               "metadata_etag = ? AND kind = ?",
                               {key.tenant_id, key.run_id, key.metadata_etag, key.kind}));
    if (!known.empty()) {
      ++result.known;
      continue;
    }
    auto wm = watermarks.find(key.tenant_id);
    if (wm == watermarks.end()) {
      ASSIGN_OR_RETURN(auto w, Watermark(key.tenant_id));
      wm = watermarks.emplace(key.tenant_id, w).first;
    }
    if (wm->second.has_value() && f.metadata.created < *wm->second - lookback) {
      ++result.before_window;
      continue;
    }
    ASSIGN_OR_RETURN(bool inserted, Add(key, f.metadata.created));
    if (inserted) ++result.new_drops;
  }
  RETURN_IF_ERROR(tx.Commit());
  return result;
}

Result<std::vector<LedgerEntry>> Ledger::Unfinished(std::string_view tenant_id) {
  if (tenant_id.empty()) {
    return Select(
        "WHERE state IN ('pending', 'processing', 'failed') ORDER BY tenant_id, "
        "metadata_created, run_id, kind",
        {});
  }
  Value t = core::ToLower(tenant_id);
  return Select(
      "WHERE tenant_id = ? AND state IN ('pending', 'processing', 'failed') ORDER BY "
      "metadata_created, run_id, kind",
      std::span<const Value>(&t, 1));
}

Result<std::vector<LedgerEntry>> Ledger::Due(std::string_view tenant_id) {
  ASSIGN_OR_RETURN(std::vector<LedgerEntry> all, Unfinished(tenant_id));
  std::erase_if(all, [&](const LedgerEntry& e) { return !Claimable(e); });
  return all;
}

Result<std::vector<LedgerEntry>> Ledger::Entries(std::string_view tenant_id) {
  if (tenant_id.empty()) {
    return Select("ORDER BY tenant_id, metadata_created, run_id, kind", {});
  }
  Value t = core::ToLower(tenant_id);
  return Select("WHERE tenant_id = ? ORDER BY metadata_created, run_id, kind",
                std::span<const Value>(&t, 1));
}

Result<LedgerEntry> Ledger::Get(const LedgerKey& key) {
  Value p[] = {key.tenant_id, key.run_id, key.metadata_etag, key.kind};
  ASSIGN_OR_RETURN(
      auto rows,
      Select("WHERE tenant_id = ? AND run_id = ? AND metadata_etag = ? AND kind = ?", p));
  if (rows.empty()) {
    return core::NotFoundError(fmt::format("drop {} is not in the ledger", key.ToString()));
  }
  return rows[0];
}

Result<std::vector<std::string>> Ledger::Tenants() {
  ASSIGN_OR_RETURN(db::QueryResult r,
                   db_.Query("SELECT tenant_id FROM tenants UNION SELECT tenant_id FROM drops "
                             "ORDER BY 1"));
  std::vector<std::string> out;
  for (const auto& row : r.rows) out.push_back(TextOf(row[0]));
  return out;
}

Result<LedgerEntry> Ledger::Claim(const LedgerKey& key, int max_attempts) {
  ASSIGN_OR_RETURN(db::Transaction tx, db_.Begin());
  Value p[] = {key.tenant_id, key.run_id, key.metadata_etag, key.kind};
  const bool postgres = db_.dialect() == db::Dialect::kPostgres;
  // PostgreSQL: a row another claim holds locked is skipped, not waited for.
  ASSIGN_OR_RETURN(
      auto rows,
      Select(fmt::format("WHERE {}{}", kWhereKey, postgres ? " FOR UPDATE SKIP LOCKED" : ""), p));
  if (rows.empty()) {
    if (postgres && Get(key).ok()) {
      return core::FailedPreconditionError(
          fmt::format("drop {} is being claimed by another process", key.ToString()));
    }
    return core::NotFoundError(fmt::format("drop {} is not in the ledger", key.ToString()));
  }
  LedgerEntry e = std::move(rows[0]);
  if (e.state != DropState::kPending && e.state != DropState::kFailed &&
      e.state != DropState::kProcessing) {
    return core::FailedPreconditionError(fmt::format("drop {} is {} and cannot be processed",
                                                     key.ToString(), DropStateName(e.state)));
  }
  const std::string now = Now();
  if (e.state == DropState::kFailed && !Claimable(e)) {
    return core::FailedPreconditionError(
        fmt::format("drop {} failed transiently {} time(s) and is not retried before {}",
                    key.ToString(), e.transient_failures, e.next_attempt_at));
  }
  int64_t permanent = e.permanent_failures;
  if (e.state == DropState::kProcessing) {
    if (!MayTakeOver(e)) {
      return core::FailedPreconditionError(
          fmt::format("drop {} is being imported by {} (claim held until {})", key.ToString(),
                      e.claim_owner, e.lease_expires_at));
    }
    ++permanent;  // an interrupted import: the process died or was killed while importing it
    if (permanent >= max_attempts) {
      std::string message = fmt::format(
          "processing of drop {} was interrupted {} time(s) (the process crashed or was killed "
          "while importing it); quarantined after max_attempts = {}; `vivalink replay {}` retries "
          "it",
          key.ToString(), e.attempts, max_attempts, key.run_id);
      ASSIGN_OR_RETURN(
          int64_t n,
          db_.ExecuteUpdate(
              fmt::format("UPDATE drops SET state = 'quarantined', last_error = ?, error_code = "
                          "'Aborted', finished_at = ?, permanent_failures = ?, claim_owner = "
                          "NULL, lease_expires_at = NULL WHERE {} AND state = 'processing' AND "
                          "attempts = ?",
                          kWhereKey),
              {message, now, permanent, key.tenant_id, key.run_id, key.metadata_etag, key.kind,
               e.attempts}));
      if (n != 1) {
        return core::FailedPreconditionError(
            fmt::format("drop {} was claimed by another process meanwhile", key.ToString()));
      }
      RETURN_IF_ERROR(UpdateWatermark(key.tenant_id));
      RETURN_IF_ERROR(tx.Commit());
      return core::FailedPreconditionError(message);
    }
  }
  const std::string lease = core::FormatIso8601Millis(clock_->Now() + options_.lease);
  // The predicate on the state and attempts read above makes the claim a compare-and-set: of two
  // processes that read the same row, one updates it and the other finds nothing to update.
  ASSIGN_OR_RETURN(
      int64_t n,
      db_.ExecuteUpdate(
          fmt::format("UPDATE drops SET state = 'processing', attempts = attempts + 1, started_at "
                      "= ?, claim_owner = ?, lease_expires_at = ?, permanent_failures = ?, "
                      "next_attempt_at = NULL WHERE {} AND state = ? AND attempts = ?",
                      kWhereKey),
          {now, options_.owner, lease, permanent, key.tenant_id, key.run_id, key.metadata_etag,
           key.kind, DropStateName(e.state), e.attempts}));
  if (n != 1) {
    return core::FailedPreconditionError(
        fmt::format("drop {} was claimed by another process meanwhile", key.ToString()));
  }
  RETURN_IF_ERROR(tx.Commit());
  e.state = DropState::kProcessing;
  ++e.attempts;
  e.permanent_failures = permanent;
  e.claim_owner = options_.owner;
  e.lease_expires_at = lease;
  e.next_attempt_at.clear();
  return e;
}

Status Ledger::MarkDoneInTransaction(const LedgerKey& key, int64_t rows, int64_t bytes,
                                     int64_t duration_ms, const std::vector<ImportedBlob>& parts) {
  ASSIGN_OR_RETURN(
      int64_t n,
      db_.ExecuteUpdate(
          fmt::format(
              "UPDATE drops SET state = 'done', rows = ?, bytes = ?, last_error = NULL, "
              "error_code = NULL, finished_at = ?, duration_ms = ?, imported_parts = ?, "
              "claim_owner = NULL, lease_expires_at = NULL, next_attempt_at = NULL WHERE {} AND "
              "state = 'processing' AND claim_owner = ?",
              kWhereKey),
          {rows, bytes, Now(), duration_ms, PartsJson(parts), key.tenant_id, key.run_id,
           key.metadata_etag, key.kind, options_.owner}));
  if (n != 1) {
    return core::FailedPreconditionError(fmt::format(
        "drop {} is no longer claimed by this process (another process took it over); not "
        "committed",
        key.ToString()));
  }
  return UpdateWatermark(key.tenant_id);
}

Status Ledger::MarkFailedUpstreamInTransaction(const LedgerKey& key, std::string_view errors) {
  std::string message = fmt::format(
      "the pipeline run failed upstream (metadata.json Errors): {}; there is no data to import",
      errors.substr(0, 500));
  ASSIGN_OR_RETURN(
      int64_t n,
      db_.ExecuteUpdate(
          fmt::format("UPDATE drops SET state = 'failed_upstream', last_error = ?, error_code = "
                      "'FailedUpstream', rows = 0, finished_at = ?, claim_owner = NULL, "
                      "lease_expires_at = NULL WHERE {} AND state = 'processing' AND "
                      "claim_owner = ?",
                      kWhereKey),
          {message, Now(), key.tenant_id, key.run_id, key.metadata_etag, key.kind,
           options_.owner}));
  if (n != 1) {
    return core::FailedPreconditionError(
        fmt::format("drop {} is no longer claimed by this process; not committed", key.ToString()));
  }
  return UpdateWatermark(key.tenant_id);
}

Result<DropState> Ledger::MarkFailed(const LedgerKey& key, const Status& error, int max_attempts) {
  DropState state = DropState::kFailed;
  Status tx_status = InTransaction(db_, [&]() -> Status {
    ASSIGN_OR_RETURN(LedgerEntry e, Get(key));
    if (e.state != DropState::kProcessing || e.claim_owner != options_.owner) {
      return core::FailedPreconditionError(fmt::format(
          "drop {} is {}{}, no longer claimed by this process; its failure is not recorded",
          key.ToString(), DropStateName(e.state),
          e.claim_owner.empty() ? "" : " (held by " + e.claim_owner + ")"));
    }
    int64_t permanent = e.permanent_failures;
    int64_t transient = e.transient_failures;
    Value next_attempt;
    if (IsTransient(error)) {
      ++transient;
      next_attempt = core::FormatIso8601Millis(clock_->Now() + Backoff(transient));
    } else {
      ++permanent;
      if (permanent >= max_attempts) state = DropState::kQuarantined;
    }
    std::string message = error.message();
    if (message.size() > 2000) message.resize(2000);
    ASSIGN_OR_RETURN(
        int64_t n,
        db_.ExecuteUpdate(
            fmt::format("UPDATE drops SET state = ?, last_error = ?, error_code = ?, finished_at "
                        "= ?, permanent_failures = ?, transient_failures = ?, next_attempt_at = "
                        "?, claim_owner = NULL, lease_expires_at = NULL WHERE {} AND state = "
                        "'processing' AND claim_owner = ?",
                        kWhereKey),
            {DropStateName(state), message, core::StatusCodeName(error.code()), Now(), permanent,
             transient, std::move(next_attempt), key.tenant_id, key.run_id, key.metadata_etag,
             key.kind, options_.owner}));
    if (n != 1) {
      return core::FailedPreconditionError(
          fmt::format("drop {} is no longer claimed by this process; its failure is not recorded",
                      key.ToString()));
    }
    return UpdateWatermark(key.tenant_id);
  });
  if (!tx_status.ok()) return tx_status;
  return state;
}

Status Ledger::Release(const LedgerKey& key) {
  return InTransaction(db_, [&]() -> Status {
    return db_.Execute(
        fmt::format("UPDATE drops SET state = 'pending', attempts = CASE WHEN attempts > 0 THEN "
                    "attempts - 1 ELSE 0 END, claim_owner = NULL, lease_expires_at = NULL WHERE "
                    "{} AND state = 'processing' AND claim_owner = ?",
                    kWhereKey),
        {key.tenant_id, key.run_id, key.metadata_etag, key.kind, options_.owner});
  });
}

Result<int> Ledger::Replay(std::string_view run_id) {
  int64_t n = 0;
  Status tx_status = InTransaction(db_, [&]() -> Status {
    ASSIGN_OR_RETURN(
        n, db_.ExecuteUpdate(
               "UPDATE drops SET state = 'pending', attempts = 0, finished_at = NULL, "
               "permanent_failures = 0, transient_failures = 0, next_attempt_at = NULL, "
               "claim_owner = NULL, lease_expires_at = NULL WHERE LOWER(run_id) = ? AND state IN "
               "('quarantined', 'failed')",
               {core::ToLower(run_id)}));
    return core::OkStatus();
  });
  if (!tx_status.ok()) return tx_status;
  if (n == 0) {
    return core::NotFoundError(fmt::format(
        "run {} has no quarantined or failed drop in the ledger (see `vivalink status`)", run_id));
  }
  return static_cast<int>(n);
}

Result<std::vector<LedgerEntry>> Ledger::DueForCleanup(int retention_days) {
  Value cutoff = core::FormatIso8601Millis(clock_->Now() - std::chrono::days(retention_days));
  return Select(
      "WHERE state = 'done' AND cleaned_at IS NULL AND finished_at <= ? ORDER BY tenant_id, "
      "metadata_created",
      std::span<const Value>(&cutoff, 1));
}

Status Ledger::MarkCleaned(const LedgerKey& key) {
  return InTransaction(db_, [&]() -> Status {
    return db_.Execute(
        fmt::format("UPDATE drops SET cleaned_at = ? WHERE {} AND state = 'done'", kWhereKey),
        {Now(), key.tenant_id, key.run_id, key.metadata_etag, key.kind});
  });
}

Status Ledger::UpdateWatermark(std::string_view tenant_id) {
  std::string tenant = core::ToLower(tenant_id);
  ASSIGN_OR_RETURN(db::QueryResult u,
                   db_.Query("SELECT MIN(metadata_created) FROM drops WHERE tenant_id = ? AND "
                             "state IN ('pending', 'processing', 'failed')",
                             {tenant}));
  db::QueryResult f;
  if (u.rows.empty() || u.rows[0][0].is_null()) {
    ASSIGN_OR_RETURN(f, db_.Query("SELECT MAX(metadata_created) FROM drops WHERE tenant_id = ? AND "
                                  "state IN ('done', 'failed_upstream', 'quarantined')",
                                  {tenant}));
  } else {
    ASSIGN_OR_RETURN(f, db_.Query("SELECT MAX(metadata_created) FROM drops WHERE tenant_id = ? AND "
                                  "state IN ('done', 'failed_upstream', 'quarantined') AND "
                                  "metadata_created < ?",
                                  {tenant, u.rows[0][0]}));
  }
  if (f.rows.empty() || f.rows[0][0].is_null()) return core::OkStatus();
  std::string candidate = TextOf(f.rows[0][0]);
  // Text comparison is time comparison: every value has the same FormatIso8601Millis shape.
  return db_.Execute(
      "INSERT INTO tenants (tenant_id, watermark, updated_at) VALUES (?, ?, ?) ON CONFLICT "
      "(tenant_id) DO UPDATE SET watermark = excluded.watermark, updated_at = excluded.updated_at "
      "WHERE tenants.watermark IS NULL OR tenants.watermark < excluded.watermark",
      {tenant, candidate, Now()});
}

}  // namespace vivalink::ingest
