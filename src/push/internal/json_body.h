// Module-private: parsing an untrusted request body into nlohmann::json without letting an
// exception escape.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/status.h"
#include "drop/metadata.h"

namespace vivalink::push::internal {

// kInvalidArgument "<what>: the body is not valid JSON (at byte N)" for malformed JSON (invalid
// UTF-8 included). The message never quotes the body.
inline core::Result<nlohmann::json> ParseJsonBody(std::string_view body, std::string_view what) {
  if (body.empty()) {
    return core::InvalidArgumentError(fmt::format("{}: the body is empty", what));
  }
  // nlohmann::json recurses over nesting: a body of a million '[' overflowed the stack (issue 10).
  if (drop::JsonNestingDepth(body) > drop::kMaxJsonNesting) {
    return core::InvalidArgumentError(
        fmt::format("{}: the body nests deeper than {} levels", what, drop::kMaxJsonNesting));
  }
  try {
    return nlohmann::json::parse(body.begin(), body.end());
  } catch (const nlohmann::json::parse_error& e) {
    return core::InvalidArgumentError(
        fmt::format("{}: the body is not valid JSON (at byte {})", what, e.byte));
  } catch (const nlohmann::json::exception&) {
    return core::InvalidArgumentError(fmt::format("{}: the body is not valid JSON", what));
  }
}

}  // namespace vivalink::push::internal
