#include "onboard/offboard.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "azure/open_store.h"
#include "core/file.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "db/schema.h"
#include "drop/layout.h"
#include "identity/identity.h"
#include "join/stored.h"

namespace vivalink::onboard {
namespace {

namespace fs = std::filesystem;
using core::Result;
using core::Status;
using db::IntOf;
using db::TextOf;
using db::Value;
using nlohmann::ordered_json;
using warehouse::EraseMode;
using warehouse::TableRows;

// The tenant's rows outside the warehouse, in deletion order (db/schema.h). erasure_audit is
// kept on purpose: it is the record that the erasure happened.
constexpr std::string_view kTenantTables[] = {
    "partner_rows",     "identity_map", "partner_source", "person_identity",
    "analysis_results", "drops",        "tenants"};

Result<std::string> CheckTenant(std::string_view tenant) {
  std::string_view t = core::Trim(tenant);
  if (!core::IsUuid(t)) {
    return core::InvalidArgumentError(fmt::format(
        "--tenant: '{}' is not a tenant id (the customer's Entra tenant id, a GUID)", tenant));
  }
  return core::NormalizeUuid(t);
}

// Counts or deletes the rows of "<table> WHERE ...".
Result<std::int64_t> Rows(db::Database& db, EraseMode mode, std::string_view table,
                          std::string_view where, std::initializer_list<Value> params) {
  if (mode == EraseMode::kDelete) {
    return db.ExecuteUpdate(fmt::format("DELETE FROM {} WHERE {}", table, where), params);
  }
  ASSIGN_OR_RETURN(
      Value n,
      db.QueryValue(fmt::format("SELECT COUNT(*) FROM {} WHERE {}", table, where), params));
  return IntOf(n);
}

// Every row of the tenant, counted or deleted: the warehouse first, then the other tables.
Result<std::vector<TableRows>> TenantRows(db::Database& db, const std::string& tenant,
                                          EraseMode mode) {
  ASSIGN_OR_RETURN(std::vector<TableRows> out, warehouse::EraseTenant(db, tenant, mode));
  for (std::string_view table : kTenantTables) {
    ASSIGN_OR_RETURN(std::int64_t n, Rows(db, mode, table, "tenant_id = ?", {tenant}));
    out.push_back({std::string(table), n});
  }
  return out;
}

std::int64_t Total(const std::vector<TableRows>& rows) {
  std::int64_t n = 0;
  for (const auto& r : rows) n += r.rows;
  return n;
}

core::TimePoint Now(const core::Clock* clock) {
  return (clock != nullptr ? *clock : core::SystemClock::Instance()).Now();
}

// The audit row, written inside the erasure's transaction: counts only.
Status WriteAudit(db::Database& db, const ErasureResult& r, core::TimePoint requested,
                  core::TimePoint committed, bool completed) {
  ordered_json counts = ordered_json::object();
  for (const auto& t : r.rows) counts[t.table] = t.rows;
  const std::string committed_at = core::FormatIso8601(committed);
  return db.Execute(
      "INSERT INTO erasure_audit (tenant_id, erasure_id, action, requested_at, committed_at, "
      "completed_at, row_counts, rows_total, blobs, key_files) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, "
      "0)",
      {r.tenant, r.erasure_id, r.action, core::FormatIso8601(requested), committed_at,
       completed ? Value(committed_at) : Value(), counts.dump(), r.rows_total()});
}

// SQLite keeps the pages a transaction changed in the write-ahead log until a checkpoint copies
// them into the database file; checkpoint now so that the file holds the erased (zeroed, by
// secure_delete) pages and the log is emptied. Best effort: a reader holding an old snapshot
// makes it partial, and the next automatic checkpoint completes it.
void Checkpoint(db::Database& db) {
  if (db.dialect() != db::Dialect::kSqlite) return;
  db.Query("PRAGMA wal_checkpoint(TRUNCATE)").status().IgnoreError();
}

// ---- storage and key files -----------------------------------------------------------------

// The tenant's blobs: {RunId}/{Kind}/{TenantId}/... with the tenant in any case (the path keeps
// the spelling the pipeline used); each drop's metadata.json first.
Result<std::vector<std::string>> TenantBlobs(store::BlobStore& store, const std::string& tenant) {
  std::vector<std::string> metadata, parts;
  store::ListOptions options;
  do {
    ASSIGN_OR_RETURN(store::ListPage page, store.List(options));
    for (const auto& blob : page.blobs) {
      const auto seg = core::Split(blob.name, '/');
      if (seg.size() < 4 || !core::IsUuid(seg[0]) || !core::EqualsIgnoreCase(seg[2], tenant)) {
        continue;
      }
      const bool is_metadata = blob.name.ends_with(drop::kMetadataSuffix);
      (is_metadata ? metadata : parts).push_back(blob.name);
    }
    options.marker = page.next_marker;
  } while (!options.marker.empty());
  metadata.insert(metadata.end(), parts.begin(), parts.end());
  return metadata;
}

fs::path TenantKeyFolder(const ingest::Config& config, const std::string& tenant) {
  return fs::path(config.keystore_dir) / tenant;
}

// The files of the tenant's key-store folder, and the saved key-API answers of its drops.
Result<std::vector<std::string>> KeyFiles(db::Database& db, const ingest::Config& config,
                                          const std::string& tenant) {
  std::set<std::string> files;
  std::error_code ec;
  const fs::path folder = TenantKeyFolder(config, tenant);
  if (fs::is_directory(folder, ec)) {
    for (auto it = fs::recursive_directory_iterator(folder, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_directory(ec)) files.insert(it->path().string());
    }
    if (ec) {
      return core::UnavailableError(
          fmt::format("cannot list the key store folder {}: {}", folder.string(), ec.message()));
    }
  }
  if (!config.keys.keys_dir.empty()) {
    ASSIGN_OR_RETURN(auto ids, db.Query("SELECT DISTINCT copy_activity_id FROM drops WHERE "
                                        "tenant_id = ? AND copy_activity_id IS NOT NULL",
                                        {tenant}));
    for (const auto& row : ids.rows) {
      const std::string id = TextOf(row[0]);
      if (!core::IsUuid(id)) continue;  // never a path built from anything else
      const fs::path answer = fs::path(config.keys.keys_dir) / (id + ".json");
      if (fs::exists(answer, ec)) files.insert(answer.string());
    }
  }
  return std::vector<std::string>(files.begin(), files.end());
}

// What onboard recorded and vivalink cannot undo itself, as notes.
void OnboardingNotes(const ingest::Config& config, ErasureResult& r) {
  const fs::path record = TenantKeyFolder(config, r.tenant) / "onboarding.json";
  auto text = core::ReadFile(record, 1 << 16);
  if (text.ok()) {
    auto j = ordered_json::parse(*text, nullptr, false);
    if (j.is_object()) {
      if (j.contains("sasExpires") && j["sasExpires"].is_string()) {
        r.notes.push_back(fmt::format(
            "the SAS handed to the customer stays valid until {}: vivalink cannot revoke it "
            "(rotate the storage account key to end it sooner); ask the customer to remove the "
            "Managed Application",
            j["sasExpires"].get<std::string>()));
      }
      const std::string store_container = azure::ContainerNameFromUrl(config.store_url);
      if (j.contains("container") && j["container"].is_string() &&
          j["container"].get<std::string>() != store_container) {
        r.notes.push_back(fmt::format(
            "container {} (onboarding.json) is not the configured store's ({}); its blobs were "
            "not looked at: delete the container once no other tenant uses it",
            j["container"].get<std::string>(), store_container));
      }
    }
  }
  if (!config.keys.api_base_url.empty()) {
    r.notes.push_back(
        "the tenant's public key stays registered with the Viva Insights key API; without the "
        "deleted private key nothing wrapped for it can be read");
  }
}

void CommonNotes(db::Database& db, ErasureResult& r) {
  if (db.dialect() == db::Dialect::kPostgres) {
    r.notes.push_back(
        "PostgreSQL reuses the deleted rows' space after the next (auto)vacuum of each table");
  }
  r.notes.push_back("database backups taken before now still hold what was erased");
}

struct Deleted {
  std::int64_t blobs = 0;
  std::int64_t key_files = 0;
};

// Deletes the blobs (metadata.json first) and then the key files; counts what went.
Result<Deleted> DeleteFiles(store::BlobStore& store, const std::vector<std::string>& blobs,
                            const ingest::Config& config, const ErasureResult& r,
                            core::Progress* progress) {
  Deleted deleted;
  Status first_error;
  std::int64_t failed = 0;
  for (size_t i = 0; i < blobs.size(); ++i) {
    Status st = store.Delete(blobs[i]);
    if (st.ok() || st.code() == core::StatusCode::kNotFound) {
      ++deleted.blobs;
    } else {
      ++failed;
      if (first_error.ok()) first_error = st;
    }
    if (progress != nullptr) {
      progress->SetStage(fmt::format("blobs {}/{}", i + 1, blobs.size()));
      progress->Tick();
    }
  }
  if (failed > 0) {
    return core::Status(
        first_error.code(),
        fmt::format("the database rows of tenant {} are erased (erasure {}), but {} of {} blobs in "
                    "{} could not be deleted ({}); the key files were kept: run `vivalink "
                    "offboard --tenant {} --yes` again to finish",
                    r.tenant, r.erasure_id, failed, blobs.size(), store.Describe(),
                    first_error.message(), r.tenant));
  }
  std::error_code ec;
  for (const auto& file : r.key_files) {
    if (fs::remove(file, ec) || !ec) {
      ++deleted.key_files;
    } else if (first_error.ok()) {
      first_error =
          core::PermissionDeniedError(fmt::format("cannot delete {}: {}", file, ec.message()));
    }
  }
  const fs::path folder = TenantKeyFolder(config, r.tenant);
  if (first_error.ok() && fs::exists(folder, ec)) {
    fs::remove_all(folder, ec);
    if (ec) {
      first_error = core::PermissionDeniedError(
          fmt::format("cannot delete the folder {}: {}", folder.string(), ec.message()));
    }
  }
  if (!first_error.ok()) {
    return core::Status(
        first_error.code(),
        fmt::format("the database rows and blobs of tenant {} are erased (erasure {}), but key "
                    "files remain ({}); fix the permissions and run `vivalink offboard --tenant "
                    "{} --yes` again",
                    r.tenant, r.erasure_id, first_error.message(), r.tenant));
  }
  return deleted;
}

// ---- forget -------------------------------------------------------------------------------

// The person's rows, counted or deleted: the warehouse first (person_key empty: the identifier
// resolved to nobody, so only refused partner keys equal to it can be found).
Result<std::vector<TableRows>> PersonRows(db::Database& db, const std::string& tenant,
                                          const std::string& person_key, const std::string& ref,
                                          EraseMode mode) {
  std::vector<TableRows> out;
  if (!person_key.empty()) {
    ASSIGN_OR_RETURN(out, warehouse::ErasePerson(db, tenant, person_key, mode));
  } else {
    ASSIGN_OR_RETURN(out, warehouse::ErasePerson(db, tenant, "", EraseMode::kCount));
  }
  ASSIGN_OR_RETURN(
      std::int64_t partner,
      Rows(db, mode, "partner_rows", "tenant_id = ? AND person_key = ?", {tenant, person_key}));
  ASSIGN_OR_RETURN(std::int64_t map, Rows(db, mode, "identity_map",
                                          "tenant_id = ? AND (person_key = ? OR person_ref = ?)",
                                          {tenant, person_key, ref}));
  ASSIGN_OR_RETURN(
      std::int64_t identities,
      Rows(db, mode, "person_identity", "tenant_id = ? AND person_key = ?", {tenant, person_key}));
  out.push_back({"partner_rows", partner});
  out.push_back({"identity_map", map});
  out.push_back({"person_identity", identities});
  return out;
}

// Drops of the tenant that may still bring the person back, as notes.
Status ForgetNotes(db::Database& db, ErasureResult& r) {
  ASSIGN_OR_RETURN(Value pending,
                   db.QueryValue("SELECT COUNT(*) FROM drops WHERE tenant_id = ? AND state IN "
                                 "('pending', 'processing', 'failed')",
                                 {r.tenant}));
  if (IntOf(pending) > 0) {
    r.notes.push_back(fmt::format(
        "{} drops of tenant {} are not imported yet and may hold this person: importing them "
        "stores the person again; run forget again after they are imported",
        IntOf(pending), r.tenant));
  }
  ASSIGN_OR_RETURN(Value kept, db.QueryValue("SELECT COUNT(*) FROM drops WHERE tenant_id = ? AND "
                                             "state = 'done' AND cleaned_at IS NULL",
                                             {r.tenant}));
  if (IntOf(kept) > 0) {
    r.notes.push_back(fmt::format(
        "{} imported drops of tenant {} are still in storage (retention_days): their encrypted "
        "blobs hold the person until retention deletes them",
        IntOf(kept), r.tenant));
  }
  return core::OkStatus();
}

}  // namespace

std::int64_t ErasureResult::rows_total() const { return Total(rows); }

std::string ErasureResult::ToText() const {
  std::string out = fmt::format("{} tenant {}{}\n", action, tenant,
                                dry_run ? " (dry run: nothing was changed)" : "");
  size_t width = 0;
  for (const auto& t : rows) width = std::max(width, t.table.size());
  for (const auto& t : rows) {
    out += fmt::format("  {:<{}}  {:>10} rows\n", t.table, width, t.rows);
  }
  if (action == "forget") {
    out += fmt::format("person found by: {}\n", matched_by.empty() ? "nothing (not in the user "
                                                                     "export)"
                                                                   : matched_by);
  }
  if (action == "offboard") {
    out += fmt::format("  {:<{}}  {:>10} blobs\n", "storage", width, blobs);
    for (const auto& f : key_files) out += fmt::format("  key file  {}\n", f);
  }
  out += fmt::format(
      "{}: {} rows{}\n", dry_run ? "would erase" : "erased", rows_total(),
      action == "offboard" ? fmt::format(", {} blobs, {} key files", blobs, key_files.size()) : "");
  if (!erasure_id.empty()) out += fmt::format("erasure {} recorded in erasure_audit\n", erasure_id);
  for (const auto& n : notes) out += fmt::format("note: {}\n", n);
  return out;
}

std::string ErasureResult::ToJson() const {
  ordered_json counts = ordered_json::object();
  for (const auto& t : rows) counts[t.table] = t.rows;
  ordered_json j = {
      {"action", action},
      {"tenant", tenant},
      {"dryRun", dry_run},
      {"erasureId", erasure_id.empty() ? ordered_json(nullptr) : ordered_json(erasure_id)},
      {"rows", counts},
      {"rowsTotal", rows_total()}};
  if (action == "offboard") {
    j["blobs"] = blobs;
    j["keyFiles"] = key_files;
  } else {
    j["matchedBy"] = matched_by.empty() ? ordered_json(nullptr) : ordered_json(matched_by);
  }
  j["notes"] = notes;
  return j.dump();
}

Result<ErasureResult> Offboard(const ingest::Config& config, const OffboardOptions& options) {
  ErasureResult r;
  r.action = "offboard";
  ASSIGN_OR_RETURN(r.tenant, CheckTenant(options.tenant));
  r.dry_run = options.dry_run;
  const core::TimePoint requested = Now(options.clock);
  ASSIGN_OR_RETURN(auto db, db::OpenMigrated(config.database_url));
  ASSIGN_OR_RETURN(auto store, azure::OpenBlobStore(config.store_url));
  r.store = store->Describe();

  // The plan: what is there now.
  ASSIGN_OR_RETURN(r.rows, TenantRows(*db, r.tenant, EraseMode::kCount));
  ASSIGN_OR_RETURN(std::vector<std::string> blobs, TenantBlobs(*store, r.tenant));
  r.blobs = static_cast<std::int64_t>(blobs.size());
  ASSIGN_OR_RETURN(r.key_files, KeyFiles(*db, config, r.tenant));
  OnboardingNotes(config, r);
  CommonNotes(*db, r);
  if (r.dry_run) return r;
  if (options.confirm && !options.confirm(r)) {
    return core::CancelledError(
        fmt::format("offboarding of tenant {} was not confirmed; nothing was changed", r.tenant));
  }

  // 1. Every row and the audit row, in one transaction.
  r.erasure_id = core::NewUuid();
  {
    auto erase = [&]() -> Status {
      ASSIGN_OR_RETURN(db::Transaction tx, db->Begin());
      ASSIGN_OR_RETURN(r.rows, TenantRows(*db, r.tenant, EraseMode::kDelete));
      RETURN_IF_ERROR(WriteAudit(*db, r, requested, Now(options.clock), false));
      return tx.Commit();
    };
    Status st = erase();
    if (!st.ok()) {
      return st.WithContext(fmt::format(
          "offboarding tenant {}: the database was rolled back, nothing was changed", r.tenant));
    }
  }
  Checkpoint(*db);

  // 2 and 3. Storage, then the key files.
  ASSIGN_OR_RETURN(Deleted deleted, DeleteFiles(*store, blobs, config, r, options.progress));
  r.blobs = deleted.blobs;

  // 4. Nothing came back meanwhile (an import that was running), then the audit row completes.
  ASSIGN_OR_RETURN(auto after, TenantRows(*db, r.tenant, EraseMode::kCount));
  if (Total(after) > 0) {
    return core::FailedPreconditionError(fmt::format(
        "offboarding tenant {} (erasure {}): {} rows of the tenant were written while it ran (an "
        "import of a drop delivered meanwhile); stop the tenant's pipeline and `vivalink serve`, "
        "then run `vivalink offboard --tenant {} --yes` again",
        r.tenant, r.erasure_id, Total(after), r.tenant));
  }
  RETURN_IF_ERROR(db->Execute(
      "UPDATE erasure_audit SET completed_at = ?, blobs = ?, key_files = ? WHERE tenant_id = ? AND "
      "erasure_id = ?",
      {core::FormatIso8601(Now(options.clock)), deleted.blobs, deleted.key_files, r.tenant,
       r.erasure_id}));
  return r;
}

Result<ErasureResult> Forget(const ingest::Config& config, const ForgetOptions& options) {
  ErasureResult r;
  r.action = "forget";
  ASSIGN_OR_RETURN(r.tenant, CheckTenant(options.tenant));
  r.dry_run = options.dry_run;
  const std::string_view person = core::Trim(options.person);
  std::string_view unbraced = person;
  if (unbraced.size() >= 2 && unbraced.front() == '{' && unbraced.back() == '}') {
    unbraced = unbraced.substr(1, unbraced.size() - 2);
  }
  identity::KeyType type;
  if (core::IsUuid(core::Trim(unbraced))) {
    type = identity::KeyType::kObjectId;
  } else if (person.find('@') != std::string_view::npos &&
             identity::NormalizeEmail(person).size() > 2) {
    type = identity::KeyType::kEmail;
  } else {
    // Never echo the value: it may be a person's identifier.
    return core::InvalidArgumentError(
        "--person: give the person's Entra object id (a GUID) or e-mail address");
  }
  const core::TimePoint requested = Now(options.clock);
  ASSIGN_OR_RETURN(auto db, db::OpenMigrated(config.database_url));

  // The tenant's pseudonym key when ingestion pseudonymises (the person keys and hashes are
  // keyed by it); never created here.
  core::SecureString key;
  std::error_code ec;
  if (config.pseudonymise &&
      fs::exists(identity::PseudonymKeyPath(config.keystore_dir, r.tenant), ec)) {
    ASSIGN_OR_RETURN(key, identity::LoadOrCreatePseudonymKey(config.keystore_dir, r.tenant));
  }
  ASSIGN_OR_RETURN(join::StoredIdentities identities,
                   join::StoredIdentities::Load(*db, r.tenant, {key.data(), key.size()}));
  const join::Resolution resolution = identities.Resolve(person, type);
  const std::string ref = identities.RefOf(person, type);
  if (resolution.outcome == join::ResolveOutcome::kAmbiguous) {
    return core::FailedPreconditionError(fmt::format(
        "--person: the address is held by two or more persons in tenant {}'s user export; give "
        "the person's Entra object id instead",
        r.tenant));
  }
  std::string person_key;
  if (resolution.outcome == join::ResolveOutcome::kResolved) {
    person_key = identities.StoredKey(resolution.object_id);
    auto it = identities.Matches().find(ref);
    r.matched_by = it != identities.Matches().end() ? it->second.matched_by : "object_id";
  } else {
    r.notes.push_back(fmt::format(
        "the address is not in tenant {}'s user export: no person-week can be linked to it; "
        "only partner keys equal to it were looked for",
        r.tenant));
  }

  ASSIGN_OR_RETURN(r.rows, PersonRows(*db, r.tenant, person_key, ref, EraseMode::kCount));
  RETURN_IF_ERROR(ForgetNotes(*db, r));
  CommonNotes(*db, r);
  if (r.rows_total() == 0) {
    r.notes.insert(r.notes.begin(),
                   fmt::format("nothing is stored for this person in tenant {}", r.tenant));
  }
  if (r.dry_run) return r;

  r.erasure_id = core::NewUuid();
  auto erase = [&]() -> Status {
    ASSIGN_OR_RETURN(db::Transaction tx, db->Begin());
    ASSIGN_OR_RETURN(r.rows, PersonRows(*db, r.tenant, person_key, ref, EraseMode::kDelete));
    RETURN_IF_ERROR(WriteAudit(*db, r, requested, Now(options.clock), true));
    return tx.Commit();
  };
  Status st = erase();
  if (!st.ok()) {
    return st.WithContext(fmt::format(
        "forget in tenant {}: the database was rolled back, nothing was changed", r.tenant));
  }
  Checkpoint(*db);
  return r;
}

}  // namespace vivalink::onboard
