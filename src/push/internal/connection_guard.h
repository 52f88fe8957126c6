// Module-private: whole-connection deadlines and per-source connection caps for the
// NotificationServer's listener.
//
// cpp-httplib only has per-recv timeouts, so a client sending one byte every few seconds holds
// a worker thread for as long as it likes, and Debian's httplib is built as a shared library
// whose per-socket internals cannot be reached from a subclass. The guard therefore watches the
// sockets themselves: every `interval` it lists this process's descriptors (/proc/self/fd),
// keeps the connected TCP sockets whose local port is the listener's (the server's accepted
// connections), remembers when each (descriptor, peer address, peer port) was first seen, and
// shuts down (SHUT_RDWR) any that is older than `deadline` or that exceeds
// `max_per_source` connections from one peer address (the newest ones go). httplib's blocked
// recv then returns end-of-file and the worker is free again. Granularity: a connection lives
// at most deadline + interval.
//
// A descriptor closed and reused by another socket between the check and the shutdown would be
// shut down wrongly; the peer and local port are checked again immediately before, which leaves
// a window of microseconds, and only sockets of this listener's port qualify at all.
// Thread-safe; Stop() joins the watcher thread (the destructor calls it).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace vivalink::push::internal {

struct ConnectionGuardOptions {
  int port = 0;                               // the listener's local port (required)
  std::chrono::milliseconds deadline{30000};  // 0 = no deadline
  int max_per_source = 0;                     // 0 = no cap
  std::chrono::milliseconds interval{250};
};

class ConnectionGuard {
 public:
  explicit ConnectionGuard(ConnectionGuardOptions options);
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  void Stop();

  int64_t closed_by_deadline() const { return closed_by_deadline_.load(); }
  int64_t closed_by_source_cap() const { return closed_by_source_cap_.load(); }

 private:
  void Run();
  void Scan();

  ConnectionGuardOptions options_;
  std::atomic<int64_t> closed_by_deadline_{0};
  std::atomic<int64_t> closed_by_source_cap_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  struct State;
  std::unique_ptr<State> state_;  // touched only by the watcher thread
  std::thread thread_;
};

}  // namespace vivalink::push::internal
