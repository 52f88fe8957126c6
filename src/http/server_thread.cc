#include "http/server_thread.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <mutex>
#include <thread>

namespace vivalink::http {

struct ServerThread::Running {
  httplib::Server* server = nullptr;
  std::thread thread;
  std::mutex mu;
  bool stopped = false;
};

ServerThread::ServerThread() = default;
ServerThread::~ServerThread() { Stop(); }

core::Status ServerThread::Listen(httplib::Server& server, const std::string& host, int port) {
  if (running_) return core::FailedPreconditionError("the server is already listening");
  server.set_socket_options([](auto sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return core::UnavailableError(
        fmt::format("cannot listen on {}:{} (address in use or not local?)", host, port));
  }
  port_ = bound;
  running_ = std::make_unique<Running>();
  running_->server = &server;
  running_->thread = std::thread([&server] { server.listen_after_bind(); });
  // stop() does nothing before the accept loop runs; wait for it so Stop() cannot hang.
  for (int i = 0; i < 10000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return core::OkStatus();
}

void ServerThread::Stop() {
  if (!running_) return;
  std::lock_guard<std::mutex> lock(running_->mu);
  if (running_->stopped) return;
  running_->stopped = true;
  running_->server->stop();
  if (running_->thread.joinable()) running_->thread.join();
}

}  // namespace vivalink::http
