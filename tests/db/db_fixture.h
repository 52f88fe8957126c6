// The fixture that runs one behaviour suite against both implementations: SQLite on a real file
// in a TempDir, and PostgreSQL on a real server (SharedPostgresServer, one per test binary, with a
// fresh database per test).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "db/database.h"
#include "postgres_server.h"
#include "testutil.h"

namespace vivalink::db {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

class BothBackends : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      url_ = "sqlite://" + (tmp_.path() / "data" / "vivalink.db").string();
    } else {
      url_ = testutil::SharedPostgresServer().CreateDatabase();
    }
    db_ = OpenOrDie();
  }

  // Another connection to the same database.
  std::unique_ptr<Database> OpenOrDie(const OpenOptions& options = {}) {
    auto r = Database::Open(url_, options);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  bool postgres() const { return GetParam() == Backend::kPostgres; }
  const char* blob_type() const { return postgres() ? "BYTEA" : "BLOB"; }

  testutil::TempDir tmp_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

}  // namespace vivalink::db

// Status matchers kept small: the code, with the message on failure.
#define EXPECT_OK(expr)                            \
  do {                                             \
    const ::vivalink::core::Status vl_s_ = (expr); \
    EXPECT_TRUE(vl_s_.ok()) << vl_s_.ToString();   \
  } while (0)
#define ASSERT_OK(expr)                            \
  do {                                             \
    const ::vivalink::core::Status vl_s_ = (expr); \
    ASSERT_TRUE(vl_s_.ok()) << vl_s_.ToString();   \
  } while (0)
#define EXPECT_CODE(expr, expected_code)                        \
  do {                                                          \
    const ::vivalink::core::Status vl_s_ = (expr);              \
    EXPECT_EQ(vl_s_.code(), expected_code) << vl_s_.ToString(); \
  } while (0)
