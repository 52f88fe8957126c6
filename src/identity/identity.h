// identity: how vivalink names people without storing who they are — the one home of the normal
// forms of identifiers, the hashes the database stores instead of them, person keys and the
// per-tenant pseudonym key (docs/PROTOCOL.md §8.2; db/schema.h person, person_identity).
//
//   person key    = the PersonId / object id (GUIDs in lower case; other ids trimmed), or, when
//                   pseudonymisation is configured, hex(HMAC-SHA256(tenant key,
//                   lower(tenant_id) + "/" + id)) — stable per tenant, not reversible without the
//                   key, different between tenants.
//   IdentityHash  = hex(SHA-256(Normalize(kind, value))), or hex(HMAC-SHA256(tenant key, ...))
//                   with pseudonymisation. Ingestion stores it for every identifier of the user
//                   export; the join hashes a partner's e-mail / object id the same way to find
//                   the person.
//
// Normal forms (Normalize): trimmed and lower case; object ids lose surrounding braces
// ("{GUID}"); proxy addresses lose a leading "smtp:" (any case). An e-mail, a UPN and an smtp:
// proxy address of the same mailbox therefore share one normal form and one hash.
//
// The pseudonym key is 32 random bytes in <keystore>/<tenant-id>/pseudonym.key (64 hex
// characters, mode 0600), created on first use atomically (a crash never leaves an empty or
// partial key). Losing it makes earlier pseudonyms unmatchable: back it up with the tenant's RSA
// key pair.
//
// Thread-safety: every function is safe to call from any thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/secure.h"
#include "core/status.h"

namespace vivalink::identity {

// The kinds of identifier the user export holds (person_identity.kind).
enum class IdentityKind { kObjectId, kMail, kUpn, kProxyAddress };
// "object_id", "mail", "upn", "proxy_address".
std::string_view IdentityKindName(IdentityKind kind);

// How a partner file names people.
enum class KeyType { kEmail, kObjectId };
// "email" / "object_id".
std::string_view KeyTypeName(KeyType type);
// Parses "email" (also "mail", "e-mail") | "object_id" (also "objectid", "object-id"), any case.
// kInvalidArgument otherwise.
core::Result<KeyType> ParseKeyType(std::string_view text);

// person_identity.person_key of a value that two persons of the same user export hold (a shared
// alias, say): it resolves to nobody. A later export that gives it to one person replaces it.
inline constexpr std::string_view kAmbiguousPerson = "*ambiguous*";

// The normal form of an identifier of the given kind (see the header comment).
std::string Normalize(IdentityKind kind, std::string_view value);
// Normalize(kObjectId, id) and Normalize(kMail, email).
std::string NormalizeObjectId(std::string_view id);
std::string NormalizeEmail(std::string_view email);

// The hash stored for an identifier; key empty: plain SHA-256. Lower-case hex.
std::string IdentityHash(std::string_view key, IdentityKind kind, std::string_view value);

// The person key of a PersonId / object id; key empty = no pseudonymisation.
std::string PersonKey(std::string_view key, std::string_view tenant_id, std::string_view person_id);

// The path of the tenant's pseudonym key under the key store.
std::filesystem::path PseudonymKeyPath(const std::filesystem::path& keystore,
                                       std::string_view tenant_id);

// Loads (or creates, mode 0600) the tenant's pseudonym key. Two processes creating it at once
// end up with the same key (the first one's). Errors: kPermissionDenied / kUnavailable for file
// errors; kDataLoss when the file is not 64 hex characters (say which file and that it must be
// restored from the backup).
core::Result<core::SecureString> LoadOrCreatePseudonymKey(const std::filesystem::path& keystore,
                                                          std::string_view tenant_id);

// Loads the tenant's pseudonym key that ingestion created, never creating one: a fresh key would
// only make every lookup of the hashes stored under the old one fail. Errors: kFailedPrecondition
// when the tenant has no key yet (nothing of it was imported: run `vivalink run` first, or
// restore the key from its backup); otherwise as LoadOrCreatePseudonymKey.
core::Result<core::SecureString> LoadPseudonymKey(const std::filesystem::path& keystore,
                                                  std::string_view tenant_id);

}  // namespace vivalink::identity
