// Per-tenant notification keys (PROTOCOL §6 (b)): the static key a customer's Data Factory sends
// in x-vivalink-key, taken from its Key Vault. One key per tenant, kept beside the tenant's key
// pair: <keystore>/<tenant-id>/notification.key (mode 0600, 43 base64url characters of 32
// random bytes, created once and atomically).
// Thread-safety: plain file operations; concurrent creators get one key (exclusive create).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vivalink::push {

// The key file of tenant under keystore.
std::filesystem::path TenantKeyPath(const std::filesystem::path& keystore, std::string_view tenant);

// Returns the tenant's key, creating it when it has none. kInvalidArgument for a tenant id that
// could leave the folder; file errors as core::CreateFileExclusive / ReadFile give them.
core::Result<std::string> EnsureTenantKey(const std::filesystem::path& keystore,
                                          std::string_view tenant);

// Replaces the tenant's key with a new one (the old one stops working at once).
core::Result<std::string> RotateTenantKey(const std::filesystem::path& keystore,
                                          std::string_view tenant);

// Every tenant's key under keystore (lower-case tenant -> key); an absent keystore is empty.
// kDataLoss naming the file for an empty or malformed key file.
core::Result<std::map<std::string, std::string>> LoadTenantKeys(
    const std::filesystem::path& keystore);

}  // namespace vivalink::push
