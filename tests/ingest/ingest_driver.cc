// Test-only child process for the crash tests: one `RunOnce` pass with the configuration given on
// the command line. VIVALINK_CRASH_AT (see ingest/crash_point.h) makes it SIGKILL itself.
//   ingest_driver <store-url> <keystore> <keys-dir> <database-url> <max-attempts>
// Exit 0 when nothing failed, 1 when a drop failed, 2 for an error.
#include <cstdio>
#include <cstdlib>

#include "ingest/commands.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: ingest_driver store keystore keys-dir db-url max-attempts\n");
    return 2;
  }
  vivalink::ingest::Config c = vivalink::ingest::DefaultConfig();
  c.store_url = argv[1];
  c.keystore_dir = argv[2];
  c.keys.keys_dir = argv[3];
  c.keys.api_base_url.clear();
  c.database_url = argv[4];
  c.max_attempts = std::atoi(argv[5]);
  vivalink::ingest::CommandOptions options;
  options.progress = 0;
  auto r = vivalink::ingest::RunOnce(c, options);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    return 2;
  }
  return r->any_failed() ? 1 : 0;
}
