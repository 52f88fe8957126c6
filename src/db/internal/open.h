// Module-private: the constructors of the two implementations, called by Database::Open().
#pragma once

#include <memory>

#include "db/database.h"

namespace vivalink::db::internal {

Result<std::unique_ptr<Database>> OpenSqlite(const DatabaseUrl& url, const OpenOptions& options);
Result<std::unique_ptr<Database>> OpenPostgres(const DatabaseUrl& url, const OpenOptions& options);

}  // namespace vivalink::db::internal
