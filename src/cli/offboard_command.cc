#include "cli/offboard_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/common.h"
#include "core/progress.h"
#include "core/strings.h"
#include "onboard/offboard.h"

namespace vivalink::cli {
namespace {

void Print(const onboard::ErasureResult& r, bool json) {
  const std::string text = json ? r.ToJson() + "\n" : r.ToText();
  std::fwrite(text.data(), 1, text.size(), stdout);
}

// Shows the plan on the terminal and asks for the tenant id.
bool ConfirmOnTerminal(const onboard::ErasureResult& plan) {
  std::fprintf(stderr, "%s", plan.ToText().c_str());
  std::fprintf(stderr,
               "This erases everything listed above for good. Type the tenant id to go on "
               "(anything else cancels): ");
  std::fflush(stderr);
  std::string line;
  if (!std::getline(std::cin, line)) return false;
  return core::EqualsIgnoreCase(core::Trim(line), plan.tenant);
}

}  // namespace

CLI::App* AddOffboardCommand(CLI::App& app, OffboardArgs& a) {
  auto* cmd = app.add_subcommand(
      "offboard",
      "remove everything held for a customer tenant: its rows, partner data, identity maps, "
      "ledger, blobs in storage and keys (asks first; recorded in erasure_audit)");
  cmd->add_option("--tenant", a.tenant, "the customer's Entra tenant id")->required();
  cmd->add_flag("--dry-run", a.dry_run, "list what would go (rows per table, blobs, key files)");
  cmd->add_flag("--yes", a.yes, "do not ask (scripts); required when not on a terminal");
  cmd->add_flag("--json", a.json, "print the result as JSON");
  return cmd;
}

CLI::App* AddForgetCommand(CLI::App& app, ForgetArgs& a) {
  auto* cmd = app.add_subcommand(
      "forget",
      "erase one person of a tenant everywhere in the database (a data subject's request; "
      "recorded in erasure_audit without the identity)");
  cmd->add_option("--tenant", a.tenant, "the customer's Entra tenant id")->required();
  cmd->add_option("--person", a.person, "the person's Entra object id or e-mail address")
      ->required();
  cmd->add_flag("--dry-run", a.dry_run, "count what would go; change nothing");
  cmd->add_flag("--json", a.json, "print the result as JSON");
  return cmd;
}

int OffboardCommand(const ingest::Config& config, const OffboardArgs& a) {
  onboard::OffboardOptions o;
  o.tenant = a.tenant;
  o.dry_run = a.dry_run;
  if (!a.dry_run && !a.yes) {
    if (isatty(STDIN_FILENO) != 1) {
      return ReportError(core::InvalidArgumentError(fmt::format(
          "offboard erases every row, blob and key of tenant {} for good and asks first, but "
          "standard input is not a terminal: add --yes to confirm (see --dry-run for what would "
          "go)",
          core::Trim(a.tenant))));
    }
    o.confirm = ConfirmOnTerminal;
  }
  core::Progress progress("vivalink offboard");
  o.progress = &progress;
  auto r = onboard::Offboard(config, o);
  progress.Finish();
  if (!r.ok()) return ReportError(r.status());
  Print(*r, a.json);
  return 0;
}

int ForgetCommand(const ingest::Config& config, const ForgetArgs& a) {
  onboard::ForgetOptions o;
  o.tenant = a.tenant;
  o.person = a.person;
  o.dry_run = a.dry_run;
  auto r = onboard::Forget(config, o);
  if (!r.ok()) return ReportError(r.status());
  Print(*r, a.json);
  return 0;
}

}  // namespace vivalink::cli
