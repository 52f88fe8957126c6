#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace vivalink::testing {
namespace {

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Closes with RST instead of FIN: the peer sees "connection reset".
void Reset(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  ::shutdown(fd, SHUT_RDWR);
}

uint64_t ContentLength(const std::string& head) {
  std::string lower(head);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  size_t pos = lower.find("\r\ncontent-length:");
  if (pos == std::string::npos) return 0;
  pos += 17;
  while (pos < lower.size() && lower[pos] == ' ') ++pos;
  uint64_t v = 0;
  while (pos < lower.size() && lower[pos] >= '0' && lower[pos] <= '9') {
    v = v * 10 + static_cast<uint64_t>(lower[pos] - '0');
    ++pos;
  }
  return v;
}

}  // namespace

struct FaultProxy::Connection {
  int client = -1;
  int upstream = -1;
  std::mutex write_mu;  // serialises writes to `client` (relay vs injected 503)
  std::mutex mu;
  // Set by the request side for the response that follows; read by the response side.
  uint64_t response_bytes = 0;
  uint64_t reset_at = UINT64_MAX;
  std::chrono::milliseconds delay{0};
  std::atomic<bool> closed{false};

  void Close() {
    if (closed.exchange(true)) return;
    ::shutdown(client, SHUT_RDWR);
    ::shutdown(upstream, SHUT_RDWR);
  }
  ~Connection() {
    if (client >= 0) ::close(client);
    if (upstream >= 0) ::close(upstream);
  }
};

core::Result<std::unique_ptr<FaultProxy>> FaultProxy::Start(int upstream_port) {
  std::unique_ptr<FaultProxy> p(new FaultProxy());
  p->upstream_port_ = upstream_port;
  p->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (p->listen_fd_ < 0) return core::InternalError("fault proxy: socket failed");
  int one = 1;
  ::setsockopt(p->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(p->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(p->listen_fd_, 64) != 0 ||
      ::getsockname(p->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return core::InternalError("fault proxy: cannot listen on 127.0.0.1");
  }
  p->port_ = ntohs(addr.sin_port);
  p->acceptor_ = std::thread([raw = p.get()] { raw->AcceptLoop(); });
  return p;
}

FaultProxy::~FaultProxy() { Stop(); }

void FaultProxy::Stop() {
  if (stopping_.exchange(true)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& c : connections_) c->Close();
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
  std::lock_guard<std::mutex> lock(mu_);
  connections_.clear();
}

void FaultProxy::AddRule(FaultRule rule) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back(std::move(rule));
}

void FaultProxy::ClearRules() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

bool FaultProxy::TakeRule(const std::string& method, const std::string& target, FaultRule* out) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (!it->method.empty() && it->method != method) continue;
    if (!it->target_substr.empty() && target.find(it->target_substr) == std::string::npos) continue;
    *out = *it;
    if (--it->times <= 0) rules_.erase(it);
    return true;
  }
  return false;
}

void FaultProxy::AcceptLoop() {
  while (!stopping_.load()) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, 100);
    if (ready <= 0) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    auto c = std::make_shared<Connection>();
    c->client = client;
    c->upstream = ConnectLoopback(upstream_port_);
    if (c->upstream < 0) {
      ::close(client);
      c->client = -1;
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_.load()) {
      c->Close();
      continue;
    }
    connections_.push_back(c);
    threads_.emplace_back([this, c] { ClientToUpstream(c); });
    threads_.emplace_back([this, c] { UpstreamToClient(c); });
  }
}

void FaultProxy::ClientToUpstream(std::shared_ptr<Connection> c) {
  std::string pending;
  char buf[64 * 1024];
  auto fill = [&]() -> bool {
    ssize_t n = ::recv(c->client, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    pending.append(buf, static_cast<size_t>(n));
    return true;
  };
  while (!c->closed.load()) {
    size_t head_end;
    while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) {
        c->Close();
        return;
      }
    }
    std::string head = pending.substr(0, head_end + 4);
    pending.erase(0, head_end + 4);
    uint64_t body_left = ContentLength(head);
    size_t sp1 = head.find(' ');
    size_t sp2 = head.find(' ', sp1 + 1);
    std::string method = head.substr(0, sp1);
    std::string target = head.substr(sp1 + 1, sp2 - sp1 - 1);
    requests_seen_.fetch_add(1);

    FaultRule rule;
    bool has_rule = TakeRule(method, target, &rule);
    const bool answer_503 = has_rule && rule.kind == FaultRule::Kind::k503;
    if (has_rule) {
      faults_injected_.fetch_add(1);
      std::lock_guard<std::mutex> lock(c->mu);
      if (rule.kind == FaultRule::Kind::kReset) {
        c->reset_at = c->response_bytes + rule.reset_after_bytes;
      } else if (rule.kind == FaultRule::Kind::kDelay) {
        c->delay = rule.delay_per_chunk;
      }
    } else {
      std::lock_guard<std::mutex> lock(c->mu);
      c->delay = std::chrono::milliseconds(0);
    }
    if (!answer_503 && !WriteAll(c->upstream, head.data(), head.size())) {
      c->Close();
      return;
    }
    // The body: forwarded, or read and dropped when we answer ourselves.
    while (body_left > 0) {
      if (pending.empty() && !fill()) {
        c->Close();
        return;
      }
      size_t n = static_cast<size_t>(std::min<uint64_t>(body_left, pending.size()));
      if (!answer_503 && !WriteAll(c->upstream, pending.data(), n)) {
        c->Close();
        return;
      }
      pending.erase(0, n);
      body_left -= n;
    }
    if (answer_503) {
      const std::string body =
          "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code>"
          "<Message>injected by the fault proxy</Message></Error>";
      const std::string busy =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\n"
          "x-ms-error-code: ServerBusy\r\nx-ms-request-id: fault-proxy\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body;
      std::lock_guard<std::mutex> lock(c->write_mu);
      if (!WriteAll(c->client, busy.data(), busy.size())) {
        c->Close();
        return;
      }
    }
  }
}

void FaultProxy::UpstreamToClient(std::shared_ptr<Connection> c) {
  char buf[16 * 1024];
  while (!c->closed.load()) {
    ssize_t n = ::recv(c->upstream, buf, sizeof(buf), 0);
    if (n <= 0) {
      c->Close();
      return;
    }
    size_t len = static_cast<size_t>(n);
    uint64_t reset_at;
    std::chrono::milliseconds delay;
    {
      std::lock_guard<std::mutex> lock(c->mu);
      reset_at = c->reset_at;
      delay = c->delay;
    }
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    std::lock_guard<std::mutex> lock(c->write_mu);
    if (reset_at != UINT64_MAX && c->response_bytes + len >= reset_at) {
      size_t keep = static_cast<size_t>(reset_at - c->response_bytes);
      WriteAll(c->client, buf, keep);
      Reset(c->client);
      c->Close();
      return;
    }
    if (!WriteAll(c->client, buf, len)) {
      c->Close();
      return;
    }
    std::lock_guard<std::mutex> counters(c->mu);
    c->response_bytes += len;
  }
}

}  // namespace vivalink::testing
