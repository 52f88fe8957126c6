#include "ingest/ledger.h"

#include <fmt/format.h>

#include <map>

#include "core/strings.h"

namespace vivalink::ingest {
namespace {

using core::Result;
using core::Status;
using db::Value;

constexpr std::string_view kColumns =
    "tenant_id, run_id, metadata_etag, kind, copy_activity_id, state, attempts, last_error, "
    "error_code, rows, bytes, metadata_created, discovered_at, started_at, finished_at, "
    "cleaned_at";

std::string Text(const Value& v) { return v.GetText() != nullptr ? *v.GetText() : std::string(); }
int64_t Int(const Value& v) {
  if (const int64_t* i = v.GetInt()) return *i;
  if (const double* d = v.GetDouble()) return static_cast<int64_t>(*d);
  return 0;
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

std::string LedgerKey::ToString() const {
  return fmt::format("{}/{}/{}@{}", run_id, kind, tenant_id, metadata_etag);
}

Ledger::Ledger(db::Database& db, const core::Clock* clock)
    : db_(db), clock_(clock != nullptr ? clock : &core::SystemClock::Instance()) {}

std::string Ledger::Now() const { return core::FormatIso8601Millis(clock_->Now()); }

Result<std::vector<LedgerEntry>> Ledger::Select(std::string_view where,
                                                std::span<const Value> params) {
  ASSIGN_OR_RETURN(db::QueryResult r,
                   db_.Query(fmt::format("SELECT {} FROM drops {}", kColumns, where), params));
  std::vector<LedgerEntry> out;
  out.reserve(r.rows.size());
  for (const db::Row& row : r.rows) {
    LedgerEntry e;
    e.key = {Text(row[0]), Text(row[1]), Text(row[2]), Text(row[3])};
    e.copy_activity_id = Text(row[4]);
    ASSIGN_OR_RETURN(e.state, ParseDropState(Text(row[5])));
    e.attempts = Int(row[6]);
    e.last_error = Text(row[7]);
    e.error_code = Text(row[8]);
    e.rows = Int(row[9]);
    e.bytes = Int(row[10]);
    e.metadata_created = Text(row[11]);
    e.discovered_at = Text(row[12]);
    e.started_at = Text(row[13]);
    e.finished_at = Text(row[14]);
    e.cleaned_at = Text(row[15]);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::optional<core::TimePoint>> Ledger::Watermark(std::string_view tenant_id) {
  ASSIGN_OR_RETURN(db::QueryResult r, db_.Query("SELECT watermark FROM tenants WHERE tenant_id = ?",
                                                {core::ToLower(tenant_id)}));
  if (r.rows.empty() || r.rows[0][0].is_null()) return std::optional<core::TimePoint>();
  ASSIGN_OR_RETURN(core::TimePoint t, core::ParseIso8601(Text(r.rows[0][0])));
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
        db_.ExecuteUpdate("INSERT INTO drops (tenant_id, run_id, metadata_etag, kind, "
                          "copy_activity_id, state, attempts, metadata_created, discovered_at) "
                          "VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (tenant_id, "
                          "run_id, metadata_etag, kind) DO NOTHING",
                          {key.tenant_id, key.run_id, key.metadata_etag, key.kind,
                           copy_activity_id.empty() ? Value() : Value(copy_activity_id),
                           core::FormatIso8601Millis(metadata_created), Now()}));
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
    LedgerKey key{core::ToLower(f.ref.tenant_id), f.ref.run_id, f.metadata.etag, f.ref.kind};
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
  for (const auto& row : r.rows) out.push_back(Text(row[0]));
  return out;
}

Result<LedgerEntry> Ledger::Claim(const LedgerKey& key, int max_attempts) {
  ASSIGN_OR_RETURN(db::Transaction tx, db_.Begin());
  ASSIGN_OR_RETURN(LedgerEntry e, Get(key));
  if (e.state != DropState::kPending && e.state != DropState::kFailed &&
      e.state != DropState::kProcessing) {
    return core::FailedPreconditionError(fmt::format("drop {} is {} and cannot be processed",
                                                     key.ToString(), DropStateName(e.state)));
  }
  if (e.state == DropState::kProcessing && e.attempts >= max_attempts) {
    std::string message = fmt::format(
        "processing of drop {} was interrupted {} time(s) (the process crashed or was killed "
        "while importing it); quarantined after max_attempts = {}; `vivalink replay {}` retries it",
        key.ToString(), e.attempts, max_attempts, key.run_id);
    RETURN_IF_ERROR(db_.Execute(
        "UPDATE drops SET state = 'quarantined', last_error = ?, error_code = 'Aborted', "
        "finished_at = ? WHERE tenant_id = ? AND run_id = ? AND metadata_etag = ? AND kind = ?",
        {message, Now(), key.tenant_id, key.run_id, key.metadata_etag, key.kind}));
    RETURN_IF_ERROR(UpdateWatermark(key.tenant_id));
    RETURN_IF_ERROR(tx.Commit());
    return core::FailedPreconditionError(message);
  }
  RETURN_IF_ERROR(db_.Execute(
      "UPDATE drops SET state = 'processing', attempts = attempts + 1, started_at = ? WHERE "
      "tenant_id = ? AND run_id = ? AND metadata_etag = ? AND kind = ?",
      {Now(), key.tenant_id, key.run_id, key.metadata_etag, key.kind}));
  RETURN_IF_ERROR(tx.Commit());
  e.state = DropState::kProcessing;
  ++e.attempts;
  return e;
}

Status Ledger::MarkDoneInTransaction(const LedgerKey& key, int64_t rows, int64_t bytes,
                                     int64_t duration_ms) {
  ASSIGN_OR_RETURN(
      int64_t n,
      db_.ExecuteUpdate(
          "UPDATE drops SET state = 'done', rows = ?, bytes = ?, last_error = NULL, error_code = "
          "NULL, finished_at = ?, duration_ms = ? WHERE tenant_id = ? AND run_id = ? AND "
          "metadata_etag = ? AND kind = ? AND state = 'processing'",
          {rows, bytes, Now(), duration_ms, key.tenant_id, key.run_id, key.metadata_etag,
           key.kind}));
  if (n != 1) {
    return core::FailedPreconditionError(
        fmt::format("drop {} is no longer in processing (another process took it?); not committed",
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
          "UPDATE drops SET state = 'failed_upstream', last_error = ?, error_code = "
          "'FailedUpstream', rows = 0, finished_at = ? WHERE tenant_id = ? AND run_id = ? AND "
          "metadata_etag = ? AND kind = ? AND state = 'processing'",
          {message, Now(), key.tenant_id, key.run_id, key.metadata_etag, key.kind}));
  if (n != 1) {
    return core::FailedPreconditionError(
        fmt::format("drop {} is no longer in processing; not committed", key.ToString()));
  }
  return UpdateWatermark(key.tenant_id);
}

Result<DropState> Ledger::MarkFailed(const LedgerKey& key, const Status& error, int max_attempts) {
  DropState state = DropState::kFailed;
  Status tx_status = InTransaction(db_, [&]() -> Status {
    ASSIGN_OR_RETURN(LedgerEntry e, Get(key));
    if (e.state != DropState::kProcessing) {
      return core::FailedPreconditionError(
          fmt::format("drop {} is {}, not processing", key.ToString(), DropStateName(e.state)));
    }
    state = e.attempts >= max_attempts ? DropState::kQuarantined : DropState::kFailed;
    std::string message = error.message();
    if (message.size() > 2000) message.resize(2000);
    RETURN_IF_ERROR(db_.Execute(
        "UPDATE drops SET state = ?, last_error = ?, error_code = ?, finished_at = ? WHERE "
        "tenant_id = ? AND run_id = ? AND metadata_etag = ? AND kind = ?",
        {DropStateName(state), message, core::StatusCodeName(error.code()), Now(), key.tenant_id,
         key.run_id, key.metadata_etag, key.kind}));
    return UpdateWatermark(key.tenant_id);
  });
  if (!tx_status.ok()) return tx_status;
  return state;
}

Status Ledger::Release(const LedgerKey& key) {
  return InTransaction(db_, [&]() -> Status {
    return db_.Execute(
        "UPDATE drops SET state = 'pending', attempts = CASE WHEN attempts > 0 THEN attempts - 1 "
        "ELSE 0 END WHERE tenant_id = ? AND run_id = ? AND metadata_etag = ? AND kind = ? AND "
        "state = 'processing'",
        {key.tenant_id, key.run_id, key.metadata_etag, key.kind});
  });
}

Result<int> Ledger::Replay(std::string_view run_id) {
  int64_t n = 0;
  Status tx_status = InTransaction(db_, [&]() -> Status {
    ASSIGN_OR_RETURN(
        n, db_.ExecuteUpdate("UPDATE drops SET state = 'pending', attempts = 0, finished_at = NULL "
                             "WHERE LOWER(run_id) = ? AND state IN ('quarantined', 'failed')",
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
        "UPDATE drops SET cleaned_at = ? WHERE tenant_id = ? AND run_id = ? AND metadata_etag = ? "
        "AND kind = ?",
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
  std::string candidate = Text(f.rows[0][0]);
  // Text comparison is time comparison: every value has the same FormatIso8601Millis shape.
  return db_.Execute(
      "INSERT INTO tenants (tenant_id, watermark, updated_at) VALUES (?, ?, ?) ON CONFLICT "
      "(tenant_id) DO UPDATE SET watermark = excluded.watermark, updated_at = excluded.updated_at "
      "WHERE tenants.watermark IS NULL OR tenants.watermark < excluded.watermark",
      {tenant, candidate, Now()});
}

}  // namespace vivalink::ingest
