// metadata.json of a drop (PROTOCOL §2): parsing with validation, writing, and matching
// ColumnsRequested against the columns actually present.
//
// Field names are matched exactly as the contract writes them; inside DecryptionKeyDetails both
// casings (DecryptionKeyType/type, Value/value, IV/iv) are accepted. Unknown fields are kept (in
// `extra`) and written back unchanged.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace vivalink::drop {

// A wrapped key as it travels (RSA-OAEP-SHA256 under the partner's public key, base64).
struct WrappedKey {
  std::string type;       // "File" or "Column"
  std::string value_b64;  // RSA-OAEP ciphertext of the 32-byte AES key
  std::string iv_b64;     // the 16-byte IV, base64 (not wrapped)
};

// The largest NumberOfRowsExtracted accepted (10^12: far beyond any organisation's person-weeks,
// small enough that row arithmetic never overflows).
inline constexpr int64_t kMaxRowsExtracted = 1'000'000'000'000;

struct DropMetadata {
  std::string copy_activity_id;
  core::TimePoint job_submission_time{};
  core::TimePoint job_completion_time{};
  core::TimePoint request_start{};
  core::TimePoint request_end{};
  std::string columns_requested;  // raw text; names may contain commas, see MatchColumnsRequested
  int64_t rows_extracted = 0;
  std::string data_factory_name;
  std::string tenant_id;
  std::string errors;  // empty when the run succeeded
  // Optional, newer runs.
  std::optional<std::string> table_name, application_id, office_geo, extraction_result_id,
      public_key_version;
  std::optional<WrappedKey> inline_key;             // DecryptionKeyDetails
  nlohmann::json extra = nlohmann::json::object();  // unknown fields, kept

  bool failed_upstream() const { return !errors.empty(); }
};

// Parses and validates. kDataLoss when the text is not a JSON object ("metadata.json of run X is
// not JSON: ... at byte N"); kInvalidArgument naming the field when a required field is missing
// or malformed (CopyActivityId/TenantId not GUIDs, times not ISO 8601, RequestEndDate before
// RequestStartDate); kDataLoss naming the field when NumberOfRowsExtracted is not an integer in
// [0, kMaxRowsExtracted] (JSON number or decimal string), or when the text nests deeper than
// kMaxJsonNesting. source names the blob. Never throws, whatever the input.
core::Result<DropMetadata> ParseMetadata(std::string_view json, std::string_view source);

// The deepest nesting of arrays and objects in JSON text (brackets inside strings do not count),
// found without parsing: untrusted JSON is checked against a limit first, since nlohmann::json
// recurses when it copies, compares or destroys a value and deep nesting exhausts the stack.
int JsonNestingDepth(std::string_view text);
// metadata.json and key answers nest 2 or 3 levels; anything deeper than this is refused.
inline constexpr int kMaxJsonNesting = 64;

// Serialises with the contract's field names (times as YYYY-MM-DDTHH:MM:SSZ), extra fields last.
std::string SerializeMetadata(const DropMetadata& metadata);

// Splits ColumnsRequested using the names actually present: at each position the longest present
// name followed by ',' or the end is taken. Returns the requested names in order; names that
// match nothing present are returned as the comma-separated fragments between matches.
std::vector<std::string> MatchColumnsRequested(std::string_view columns_requested,
                                               const std::vector<std::string>& present);

// OK when ColumnsRequested names exactly the present columns (as a set). kDataLoss otherwise,
// listing what is missing on either side.
core::Status CheckColumnsRequested(std::string_view columns_requested,
                                   const std::vector<std::string>& present);

}  // namespace vivalink::drop
