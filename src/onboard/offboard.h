// The way out: offboarding a customer tenant (`vivalink offboard`) and a data subject's request
// (`vivalink forget`), the counterparts of onboard.h.
//
// Offboard removes everything vivalink holds for one tenant:
//   1. in the database, in ONE transaction with its audit row: the warehouse rows
//      (warehouse/erase.h: person-weeks, meeting-weeks, person numbers, dictionaries, the tenant's
//      number), the partner data (partner_rows, identity_map, partner_source), the imported user
//      export (person_identity), analysis_results, and the ingestion ledger (drops, tenants);
//   2. after the commit, the tenant's blobs in the configured store (every blob under
//      {RunId}/{Kind}/{TenantId}/, pending or kept for retention; each drop's metadata.json first,
//      so a drop never looks complete without its parts);
//   3. then the tenant's folder of the key store (<keystore>/<tenant>/: RSA key pair, pseudonym
//      key, notification key, onboarding.json) and the saved key-API answers of its drops
//      ([keys] keys_dir/<CopyActivityId>.json);
//   4. finally it checks that no row of the tenant came back (an import that ran meanwhile) and
//      marks the audit row completed.
// A failure in step 1 changes nothing. A failure in step 2 or 3 leaves the database erased and
// the audit row not completed; the error says so, and running offboard again finishes the job
// (it finds no rows and deletes what is left). Stop the tenant's pipeline first (remove the
// Managed Application, or let its SAS expire): a drop delivered during offboarding is deleted
// only by a second run. Without confirmation (options.confirm) and outside a dry run nothing
// asks: the caller decides (the CLI asks on a terminal and otherwise demands --yes).
//
// Forget erases one person of one tenant everywhere the database names them, in ONE transaction
// with its audit row: person-weeks and meeting-weeks and the person's number, partner rows,
// identity_map entries (those matched to the person, and refused partner keys equal to the
// identifier given), and the person's user-export identities (person_identity). The person is
// given by Entra object id or e-mail address; an e-mail is resolved as the join resolves partner
// keys (identity's normal forms: case, "smtp:", mail / UPN / proxy addresses, through the tenant's
// imported user export, join/stored.h); an address two persons hold is refused (give the object
// id). Drops not yet imported, and encrypted blobs kept for retention, may still hold the person:
// the result notes how many; a later import brings the person back (forget again after it).
//
// Audit (db/schema.h erasure_audit): action, tenant, erasure id, times and the rows deleted per
// table; never the person's identifier, person key or a hash of either. Results, notes and errors
// carry counts, tables, file paths of key files and the tenant id, never a person's identity.
//
// Errors: kInvalidArgument for a tenant that is not a GUID or a person that is neither a GUID nor
// an e-mail address; kFailedPrecondition for an e-mail two persons hold, and when rows of the
// tenant reappeared after offboarding; kCancelled when options.confirm declined (nothing
// changed); the database's, the store's and file errors (kUnavailable, kPermissionDenied), each
// saying what was and was not done.
// Thread-compatibility: each call opens its own database connection and store.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/status.h"
#include "core/time.h"
#include "ingest/config.h"
#include "warehouse/erase.h"

namespace vivalink::onboard {

// What an erasure removed, or (dry run, and the plan given to confirm) would remove.
struct ErasureResult {
  std::string action;  // "offboard" | "forget"
  std::string tenant;  // lower case
  bool dry_run = false;
  std::string erasure_id;                  // the audit row's id; empty for a dry run
  std::vector<warehouse::TableRows> rows;  // per table, in deletion order
  std::int64_t blobs = 0;                  // offboard: the tenant's blobs in the store
  std::string store;                       // offboard: the store, without credentials
  std::vector<std::string> key_files;      // offboard: files of the key store (paths)
  std::string matched_by;  // forget: "object_id" | "mail" | "upn" | "proxy_address" | "" (none)
  std::vector<std::string> notes;  // what is outside this erasure and what to do about it

  std::int64_t rows_total() const;
  // A table per line ("  person_week_packed  1,234"), totals, the erasure id and the notes.
  std::string ToText() const;
  // {"action","tenant","dryRun","erasureId","rows":{table:n},"rowsTotal","blobs","keyFiles",
  //  "matchedBy","notes"}
  std::string ToJson() const;
};

struct OffboardOptions {
  std::string tenant;    // the customer's Entra tenant id (a GUID, any case)
  bool dry_run = false;  // count and list only; nothing is changed
  // Asked once with the plan (what would go) before anything changes; false cancels
  // (kCancelled). Null: no question. Never called for a dry run.
  std::function<bool(const ErasureResult& plan)> confirm;
  core::Progress* progress = nullptr;  // blob deletion progress; may be null
  const core::Clock* clock = nullptr;  // null = core::SystemClock
};

// Offboards options.tenant with the configuration's database, store and key store (see above).
core::Result<ErasureResult> Offboard(const ingest::Config& config, const OffboardOptions& options);

struct ForgetOptions {
  std::string tenant;
  std::string person;    // Entra object id (GUID, braces allowed) or e-mail address
  bool dry_run = false;  // count only
  const core::Clock* clock = nullptr;
};

// Erases one person of tenant (see above).
core::Result<ErasureResult> Forget(const ingest::Config& config, const ForgetOptions& options);

}  // namespace vivalink::onboard
