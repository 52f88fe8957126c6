#include "postgres_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace vivalink::testutil {
namespace fs = std::filesystem;

namespace {

// Who the server runs as: the current user, or (when we are root) the `postgres` OS user.
struct Identity {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Identity ResolveIdentity() {
  Identity id;
  if (::geteuid() != 0) return id;
  struct passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) {
    throw std::runtime_error(
        "PostgresServer: running as root, but there is no 'postgres' OS user to run the server "
        "as (initdb and postgres refuse to run as root); install Debian's postgresql package");
  }
  id.switch_user = true;
  id.uid = pw->pw_uid;
  id.gid = pw->pw_gid;
  return id;
}

fs::path FindBinDir(const fs::path& configured) {
  std::vector<fs::path> candidates;
  if (!configured.empty()) {
    candidates.push_back(configured);
  } else if (const char* env = std::getenv("VIVALINK_PG_BIN"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  } else {
    std::error_code ec;
    std::vector<std::pair<int, fs::path>> versions;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
      int v = std::atoi(entry.path().filename().c_str());
      if (v > 0) versions.emplace_back(v, entry.path() / "bin");
    }
    std::sort(versions.rbegin(), versions.rend());
    for (auto& [v, p] : versions) candidates.push_back(p);
  }
  for (const auto& dir : candidates) {
    if (::access((dir / "initdb").c_str(), X_OK) == 0 &&
        ::access((dir / "postgres").c_str(), X_OK) == 0) {
      return dir;
    }
  }
  throw std::runtime_error(
      "PostgresServer: PostgreSQL server binaries (initdb, postgres) not found in " +
      (candidates.empty() ? std::string("/usr/lib/postgresql/<version>/bin")
                          : candidates.front().string()) +
      "; install them (apt-get install postgresql) or set VIVALINK_PG_BIN");
}

std::string ReadTail(const fs::path& path, std::size_t max_bytes = 4000) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() > max_bytes) s = "..." + s.substr(s.size() - max_bytes);
  return s;
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("PostgresServer: socket(): " + std::string(strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    ::close(fd);
    throw std::runtime_error("PostgresServer: finding a free port: " + std::string(strerror(err)));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// fork + exec of argv as `id`, stdout/stderr to log_fd, stdin from /dev/null.
pid_t Spawn(const std::vector<std::string>& args, const Identity& id, int log_fd) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("PostgresServer: fork(): " + std::string(strerror(errno)));
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls until exec.
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, 0);
  ::dup2(log_fd, 1);
  ::dup2(log_fd, 2);
  ::setpgid(0, 0);  // a Ctrl-C on the test does not reach the server; Stop() does the stopping
  if (id.switch_user) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(id.gid) != 0 || ::setuid(id.uid) != 0) {
      ::_exit(126);
    }
  }
  // After the credential change (which clears it): stop when the starting thread goes away.
  ::prctl(PR_SET_PDEATHSIG, SIGINT);
  if (::getppid() != parent) ::_exit(125);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

void Chown(const fs::path& p, const Identity& id) {
  if (id.switch_user && ::chown(p.c_str(), id.uid, id.gid) != 0) {
    throw std::runtime_error("PostgresServer: chown " + p.string() + ": " + strerror(errno));
  }
}

int OpenLog(const fs::path& p) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("PostgresServer: open " + p.string() + ": " + strerror(errno));
  return fd;
}

// Waits for pid to exit, up to `timeout`; true when it exited (and was reaped).
bool WaitExit(pid_t pid, std::chrono::milliseconds timeout, int* status) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Runs argv as `id` to completion; throws with the output when it fails.
void RunOrThrow(const std::vector<std::string>& args, const Identity& id, const fs::path& log,
                const std::string& what) {
  int fd = OpenLog(log);
  pid_t pid = Spawn(args, id, fd);
  ::close(fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(
        "PostgresServer: " + what + " failed (wait status " + std::to_string(status) + ")" +
        (id.switch_user ? " running as OS user postgres" : "") + "; its output:\n" + ReadTail(log));
  }
}

std::string MakeTempDir(const std::string& prefix, const Identity& id) {
  std::string templ = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::runtime_error("PostgresServer: mkdtemp " + templ + ": " + strerror(errno));
  }
  Chown(templ, id);
  return templ;
}

// initdb takes seconds; copying its pristine output takes a fraction of that. The first server
// on a machine runs initdb into $TMPDIR/vivalink-pg-template-<uid>-<key>/ (built aside, then
// renamed into place, so concurrent test processes never see half a template); later servers
// copy it. The template itself is never started. Delete the folder to force a fresh initdb.
struct Template {
  fs::path data;
  fs::path remove_after_copy;  // set when our fresh template could not be published
};

Template EnsureTemplate(const fs::path& bin, const std::string& user, const Identity& id) {
  const uid_t owner = id.switch_user ? id.uid : ::geteuid();
  const std::string key = std::to_string(std::hash<std::string>{}(bin.string() + "|" + user));
  const fs::path published =
      fs::temp_directory_path() / ("vivalink-pg-template-" + std::to_string(owner) + "-" + key);
  auto usable = [&](const fs::path& dir) {
    struct stat st {};
    return ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == owner &&
           ::access((dir / "complete").c_str(), F_OK) == 0;
  };
  if (usable(published)) return {published / "data", {}};

  const fs::path fresh = MakeTempDir("vivalink-pg-initdb-", id);
  try {
    RunOrThrow({(bin / "initdb").string(), "-D", (fresh / "data").string(), "-U", user,
                "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions"},
               id, fresh / "initdb.log", "initdb in " + fresh.string());
  } catch (...) {
    std::error_code ec;
    fs::remove_all(fresh, ec);
    throw;
  }
  std::ofstream(fresh / "complete") << "initdb finished\n";
  if (::rename(fresh.c_str(), published.c_str()) == 0) return {published / "data", {}};
  if (usable(published)) {  // another process published one first
    std::error_code ec;
    fs::remove_all(fresh, ec);
    return {published / "data", {}};
  }
  return {fresh / "data", fresh};
}

}  // namespace

std::unique_ptr<PostgresServer> PostgresServer::Start(const Options& options) {
  const Identity id = ResolveIdentity();
  const fs::path bin = FindBinDir(options.bin_dir);

  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->user_ = options.user;
  server->dir_ = MakeTempDir("vivalink-pg-", id);
  const fs::path data = server->dir_ / "data";
  const fs::path sock = server->dir_ / "sock";
  fs::create_directory(sock);
  ::chmod(sock.c_str(), 0700);
  Chown(sock, id);

  // The cluster: a copy of the initdb template, made as the server's user so it owns the files.
  // Trust authentication: only 127.0.0.1 and our private socket folder can reach the server.
  Template tmpl = EnsureTemplate(bin, options.user, id);
  RunOrThrow({"/bin/cp", "-a", "--reflink=auto", tmpl.data.string(), data.string()}, id,
             server->dir_ / "copy.log", "copying the initdb template " + tmpl.data.string());
  if (!tmpl.remove_after_copy.empty()) {
    std::error_code ec;
    fs::remove_all(tmpl.remove_after_copy, ec);
  }

  // postgres: a free port can be taken by someone else between FreePort() and bind; retry.
  std::string last_log;
  for (int attempt = 0; attempt < 3; ++attempt) {
    server->port_ = FreePort();
    int fd = OpenLog(server->log_path());
    server->pid_ = Spawn({(bin / "postgres").string(), "-D", data.string(), "-k", sock.string(),
                          "-h", "127.0.0.1", "-p", std::to_string(server->port_), "-F", "-c",
                          "shared_buffers=32MB", "-c", "max_connections=50", "-c",
                          "log_min_messages=warning", "-c", "unix_socket_permissions=0700"},
                         id, fd);
    ::close(fd);
    const std::string conninfo = server->url();
    auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
    while (true) {
      int status = 0;
      if (::waitpid(server->pid_, &status, WNOHANG) == server->pid_) {
        server->pid_ = -1;
        last_log = ReadTail(server->log_path());
        break;  // exited: retry with another port, or report
      }
      if (PQping(conninfo.c_str()) == PQPING_OK) return server;
      if (std::chrono::steady_clock::now() >= deadline) {
        server->Stop();
        throw std::runtime_error("PostgresServer: the server did not accept connections within " +
                                 std::to_string(options.start_timeout.count()) + " s; its log:\n" +
                                 ReadTail(server->log_path()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (last_log.find("could not bind") == std::string::npos &&
        last_log.find("in use") == std::string::npos) {
      break;
    }
  }
  throw std::runtime_error("PostgresServer: postgres exited during start-up; its log:\n" +
                           last_log);
}

PostgresServer::~PostgresServer() {
  Stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

void PostgresServer::Stop() {
  if (pid_ <= 0) return;
  int status = 0;
  ::kill(pid_, SIGINT);  // fast shutdown: roll back sessions, checkpoint, exit
  if (!WaitExit(pid_, std::chrono::seconds(20), &status)) {
    ::kill(pid_, SIGKILL);
    WaitExit(pid_, std::chrono::seconds(5), &status);
  }
  pid_ = -1;
}

std::string PostgresServer::UrlFor(const std::string& database) const {
  return "postgresql://" + user_ + "@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::CreateDatabase(const std::string& name) {
  std::string db =
      name.empty() ? "t_" + std::to_string(::getpid()) + "_" + std::to_string(++database_counter_)
                   : name;
  PGconn* conn = PQconnectdb(url().c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    // FILE_COPY (PostgreSQL 15+) copies the template's files instead of WAL-logging every page:
    // several times faster with fsync off. Older servers do not know it; fall back.
    for (const char* strategy : {" STRATEGY = FILE_COPY", ""}) {
      std::string sql = "CREATE DATABASE \"" + db + "\"" + strategy;
      PGresult* r = PQexec(conn, sql.c_str());
      bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      error = ok ? "" : PQresultErrorMessage(r);
      PQclear(r);
      if (ok) break;
    }
  }
  PQfinish(conn);
  if (!error.empty()) {
    throw std::runtime_error("PostgresServer: CREATE DATABASE " + db + " failed: " + error);
  }
  return UrlFor(db);
}

PostgresServer& SharedPostgresServer() {
  static std::mutex mu;
  static std::unique_ptr<PostgresServer> server;
  std::lock_guard lock(mu);
  if (server == nullptr) server = PostgresServer::Start();
  return *server;
}

}  // namespace vivalink::testutil
