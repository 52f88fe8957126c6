// FaultProxy: a TCP proxy on 127.0.0.1 (port 0) in front of a test server (Azurite) that injects
// the failures a storage client must survive:
//   - reset a connection after N bytes of a response (a dropped download mid-body),
//   - answer requests itself with 503 Server Busy (throttling bursts),
//   - slow a response down (a delay per relayed chunk).
// Rules pick requests by method and a substring of the request line's target, and apply to the
// next `times` matching requests. The proxy understands just enough HTTP/1.1 to find request
// boundaries (head + Content-Length body; clients must not pipeline, which curl does not).
// Thread-safe; Stop() (or the destructor) closes every socket and joins every thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"

namespace vivalink::testing {

struct FaultRule {
  enum class Kind { kReset, k503, kDelay };
  Kind kind = Kind::kReset;
  std::string method;                            // "" = any method
  std::string target_substr;                     // "" = any request target (path and query)
  int times = 1;                                 // how many matching requests it applies to
  uint64_t reset_after_bytes = 0;                // kReset: response bytes relayed before the reset
  std::chrono::milliseconds delay_per_chunk{0};  // kDelay: pause before each relayed chunk
};

class FaultProxy {
 public:
  // Listens on 127.0.0.1 (a free port) and forwards to 127.0.0.1:upstream_port.
  static core::Result<std::unique_ptr<FaultProxy>> Start(int upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  void AddRule(FaultRule rule);
  void ClearRules();
  int requests_seen() const { return requests_seen_.load(); }
  int faults_injected() const { return faults_injected_.load(); }
  void Stop();

 private:
  struct Connection;
  FaultProxy() = default;
  void AcceptLoop();
  void ClientToUpstream(std::shared_ptr<Connection> c);
  void UpstreamToClient(std::shared_ptr<Connection> c);
  // The rule for a request line, consuming one of its uses; kind kNone when no rule matches.
  bool TakeRule(const std::string& method, const std::string& target, FaultRule* out);

  int listen_fd_ = -1;
  int port_ = 0;
  int upstream_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_seen_{0};
  std::atomic<int> faults_injected_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<FaultRule> rules_;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::vector<std::thread> threads_;
};

}  // namespace vivalink::testing
