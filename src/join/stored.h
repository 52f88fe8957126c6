// Partner data in the database: `vivalink partner load` stores a partner file per tenant, resolved
// against the user export that `vivalink run` imported (person_identity), and `vivalink report`
// joins the stored person-weeks with it (db/schema.h, migration 3: partner_source, partner_rows,
// identity_map).
//
// Identity resolution against the database. Ingestion stores the user export as hashes only
// (ingest/identity.h): value_hash = IdentityHash(normalised mail / UPN / proxy address / object
// id), keyed by the tenant's pseudonym key when pseudonymisation is configured. A partner e-mail
// is resolved by hashing it the same way and looking the hash up among the tenant's mail, UPN and
// proxy-address hashes (so the match is case-insensitive and covers every smtp: alias); an
// address that two persons hold is AMBIGUOUS and refused, never guessed. Object ids resolve to
// their person key directly (identity::PersonKey), as in identity.h.
//
// Tenants are kept apart: a load reads and writes one tenant's rows only, and the report's join
// matches a person-week only with partner rows of its own tenant.
//
// Privacy: no partner key is stored or logged. identity_map holds the hash of the key; summaries
// and errors carry counts, file names, line numbers and column names only.
//
// Thread-compatibility: as db::Database (one connection, one thread at a time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/frame.h"
#include "core/status.h"
#include "db/database.h"
#include "join/join.h"
#include "join/partner.h"
#include "join/resolver.h"

namespace vivalink::join {

// The user export of one tenant as stored in person_identity, as a KeyResolver.
class StoredIdentities final : public KeyResolver {
 public:
  // Reads the tenant's person_identity rows. pseudonym_key: the tenant's pseudonym key when
  // ingestion pseudonymises (identity::LoadOrCreatePseudonymKey), else empty; it must be the key
  // ingestion used or nothing matches. The key is copied into wiped memory. Errors: the
  // database's.
  static core::Result<StoredIdentities> Load(db::Database& db, std::string_view tenant_id,
                                             std::string_view pseudonym_key);

  StoredIdentities(StoredIdentities&&) noexcept;
  StoredIdentities& operator=(StoredIdentities&&) noexcept;
  ~StoredIdentities() override;

  // E-mail: the person holding the address (mail, UPN or proxy address), kAmbiguous when two
  // persons hold it, kUnknown else. Object id: always resolves (as identity.h). The returned id
  // is normalised (NormalizeObjectId of the stored person key). Every resolved key is also
  // recorded for identity_map (see Matches()), which is why a StoredIdentities must be used by
  // one thread at a time despite the const.
  Resolution Resolve(std::string_view key, KeyType type) const override;

  // The person key as stored in person_week for a normalised id returned by Resolve().
  const std::string& StoredKey(const std::string& normalised_id) const;

  struct Match {
    std::string person_key;  // as stored
    std::string matched_by;  // "object_id" | "mail" | "upn" | "proxy_address"
  };
  // Keys resolved so far, by person_ref (the hash of the key, see schema.h identity_map).
  const std::unordered_map<std::string, Match>& Matches() const;
  // The person_ref of a key (whether or not it resolves).
  std::string RefOf(std::string_view key, KeyType type) const;

  int64_t persons() const;              // distinct persons of the stored export
  int64_t addresses() const;            // distinct address hashes that resolve to one person
  int64_t ambiguous_addresses() const;  // distinct address hashes held by 2+ persons

 private:
  struct State;
  explicit StoredIdentities(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// One `vivalink partner load`.
struct PartnerLoadRequest {
  std::string tenant_id;  // the tenant as stored (lower-case GUID); required
  // Dataset name: letters, digits, '_', '-', '.', at most 64. Empty: the file name without its
  // extension ("crm" for /data/crm.csv).
  std::string source;
  std::string path;  // the partner file: CSV or JSON lines
  // Key column and type, date column (set detect_date_column to pick MetricDate/Week/Date/...),
  // value columns and aggregations: see partner.h.
  PartnerOptions options;
  std::string pseudonym_key;  // see StoredIdentities::Load; wiped by the caller
  std::string loaded_at;      // ISO 8601 UTC; empty: now
};

// What a load did: counts only, never identities.
struct PartnerLoadSummary {
  std::string tenant_id;
  std::string source;
  std::string key_type;     // "email" | "object_id"
  std::string date_column;  // "" for static data
  PartnerLoadStats stats;
  // The join of the stored rows with the tenant's person-weeks in the database at load time
  // (inner join; match_rate = matched persons / partner persons).
  JoinReport match;
  int64_t rows_stored = 0;          // partner_rows written (== stats.entries)
  int64_t identities_stored = 0;    // identity_map rows written (resolved and refused keys)
  int64_t rows_replaced = 0;        // partner_rows of the previous load of this source, removed
  int64_t ambiguous_addresses = 0;  // addresses of the stored user export held by 2+ persons

  // "partner load crm (tenant ...): 1,749 rows read, ...; match rate 95.9% (302 of 315 ...)".
  std::string ToText() const;
  std::string ToJson() const;
};

// Reads the partner file, resolves its keys against the tenant's stored user export, aligns it
// to Viva weeks (partner.h) and stores it, replacing any previous load of the same (tenant,
// source) in ONE transaction: readers see the old load or the new one, never a mix; on any error
// nothing changes. Records the counts and match rate in partner_source.
// Errors: kInvalidArgument for a bad source name or empty tenant, and the loader's (key/date
// column missing, ...); kNotFound for an unreadable file; kDataLoss for malformed rows (naming
// the file and line); kFailedPrecondition for e-mail keys when the tenant has no stored user
// export (run `vivalink run` first) or a database without migration 3; the database's.
core::Result<PartnerLoadSummary> LoadPartnerIntoDatabase(db::Database& db,
                                                         const PartnerLoadRequest& request);

// A stored partner dataset (a partner_source row).
struct StoredSource {
  std::string tenant_id;
  std::string source;
  std::string key_type;
  std::string date_column;  // "" for static data
  std::vector<PartnerColumnInfo> columns;
  int64_t rows_read = 0, rows_refused = 0, duplicates_dropped = 0, rows_merged = 0, entries = 0;
  int64_t partner_persons = 0, resolved_persons = 0, matched_persons = 0;
  int64_t ambiguous_addresses = 0;  // of the tenant's stored user export, at load time
  std::string loaded_at;
  bool is_static() const { return date_column.empty(); }
};

// The stored partner datasets of a tenant ("" = every tenant), ordered by tenant and source.
core::Result<std::vector<StoredSource>> ListPartnerSources(db::Database& db,
                                                           std::string_view tenant_id);

// The person-weeks of the database as a Frame: TenantId, PersonId (the stored person key),
// MetricDate, the stored HR attributes (categorical) and metrics (numeric, NaN when absent),
// ordered by tenant, week and person. tenant_id "" = every tenant. The meeting metrics derived
// from imported Outlook calendars join in as "Calendar_..." columns (an outer join:
// warehouse::MergeMeetingWeeks), so every analysis of the person-weeks sees them too.
core::Result<analysis::Frame> LoadPersonWeeks(db::Database& db, std::string_view tenant_id);

struct StoredJoin {
  analysis::Frame frame;                     // every person-week, partner columns appended
  std::vector<StoredSource> sources;         // the partner datasets joined (empty: none stored)
  std::vector<std::string> partner_columns;  // the columns the join appended
  // The join's counts. partner_persons and the rates include the distinct keys the loads refused
  // (identity_map), so match_rate is matched / all partner persons, as for an in-memory join.
  JoinReport report;
};

// LoadPersonWeeks joined with every stored partner dataset of the tenant(s): a left join (every
// person-week stays; partner values are missing where the partner has none), each person-week
// matched only with partner rows of its own tenant. Without stored partner data the frame is
// returned unjoined (sources empty). Errors: the database's; kDataLoss for a partner_rows value
// that is not the JSON written by LoadPartnerIntoDatabase; the join's.
core::Result<StoredJoin> LoadJoinedPersonWeeks(db::Database& db, std::string_view tenant_id);

}  // namespace vivalink::join
