#include "push/internal/connection_guard.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/log.h"

namespace vivalink::push::internal {
namespace {

// The local port of a socket, or -1.
int LocalPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}

// "address" and port of the peer of a connected TCP socket; false when not connected.
bool Peer(int fd, std::string& address, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return false;
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    port = ntohs(in6->sin6_port);
  } else {
    return false;
  }
  address = text;
  return true;
}

struct Seen {
  std::chrono::steady_clock::time_point first_seen;
  std::string address;
  int peer_port = 0;
  bool shut = false;
};

}  // namespace

struct ConnectionGuard::State {
  std::map<std::pair<int, std::string>, Seen> seen;  // (fd, "addr:port") -> when first seen
};

ConnectionGuard::ConnectionGuard(ConnectionGuardOptions options)
    : options_(options), state_(std::make_unique<State>()) {
  thread_ = std::thread([this] { Run(); });
}

ConnectionGuard::~ConnectionGuard() { Stop(); }

void ConnectionGuard::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ConnectionGuard::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    Scan();
    lock.lock();
    cv_.wait_for(lock, options_.interval, [this] { return stop_; });
  }
}

void ConnectionGuard::Scan() {
  const auto now = std::chrono::steady_clock::now();
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  std::map<std::pair<int, std::string>, Seen> current;
  const int dir_fd = dirfd(dir);
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    const long n = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || n < 0 || n == dir_fd) continue;
    const int fd = static_cast<int>(n);
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    if (LocalPort(fd) != options_.port) continue;
    std::string address;
    int peer_port = 0;
    if (!Peer(fd, address, peer_port)) continue;  // the listening socket, or not connected
    auto key = std::make_pair(fd, address + "#" + std::to_string(peer_port));
    auto it = state_->seen.find(key);
    Seen s = it != state_->seen.end() ? it->second : Seen{now, address, peer_port, false};
    current.emplace(std::move(key), std::move(s));
  }
  closedir(dir);
  state_->seen = std::move(current);

  // Shuts fd down after checking once more that it is still the connection we saw.
  // The counter goes up before the shutdown: whoever sees the connection end sees it counted.
  auto shut = [&](const std::pair<int, std::string>& key, Seen& s, std::atomic<int64_t>& counter) {
    std::string address;
    int peer_port = 0;
    if (s.shut || LocalPort(key.first) != options_.port || !Peer(key.first, address, peer_port) ||
        address != s.address || peer_port != s.peer_port) {
      return false;
    }
    ++counter;
    ::shutdown(key.first, SHUT_RDWR);
    s.shut = true;
    return true;
  };
  if (options_.deadline.count() > 0) {
    for (auto& [key, s] : state_->seen) {
      if (!s.shut && now - s.first_seen > options_.deadline && shut(key, s, closed_by_deadline_)) {
        VL_LOG_WARN("push: closed a connection from {} open for more than {} ms (request deadline)",
                    s.address, options_.deadline.count());
      }
    }
  }
  if (options_.max_per_source > 0) {
    std::map<std::string, std::vector<std::pair<const std::pair<int, std::string>*, Seen*>>>
        by_source;
    for (auto& [key, s] : state_->seen) {
      if (!s.shut) by_source[s.address].emplace_back(&key, &s);
    }
    for (auto& [address, conns] : by_source) {
      if (static_cast<int>(conns.size()) <= options_.max_per_source) continue;
      std::sort(conns.begin(), conns.end(), [](const auto& a, const auto& b) {
        return a.second->first_seen < b.second->first_seen;
      });
      for (size_t i = static_cast<size_t>(options_.max_per_source); i < conns.size(); ++i) {
        shut(*conns[i].first, *conns[i].second, closed_by_source_cap_);
      }
      VL_LOG_WARN("push: {} connections from {}: closed those over the limit of {}", conns.size(),
                  address, options_.max_per_source);
    }
  }
}

}  // namespace vivalink::push::internal
