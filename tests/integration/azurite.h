// A private Azurite (Azure Storage emulator) for tests: started on free 127.0.0.1 ports with
// in-memory persistence, stopped by PID (SIGTERM, then SIGKILL) when the object dies.
//
// Reusable by any test binary (library target vivalink_test_azurite). Typical use, once per
// binary:
//
//   ::testing::Environment* const kAzurite =
//       ::testing::AddGlobalTestEnvironment(new vivalink::testing::AzuriteEnvironment);
//   ... vivalink::testing::AzuriteEnvironment::Get().BlobEndpoint() ...
//
// The Azurite program is node_modules/.bin/azurite under VIVALINK_SOURCE_DIR (set by CTest);
// when it is missing, Start fails with a message asking to run scripts/setup.sh.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vivalink::testing {

struct AzuriteOptions {
  // Cap for Azurite's in-memory extent store, in MB (0 = Azurite's default, half the RAM).
  int extent_memory_limit_mb = 2048;
  // Seconds to wait for both ports to accept connections.
  int startup_timeout_seconds = 60;
  // Keep the data in files under the work folder instead of in memory, so that it survives
  // Restart() (fault tests). Default: in memory.
  bool persist_on_disk = false;
};

class Azurite {
 public:
  // Starts Azurite (blob, queue and table services) on free ports. kNotFound with "run
  // scripts/setup.sh" when node_modules/.bin/azurite is missing; kUnavailable when it does not
  // come up (the message holds the end of its output).
  static core::Result<std::unique_ptr<Azurite>> Start(const AzuriteOptions& options = {});
  ~Azurite();  // Stop()
  Azurite(const Azurite&) = delete;
  Azurite& operator=(const Azurite&) = delete;

  // Stops the process by PID: SIGTERM, up to 5 s grace, then SIGKILL. Idempotent.
  void Stop();

  // Stops the process (SIGTERM, as Stop) keeping its work folder, waits down_time, and starts it
  // again on the same ports. With persist_on_disk the stored blobs and messages are still there.
  // kUnavailable when it does not come back.
  core::Status Restart(std::chrono::milliseconds down_time);

  pid_t pid() const { return pid_; }
  int blob_port() const { return blob_port_; }
  int queue_port() const { return queue_port_; }
  // "http://127.0.0.1:<port>/devstoreaccount1"
  std::string BlobEndpoint() const;
  std::string QueueEndpoint() const;
  // BlobEndpoint() + "/" + container, QueueEndpoint() + "/" + queue.
  std::string ContainerUrl(std::string_view container) const;
  std::string QueueUrl(std::string_view queue) const;
  // A connection string with the well-known devstoreaccount1 key and these endpoints.
  std::string ConnectionString() const;

 private:
  Azurite() = default;
  // Starts the process on the chosen ports and waits until they accept connections.
  core::Status Launch();
  void Terminate();  // SIGTERM, 5 s grace, SIGKILL; keeps the work folder
  AzuriteOptions options_;
  pid_t pid_ = -1;
  int blob_port_ = 0;
  int queue_port_ = 0;
  int table_port_ = 0;
  std::filesystem::path work_dir_;  // cwd and log of the process; removed on Stop
};

// Picks a currently free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
int FreeLoopbackPort();

// A gtest Environment owning one Azurite for the whole test binary.
class AzuriteEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
  // The running instance; fails the calling test (via ADD_FAILURE + abort) when SetUp failed.
  static Azurite& Get();

 private:
  static std::unique_ptr<Azurite>& Instance();
};

}  // namespace vivalink::testing
