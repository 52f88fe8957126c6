#include "db/url.h"

#include <gtest/gtest.h>

#include "db/database.h"

namespace vivalink::db {
namespace {

using core::StatusCode;

TEST(DatabaseUrl, ParsesAnAbsoluteSqlitePath) {
  auto u = DatabaseUrl::Parse("sqlite:///var/lib/vivalink/v.db");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->dialect, Dialect::kSqlite);
  EXPECT_EQ(u->path, "/var/lib/vivalink/v.db");
  EXPECT_EQ(u->Describe(), "sqlite:///var/lib/vivalink/v.db");
}

TEST(DatabaseUrl, ParsesRelativeSqlitePaths) {
  auto u = DatabaseUrl::Parse("sqlite://./data/v.db");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->path, "./data/v.db");
  auto bare = DatabaseUrl::Parse("sqlite://v.db");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->path, "v.db");
  auto memory = DatabaseUrl::Parse("sqlite://:memory:");
  ASSERT_TRUE(memory.ok());
  EXPECT_EQ(memory->path, ":memory:");
}

TEST(DatabaseUrl, ParsesAPostgresUrl) {
  auto u = DatabaseUrl::Parse("postgresql://ana:pw@db.example:6543/vivalink?sslmode=require");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->dialect, Dialect::kPostgres);
  EXPECT_EQ(u->user, "ana");
  EXPECT_EQ(u->password, "pw");
  EXPECT_EQ(u->host, "db.example");
  EXPECT_EQ(u->port, "6543");
  EXPECT_EQ(u->database, "vivalink");
  ASSERT_EQ(u->options.size(), 1u);
  EXPECT_EQ(u->options[0].first, "sslmode");
  EXPECT_EQ(u->Describe(), "postgresql://ana@db.example:6543/vivalink?sslmode=require");
}

TEST(DatabaseUrl, AcceptsThePostgresSchemeAliasIpv6AndNoPort) {
  auto u = DatabaseUrl::Parse("postgres://[::1]:5432/db");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "[::1]");
  EXPECT_EQ(u->port, "5432");
  auto no_port = DatabaseUrl::Parse("postgresql://u@host/db");
  ASSERT_TRUE(no_port.ok());
  EXPECT_EQ(no_port->port, "");
  EXPECT_EQ(no_port->Describe(), "postgresql://u@host/db");
}

TEST(DatabaseUrl, DescribeDropsThePasswordInEveryForm) {
  auto u = DatabaseUrl::Parse(
      "postgresql://ana:Hunter2Secret@h:5432/db?password=Hunter2Secret&application_name=x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->Describe(), "postgresql://ana@h:5432/db?application_name=x");
}

TEST(DatabaseUrl, MalformedUrlsAreInvalidArgument) {
  for (const char* bad :
       {"", "vivalink.db", "mysql://u@h/db", "sqlite://", "sqlite:///", "sqlite://dir/",
        "postgresql://u@h:notaport/db", "postgresql://u@h:70000/db", "postgresql://u@h:5432",
        "postgresql://u@h:5432/", "postgresql://:pw@h/db", "postgresql://u@h/db?novalue",
        "postgresql://u@[::1/db"}) {
    auto u = DatabaseUrl::Parse(bad);
    EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(DatabaseUrl, ParseErrorsDoNotShowThePassword) {
  auto u = DatabaseUrl::Parse("postgresql://ana:Hunter2Secret@h:bad/db");
  ASSERT_EQ(u.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(u.status().message().find("Hunter2Secret"), std::string::npos) << u.status().message();
  EXPECT_NE(u.status().message().find("postgresql://ana@h:bad/db"), std::string::npos)
      << u.status().message();
}

TEST(StripPassword, RemovesPasswordsFromMalformedUrlsToo) {
  EXPECT_EQ(StripPassword("postgresql://ana:pw@h:x/db"), "postgresql://ana@h:x/db");
  EXPECT_EQ(StripPassword("weird://u:p@ss@h"), "weird://u@h");
  EXPECT_EQ(StripPassword("postgresql://h/db?password=abc&x=1").find("abc"), std::string::npos);
  EXPECT_EQ(StripPassword("sqlite:///a/b.db"), "sqlite:///a/b.db");
}

TEST(DatabaseOpen, UnsupportedSchemeIsInvalidArgument) {
  auto db = Database::Open("mysql://root:Hunter2Secret@localhost/db", {});
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db.status().message().find("Hunter2Secret"), std::string::npos);
  EXPECT_NE(db.status().message().find("mysql"), std::string::npos);
}

TEST(DatabaseOpen, EmptySqlitePathIsInvalidArgument) {
  EXPECT_EQ(Database::Open("sqlite://", {}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::db
