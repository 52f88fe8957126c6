// A private PostgreSQL server for tests: initdb into a fresh temporary folder, postgres listening
// on 127.0.0.1 at a free port (and a private Unix socket folder), fsync off (-F) for speed, stopped
// by PID when the object is destroyed (SIGINT = fast shutdown, SIGKILL after a timeout) and its
// folder removed.
//
//   testutil::PostgresServer& pg = testutil::SharedPostgresServer();  // once per test binary
//   std::string url = pg.CreateDatabase();   // a fresh, empty database for one test
//   auto db = db::Database::Open(url, {});
//
// Run as root (CI), the server runs as the `postgres` OS user that Debian's postgresql package
// creates (initdb and postgres refuse to run as root); otherwise it runs as the current user.
// The binaries are looked up in $VIVALINK_PG_BIN, else the newest /usr/lib/postgresql/<v>/bin.
// initdb runs once per machine: its pristine output is kept in $TMPDIR/vivalink-pg-template-*
// and copied for each server (seconds saved per test process); delete it to force a new one.
// When they are missing, or the server does not start, Start() throws std::runtime_error with the
// reason and the server's log: tests fail loudly instead of skipping, since the project installs
// PostgreSQL.
//
// The server gets PR_SET_PDEATHSIG: it shuts down when the thread that started it exits, so that a
// killed test binary does not leave it running. Start it from the main thread (gtest runs tests
// there).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace vivalink::testutil {

class PostgresServer {
 public:
  struct Options {
    // Folder of initdb/postgres; empty: $VIVALINK_PG_BIN or the newest /usr/lib/postgresql/*/bin.
    std::filesystem::path bin_dir;
    // The superuser role initdb creates (trust authentication on 127.0.0.1 and the socket).
    std::string user = "vivalink";
    // How long to wait for the server to accept connections.
    std::chrono::seconds start_timeout{60};
  };

  // Creates the cluster and starts the server; throws std::runtime_error on any failure.
  static std::unique_ptr<PostgresServer> Start(const Options& options);
  static std::unique_ptr<PostgresServer> Start() { return Start(Options{}); }

  // Stops the server by PID and removes its folder.
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // postgresql://<user>@127.0.0.1:<port>/postgres (the maintenance database).
  std::string url() const { return UrlFor("postgres"); }
  // postgresql://<user>@127.0.0.1:<port>/<database>.
  std::string UrlFor(const std::string& database) const;
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& user() const { return user_; }
  // The server's log file (for diagnostics).
  std::filesystem::path log_path() const { return dir_ / "postgres.log"; }

  // Creates a new empty database and returns its URL. With no name, a unique one is made
  // ("t_<pid>_<n>"). Throws std::runtime_error when the server refuses.
  std::string CreateDatabase(const std::string& name = "");

  // Stops the server now (idempotent); the destructor calls it.
  void Stop();

 private:
  PostgresServer() = default;

  std::filesystem::path dir_;  // temporary folder: data/, sock/, logs
  std::string user_;
  int port_ = 0;
  pid_t pid_ = -1;
  int database_counter_ = 0;
};

// One server for the whole test binary, started on first use and stopped at exit.
// Throws like PostgresServer::Start() (each call retries the start if the first one failed).
PostgresServer& SharedPostgresServer();

}  // namespace vivalink::testutil
