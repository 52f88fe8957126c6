// The Microsoft side's private state inside a simulated world directory D, shared between
// `vivasim pipeline run` and `vivasim serve` (separate processes; they meet only in these files):
//
//   D/partner.json                     the partner application (written by `vivasim init`;
//                                      `vivasim serve` fills api_url / authority / token_url)
//   D/runs/<CopyActivityId>.json       raw AES keys of one copy (mode 0600): what the key API
//                                      serves, wrapped, to the tenant's registered partner
//   D/runs.jsonl                       one line per drop the pipeline produced (no keys)
//   D/registrations/<tenant-id>.json   the partner public key registered for a tenant
//   D/audit.jsonl                      who asked the key API for what, and the outcome (no keys)
//
// Files that are replaced are written to a temporary file and renamed into place, so a reader in
// the other process sees the old or the new content, never a torn one. JSON-lines files are
// appended with one write(2) per line (O_APPEND), so concurrent writers do not interleave lines.
// All functions are thread-safe.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "crypto/rsa.h"
#include "drop/keys.h"

namespace vivalink::sim {

// The raw keys of one copy activity (one drop).
struct RunKeys {
  std::string copy_activity_id;
  std::string run_id;
  std::string tenant_id;
  std::string kind;  // "VivaInsights" or "AADUser"
  drop::DropKeys keys;
};

// Writes D/runs/<copy_activity_id>.json (mode 0600). kUnavailable on I/O failure.
core::Status SaveRunKeys(const std::filesystem::path& dir, const RunKeys& run);
// kNotFound when no run has this id (or the id is not a GUID); kDataLoss when the file is
// malformed.
core::Result<RunKeys> LoadRunKeys(const std::filesystem::path& dir,
                                  std::string_view copy_activity_id);

// A partner key registration (egressPartnerKey).
struct Registration {
  std::string tenant_id;
  std::string partner_app_id;
  crypto::Jwk key;
  std::string encryption_algorithm = "RSA2048";
  core::TimePoint created{};
  core::TimePoint expires{};
};

// Replaces D/registrations/<tenant>.json. kUnavailable on I/O failure.
core::Status SaveRegistration(const std::filesystem::path& dir, const Registration& reg);
// kNotFound (saying how to register) when the tenant has none; kDataLoss when malformed.
core::Result<Registration> LoadRegistration(const std::filesystem::path& dir,
                                            std::string_view tenant_id);

// The partner application of partner.json.
struct PartnerApp {
  std::string client_id;
  std::string client_secret;
  std::vector<std::string> tenants;  // customer tenants that consented to it (lower case)
};
// kNotFound when D/partner.json is missing; kInvalidArgument when malformed.
core::Result<PartnerApp> LoadPartnerApp(const std::filesystem::path& dir);
// Sets api_url, authority and token_url in D/partner.json, keeping every other field.
core::Status UpdatePartnerEndpoints(const std::filesystem::path& dir, std::string_view api_url,
                                    std::string_view authority, std::string_view token_url);

// Appends one compact JSON line to path (creating it with the given mode).
core::Status AppendJsonLine(const std::filesystem::path& path, const nlohmann::ordered_json& line,
                            int mode = 0644);
// Writes path atomically (temporary file in the same folder, then rename), creating folders.
core::Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data,
                             int mode = 0644);

}  // namespace vivalink::sim
