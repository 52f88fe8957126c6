#include "postgres_server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>

#include <cerrno>
#include <stdexcept>

namespace vivalink::testutil {
namespace {

TEST(PostgresServer, StartsOnLoopbackAndStopsByPid) {
  auto server = PostgresServer::Start();
  ASSERT_NE(server, nullptr);
  const pid_t pid = server->pid();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(server->url().rfind("postgresql://vivalink@127.0.0.1:", 0), 0u) << server->url();
  EXPECT_EQ(PQping(server->url().c_str()), PQPING_OK);
  const std::string url = server->CreateDatabase("named_db");
  EXPECT_EQ(PQping(url.c_str()), PQPING_OK);
  const auto dir = server->log_path().parent_path();
  server.reset();
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_NE(PQping(url.c_str()), PQPING_OK);
}

TEST(PostgresServer, MissingBinariesFailLoudly) {
  PostgresServer::Options options;
  options.bin_dir = "/nonexistent/postgresql/bin";
  try {
    PostgresServer::Start(options);
    FAIL() << "Start() should have thrown";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/postgresql/bin"), std::string::npos)
        << e.what();
  }
}

TEST(PostgresServer, SharedServerIsStartedOnceAndGivesFreshDatabases) {
  PostgresServer& a = SharedPostgresServer();
  PostgresServer& b = SharedPostgresServer();
  EXPECT_EQ(&a, &b);
  EXPECT_NE(a.CreateDatabase(), a.CreateDatabase());
}

}  // namespace
}  // namespace vivalink::testutil
