// Database URLs: which database vivalink talks to, and how to name it safely in logs.
//
//   sqlite:///var/lib/vivalink/vivalink.db     absolute path (three slashes)
//   sqlite://./data/vivalink.db                path relative to the working directory
//   sqlite://data/vivalink.db                  also relative
//   sqlite://:memory:                          private in-memory database (tests)
//   postgresql://user@host:5432/vivalink       PostgreSQL (postgres:// is accepted too)
//   postgresql://user:secret@host/db?sslmode=require&connect_timeout=5
//
// PostgreSQL URLs are handed to libpq as they are (libpq parses and percent-decodes them); this
// parser validates them first so that a typo fails with kInvalidArgument before any connection
// attempt, and provides Describe(), the only form of a URL that may be logged: the password (in
// the user-info part or as a password= query parameter) is removed.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace vivalink::db {

enum class Dialect { kSqlite, kPostgres };

struct DatabaseUrl {
  Dialect dialect = Dialect::kSqlite;
  // SQLite: the file path as written (relative paths stay relative), or ":memory:".
  std::string path;
  // PostgreSQL: the parts as written (still percent-encoded); empty when absent.
  std::string user;
  std::string password;  // never log; Describe() leaves it out
  std::string host;
  std::string port;
  std::string database;
  std::vector<std::pair<std::string, std::string>> options;  // query parameters, in order
  // The URL exactly as given (holds the password: never log it).
  std::string text;

  // Parses `url`. kInvalidArgument (message naming the problem and the URL without its password)
  // for an unknown scheme, an empty SQLite path, a non-numeric or out-of-range port, or a
  // PostgreSQL URL without a database name.
  static core::Result<DatabaseUrl> Parse(std::string_view url);

  // The URL with any password removed, for logs and error messages:
  // "postgresql://vivalink@db.example:5432/vivalink", "sqlite://./data/vivalink.db".
  std::string Describe() const;
};

// Best-effort password removal for any URL-ish text, including malformed ones: drops the ":pw"
// of "scheme://user:pw@host" and masks password=... parameters. Use it when a URL failed to parse.
std::string StripPassword(std::string_view url);

}  // namespace vivalink::db
