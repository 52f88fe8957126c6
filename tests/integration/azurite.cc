#include "azurite.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "azure/credentials.h"
#include "testutil.h"

namespace vivalink::testing {
namespace fs = std::filesystem;
namespace {

bool PortAccepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

std::string Tail(const fs::path& file, size_t max_bytes = 2000) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

fs::path MakeWorkDir() {
  std::random_device rd;
  for (int i = 0; i < 100; ++i) {
    fs::path p = fs::temp_directory_path() / ("vivalink-azurite-" + std::to_string(rd()));
    if (fs::create_directory(p)) return p;
  }
  return {};
}

}  // namespace

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

core::Result<std::unique_ptr<Azurite>> Azurite::Start(const AzuriteOptions& options) {
  const fs::path program = testutil::SourceDir() / "node_modules/.bin/azurite";
  if (!fs::exists(program)) {
    return core::NotFoundError("Azurite is not installed at " + program.string() +
                               "; run scripts/setup.sh (it runs npm ci)");
  }
  std::unique_ptr<Azurite> a(new Azurite());
  a->options_ = options;
  a->work_dir_ = MakeWorkDir();
  if (a->work_dir_.empty()) return core::InternalError("cannot create a work folder for Azurite");
  a->blob_port_ = FreeLoopbackPort();
  a->queue_port_ = FreeLoopbackPort();
  a->table_port_ = FreeLoopbackPort();
  if (a->blob_port_ == 0 || a->queue_port_ == 0 || a->table_port_ == 0) {
    return core::UnavailableError("no free port on 127.0.0.1 for Azurite");
  }
  core::Status launched = a->Launch();
  if (!launched.ok()) return launched;
  return a;
}

core::Status Azurite::Launch() {
  const fs::path program = testutil::SourceDir() / "node_modules/.bin/azurite";
  std::vector<std::string> args = {program.string(),
                                   "--blobHost",
                                   "127.0.0.1",
                                   "--blobPort",
                                   std::to_string(blob_port_),
                                   "--queueHost",
                                   "127.0.0.1",
                                   "--queuePort",
                                   std::to_string(queue_port_),
                                   "--tableHost",
                                   "127.0.0.1",
                                   "--tablePort",
                                   std::to_string(table_port_),
                                   "--skipApiVersionCheck",
                                   "--disableTelemetry",
                                   "--silent"};
  if (options_.persist_on_disk) {
    args.push_back("--location");
    args.push_back((work_dir_ / "data").string());
  } else {
    args.push_back("--inMemoryPersistence");
    if (options_.extent_memory_limit_mb > 0) {
      args.push_back("--extentMemoryLimit");
      args.push_back(std::to_string(options_.extent_memory_limit_mb));
    }
  }
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  const std::string log = (work_dir_ / "azurite.log").string();
  const std::string cwd = work_dir_.string();

  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return core::InternalError("fork failed starting Azurite");
  if (pid == 0) {
    // Child: die with the test binary, write output to the log, run in the work folder.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(options_.startup_timeout_seconds);
  while (true) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pid_ = -1;
      return core::UnavailableError("Azurite exited during start-up; its output:\n" +
                                    Tail(work_dir_ / "azurite.log"));
    }
    if (PortAccepts(blob_port_) && PortAccepts(queue_port_)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      std::string tail = Tail(work_dir_ / "azurite.log");
      Stop();
      return core::UnavailableError("Azurite did not accept connections within " +
                                    std::to_string(options_.startup_timeout_seconds) +
                                    " s; its output:\n" + tail);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return core::OkStatus();
}

Azurite::~Azurite() { Stop(); }

void Azurite::Terminate() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = ::waitpid(pid_, &status, WNOHANG) == pid_;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!gone) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

void Azurite::Stop() {
  Terminate();
  if (!work_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(work_dir_, ec);
    work_dir_.clear();
  }
}

core::Status Azurite::Restart(std::chrono::milliseconds down_time) {
  if (work_dir_.empty()) return core::FailedPreconditionError("Azurite was stopped for good");
  Terminate();
  std::this_thread::sleep_for(down_time);
  return Launch();
}

std::string Azurite::BlobEndpoint() const {
  return "http://127.0.0.1:" + std::to_string(blob_port_) + "/" +
         std::string(azure::kDevStoreAccount);
}

std::string Azurite::QueueEndpoint() const {
  return "http://127.0.0.1:" + std::to_string(queue_port_) + "/" +
         std::string(azure::kDevStoreAccount);
}

std::string Azurite::ContainerUrl(std::string_view container) const {
  return BlobEndpoint() + "/" + std::string(container);
}

std::string Azurite::QueueUrl(std::string_view queue) const {
  return QueueEndpoint() + "/" + std::string(queue);
}

std::string Azurite::ConnectionString() const {
  return "DefaultEndpointsProtocol=http;AccountName=" + std::string(azure::kDevStoreAccount) +
         ";AccountKey=" + std::string(azure::kDevStoreKey) + ";BlobEndpoint=" + BlobEndpoint() +
         ";QueueEndpoint=" + QueueEndpoint() + ";";
}

std::unique_ptr<Azurite>& AzuriteEnvironment::Instance() {
  static auto* instance = new std::unique_ptr<Azurite>();
  return *instance;
}

void AzuriteEnvironment::SetUp() {
  auto started = Azurite::Start();
  if (!started.ok()) {
    // Fails loudly: every test of the binary would fail anyway.
    FAIL() << "cannot start Azurite: " << started.status().ToString();
  }
  Instance() = std::move(started).value();
}

void AzuriteEnvironment::TearDown() { Instance().reset(); }

Azurite& AzuriteEnvironment::Get() {
  if (!Instance()) {
    ADD_FAILURE() << "Azurite is not running (see the environment set-up failure above)";
    std::abort();
  }
  return *Instance();
}

}  // namespace vivalink::testing
