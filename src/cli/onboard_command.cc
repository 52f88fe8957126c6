#include "cli/onboard_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "azure/sas.h"
#include "core/time.h"
#include "onboard/onboard.h"

namespace vivalink::cli {
namespace {

struct OnboardArgs {
  std::string tenant;
  std::string container;
  int days = 90;
  std::string notification_url;
};

struct SasArgs {
  std::string container;
  std::string permissions = "cw";
  int days = 30;
  bool rotate = false;  // --rotate --tenant T: a new SAS for an onboarded tenant
  std::string tenant;
};

// Prints the install parameters (JSON) on stdout and the notes on stderr.
int Onboard(const ingest::Config& config, const OnboardArgs& a) {
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

// Prints the new partnerSasUrl install parameter (JSON) and the notes.
int RotateSas(const ingest::Config& config, const SasArgs& a) {
  if (a.tenant.empty()) return ReportError(core::InvalidArgumentError("--rotate needs --tenant"));
  auto r = onboard::RotateSas(config, a.tenant, a.days);
  if (!r.ok()) return ReportError(r.status());
  nlohmann::ordered_json out = {{"parameters", {{"partnerSasUrl", {{"value", r->sas_url}}}}}};
  std::printf("%s\n", out.dump(2).c_str());
  for (const auto& n : r->notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  return 0;
}

// The container URL with a SAS for the customer's pipeline.
int Sas(const SasArgs& a) {
  auto url = azure::ContainerSasUrlFromEnvironment(a.container, a.permissions, a.days);
  if (!url.ok()) return ReportError(url.status());
  std::printf("%s\n", url->c_str());
  return 0;
}

}  // namespace

void RegisterOnboardCommands(CLI::App& app, Commands& commands, const GlobalFlags& flags) {
  auto& oa = commands.Keep<OnboardArgs>();
  auto* onboard = app.add_subcommand(
      "onboard",
      "onboard a customer tenant: container, key pair, create+write SAS, notification key; "
      "prints the Managed Application's install parameters");
  onboard->add_option("--tenant", oa.tenant, "the customer's Entra tenant id")->required();
  onboard->add_option("--container", oa.container,
                      "partner container (default: the container of [storage] url)");
  onboard->add_option("--days", oa.days, "SAS validity in days (1-365)")->capture_default_str();
  onboard->add_option("--notification-url", oa.notification_url,
                      "public URL of `vivalink serve`'s /v1/notifications/drops");
  commands.Add(onboard, WithConfig(flags, [&oa](const ingest::Config& config) {
                 return Onboard(config, oa);
               }));

  auto& sa = commands.Keep<SasArgs>();
  auto* sas = app.add_subcommand(
      "sas", "print a container SAS URL for the customer's pipeline (write-only by default)");
  sas->add_option("--container", sa.container, "container name (e.g. the tenant id)");
  sas->add_flag("--rotate", sa.rotate,
                "a new create+write SAS for an onboarded tenant (with --tenant), before the old "
                "one expires");
  sas->add_option("--tenant", sa.tenant, "with --rotate: the onboarded tenant");
  sas->add_option("--permissions", sa.permissions, "SAS permission letters")->capture_default_str();
  sas->add_option("--days", sa.days, "validity in days")->capture_default_str();
  // Only --rotate reads the configuration (the tenant's onboarding record and the store).
  auto rotate =
      WithConfig(flags, [&sa](const ingest::Config& config) { return RotateSas(config, sa); });
  auto plain = WithoutConfig(flags, [&sa] { return Sas(sa); });
  commands.Add(sas, [&sa, rotate, plain] { return sa.rotate ? rotate() : plain(); });
}

}  // namespace vivalink::cli
