#include "db/url.h"

#include <charconv>

#include "core/log.h"
#include "core/strings.h"

namespace vivalink::db {
namespace {

using core::InvalidArgumentError;

core::Status UrlError(std::string_view url, std::string_view problem) {
  return InvalidArgumentError("database URL '" + StripPassword(url) + "': " + std::string(problem) +
                              "; expected sqlite:///path/file.db, sqlite://./relative.db or "
                              "postgresql://user@host:port/database");
}

bool ValidPort(std::string_view port) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc() && ptr == port.data() + port.size() && value >= 1 && value <= 65535;
}

}  // namespace

std::string StripPassword(std::string_view url) {
  std::string out(url);
  std::size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    std::size_t start = scheme_end + 3;
    std::size_t query = out.find('?', start);
    std::size_t at = out.rfind('@', query == std::string::npos ? std::string::npos : query);
    if (at != std::string::npos && at >= start) {
      std::size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
    }
  }
  return core::Redact(out);
}

core::Result<DatabaseUrl> DatabaseUrl::Parse(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    return UrlError(url, "no scheme");
  }
  std::string scheme = core::ToLower(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  DatabaseUrl out;
  out.text = std::string(url);

  if (scheme == "sqlite" || scheme == "sqlite3") {
    out.dialect = Dialect::kSqlite;
    if (rest.empty() || rest == "/" || rest == "." || rest == "./") {
      return UrlError(url, "no database file path");
    }
    if (rest.back() == '/') return UrlError(url, "the path names a folder, not a file");
    out.path = std::string(rest);
    return out;
  }
  if (scheme != "postgresql" && scheme != "postgres") {
    return UrlError(url, "unsupported scheme '" + scheme + "'");
  }

  out.dialect = Dialect::kPostgres;
  std::string_view query;
  if (std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::size_t at = rest.rfind('@');
  std::string_view authority_and_path = rest;
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    authority_and_path = rest.substr(at + 1);
    std::size_t colon = userinfo.find(':');
    out.user = std::string(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) out.password = std::string(userinfo.substr(colon + 1));
    if (out.user.empty()) return UrlError(url, "empty user name before '@'");
  }
  std::size_t slash = authority_and_path.find('/');
  std::string_view hostport = authority_and_path.substr(0, slash);
  if (slash != std::string_view::npos) {
    out.database = std::string(authority_and_path.substr(slash + 1));
  }
  if (out.database.empty()) return UrlError(url, "no database name after the host");
  if (out.database.find('/') != std::string::npos) {
    return UrlError(url, "the database name contains '/'");
  }

  // Host list "h1:p1,h2:p2" (libpq failover) or one host; IPv6 literals in brackets.
  for (std::string_view one : core::Split(hostport, ',')) {
    std::string_view port;
    if (!one.empty() && one.front() == '[') {
      std::size_t close = one.find(']');
      if (close == std::string_view::npos) return UrlError(url, "unclosed '[' in the host");
      std::string_view after = one.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') return UrlError(url, "unexpected text after ']'");
        port = after.substr(1);
      }
    } else if (std::size_t colon = one.rfind(':'); colon != std::string_view::npos) {
      port = one.substr(colon + 1);
    }
    if (one.find(':') != std::string_view::npos && !ValidPort(port)) {
      return UrlError(url, "the port is not a number between 1 and 65535");
    }
  }
  if (hostport.find(',') == std::string_view::npos) {
    std::size_t colon = hostport.rfind(':');
    std::size_t bracket = hostport.rfind(']');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
      out.host = std::string(hostport.substr(0, colon));
      out.port = std::string(hostport.substr(colon + 1));
    } else {
      out.host = std::string(hostport);
    }
  } else {
    out.host = std::string(hostport);
  }

  if (!query.empty()) {
    for (std::string_view kv : core::Split(query, '&')) {
      if (kv.empty()) continue;
      std::size_t eq = kv.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return UrlError(url, "query parameters must be key=value");
      }
      out.options.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
  }
  return out;
}

std::string DatabaseUrl::Describe() const {
  if (dialect == Dialect::kSqlite) return "sqlite://" + path;
  std::string out = "postgresql://";
  if (!user.empty()) out += user + "@";
  out += host;
  if (!port.empty()) out += ":" + port;
  out += "/" + database;
  char sep = '?';
  for (const auto& [key, value] : options) {
    if (core::EqualsIgnoreCase(key, "password") || core::EqualsIgnoreCase(key, "passfile")) {
      continue;
    }
    out += sep;
    out += key + "=" + value;
    sep = '&';
  }
  // Defence in depth: nothing that looks like a credential survives.
  return core::Redact(out);
}

}  // namespace vivalink::db
