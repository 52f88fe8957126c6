// Canonical column naming (PROTOCOL §5): the analyst (underscore) name used everywhere inside.
// - display name -> every character outside [A-Za-z0-9,] becomes '_'
//   ("After-hours email hours" -> "After_hours_email_hours");
// - v0 PascalCase names map through a fixed table ("CollaborationHours" -> "Collaboration_hours");
// - ObjectId and PersonId both become "PersonId".
#pragma once

#include <string>
#include <string_view>

namespace vivalink::formats {

std::string CanonicalName(std::string_view source_name);
// True for columns holding personal identifiers (encrypted on the wire).
bool IsPiiColumn(std::string_view canonical_name);
// True for columns that identify one row (a person at a date) without being a PII column: Viva
// Insights v0's PeopleHistoricalId (a person id and a date, unique per person-week). Never stored
// as an HR attribute: it would make every row's attribute set unique and carry a person id.
bool IsRowIdentifierColumn(std::string_view canonical_name);
// True for columns that are always strings (ids, dates, HR attributes, user-export fields).
bool IsStringColumn(std::string_view canonical_name);
// True for the columns of the canonical tables: the string columns above, the v1 PersonReport
// metrics and the v0 table's targets. ReaderOptions::keep_unknown_columns = false keeps only these.
bool IsKnownColumn(std::string_view canonical_name);

}  // namespace vivalink::formats
