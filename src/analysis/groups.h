// Group summaries with a privacy threshold (vivainsights create_bar / keymetrics_scan /
// create_rank semantics, stricter about small groups).
//
// For each grouping attribute A and metric M:
//   1. person means: the mean of M over each (person, group) pair's rows with a value (a person
//      who moved between groups contributes one mean to each group, as in create_bar);
//   2. group statistics over the person means of the group: mean, sample sd, median (type 7),
//      min, max, and n = the number of persons with a person mean.
// Privacy: a (group, metric) with n < min_group_size is never output in any form: no row, no
// statistic, no count, and it takes no rank position (ranks are assigned after suppression).
// A group exactly at the minimum appears. Rows whose group value is missing are ignored.
// Ranks: rank_in_attribute orders the reported groups of one attribute for one metric by mean
// descending (create_bar's order); rank_overall orders the reported groups of every attribute for
// that metric (create_rank); ties by attribute then group name, ranks 1, 2, 3, ...
// Complexity: O(rows) hashing of (person, group) codes per attribute, plus sorting per group.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/frame.h"
#include "core/status.h"

namespace vivalink::analysis {

struct GroupSummaryOptions {
  std::vector<std::string> metrics = {};                 // numeric columns; at least one
  std::vector<std::string> group_by = {"Organization"};  // categorical columns; at least one
  std::string person_column = "PersonId";
  int min_group_size = 5;  // distinct persons; >= 1
};

struct GroupStat {
  std::string attribute;  // the grouping column
  std::string group;      // its value
  std::string metric;
  int64_t n = 0;  // persons with a value (>= min_group_size)
  double mean = 0, sd = 0, median = 0, min = 0, max = 0;  // of person means; sd NaN when n == 1
  int rank_in_attribute = 0;
  int rank_overall = 0;
};

struct GroupSummaryResult {
  int min_group_size = 0;
  // Ordered by metric (options order), attribute (options order), rank_in_attribute.
  std::vector<GroupStat> rows;
};

// Errors: kInvalidArgument for no metric, no attribute, unknown columns or kinds, or
// min_group_size < 1.
core::Result<GroupSummaryResult> SummarizeGroups(const Frame& frame,
                                                 const GroupSummaryOptions& options);

std::string ToCsv(const GroupSummaryResult& result);
std::string ToJson(const GroupSummaryResult& result);

}  // namespace vivalink::analysis
