// A person query file, joined when asked with partner files through the Entra ID user export:
// the input of every `vivalink analyze` analysis of files (no database involved).
//
// Thread-safety: no shared state; each call reads its own files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/frame.h"
#include "core/status.h"
#include "join/join.h"

namespace vivalink::join {

struct FileJoinRequest {
  std::string input;  // the person query: CSV or JSON lines
  // Person-query columns to keep (canonical names); empty = every column. Names the file does
  // not have (partner columns) are ignored here: the analyses check them on the joined frame.
  std::vector<std::string> columns;
  std::string users;           // Entra ID user export (User_v1 JSON lines); for e-mail keys
  std::string partner;         // daily/weekly partner data (or static with date "none"); "" = none
  std::string partner_static;  // static partner data (one row per person); "" = none
  std::string partner_key = "Email";       // key column of both partner files
  std::string partner_key_type = "email";  // email | object_id
  std::string partner_date;  // date column of `partner`: "" = detect (MetricDate, Week, ...); none
  std::vector<std::string> partner_sum, partner_mean;  // summed / averaged per week
  std::string partner_default = "mean";  // aggregation of undeclared numeric partner columns
  bool left_join = false;                // keep Viva rows without partner data
  std::string join_report;               // also write the join's counts as JSON here; "" = no
};

struct FileJoin {
  analysis::Frame frame;                     // the person query, partner columns appended
  std::vector<std::string> partner_columns;  // the columns the join appended
  std::optional<JoinReport> report;          // the join's counts, when partner data was given

  // The partner columns other than outcome: default predictors and behaviours must be
  // behaviours, so the partner's other outcome columns are left out of them unless named.
  std::vector<std::string> PartnerColumnsExcept(std::string_view outcome) const;
};

// Loads the person query (LoadCsvFrame with `columns`) and, with partner files, joins them
// (JoinPartners: inner join unless left_join), writing the join report file atomically when
// asked. Errors: kInvalidArgument for --users without partner data, e-mail keys without a user
// export, a bad key type or aggregation; those of the readers and the join; the join report
// file's, naming `--join-report <file>`.
core::Result<FileJoin> LoadFileJoin(const FileJoinRequest& request);

}  // namespace vivalink::join
