// Test-only child process for the crash tests: one `RunOnce` pass with the configuration given on
// the command line. VIVALINK_CRASH_AT (see ingest/crash_point.h) makes it SIGKILL itself.
//   ingest_driver <store-url> <keystore> <keys-dir> <database-url> <max-attempts> [<start-gate>]
// With a start gate, the driver creates "<start-gate>.ready.<pid>" once it is up and waits (up to
// 60 s) for <start-gate> to exist before its pass, so that a test can start several drivers'
// passes at the same moment instead of racing their start-up.
// Exit 0 when nothing failed, 1 when a drop failed, 2 for an error.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "ingest/commands.h"

int main(int argc, char** argv) {
  if (argc != 6 && argc != 7) {
    std::fprintf(stderr,
                 "usage: ingest_driver store keystore keys-dir db-url max-attempts [gate]\n");
    return 2;
  }
  vivalink::ingest::Config c = vivalink::ingest::DefaultConfig();
  c.store_url = argv[1];
  c.keystore_dir = argv[2];
  c.keys.keys_dir = argv[3];
  c.keys.api_base_url.clear();
  c.database_url = argv[4];
  c.max_attempts = std::atoi(argv[5]);
  if (argc == 7) {
    const std::string gate = argv[6];
    std::ofstream(gate + ".ready." + std::to_string(::getpid())).put('\n');
    for (int i = 0; i < 12000 && !std::filesystem::exists(gate); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  vivalink::ingest::CommandOptions options;
  options.progress = 0;
  auto r = vivalink::ingest::RunOnce(c, options);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    return 2;
  }
  return r->any_failed() ? 1 : 0;
}
