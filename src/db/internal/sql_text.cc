#include "db/internal/sql_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace vivalink::db::internal {
namespace {

constexpr std::size_t kLabelLength = 80;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool IsIdentStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

std::string StatementLabel(std::string_view sql) {
  std::string out;
  out.reserve(std::min(sql.size(), kLabelLength + 3));
  bool pending_space = false;
  for (char c : sql) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (out.size() >= kLabelLength) {
      out += "...";
      return out;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

TranslatedSql TranslatePlaceholders(std::string_view sql) {
  TranslatedSql t;
  t.sql.reserve(sql.size() + 16);
  std::size_t i = 0;
  const std::size_t n = sql.size();
  bool after_semicolon = false;
  auto copy_until = [&](std::size_t end) {
    t.sql.append(sql.substr(i, end - i));
    i = end;
  };
  // Text (not whitespace or comments) after a top-level ';' means a second statement.
  auto content = [&] {
    if (after_semicolon) t.multiple_statements = true;
  };
  while (i < n) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      content();
      // Quoted literal or identifier; a doubled quote is an escaped quote. E'..' strings may
      // also escape a quote as \'.
      bool backslash_escapes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
      std::size_t j = i + 1;
      while (j < n) {
        if (backslash_escapes && sql[j] == '\\') {
          j += 2;
          continue;
        }
        if (sql[j] == c) {
          if (j + 1 < n && sql[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      copy_until(std::min(n, j + 1));
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      std::size_t j = sql.find('\n', i);
      copy_until(j == std::string_view::npos ? n : j);
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      std::size_t j = sql.find("*/", i + 2);
      copy_until(j == std::string_view::npos ? n : j + 2);
    } else if (c == '$' && (i == 0 || !IsIdentChar(sql[i - 1]))) {
      content();
      // Dollar quote $tag$ ... $tag$ (tag may be empty); $1-style parameters are left as they are.
      std::size_t j = i + 1;
      while (j < n && IsIdentChar(sql[j]) && !(j == i + 1 && sql[j] >= '0' && sql[j] <= '9')) ++j;
      if (j < n && sql[j] == '$') {
        std::string_view tag = sql.substr(i, j - i + 1);
        std::size_t end = sql.find(tag, j + 1);
        copy_until(end == std::string_view::npos ? n : end + tag.size());
      } else {
        copy_until(i + 1);
      }
    } else if (c == '?') {
      content();
      t.sql += '$';
      t.sql += std::to_string(++t.placeholders);
      ++i;
    } else {
      if (c == ';') {
        after_semicolon = true;
      } else if (!IsSpace(c)) {
        content();
      }
      t.sql += c;
      ++i;
    }
  }
  return t;
}

bool IsPlainIdentifier(std::string_view name) {
  if (name.empty() || name.size() > 63 || !IsIdentStart(name[0])) return false;
  for (char c : name) {
    if (!IsIdentChar(c)) return false;
  }
  return true;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace vivalink::db::internal
