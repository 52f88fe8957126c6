// The partner's own data about the same people (PROTOCOL §9), with the mess of a real CRM export:
//
// crm.csv — one row per person per week with activity:
//   Email|ObjectId, Week (YYYY-MM-DD, the week's Sunday), Region (sales territory: NA, EMEA,
//   APAC, LATAM), Deals_won, Revenue, Customer_satisfaction (empty when not answered)
//   - keyed by email (default): primary mail mostly lower case, some as in the directory, some
//     upper case; people the CRM knows by an alias use a proxyAddresses alias in about half of
//     their rows; keyed by object id (OrgOptions::crm_key): some ids in upper case
//   - people unknown to the directory (OrgOptions::unknown_fraction of people) and directory
//     users without Viva Insights data (unlicensed_fraction) have rows too
//   - a few exact duplicate rows (crm_duplicate_rows), right after the original
//   rows ordered by week, then person
// crm_static.csv — one row per CRM person:
//   Email|ObjectId (lower case), Attrition (0/1), Tenure_years, Exit_date (empty if employed),
//   Organization (the HR extract's department: v0/v1 Viva rows carry no HR attributes)
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "core/time.h"
#include "sim/model.h"
#include "sim/organization.h"

namespace vivalink::sim {

struct CrmRow {
  const Person* person = nullptr;  // the truth behind the row; valid while the org lives
  int week = 0;
  std::string key;              // the Email or ObjectId cell exactly as written
  bool keyed_by_alias = false;  // key is an alias from proxyAddresses, not the primary mail
  bool duplicate = false;       // an exact copy of the previous row
  std::string_view region;      // sales territory code
  WeekOutcomes outcomes;
};

// The rows of crm.csv of a tenant, in file order. kInvalidArgument for a tenant out of range.
// Cost: computes every person-week's metrics once.
core::Result<std::vector<CrmRow>> CrmRows(const Organization& org, size_t tenant);

// Writes crm.csv (header + rows) / crm_static.csv of a tenant. Do not Close the sink.
core::Status WriteCrm(const Organization& org, size_t tenant, core::ByteSink& sink);
core::Status WriteCrmStatic(const Organization& org, size_t tenant, core::ByteSink& sink);

}  // namespace vivalink::sim
