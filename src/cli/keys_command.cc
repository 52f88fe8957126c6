#include "cli/keys_command.h"

#include <cstdio>
#include <string>

#include "core/uuid.h"
#include "drop/cat.h"
#include "drop/keys.h"
#include "ingest/commands.h"

namespace vivalink::cli {
namespace {

struct KeysCreateArgs {
  std::string tenant;
  std::string keystore = "./vivalink-data/keys";
};

struct KeysRegisterArgs {
  std::string tenant;
  bool create = false;
};

struct DropCatArgs {
  std::string store;
  drop::CatRequest request;
};

}  // namespace

void RegisterKeysCommands(CLI::App& app, Commands& commands, const GlobalFlags& flags) {
  auto* keys = app.add_subcommand("keys", "manage the per-tenant RSA key pairs");
  keys->require_subcommand(1);

  auto& create_args = commands.Keep<KeysCreateArgs>();
  auto* create = keys->add_subcommand("create", "create a tenant's RSA-2048 pair, print the JWK");
  create->add_option("--tenant", create_args.tenant, "customer tenant id (GUID)")->required();
  create->add_option("--keystore", create_args.keystore, "key store folder")->capture_default_str();
  commands.Add(create, WithoutConfig(flags, [&a = create_args] {
                 auto jwk = drop::CreateTenantKeyPair(a.keystore, a.tenant);
                 if (!jwk.ok()) return ReportError(jwk.status());
                 std::printf("%s\n", jwk->c_str());
                 return 0;
               }));

  auto& register_args = commands.Keep<KeysRegisterArgs>();
  auto* reg =
      keys->add_subcommand("register", "register a tenant's public key with the Viva Insights API");
  reg->add_option("--tenant", register_args.tenant, "customer tenant id (GUID)")->required();
  reg->add_flag("--create", register_args.create, "create the key pair first when missing");
  commands.Add(
      reg, WithConfig(flags, [&a = register_args](const ingest::Config& config) {
        auto registered = ingest::RegisterKeys(config, core::NormalizeUuid(a.tenant), a.create);
        if (!registered.ok()) return ReportError(registered.status());
        std::printf("registered the public key of tenant %s with the key API\n", a.tenant.c_str());
        return 0;
      }));
}

void RegisterDropCommands(CLI::App& app, Commands& commands, const GlobalFlags& flags) {
  auto* drop_cmd = app.add_subcommand("drop", "inspect drops");
  drop_cmd->require_subcommand(1);
  auto& a = commands.Keep<DropCatArgs>();
  auto* cat = drop_cmd->add_subcommand(
      "cat", "verify a drop, then print its decrypted rows as JSON lines on stdout");
  cat->add_option("--store", a.store, "store URL (file:///path or https://...)")->required();
  cat->add_option("--drop", a.request.drop, "<RunId>/VivaInsights/<TenantId>")->required();
  cat->add_option("--keystore", a.request.keystore, "key store folder")->capture_default_str();
  cat->add_option("--keys-file", a.request.keys_file, "the key API's answer for the drop (JSON)");
  cat->add_flag("--summary", a.request.summary,
                "print rows, columns, dates and validation instead");
  commands.Add(cat, WithoutConfig(flags, [&a] {
                 auto store = OpenStore(a.store);
                 if (!store.ok()) return ReportError(store.status());
                 StdoutSink out;
                 core::Status st = drop::CatDropRequest(**store, a.request, out);
                 return st.ok() ? 0 : ReportError(st);
               }));
}

}  // namespace vivalink::cli
