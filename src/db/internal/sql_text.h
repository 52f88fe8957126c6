// Module-private helpers that look at SQL text: naming a statement in errors, rewriting `?`
// placeholders for PostgreSQL, and validating/quoting identifiers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vivalink::db::internal {

// The statement as named in error messages: whitespace runs collapsed to one space, cut to about
// 80 characters with "..." appended when longer. SQL text never holds data values (they travel as
// parameters), so this is safe to log.
std::string StatementLabel(std::string_view sql);

struct TranslatedSql {
  std::string sql;             // with $1, $2, ... in place of each ?
  std::size_t placeholders{};  // how many ? were replaced
  bool multiple_statements{};  // a ';' outside quotes/comments is followed by more SQL
};
// Replaces each `?` outside string literals ('...', E'...'), quoted identifiers ("..."),
// dollar-quoted strings ($tag$...$tag$) and comments (-- and /* */) with $1, $2, ... in order.
TranslatedSql TranslatePlaceholders(std::string_view sql);

// [A-Za-z_][A-Za-z0-9_]*, at most 63 characters (PostgreSQL's identifier limit).
bool IsPlainIdentifier(std::string_view name);
// "name" with any " doubled.
std::string QuoteIdentifier(std::string_view name);

// Shortest text that reads back as the same double; "Infinity", "-Infinity", "NaN" for the
// non-finite values (PostgreSQL's spelling).
std::string FormatDouble(double v);

}  // namespace vivalink::db::internal
