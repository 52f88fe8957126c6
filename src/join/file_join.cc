#include "join/file_join.h"

#include "analysis/load_csv.h"
#include "core/file.h"
#include "core/strings.h"
#include "join/partner.h"
#include "join/resolver.h"

namespace vivalink::join {

std::vector<std::string> FileJoin::PartnerColumnsExcept(std::string_view outcome) const {
  std::vector<std::string> out;
  for (const auto& c : partner_columns) {
    if (c != outcome) out.push_back(c);
  }
  return out;
}

namespace {

// The partner files' common options from the request.
core::Result<PartnerOptions> PartnerOptionsOf(const FileJoinRequest& r, KeyType key_type) {
  PartnerOptions options;
  options.key_column = r.partner_key;
  options.key_type = key_type;
  ASSIGN_OR_RETURN(options.numeric_default, ParseAggregation(r.partner_default));
  for (const auto& c : r.partner_sum) options.aggregation_of[c] = Aggregation::kSum;
  for (const auto& c : r.partner_mean) options.aggregation_of[c] = Aggregation::kMean;
  return options;
}

// The partner tables: the weekly (or daily) file first, then the static one.
core::Result<std::vector<PartnerTable>> LoadPartnerTables(const FileJoinRequest& r,
                                                          const IdentityIndex* index,
                                                          const PartnerOptions& options) {
  std::vector<PartnerTable> tables;
  if (!r.partner.empty()) {
    PartnerOptions weekly = options;
    weekly.detect_date_column = r.partner_date.empty();
    if (!weekly.detect_date_column && !core::EqualsIgnoreCase(r.partner_date, "none")) {
      weekly.date_column = r.partner_date;
    }
    ASSIGN_OR_RETURN(auto table, LoadPartnerFile(r.partner, index, weekly));
    tables.push_back(std::move(table));
  }
  if (!r.partner_static.empty()) {
    PartnerOptions fixed = options;
    fixed.detect_date_column = false;
    ASSIGN_OR_RETURN(auto table, LoadPartnerFile(r.partner_static, index, fixed));
    tables.push_back(std::move(table));
  }
  return tables;
}

}  // namespace

core::Result<FileJoin> LoadFileJoin(const FileJoinRequest& r) {
  FileJoin out;
  ASSIGN_OR_RETURN(out.frame,
                   analysis::LoadCsvFrame(r.input, r.columns, /*missing_wanted_ok=*/true));
  if (r.partner.empty() && r.partner_static.empty()) {
    if (!r.users.empty()) {
      return core::InvalidArgumentError("--users is only used with --partner/--partner-static");
    }
    return out;
  }
  ASSIGN_OR_RETURN(KeyType key_type, ParseKeyType(r.partner_key_type));
  std::optional<IdentityIndex> index;
  if (!r.users.empty()) {
    ASSIGN_OR_RETURN(index, LoadIdentityIndexFile(r.users));
  } else if (key_type == KeyType::kEmail) {
    return core::InvalidArgumentError(
        "partner data keyed by e-mail needs the user export: pass --users (the Entra ID "
        "User_v1 export), or --partner-key-type object_id");
  }
  ASSIGN_OR_RETURN(PartnerOptions options, PartnerOptionsOf(r, key_type));
  const IdentityIndex* index_ptr = index ? &*index : nullptr;
  ASSIGN_OR_RETURN(std::vector<PartnerTable> tables, LoadPartnerTables(r, index_ptr, options));
  std::vector<const PartnerTable*> ptrs;
  for (const auto& t : tables) ptrs.push_back(&t);
  JoinOptions join_options;
  join_options.keep_unmatched_viva_rows = r.left_join;
  ASSIGN_OR_RETURN(auto joined, JoinPartners(out.frame, ptrs, join_options, index_ptr));
  if (!r.join_report.empty()) {
    core::Status written = core::WriteFileAtomic(r.join_report, ToJson(joined.report) + "\n");
    if (!written.ok()) return written.WithContext("--join-report " + r.join_report);
  }
  const size_t viva_columns = out.frame.num_columns();
  out.frame = std::move(joined.frame);
  for (size_t c = viva_columns; c < out.frame.num_columns(); ++c) {
    out.partner_columns.push_back(out.frame.columns()[c].name);
  }
  out.report = std::move(joined.report);
  return out;
}

}  // namespace vivalink::join
