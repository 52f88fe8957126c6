// Person keys and identity hashes: how ingestion turns personal identifiers into what the
// database stores (DESIGN §8.2; db/schema.h person_week, person_identity).
//
//   person_key    = the PersonId / object id (GUIDs normalised to lower case), or, when
//                   pseudonymisation is configured, hex(HMAC-SHA256(tenant key,
//                   tenant_id + "/" + person_id)) — stable per tenant, not reversible without the
//                   key, different between tenants.
//   IdentityHash  = hex(SHA-256(normalised value)), or hex(HMAC-SHA256(tenant key, normalised
//                   value)) with pseudonymisation. The join engine computes the same hash of the
//                   partner's e-mail / object id to find the person_key in person_identity.
//
// The per-tenant key is 32 random bytes in <keystore>/<tenant-id>/pseudonym.key (hex, mode 0600),
// created on first use. Losing it makes earlier pseudonyms unmatchable; back it up with the
// tenant's RSA key pair.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/secure.h"
#include "core/status.h"

namespace vivalink::ingest {

enum class IdentityKind { kObjectId, kMail, kUpn, kProxyAddress };

// person_identity.person_key of a value that two persons of the same user export hold (a shared
// alias, say): it resolves to nobody. A later export that gives it to one person replaces it.
inline constexpr std::string_view kAmbiguousPerson = "*ambiguous*";
// "object_id", "mail", "upn", "proxy_address" (person_identity.kind).
std::string_view IdentityKindName(IdentityKind kind);

// Lower case, trimmed; for proxy addresses a leading "smtp:" (any case) is removed; GUIDs are
// normalised.
std::string NormaliseIdentity(IdentityKind kind, std::string_view value);

// key empty: plain SHA-256. Returns lower-case hex.
std::string IdentityHash(std::string_view key, IdentityKind kind, std::string_view value);

// The person_key of a PersonId/object id; key empty = no pseudonymisation.
std::string PersonKey(std::string_view key, std::string_view tenant_id, std::string_view person_id);

// Loads (or creates, mode 0600) the tenant's pseudonym key. kPermissionDenied / kInternal for
// file errors; kDataLoss when the file is not 64 hex characters.
core::Result<core::SecureString> LoadOrCreatePseudonymKey(const std::filesystem::path& keystore,
                                                          std::string_view tenant_id);

}  // namespace vivalink::ingest
