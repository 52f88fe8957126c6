// `vivalink partner load|list` as library calls: the flags a partner gives (empty = not given)
// over the configuration's [partner] defaults, the tenant chosen when none is named, the
// pseudonym key of the tenant (identity/identity.h), and the stored datasets as text or JSON.
// The work itself is stored.h's (LoadPartnerIntoDatabase, ListPartnerSources).
//
// Thread-compatibility: each call opens its own database connection.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/database.h"
#include "identity/identity.h"
#include "join/stored.h"

namespace vivalink::join {

// Where the partner data is stored, and the configuration's defaults of the load flags.
struct PartnerStoreSettings {
  std::string database_url;   // [database] url
  std::string keystore_dir;   // [keys] keystore: the tenants' pseudonym keys
  bool pseudonymise = false;  // [ingest] pseudonymise: partner keys hashed under the tenant's key
  std::string default_path;   // [partner] path
  std::string default_key_column;                                  // [partner] key_column
  identity::KeyType default_key_type = identity::KeyType::kEmail;  // [partner] key_type
};

// `vivalink partner load` flags; an empty field was not given.
struct PartnerLoadFlags {
  std::string file;      // default: [partner] path (required from one of them)
  std::string key;       // default: [partner] key_column, else "Email"
  std::string key_type;  // "email" | "object_id"; default: [partner] key_type
  std::string tenant;    // default: the only tenant the database holds
  std::string source;    // dataset name; default: the file name without extension
  std::string date;      // date column; "" = detect (MetricDate, Week, ...); "none" = static
  std::vector<std::string> sum, mean;    // columns summed / averaged per person-week
  std::string numeric_default = "mean";  // aggregation of undeclared numeric columns
};

// The tenant of a load: the flag (a GUID normalised, else lower case), else the only tenant the
// database knows (tenants with drops or a stored user export). Errors: kFailedPrecondition when
// the database holds no tenant yet (run `vivalink run` first); kInvalidArgument when it holds
// several and none was named; the database's.
core::Result<std::string> ChoosePartnerTenant(db::Database& db, std::string_view flag);

// Opens (and migrates) the database, chooses the tenant, loads the tenant's pseudonym key when
// pseudonymisation is configured (never creating one: identity::LoadPseudonymKey) and runs
// LoadPartnerIntoDatabase; the key is wiped afterwards. Errors: kInvalidArgument for no file, a
// bad key type or aggregation; those of ChoosePartnerTenant, LoadPseudonymKey and
// LoadPartnerIntoDatabase.
core::Result<PartnerLoadSummary> LoadPartner(const PartnerStoreSettings& settings,
                                             const PartnerLoadFlags& flags);

// The stored partner datasets of the tenant flag ("" = every tenant; a GUID is normalised), from
// the database at database_url. Errors: the database's.
core::Result<std::vector<StoredSource>> ListPartner(const std::string& database_url,
                                                    std::string_view tenant);

// One line per dataset (counts, match rate, columns, load time), or a hint how to load one when
// there is none.
std::string PartnerSourcesText(const std::vector<StoredSource>& sources);
// A JSON array (one object per dataset), followed by a newline.
std::string PartnerSourcesJson(const std::vector<StoredSource>& sources);

}  // namespace vivalink::join
