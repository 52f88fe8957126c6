#include "drop/metadata.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "core/uuid.h"

namespace vivalink::drop {
namespace {

using nlohmann::json;

const std::set<std::string, std::less<>> kKnown = {"CopyActivityId",
                                                   "JobSubmissionTime",
                                                   "JobCompletionTime",
                                                   "RequestStartDate",
                                                   "RequestEndDate",
                                                   "ColumnsRequested",
                                                   "NumberOfRowsExtracted",
                                                   "DataFactoryName",
                                                   "TenantId",
                                                   "Errors",
                                                   "TableName",
                                                   "ApplicationId",
                                                   "OfficeGeo",
                                                   "ExtractionResultId",
                                                   "PublicKeyVersion",
                                                   "DecryptionKeyDetails"};

core::Status Missing(std::string_view source, std::string_view field) {
  return core::InvalidArgumentError(
      fmt::format("{}: required field {} is missing; the drop cannot be imported until the "
                  "pipeline writes a complete metadata.json",
                  source, field));
}

core::Result<std::string> RequiredString(const json& j, std::string_view source, const char* field,
                                         bool allow_empty = false) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return Missing(source, field);
  if (!it->is_string()) {
    return core::InvalidArgumentError(
        fmt::format("{}: field {} must be a string, found {}", source, field, it->type_name()));
  }
  std::string v = it->get<std::string>();
  if (v.empty() && !allow_empty) {
    return core::InvalidArgumentError(fmt::format("{}: field {} is empty", source, field));
  }
  return v;
}

core::Result<core::TimePoint> RequiredTime(const json& j, std::string_view source,
                                           const char* field) {
  ASSIGN_OR_RETURN(std::string text, RequiredString(j, source, field));
  auto t = core::ParseIso8601(text);
  if (!t.ok()) {
    return core::InvalidArgumentError(
        fmt::format("{}: field {} is not an ISO 8601 time: '{}'", source, field, text));
  }
  return *t;
}

std::optional<std::string> OptionalString(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// A count field (JSON integer or a string of decimal digits, as some pipeline versions write
// it) range-checked into [0, max]. Never throws: text is converted with std::from_chars and JSON
// numbers are inspected by their stored kind (a number beyond uint64 arrives as a double).
core::Result<int64_t> NonNegativeCount(const json& v, std::string_view source, const char* field,
                                       int64_t max) {
  auto refuse = [&](std::string_view why) -> core::Status {
    std::string shown = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (shown.size() > 40) shown = shown.substr(0, 40) + "...";
    return core::DataLossError(
        fmt::format("{}: {} must be an integer from 0 to {}, found {} ({}); the drop was not "
                    "imported",
                    source, field, max, shown, why));
  };
  int64_t value = 0;
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(max)) return refuse("out of range");
    value = static_cast<int64_t>(u);
  } else if (v.is_number_integer()) {
    value = v.get<int64_t>();
    if (value < 0) return refuse("negative");
    if (value > max) return refuse("out of range");
  } else if (v.is_number_float()) {
    return refuse("not an integer");
  } else if (v.is_string()) {
    const std::string& text = v.get_ref<const std::string&>();
    if (text.empty() ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return refuse("not a decimal integer");
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range || value > max) return refuse("out of range");
    if (ec != std::errc() || end != text.data() + text.size()) {
      return refuse("not a decimal integer");
    }
  } else {
    return refuse(fmt::format("a {}", v.type_name()));
  }
  return value;
}

// Looks up the first of several spellings of a key.
const json* FindAny(const json& j, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    auto it = j.find(n);
    if (it != j.end()) return &*it;
  }
  return nullptr;
}

}  // namespace

int JsonNestingDepth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

core::Result<DropMetadata> ParseMetadata(std::string_view text, std::string_view source) {
  if (JsonNestingDepth(text) > kMaxJsonNesting) {
    return core::DataLossError(
        fmt::format("{} is nested deeper than {} levels; it is not a pipeline's metadata.json and "
                    "the drop was not imported",
                    source, kMaxJsonNesting));
  }
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Re-parse with exceptions only to learn the byte offset of the error.
    std::string where;
    try {
      [[maybe_unused]] const json probe = json::parse(text);
    } catch (const json::parse_error& e) {
      where = fmt::format(" (at byte {})", e.byte);
    } catch (const json::exception&) {
      // out_of_range 406: a number beyond double ("1e999") fails the parse without a byte.
      where = " (a number is out of range)";
    }
    return core::DataLossError(fmt::format(
        "{} is not JSON{}; the drop is incomplete or corrupt and was not imported", source, where));
  }
  if (!j.is_object()) {
    return core::DataLossError(
        fmt::format("{} is not a JSON object (found {})", source, j.type_name()));
  }
  DropMetadata m;
  ASSIGN_OR_RETURN(m.copy_activity_id, RequiredString(j, source, "CopyActivityId"));
  if (!core::IsUuid(m.copy_activity_id)) {
    return core::InvalidArgumentError(
        fmt::format("{}: CopyActivityId '{}' is not a GUID", source, m.copy_activity_id));
  }
  ASSIGN_OR_RETURN(m.tenant_id, RequiredString(j, source, "TenantId"));
  if (!core::IsUuid(m.tenant_id)) {
    return core::InvalidArgumentError(
        fmt::format("{}: TenantId '{}' is not a GUID", source, m.tenant_id));
  }
  m.tenant_id = core::NormalizeUuid(m.tenant_id);
  ASSIGN_OR_RETURN(m.job_submission_time, RequiredTime(j, source, "JobSubmissionTime"));
  ASSIGN_OR_RETURN(m.job_completion_time, RequiredTime(j, source, "JobCompletionTime"));
  ASSIGN_OR_RETURN(m.request_start, RequiredTime(j, source, "RequestStartDate"));
  ASSIGN_OR_RETURN(m.request_end, RequiredTime(j, source, "RequestEndDate"));
  if (m.request_end < m.request_start) {
    return core::InvalidArgumentError(
        fmt::format("{}: RequestEndDate is before RequestStartDate", source));
  }
  auto errors = j.find("Errors");
  if (errors == j.end()) return Missing(source, "Errors");
  if (errors->is_string()) {
    m.errors = errors->get<std::string>();
  } else if (!errors->is_null()) {
    // An object or array of errors: keep its text.
    m.errors = errors->dump(-1, ' ', false, json::error_handler_t::replace);
    if (m.errors == "[]" || m.errors == "{}") m.errors.clear();
  }
  ASSIGN_OR_RETURN(m.data_factory_name,
                   RequiredString(j, source, "DataFactoryName", /*allow_empty=*/true));
  // A failed run may leave the data fields empty.
  auto rows = j.find("NumberOfRowsExtracted");
  if (rows == j.end() || rows->is_null()) {
    if (!m.failed_upstream()) return Missing(source, "NumberOfRowsExtracted");
  } else {
    ASSIGN_OR_RETURN(m.rows_extracted,
                     NonNegativeCount(*rows, source, "NumberOfRowsExtracted", kMaxRowsExtracted));
  }
  auto cols = j.find("ColumnsRequested");
  if (cols == j.end() || !cols->is_string()) {
    if (!m.failed_upstream()) return Missing(source, "ColumnsRequested");
  } else {
    m.columns_requested = cols->get<std::string>();
  }
  m.table_name = OptionalString(j, "TableName");
  m.application_id = OptionalString(j, "ApplicationId");
  m.office_geo = OptionalString(j, "OfficeGeo");
  m.extraction_result_id = OptionalString(j, "ExtractionResultId");
  m.public_key_version = OptionalString(j, "PublicKeyVersion");
  if (auto it = j.find("DecryptionKeyDetails"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) {
      return core::InvalidArgumentError(
          fmt::format("{}: DecryptionKeyDetails must be an object", source));
    }
    const json* type = FindAny(*it, {"DecryptionKeyType", "type", "Type", "decryptionKeyType"});
    const json* value = FindAny(*it, {"Value", "value"});
    const json* iv = FindAny(*it, {"IV", "iv", "Iv"});
    if (value == nullptr || iv == nullptr || !value->is_string() || !iv->is_string()) {
      return core::InvalidArgumentError(
          fmt::format("{}: DecryptionKeyDetails needs string fields value and iv", source));
    }
    WrappedKey k;
    k.type = type != nullptr && type->is_string() ? type->get<std::string>() : "File";
    k.value_b64 = value->get<std::string>();
    k.iv_b64 = iv->get<std::string>();
    m.inline_key = std::move(k);
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!kKnown.contains(it.key())) m.extra[it.key()] = it.value();
  }
  return m;
}

std::string SerializeMetadata(const DropMetadata& m) {
  nlohmann::ordered_json j;
  j["CopyActivityId"] = m.copy_activity_id;
  j["JobSubmissionTime"] = core::FormatIso8601(m.job_submission_time);
  j["JobCompletionTime"] = core::FormatIso8601(m.job_completion_time);
  j["RequestStartDate"] = core::FormatIso8601(m.request_start);
  j["RequestEndDate"] = core::FormatIso8601(m.request_end);
  j["ColumnsRequested"] = m.columns_requested;
  j["NumberOfRowsExtracted"] = m.rows_extracted;
  j["DataFactoryName"] = m.data_factory_name;
  j["TenantId"] = m.tenant_id;
  j["Errors"] = m.errors;
  if (m.table_name) j["TableName"] = *m.table_name;
  if (m.application_id) j["ApplicationId"] = *m.application_id;
  if (m.office_geo) j["OfficeGeo"] = *m.office_geo;
  if (m.extraction_result_id) j["ExtractionResultId"] = *m.extraction_result_id;
  if (m.public_key_version) j["PublicKeyVersion"] = *m.public_key_version;
  if (m.inline_key) {
    j["DecryptionKeyDetails"] = {{"DecryptionKeyType", m.inline_key->type},
                                 {"value", m.inline_key->value_b64},
                                 {"iv", m.inline_key->iv_b64}};
  }
  for (auto it = m.extra.begin(); it != m.extra.end(); ++it) j[it.key()] = it.value();
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::vector<std::string> MatchColumnsRequested(std::string_view text,
                                               const std::vector<std::string>& present) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t best = 0;
    for (const auto& name : present) {
      if (name.size() > best && text.substr(pos, name.size()) == name &&
          (pos + name.size() == text.size() || text[pos + name.size()] == ',')) {
        best = name.size();
      }
    }
    if (best == 0) {
      // Unknown fragment: up to the next comma.
      size_t comma = text.find(',', pos);
      if (comma == std::string_view::npos) comma = text.size();
      best = comma - pos;
    }
    out.emplace_back(text.substr(pos, best));
    pos += best + 1;
    if (pos > text.size()) break;
  }
  if (!out.empty() && out.back().empty() && text.empty()) out.clear();
  return out;
}

core::Status CheckColumnsRequested(std::string_view columns_requested,
                                   const std::vector<std::string>& present) {
  std::vector<std::string> requested = MatchColumnsRequested(columns_requested, present);
  std::set<std::string> want(requested.begin(), requested.end());
  std::set<std::string> have(present.begin(), present.end());
  std::vector<std::string> not_present, not_requested;
  std::set_difference(want.begin(), want.end(), have.begin(), have.end(),
                      std::back_inserter(not_present));
  std::set_difference(have.begin(), have.end(), want.begin(), want.end(),
                      std::back_inserter(not_requested));
  if (not_present.empty() && not_requested.empty()) return core::OkStatus();
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < 10; ++i) s += (i ? ", '" : "'") + v[i] + "'";
    if (v.size() > 10) s += fmt::format(" and {} more", v.size() - 10);
    return s;
  };
  std::string msg = "ColumnsRequested does not match the columns in the data:";
  if (!not_present.empty()) msg += " requested but absent: " + join(not_present) + ";";
  if (!not_requested.empty()) msg += " present but not requested: " + join(not_requested) + ";";
  return core::DataLossError(msg + " the drop was not imported");
}

}  // namespace vivalink::drop
