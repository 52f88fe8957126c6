// Runs a cpp-httplib server on a background thread: the one place that binds, starts, waits for
// the accept loop and stops, for every HTTP server of the tree (vivalink's notification endpoint,
// vivasim's key API, test receivers).
//
// Listen() binds with SO_REUSEADDR only. httplib's default also sets SO_REUSEPORT, which lets a
// second process bind the same port and silently take a share of the requests; here the second
// bind fails instead.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"

namespace httplib {
class Server;
}

namespace vivalink::http {

class ServerThread {
 public:
  ServerThread();
  ~ServerThread();  // Stop()
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  // Binds server (routes already installed; it must outlive this object) to host:port (0 = a free
  // port), starts its accept loop on a thread and returns once it runs. kUnavailable when the
  // address cannot be bound (in use, not local).
  core::Status Listen(httplib::Server& server, const std::string& host, int port);

  int port() const { return port_; }  // the bound port; 0 before Listen

  // Stops the accept loop, waits for running requests and joins the thread. Idempotent.
  void Stop();

 private:
  struct Running;
  std::unique_ptr<Running> running_;
  int port_ = 0;
};

}  // namespace vivalink::http
