#include "ingest/processor.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <typeinfo>

#include "core/log.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "drop/layout.h"
#include "drop/reader.h"
#include "formats/canonical.h"
#include "formats/row_batch.h"
#include "identity/identity.h"
#include "ingest/calendar_import.h"
#include "ingest/crash_point.h"
#include "warehouse/person_weeks.h"

namespace vivalink::ingest {
namespace {

using core::Result;
using core::Status;
using db::Value;
using formats::RowBatch;
using identity::IdentityHash;
using identity::IdentityKind;
using identity::IdentityKindName;
using identity::kAmbiguousPerson;
using identity::PersonKey;

constexpr std::string_view kPersonColumn = "PersonId";

// person_identity writer for one AADUser drop. A value two persons of this export hold is stored
// as kAmbiguousPerson (refused by the join, never guessed); a newer export replaces older rows.
class IdentitySink {
 public:
  IdentitySink(db::Database& db, std::string tenant, std::string run_id, std::string drop_name,
               core::SecureString key, std::string now)
      : db_(db),
        tenant_(std::move(tenant)),
        run_id_(std::move(run_id)),
        drop_name_(std::move(drop_name)),
        key_(std::move(key)),
        now_(std::move(now)) {}

  Status Prepare() {
    ASSIGN_OR_RETURN(upsert_,
                     db_.Prepare(fmt::format(
                         "INSERT INTO person_identity (tenant_id, kind, value_hash, person_key, "
                         "run_id, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, "
                         "kind, value_hash) DO UPDATE SET person_key = CASE WHEN "
                         "person_identity.run_id = excluded.run_id AND person_identity.person_key "
                         "<> excluded.person_key THEN '{}' ELSE excluded.person_key END, run_id = "
                         "excluded.run_id, updated_at = excluded.updated_at",
                         kAmbiguousPerson)));
    return core::OkStatus();
  }

  Status Add(const RowBatch& batch) {
    int id = batch.Find("id");
    if (id < 0) id = batch.Find(kPersonColumn);
    if (id < 0) {
      return core::DataLossError(
          fmt::format("user export {} has no id column; the drop was not imported", drop_name_));
    }
    int mail = batch.Find("mail");
    int upn = batch.Find("userPrincipalName");
    int proxies = batch.Find("proxyAddresses");
    std::string_view key(key_.data(), key_.size());
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      const formats::Column& ic = batch.column(static_cast<size_t>(id));
      if (ic.IsNull(r) || core::Trim(ic.StringAt(r)).empty()) {
        return core::DataLossError(
            fmt::format("user export {}, {}: id is empty; the drop was not imported", drop_name_,
                        batch.RowWhere(r)));
      }
      std::string person = PersonKey(key, tenant_, ic.StringAt(r));
      RETURN_IF_ERROR(Put(IdentityKind::kObjectId, ic.StringAt(r), person));
      if (mail >= 0) RETURN_IF_ERROR(PutIfSet(batch, mail, r, IdentityKind::kMail, person));
      if (upn >= 0) RETURN_IF_ERROR(PutIfSet(batch, upn, r, IdentityKind::kUpn, person));
      if (proxies >= 0 && !batch.column(static_cast<size_t>(proxies)).IsNull(r)) {
        std::string_view raw = batch.column(static_cast<size_t>(proxies)).StringAt(r);
        nlohmann::json j = nlohmann::json::parse(raw, nullptr, false);
        if (j.is_array()) {
          for (const auto& e : j) {
            if (e.is_string()) {
              RETURN_IF_ERROR(Put(IdentityKind::kProxyAddress, e.get<std::string>(), person));
            }
          }
        } else if (!core::Trim(raw).empty()) {
          RETURN_IF_ERROR(Put(IdentityKind::kProxyAddress, raw, person));
        }
      }
      ++rows_;
    }
    return core::OkStatus();
  }

 private:
  Status PutIfSet(const RowBatch& batch, int col, size_t r, IdentityKind kind,
                  const std::string& person) {
    const formats::Column& c = batch.column(static_cast<size_t>(col));
    if (c.IsNull(r) || core::Trim(c.StringAt(r)).empty()) return core::OkStatus();
    return Put(kind, c.StringAt(r), person);
  }
  Status Put(IdentityKind kind, std::string_view value, const std::string& person) {
    std::string_view key(key_.data(), key_.size());
    return upsert_->Execute(
        {tenant_, IdentityKindName(kind), IdentityHash(key, kind, value), person, run_id_, now_});
  }

  db::Database& db_;
  std::string tenant_, run_id_, drop_name_;
  core::SecureString key_;
  std::string now_;
  std::unique_ptr<db::Statement> upsert_;
  int64_t rows_ = 0;
};

}  // namespace

Result<std::vector<drop::WrappedKey>> ApiKeySource::Fetch(std::string_view tenant_id,
                                                          std::string_view request_id) {
  return client_.FetchDecryptionKeys(tenant_id, request_id);
}

Result<std::vector<drop::WrappedKey>> DirKeySource::Fetch(std::string_view /*tenant_id*/,
                                                          std::string_view request_id) {
  if (!core::IsUuid(request_id)) {
    return core::InvalidArgumentError(fmt::format("request id {} is not a GUID", request_id));
  }
  std::filesystem::path path = std::filesystem::path(dir_) / (std::string(request_id) + ".json");
  std::ifstream in(path);
  if (!in) {
    return core::NotFoundError(fmt::format("no saved key answer {}", path.string()));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return drop::ParseKeysResponse(ss.str());
}

Result<std::vector<drop::WrappedKey>> ChainKeySource::Fetch(std::string_view tenant_id,
                                                            std::string_view request_id) {
  Status last =
      core::NotFoundError("no key source is configured: set keys.api_base_url or keys.keys_dir");
  for (KeySource* s : sources_) {
    auto r = s->Fetch(tenant_id, request_id);
    if (r.ok() || r.status().code() != core::StatusCode::kNotFound) return r;
    last = r.status();
  }
  return last;
}

Processor::Processor(db::Database& db, store::BlobStore& store, Ledger& ledger,
                     ProcessorOptions options)
    : db_(db),
      store_(store),
      ledger_(ledger),
      options_(options),
      clock_(options.clock != nullptr ? options.clock : &core::SystemClock::Instance()) {}

Result<drop::DropKeys> Processor::Keys(const drop::DropRef& ref,
                                       const drop::DropMetadata& metadata) {
  // One rule for every reader of a drop (drop::SelectKeys): a drop that declares PII columns is
  // never imported without the Column key; tenant isolation (PROTOCOL §8.4) in LoadDropKeys.
  auto fetched = options_.keys->Fetch(ref.tenant_id, metadata.copy_activity_id);
  if (!fetched.ok() && metadata.inline_key.has_value() && !drop::DeclaresPiiColumns(metadata)) {
    VL_LOG_WARN("drop {}: key API failed ({}); using the inline File key (no PII columns)",
                ref.ToString(), fetched.status().ToString());
  }
  return drop::LoadDropKeys(drop::KeyStore(options_.config->keystore_dir), ref, metadata, fetched);
}

Result<DropState> Processor::Import(const LedgerEntry& entry, int64_t& rows, int64_t& bytes) {
  const Config& config = *options_.config;
  const LedgerKey& key = entry.key;
  drop::DropRef ref = key.ref();
  auto started = std::chrono::steady_clock::now();

  store::GetOptions get;
  get.if_match = key.metadata_etag;
  auto source = store_.Get(ref.metadata_path(), get);
  if (!source.ok()) {
    if (source.status().code() == core::StatusCode::kFailedPrecondition) {
      return core::FailedPreconditionError(fmt::format(
          "metadata.json of drop {} changed since it was listed (ETag {} is gone); this version "
          "is superseded by the new one",
          ref.ToString(), key.metadata_etag));
    }
    return source.status();
  }
  ASSIGN_OR_RETURN(std::string text, core::ReadAll(**source, 4u << 20));
  ASSIGN_OR_RETURN(drop::DropMetadata metadata, drop::ParseMetadata(text, ref.metadata_path()));
  if (!core::EqualsIgnoreCase(core::Trim(metadata.tenant_id), core::Trim(ref.tenant_id))) {
    return core::PermissionDeniedError(fmt::format(
        "metadata.json of drop {} names tenant {}, not the tenant of its path; the drop was not "
        "imported",
        ref.ToString(), metadata.tenant_id));
  }
  if (metadata.failed_upstream()) {
    ASSIGN_OR_RETURN(db::Transaction tx, db_.Begin());
    RETURN_IF_ERROR(ledger_.MarkFailedUpstreamInTransaction(key, metadata.errors));
    RETURN_IF_ERROR(tx.Commit());
    return DropState::kFailedUpstream;
  }
  ASSIGN_OR_RETURN(drop::DropKeys keys, Keys(ref, metadata));
  ASSIGN_OR_RETURN(auto reader, drop::DropReader::Open(store_, ref, metadata, keys));
  drop::DropValidator validator(metadata, ref);
  core::SecureString pseudonym_key;
  if (config.pseudonymise) {
    ASSIGN_OR_RETURN(pseudonym_key,
                     identity::LoadOrCreatePseudonymKey(config.keystore_dir, key.tenant_id));
  }

  ASSIGN_OR_RETURN(db::Transaction tx, db_.Begin());
  const bool users = ref.kind == drop::kUsersKind;
  const bool calendar = drop::IsCalendarKind(ref.kind);
  std::unique_ptr<warehouse::PersonWeekWriter> metrics;
  std::unique_ptr<IdentitySink> identities;
  std::unique_ptr<CalendarImport> calendar_import;
  if (calendar) {
    CalendarImportRequest request;
    request.tenant_id = key.tenant_id;
    request.run_id = key.run_id;
    request.drop_name = ref.ToString();
    request.pseudonym_key = pseudonym_key;
    request.meetings = config.meetings;
    request.request_start = metadata.request_start;
    request.request_end = metadata.request_end;
    ASSIGN_OR_RETURN(calendar_import, CalendarImport::Open(db_, std::move(request)));
  } else if (users) {
    identities =
        std::make_unique<IdentitySink>(db_, key.tenant_id, key.run_id, ref.ToString(),
                                       pseudonym_key, core::FormatIso8601Millis(clock_->Now()));
    RETURN_IF_ERROR(identities->Prepare());
  } else {
    warehouse::WriteRequest request;
    request.tenant_id = key.tenant_id;
    request.run_id = key.run_id;
    request.drop_name = ref.ToString();
    request.pseudonym_key = pseudonym_key;
    request.metrics = config.store_metrics;
    request.all_metrics = config.store_all_metrics;
    request.attributes = config.store_attributes;
    request.all_attributes = config.store_all_attributes;
    ASSIGN_OR_RETURN(metrics, warehouse::PersonWeekWriter::Open(db_, std::move(request)));
  }
  RowBatch batch;
  formats::CalendarBatch events;
  uint64_t last_bytes = 0;
  for (;;) {
    if (Stopping()) {
      return core::CancelledError(
          fmt::format("stopped on request while importing drop {}; rolled back, it stays pending",
                      ref.ToString()));
    }
    ASSIGN_OR_RETURN(bool more, calendar ? reader->NextEvents(events) : reader->Next(batch));
    if (!more) break;
    CrashPoint("download");
    if (calendar) {
      RETURN_IF_ERROR(validator.ObserveEvents(events, reader->events_source()));
      RETURN_IF_ERROR(calendar_import->Add(events, reader->events_source()));
    } else {
      RETURN_IF_ERROR(validator.Observe(batch));
      RETURN_IF_ERROR(users ? identities->Add(batch) : metrics->Add(batch));
    }
    CrashPoint("insert");
    if (options_.progress != nullptr) {
      options_.progress->AddRows(calendar ? events.size() : batch.num_rows());
      options_.progress->AddBytes(reader->stats().ciphertext_bytes - last_bytes);
      last_bytes = reader->stats().ciphertext_bytes;
      options_.progress->Tick();
    }
  }
  RETURN_IF_ERROR(validator.Finish(reader->stats(), reader->source_columns()));
  rows = static_cast<int64_t>(reader->stats().rows);
  bytes = static_cast<int64_t>(reader->stats().ciphertext_bytes);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  if (metrics != nullptr) RETURN_IF_ERROR(metrics->Finish());
  if (calendar_import != nullptr) RETURN_IF_ERROR(calendar_import->Finish().status());
  std::vector<ImportedBlob> parts;
  for (const store::BlobProperties& part : reader->parts()) parts.push_back({part.name, part.etag});
  RETURN_IF_ERROR(ledger_.MarkDoneInTransaction(key, rows, bytes, ms, parts));
  metrics.reset();
  identities.reset();
  calendar_import.reset();
  CrashPoint("commit");
  RETURN_IF_ERROR(tx.Commit());
  CrashPoint("committed");
  return DropState::kDone;
}

DropResult Processor::Process(const LedgerKey& key) {
  DropResult result;
  result.key = key;
  const Config& config = *options_.config;
  auto claimed = ledger_.Claim(key, config.max_attempts);
  if (!claimed.ok()) {
    result.error = claimed.status();
    auto now = ledger_.Get(key);
    result.state = now.ok() ? now->state : DropState::kFailed;
    if (result.state == DropState::kQuarantined) {
      VL_LOG_ERROR("drop {}: {}", key.ToString(), result.error.message());
    } else {
      VL_LOG_INFO("drop {} not taken up: {}", key.ToString(), result.error.message());
    }
    return result;
  }
  result.claimed = true;
  CrashPoint("claimed");
  if (options_.progress != nullptr) {
    options_.progress->SetStage(fmt::format("{}/{}", key.kind, key.tenant_id));
  }
  // No exception may end the run and leave this drop in processing for the other drops to wait
  // behind: a throw from any library below is this drop's failure, recorded like any other. The
  // exception's text is not quoted (it may carry decrypted bytes).
  Result<DropState> imported = core::InternalError("not imported");
  try {
    imported = Import(*claimed, result.rows, result.bytes);
  } catch (const std::exception& e) {
    imported = core::InternalError(fmt::format(
        "unexpected exception ({}) while importing drop {}; rolled back, nothing was kept",
        typeid(e).name(), key.ref().ToString()));
  }
  if (imported.ok()) {
    result.state = *imported;
    if (options_.progress != nullptr) options_.progress->AddDrops();
    if (result.state == DropState::kDone) {
      VL_LOG_INFO("drop {} imported: {} rows, {} encrypted bytes", key.ref().ToString(),
                  result.rows, result.bytes);
      if (config.retention_days == 0) {
        Status cleaned = Cleanup(key);
        if (!cleaned.ok()) {
          VL_LOG_WARN(
              "drop {}: imported, but its blobs could not be deleted yet ({}); the next "
              "run retries",
              key.ref().ToString(), cleaned.ToString());
        }
      }
    } else {
      VL_LOG_WARN("drop {} failed upstream (metadata.json Errors); nothing to import",
                  key.ref().ToString());
    }
    return result;
  }
  result.error = imported.status();
  result.rows = 0;
  if (result.error.code() == core::StatusCode::kCancelled) {
    Status released = ledger_.Release(key);
    if (!released.ok()) VL_LOG_WARN("drop {}: {}", key.ToString(), released.ToString());
    result.state = DropState::kPending;
    VL_LOG_INFO("{}", result.error.message());
    return result;
  }
  auto marked = ledger_.MarkFailed(key, result.error, config.max_attempts);
  result.state = marked.ok() ? *marked : DropState::kFailed;
  if (!marked.ok()) {
    VL_LOG_ERROR("drop {}: could not record the failure in the ledger: {}", key.ToString(),
                 marked.status().ToString());
  }
  VL_LOG_ERROR("drop {} {} (attempt {} of {}): {}", key.ref().ToString(),
               result.state == DropState::kQuarantined ? "quarantined" : "failed",
               claimed->attempts, config.max_attempts, result.error.ToString());
  return result;
}

Status Processor::Cleanup(const LedgerKey& key) {
  drop::DropRef ref = key.ref();
  ASSIGN_OR_RETURN(LedgerEntry entry, ledger_.Get(key));
  std::vector<ImportedBlob> parts = entry.imported_parts;
  if (parts.empty() && entry.rows > 0) {
    // Imported before the ledger recorded its parts: the parts in storage are this version's
    // only while its metadata.json is still the one that was imported.
    auto metadata = store_.GetProperties(ref.metadata_path());
    if (metadata.ok() && metadata->etag == key.metadata_etag) {
      ASSIGN_OR_RETURN(auto listed, drop::ListParts(store_, ref));
      for (const auto& part : listed) parts.push_back({part.name, part.etag});
    }
  }
  // Only the blobs of the imported version go, each deleted at the ETag it was read at: a run
  // re-delivered meanwhile (new parts, new metadata.json) keeps every blob of its new version.
  for (const ImportedBlob& part : parts) {
    Status s = store_.Delete(part.name, {.if_match = part.etag});
    if (s.code() == core::StatusCode::kFailedPrecondition) {
      VL_LOG_INFO("drop {}: {} was replaced by a newer delivery; kept", key.ToString(), part.name);
      continue;
    }
    if (!s.ok() && s.code() != core::StatusCode::kNotFound) return s;
    CrashPoint("cleanup");
  }
  Status s = store_.Delete(ref.metadata_path(), {.if_match = key.metadata_etag});
  if (!s.ok() && s.code() != core::StatusCode::kNotFound &&
      s.code() != core::StatusCode::kFailedPrecondition) {
    return s;
  }
  CrashPoint("cleanup");
  return ledger_.MarkCleaned(key);
}

}  // namespace vivalink::ingest
