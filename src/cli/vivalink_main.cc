// vivalink: the partner-side service and CLI. See README.md for every command.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "azure/credentials.h"
#include "azure/sas.h"
#include "cli/common.h"
#include "core/log.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "drop/cat.h"
#include "drop/keys.h"
#include "store/blob_store.h"

namespace vivalink::cli {
namespace {

struct KeysCreateArgs {
  std::string tenant;
  std::string keystore = "./vivalink-data/keys";
};

int KeysCreate(const KeysCreateArgs& a) {
  drop::KeyStore ks(a.keystore);
  auto key = ks.Create(core::NormalizeUuid(a.tenant));
  if (!key.ok()) return ReportError(key.status());
  crypto::Jwk jwk = key->PublicKey().ToJwk();
  nlohmann::ordered_json j = {
      {"tenantId", core::NormalizeUuid(a.tenant)},
      {"rsaKey",
       {{"kty", jwk.kty}, {"e", jwk.e}, {"n", jwk.n}, {"encryptionAlgorithm", "RSA2048"}}},
      {"privateKeyFile", ks.PrivateKeyPath(a.tenant).string()}};
  std::printf("%s\n", j.dump(2).c_str());
  return 0;
}

struct DropCatArgs {
  std::string store;
  std::string drop;
  std::string keystore = "./vivalink-data/keys";
  std::string keys_file;
  bool summary = false;
};

core::Result<drop::DropKeys> LoadKeys(const DropCatArgs& a, const drop::DropMetadata& metadata,
                                      const drop::DropRef& ref) {
  drop::KeyStore ks(a.keystore);
  // Tenant isolation: only the drop's own tenant's key pair is ever loaded.
  ASSIGN_OR_RETURN(auto private_key, ks.Load(ref.tenant_id));
  std::vector<drop::WrappedKey> wrapped;
  if (!a.keys_file.empty()) {
    FILE* f = std::fopen(a.keys_file.c_str(), "rb");
    if (f == nullptr) {
      return core::NotFoundError(fmt::format("cannot read keys file {}", a.keys_file));
    }
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
    std::fclose(f);
    auto parsed = drop::ParseKeysResponse(text);
    if (!parsed.ok()) return parsed.status().WithContext(a.keys_file);
    wrapped = std::move(*parsed);
  }
  if (metadata.inline_key) {
    bool have_file =
        std::any_of(wrapped.begin(), wrapped.end(), [](const auto& w) { return w.type == "File"; });
    if (!have_file) wrapped.push_back(*metadata.inline_key);
  }
  if (wrapped.empty()) {
    return core::InvalidArgumentError(
        "no decryption keys: pass --keys-file with the key API's answer for CopyActivityId " +
        metadata.copy_activity_id);
  }
  return drop::UnwrapKeys(wrapped, private_key);
}

int DropCat(const DropCatArgs& a) {
  auto ref = drop::ParseDropRef(a.drop);
  if (!ref.ok()) return ReportError(ref.status());
  auto store = OpenStore(a.store);
  if (!store.ok()) return ReportError(store.status());
  auto metadata = drop::ReadMetadata(**store, *ref);
  if (!metadata.ok()) return ReportError(metadata.status());
  if (metadata->failed_upstream()) {
    return ReportError(core::FailedPreconditionError(fmt::format(
        "drop {} failed upstream: {}; it holds no data", ref->ToString(), metadata->errors)));
  }
  auto keys = LoadKeys(a, *metadata, *ref);
  if (!keys.ok()) return ReportError(keys.status().WithContext("drop " + ref->ToString()));
  if (a.summary) {
    drop::DropSummary summary;
    core::Status st = drop::VerifyDrop(**store, *ref, *metadata, *keys, summary);
    std::printf("%s", summary.ToText().c_str());
    return st.ok() ? 0 : ReportError(st);
  }
  StdoutSink out;
  core::Status st = drop::CatDrop(**store, *ref, *metadata, *keys, out);
  if (!st.ok()) return ReportError(st);
  st = out.Close();
  return st.ok() ? 0 : ReportError(st);
}

struct SasArgs {
  std::string container;
  std::string permissions = "cw";
  int days = 30;
};

// Prints the container URL with a SAS for the customer's pipeline. The account and key come from
// AZURE_STORAGE_CONNECTION_STRING (never from the command line, where `ps` would show them).
int Sas(const SasArgs& a) {
  const char* env = std::getenv("AZURE_STORAGE_CONNECTION_STRING");
  if (env == nullptr || *env == '\0') {
    return ReportError(core::InvalidArgumentError(
        "set AZURE_STORAGE_CONNECTION_STRING to the partner storage account's connection string "
        "(AccountName and AccountKey; UseDevelopmentStorage=true for Azurite)"));
  }
  auto cs = azure::ParseConnectionString(env);
  if (!cs.ok()) return ReportError(cs.status());
  if (cs->account_key.empty()) {
    return ReportError(core::InvalidArgumentError(
        "the connection string has no AccountKey; a SAS can only be made with the account key"));
  }
  if (a.days < 1 || a.days > 365) {
    return ReportError(core::InvalidArgumentError("--days must be between 1 and 365"));
  }
  auto expiry = core::SystemClock::Instance().Now() + std::chrono::days(a.days);
  auto sas = azure::MakeContainerSas(cs->account_name, cs->account_key, a.container, a.permissions,
                                     expiry);
  if (!sas.ok()) return ReportError(sas.status());
  std::printf("%s/%s?%s\n", cs->blob_endpoint.c_str(), a.container.c_str(), sas->c_str());
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"vivalink: receive, decrypt, validate and analyse Viva Insights partner drops"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "debug|info|warn|error|off")->capture_default_str();

  auto* keys = app.add_subcommand("keys", "manage the per-tenant RSA key pairs");
  keys->require_subcommand(1);
  KeysCreateArgs kc;
  auto* create = keys->add_subcommand("create", "create a tenant's RSA-2048 pair, print the JWK");
  create->add_option("--tenant", kc.tenant, "customer tenant id (GUID)")->required();
  create->add_option("--keystore", kc.keystore, "key store folder")->capture_default_str();

  auto* drop_cmd = app.add_subcommand("drop", "inspect drops");
  drop_cmd->require_subcommand(1);
  DropCatArgs dc;
  auto* cat = drop_cmd->add_subcommand(
      "cat", "verify a drop, then print its decrypted rows as JSON lines on stdout");
  cat->add_option("--store", dc.store, "store URL (file:///path or https://...)")->required();
  cat->add_option("--drop", dc.drop, "<RunId>/VivaInsights/<TenantId>")->required();
  cat->add_option("--keystore", dc.keystore, "key store folder")->capture_default_str();
  cat->add_option("--keys-file", dc.keys_file, "the key API's answer for the drop (JSON)");
  cat->add_flag("--summary", dc.summary, "print rows, columns, dates and validation instead");

  SasArgs sa;
  auto* sas = app.add_subcommand(
      "sas", "print a container SAS URL for the customer's pipeline (write-only by default)");
  sas->add_option("--container", sa.container, "container name (e.g. the tenant id)")->required();
  sas->add_option("--permissions", sa.permissions, "SAS permission letters")->capture_default_str();
  sas->add_option("--days", sa.days, "validity in days")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  core::InitLogging({.level = core::ParseLogLevel(log_level)});
  if (create->parsed()) return KeysCreate(kc);
  if (cat->parsed()) return DropCat(dc);
  if (sas->parsed()) return Sas(sa);
  return 2;
}

}  // namespace vivalink::cli

int main(int argc, char** argv) {
  try {
    return vivalink::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: Internal: %s\n", vivalink::core::Redact(e.what()).c_str());
    return 1;
  }
}
