// Onboarding a customer tenant in one command (`vivalink onboard`), rotating its SAS
// (`vivalink sas --rotate`) and warning before the SAS expires (`vivalink status`).
//
// Onboard, in order, each step idempotent (a second run reuses what the first made):
//   1. the partner container: created when missing (Azure / Azurite through
//      AZURE_STORAGE_CONNECTION_STRING; a local folder store: the folder). Default container:
//      the one [storage] url names (the shared layout `vivalink serve` reads);
//   2. the tenant's RSA key pair in the keystore, registered with the key API when
//      [keys] api_base_url is configured;
//   3. a create+write SAS for the container with an expiry (a local folder gets its file://
//      URL: development only);
//   4. the tenant's notification key (push/tenant_keys.h);
//   5. the record <keystore>/<tenant>/onboarding.json: container, SAS permissions and expiry,
//      times (no secret: the partner minted the SAS, so it knows when it ends);
// and returns the Managed Application's install parameters (an ARM parameters file for
// deploy/managed-app/mainTemplate.json) with what to send the customer.
//
// Secrets in the result (the SAS URL, the notification key) are for the operator's screen and
// the customer's install only; they are never logged.
// Errors: kInvalidArgument for a bad tenant id, container name or validity; kFailedPrecondition
// when an Azure store has no AccountKey to sign a SAS with; store, keystore and key API errors
// as those modules give them.
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "ingest/config.h"

namespace vivalink::onboard {

struct OnboardOptions {
  std::string tenant;                  // the customer's Entra tenant id
  std::string container;               // "" = the container of [storage] url
  int sas_days = 90;                   // SAS validity, 1..365
  std::string notification_url;        // "" = a placeholder the operator must replace
  const core::Clock* clock = nullptr;  // null = core::SystemClock
};

struct OnboardResult {
  std::string tenant;
  std::string container;
  std::string sas_url;  // secret
  core::TimePoint sas_expires{};
  bool key_pair_created = false;
  bool registered = false;                    // with the key API
  std::string notification_key;               // secret
  nlohmann::ordered_json install_parameters;  // ARM parameters file
  std::vector<std::string> notes;             // what to send the customer, and what is missing
};

core::Result<OnboardResult> Onboard(const ingest::Config& config, const OnboardOptions& options);

// A new create+write SAS for the tenant's onboarded container (the record must exist), the
// record updated. Returns the new install parameter partnerSasUrl (in result.sas_url) and its
// expiry; the customer updates the Managed Application's parameter (or its Key Vault secret).
core::Result<OnboardResult> RotateSas(const ingest::Config& config, const std::string& tenant,
                                      int sas_days, const core::Clock* clock = nullptr);

struct SasWarning {
  std::string tenant;
  core::TimePoint expires{};
  std::string message;  // "the SAS of tenant T expires on ... (in N days): vivalink sas --rotate"
};
// Tenants whose SAS expires within `within` of now (or has expired), from the onboarding records.
std::vector<SasWarning> SasExpiryWarnings(const std::filesystem::path& keystore,
                                          core::TimePoint now,
                                          std::chrono::days within = std::chrono::days(14));

}  // namespace vivalink::onboard
