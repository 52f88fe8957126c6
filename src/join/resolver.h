// Identity resolution (the resolver): who is a partner row about? (PROTOCOL §5, §9)
//
// The partner knows people by e-mail address (or, less often, by Entra object id); Viva Insights
// knows them by object id (PersonId). The Entra ID user export (MGDC User_v1: `id` = object id,
// `mail`, `userPrincipalName`, `proxyAddresses` = ["SMTP:primary", "smtp:alias", ...]) links the
// two. An IdentityIndex built from that export maps
//   - object id -> the person (object ids are GUIDs: compared trimmed and lower case);
//   - e-mail -> object id, case-insensitively (trimmed, lower case), from `mail`,
//     `userPrincipalName` and EVERY `smtp:` / `SMTP:` entry of `proxyAddresses` (other proxy
//     types such as `x500:` or `sip:` are ignored).
// An e-mail that two different object ids claim is AMBIGUOUS: it resolves to nothing (kAmbiguous)
// rather than to a guess, and is counted. The same address listed twice for one user is fine.
//
// Privacy: the index holds identifiers in memory only; nothing here logs or returns them except
// through Resolve() to its caller. Reports built on it carry counts only.
//
// Thread-safety: building needs exclusive access; a built (const) index may be read from many
// threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "formats/reader.h"
#include "formats/row_batch.h"
#include "identity/identity.h"

namespace vivalink::join {

// The key types and normal forms are identity's (identity/identity.h); the join names them here.
using identity::KeyType;
using identity::KeyTypeName;
using identity::NormalizeEmail;
using identity::NormalizeObjectId;
using identity::ParseKeyType;

enum class ResolveOutcome {
  kResolved,   // object_id holds the person's normalised object id
  kUnknown,    // no such address / empty key
  kAmbiguous,  // the address belongs to two or more object ids: refused
};

struct Resolution {
  ResolveOutcome outcome = ResolveOutcome::kUnknown;
  std::string object_id;  // the person's normalised object id (kResolved only)
};

// Anything that turns a partner key into a person: the in-memory IdentityIndex below (a user
// export file) or join::StoredIdentities (stored.h: the export as ingested into the database).
// Resolve() must return normalised ids (NormalizeObjectId) that the join compares with the Viva
// frame's person column.
class KeyResolver {
 public:
  virtual ~KeyResolver() = default;
  virtual Resolution Resolve(std::string_view key, KeyType type) const = 0;
};

struct IdentityIndexStats {
  int64_t users = 0;             // distinct object ids
  int64_t rows_without_id = 0;   // export rows with no `id` (skipped)
  int64_t emails = 0;            // distinct addresses that resolve to exactly one person
  int64_t ambiguous_emails = 0;  // distinct addresses claimed by two or more object ids
};

class IdentityIndex : public KeyResolver {
 public:
  IdentityIndex() = default;
  IdentityIndex(IdentityIndex&&) = default;
  IdentityIndex& operator=(IdentityIndex&&) = default;

  // Adds the users of one batch of the user export (canonical columns `id`, `mail`,
  // `userPrincipalName`, `proxyAddresses`; each may be absent). kInvalidArgument when `id` or an
  // address column is not a string column; kDataLoss when a proxyAddresses value is not a JSON
  // array of strings (the message names the batch's first line, never the value).
  core::Status AddUsers(const formats::RowBatch& batch);
  // Adds one user directly (tests, callers holding users in memory).
  void AddUser(std::string_view object_id, const std::vector<std::string_view>& emails);

  // Resolves a partner key. kObjectId keys need no export entry: any non-empty id resolves to
  // its normal form (whether Viva Insights knows the person is the join's business).
  Resolution Resolve(std::string_view key, KeyType type) const override;
  // True when the object id (any case) is in the export.
  bool ContainsObjectId(std::string_view object_id) const;

  IdentityIndexStats stats() const;

 private:
  // Interned object ids: email entries point at them by index. kAmbiguousId marks a refused
  // address.
  static constexpr int32_t kAmbiguousId = -1;
  int32_t Intern(std::string normalized_id);
  void AddEmail(std::string_view email, int32_t id);

  std::vector<std::unique_ptr<std::string>> ids_;  // stable addresses for string_views
  std::unordered_map<std::string_view, int32_t> id_index_;
  std::unordered_map<std::string, int32_t> emails_;
  int64_t rows_without_id_ = 0;
  int64_t ambiguous_ = 0;
};

// Reads a whole user export (JSON lines or CSV) into an index. Errors: the reader's
// (kDataLoss with source, line, offset) and AddUsers'.
core::Result<IdentityIndex> LoadIdentityIndex(std::unique_ptr<core::ByteSource> source,
                                              const formats::ReaderOptions& options = {});
// The same for a file; kNotFound when it cannot be opened.
core::Result<IdentityIndex> LoadIdentityIndexFile(const std::string& path);

}  // namespace vivalink::join
