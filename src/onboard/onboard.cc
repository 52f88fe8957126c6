#include "onboard/onboard.h"

#include <fmt/format.h>

#include <cstdlib>

#include "azure/blob_client.h"
#include "azure/credentials.h"
#include "azure/open_store.h"
#include "azure/sas.h"
#include "core/file.h"
#include "core/strings.h"
#include "drop/keys.h"
#include "ingest/commands.h"
#include "push/tenant_keys.h"

namespace vivalink::onboard {
namespace {

using nlohmann::ordered_json;
namespace fs = std::filesystem;

constexpr const char* kRecord = "onboarding.json";

core::Status CheckTenant(std::string_view tenant) {
  if (tenant.empty() || tenant.size() > 100) {
    return core::InvalidArgumentError("--tenant: give the customer's Entra tenant id");
  }
  for (char c : tenant) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) {
      return core::InvalidArgumentError(fmt::format("--tenant: '{}' is not a tenant id", tenant));
    }
  }
  return core::OkStatus();
}

// Azure's rule: 3-63 characters of lower-case letters, digits and single hyphens, starting and
// ending with a letter or digit.
core::Status CheckContainer(std::string_view c) {
  bool ok = c.size() >= 3 && c.size() <= 63 && c.front() != '-' && c.back() != '-' &&
            c.find("--") == std::string_view::npos;
  for (char ch : c) ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-');
  if (!ok) {
    return core::InvalidArgumentError(
        fmt::format("container '{}': 3 to 63 lower-case letters, digits and single hyphens", c));
  }
  return core::OkStatus();
}

bool IsLocal(std::string_view url) {
  return url.rfind("file://", 0) == 0 || url.find("://") == std::string_view::npos;
}

fs::path LocalPath(std::string_view url) {
  return url.rfind("file://", 0) == 0 ? fs::path(std::string(url.substr(7))) : fs::path(url);
}

// The next Sunday at 02:00 UTC after now: the first weekly run.
core::TimePoint NextSunday(core::TimePoint now) {
  core::Date d = std::chrono::floor<std::chrono::days>(now) + std::chrono::days(1);
  while (std::chrono::weekday(d) != std::chrono::Sunday) d += std::chrono::days(1);
  return core::TimePoint(d) + std::chrono::hours(2);
}

struct Sas {
  std::string url;
  core::TimePoint expires{};
};

// Creates the container when missing and signs a create+write SAS for it.
core::Result<Sas> ContainerAndSas(const ingest::Config& config, const std::string& container,
                                  int days, core::TimePoint now) {
  if (days < 1 || days > 365) {
    return core::InvalidArgumentError("the SAS validity must be 1 to 365 days");
  }
  Sas out;
  out.expires = now + std::chrono::days(days);
  const std::string store = config.store_url.empty()
                                ? "file://" + (fs::path(config.data_dir) / "drops").string()
                                : config.store_url;
  if (IsLocal(store)) {
    // A local folder stands for the container: development and tests only (no SAS exists).
    fs::path dir = LocalPath(store);
    if (container != azure::ContainerNameFromUrl(store)) dir = dir.parent_path() / container;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      return core::UnavailableError(
          fmt::format("cannot create the container folder {}: {}", dir.string(), ec.message()));
    }
    out.url = "file://" + fs::absolute(dir).string();
    return out;
  }
  const char* env = std::getenv("AZURE_STORAGE_CONNECTION_STRING");
  if (env == nullptr || *env == '\0') {
    return core::FailedPreconditionError(
        "set AZURE_STORAGE_CONNECTION_STRING to the partner storage account's connection string "
        "(with AccountKey) to create the container and sign its SAS");
  }
  ASSIGN_OR_RETURN(azure::ConnectionString cs, azure::ParseConnectionString(env));
  if (cs.account_key.empty()) {
    return core::FailedPreconditionError(
        "the connection string has no AccountKey; a SAS can only be made with the account key");
  }
  ASSIGN_OR_RETURN(auto key, azure::SharedKeyCredential::Make(cs.account_name, cs.account_key));
  const std::string container_url = cs.blob_endpoint + "/" + container;
  ASSIGN_OR_RETURN(auto client, azure::AzureBlobClient::Make(container_url, key));
  ASSIGN_OR_RETURN(bool created, client->CreateContainerIfNotExists());
  (void)created;
  ASSIGN_OR_RETURN(std::string sas, azure::MakeContainerSas(cs.account_name, cs.account_key,
                                                            container, "cw", out.expires));
  out.url = container_url + "?" + sas;
  return out;
}

core::Status WriteRecord(const ingest::Config& config, const std::string& tenant,
                         const std::string& container, core::TimePoint expires, core::TimePoint now,
                         bool rotated) {
  const fs::path path = fs::path(config.keystore_dir) / tenant / kRecord;
  ordered_json record = {{"tenant", tenant},
                         {"container", container},
                         {"sasPermissions", "cw"},
                         {"sasExpires", core::FormatIso8601(expires)},
                         {rotated ? "sasRotatedAt" : "onboardedAt", core::FormatIso8601(now)}};
  if (rotated) {
    auto old = core::ReadFile(path, 1 << 16);
    if (old.ok()) {
      auto j = ordered_json::parse(*old, nullptr, false);
      if (j.is_object() && j.contains("onboardedAt")) record["onboardedAt"] = j["onboardedAt"];
    }
  }
  return core::WriteFileAtomic(path, record.dump(2) + "\n", 0600);
}

ordered_json InstallParameters(const ingest::Config& config, const OnboardResult& r,
                               const std::string& notification_url, core::TimePoint now) {
  const std::string audience =
      config.push.entra_audiences.empty() ? "" : config.push.entra_audiences.front();
  return {{"$schema",
           "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"},
          {"contentVersion", "1.0.0.0"},
          {"parameters",
           {{"partnerSasUrl", {{"value", r.sas_url}}},
            {"partnerContainer", {{"value", r.container}}},
            {"notificationUrl",
             {{"value", notification_url.empty()
                            ? std::string("https://PARTNER-HOST/v1/notifications/drops")
                            : notification_url}}},
            {"partnerAppIdUri", {{"value", audience}}},
            {"vivaInsightsTable", {{"value", "VivaInsightsDataset_PersonReport_v1"}}},
            {"exportUsers", {{"value", true}}},
            {"exportCalendar", {{"value", false}}},
            {"scheduleStartTime", {{"value", core::FormatIso8601(NextSunday(now))}}}}}};
}

}  // namespace

core::Result<OnboardResult> Onboard(const ingest::Config& config, const OnboardOptions& o) {
  RETURN_IF_ERROR(CheckTenant(o.tenant));
  const core::Clock& clock = o.clock ? *o.clock : core::SystemClock::Instance();
  const core::TimePoint now = clock.Now();
  OnboardResult r;
  r.tenant = core::ToLower(o.tenant);
  const std::string store = config.store_url.empty()
                                ? "file://" + (fs::path(config.data_dir) / "drops").string()
                                : config.store_url;
  r.container = o.container.empty() ? azure::ContainerNameFromUrl(store) : o.container;
  if (!IsLocal(store) || !o.container.empty()) RETURN_IF_ERROR(CheckContainer(r.container));

  // 1 and 3: the container and its SAS.
  ASSIGN_OR_RETURN(Sas sas, ContainerAndSas(config, r.container, o.sas_days, now));
  r.sas_url = sas.url;
  r.sas_expires = sas.expires;

  // 2: the key pair, registered when a key API is configured.
  drop::KeyStore keystore(config.keystore_dir);
  std::error_code ec;
  r.key_pair_created = !fs::exists(keystore.PrivateKeyPath(r.tenant), ec);
  if (!config.keys.api_base_url.empty()) {
    ASSIGN_OR_RETURN(auto reg, ingest::RegisterKeys(config, r.tenant, /*create_if_missing=*/true));
    (void)reg;
    r.registered = true;
  } else if (r.key_pair_created) {
    ASSIGN_OR_RETURN(auto key, keystore.Create(r.tenant));
    (void)key;
    r.notes.push_back(
        "no key API is configured ([keys] api_base_url): register the tenant's public key with "
        "`vivalink keys register --tenant " +
        r.tenant + "` once it is");
  }

  // 4 and 5: the notification key and the record.
  ASSIGN_OR_RETURN(r.notification_key, push::EnsureTenantKey(config.keystore_dir, r.tenant));
  RETURN_IF_ERROR(WriteRecord(config, r.tenant, r.container, r.sas_expires, now, false));

  r.install_parameters = InstallParameters(config, r, o.notification_url, now);
  r.notes.push_back(fmt::format(
      "send the customer the package (scripts/package-managed-app.sh) and these install "
      "parameters over a secure channel: the SAS URL lets anyone holding it write into "
      "container {} until {}",
      r.container, core::FormatIso8601(r.sas_expires)));
  r.notes.push_back(
      "the customer fills mgdcAppId and mgdcAppSecret (its Graph Data Connect application) at "
      "install; the notification authenticates with the factory's managed identity");
  if (config.push.entra_audiences.empty()) {
    r.notes.push_back(
        "set [push] entra_audiences to the partner's application ID URI: it is the Web "
        "activity's MSI resource (partnerAppIdUri is empty until then)");
  }
  if (o.notification_url.empty()) {
    r.notes.push_back("replace notificationUrl with the public URL of `vivalink serve`");
  }
  r.notes.push_back(fmt::format(
      "a sender that cannot use the managed identity may send the tenant's key in x-vivalink-key "
      "(stored in {})",
      push::TenantKeyPath(config.keystore_dir, r.tenant).string()));
  return r;
}

core::Result<OnboardResult> RotateSas(const ingest::Config& config, const std::string& tenant,
                                      int sas_days, const core::Clock* clock) {
  RETURN_IF_ERROR(CheckTenant(tenant));
  const core::TimePoint now = (clock ? *clock : core::SystemClock::Instance()).Now();
  OnboardResult r;
  r.tenant = core::ToLower(tenant);
  const fs::path path = fs::path(config.keystore_dir) / r.tenant / kRecord;
  auto text = core::ReadFile(path, 1 << 16);
  if (!text.ok()) {
    if (text.status().code() == core::StatusCode::kNotFound) {
      return core::NotFoundError(fmt::format(
          "tenant {} was not onboarded here (no {}): run `vivalink onboard --tenant {}` first",
          r.tenant, path.string(), r.tenant));
    }
    return text.status();
  }
  auto record = ordered_json::parse(*text, nullptr, false);
  if (!record.is_object() || !record.contains("container") || !record["container"].is_string()) {
    return core::DataLossError(fmt::format("{}: not an onboarding record", path.string()));
  }
  r.container = record["container"].get<std::string>();
  ASSIGN_OR_RETURN(Sas sas, ContainerAndSas(config, r.container, sas_days, now));
  r.sas_url = sas.url;
  r.sas_expires = sas.expires;
  RETURN_IF_ERROR(WriteRecord(config, r.tenant, r.container, r.sas_expires, now, true));
  r.notes.push_back(fmt::format(
      "send the customer the new partnerSasUrl (valid until {}); it replaces the old one in the "
      "Managed Application's Key Vault secret partner-sas-url. The old SAS stays valid until its "
      "own expiry unless the account key is rotated",
      core::FormatIso8601(r.sas_expires)));
  return r;
}

std::vector<SasWarning> SasExpiryWarnings(const fs::path& keystore, core::TimePoint now,
                                          std::chrono::days within) {
  std::vector<SasWarning> out;
  std::error_code ec;
  if (!fs::is_directory(keystore, ec)) return out;
  for (const auto& entry : fs::directory_iterator(keystore, ec)) {
    const fs::path path = entry.path() / kRecord;
    auto text = core::ReadFile(path, 1 << 16);
    if (!text.ok()) continue;
    auto record = ordered_json::parse(*text, nullptr, false);
    if (!record.is_object() || !record.contains("sasExpires")) continue;
    auto expires = core::ParseIso8601(record.value("sasExpires", ""));
    if (!expires.ok() || *expires - now > within) continue;
    const std::string tenant = record.value("tenant", entry.path().filename().string());
    const auto days_left = std::chrono::floor<std::chrono::days>(*expires - now).count();
    SasWarning w{tenant, *expires, ""};
    w.message = *expires <= now
                    ? fmt::format(
                          "the SAS of tenant {} expired on {}: its pipeline can no longer copy; "
                          "run `vivalink sas --rotate --tenant {}`",
                          tenant, core::FormatIso8601(*expires), tenant)
                    : fmt::format(
                          "the SAS of tenant {} expires on {} (in {} days): run `vivalink sas "
                          "--rotate --tenant {}` and send the customer the new URL",
                          tenant, core::FormatIso8601(*expires), days_left, tenant);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace vivalink::onboard
