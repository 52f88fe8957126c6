#include "cli/onboard_command.h"

#include <cstdio>

#include "cli/common.h"
#include "core/time.h"
#include "onboard/onboard.h"

namespace vivalink::cli {

CLI::App* AddOnboardCommand(CLI::App& app, OnboardArgs& a) {
  auto* cmd = app.add_subcommand(
      "onboard",
      "onboard a customer tenant: container, key pair, create+write SAS, notification key; "
      "prints the Managed Application's install parameters");
  cmd->add_option("--tenant", a.tenant, "the customer's Entra tenant id")->required();
  cmd->add_option("--container", a.container,
                  "partner container (default: the container of [storage] url)");
  cmd->add_option("--days", a.days, "SAS validity in days (1-365)")->capture_default_str();
  cmd->add_option("--notification-url", a.notification_url,
                  "public URL of `vivalink serve`'s /v1/notifications/drops");
  return cmd;
}

int OnboardCommand(const ingest::Config& config, const OnboardArgs& a) {
  onboard::OnboardOptions o;
  o.tenant = a.tenant;
  o.container = a.container;
  o.sas_days = a.days;
  o.notification_url = a.notification_url;
  auto r = onboard::Onboard(config, o);
  if (!r.ok()) return ReportError(r.status());
  std::printf("%s\n", r->install_parameters.dump(2).c_str());
  std::fprintf(stderr, "onboarded tenant %s: container %s, SAS until %s%s%s\n", r->tenant.c_str(),
               r->container.c_str(), core::FormatIso8601(r->sas_expires).c_str(),
               r->key_pair_created ? ", new key pair" : ", existing key pair",
               r->registered ? " (registered with the key API)" : "");
  for (const auto& n : r->notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  return 0;
}

int RotateSasCommand(const ingest::Config& config, const std::string& tenant, int days) {
  auto r = onboard::RotateSas(config, tenant, days);
  if (!r.ok()) return ReportError(r.status());
  nlohmann::ordered_json out = {{"parameters", {{"partnerSasUrl", {{"value", r->sas_url}}}}}};
  std::printf("%s\n", out.dump(2).c_str());
  for (const auto& n : r->notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  return 0;
}

void PrintSasWarnings(const ingest::Config& config) {
  for (const auto& w :
       onboard::SasExpiryWarnings(config.keystore_dir, core::SystemClock::Instance().Now())) {
    std::fprintf(stderr, "warning: %s\n", w.message.c_str());
  }
}

}  // namespace vivalink::cli
