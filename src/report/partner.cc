// BuildPartnerReport: the policy of `vivalink report` (report.h), separate from flag parsing.
#include <algorithm>
#include <cmath>

#include "analysis/drivers.h"
#include "report/report.h"

namespace vivalink::report {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Numeric columns of static datasets that hold anything but 0 and 1.
std::vector<std::string> PersonAttributes(const JoinedPersonWeeks& data) {
  std::vector<std::string> out;
  for (const auto& s : data.sources) {
    if (!s.is_static) continue;
    for (const auto& name : s.columns) {
      const auto* column = data.frame->Find(name);
      if (column == nullptr || !column->is_numeric() || Contains(out, name)) continue;
      const bool binary = std::all_of(column->numbers.begin(), column->numbers.end(),
                                      [](double v) { return std::isnan(v) || v == 0 || v == 1; });
      if (!binary) out.push_back(name);
    }
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

}  // namespace

core::Result<ReportInput> BuildPartnerReport(const JoinedPersonWeeks& data,
                                             const ReportRequest& request) {
  if (data.frame == nullptr || data.frame->num_rows() == 0) {
    return core::FailedPreconditionError(
        "the database holds no person-weeks yet; run `vivalink run` first");
  }
  const analysis::Frame& frame = *data.frame;
  ReportOptions options;
  const std::vector<std::string> attributes = PersonAttributes(data);
  options.outcomes = request.outcomes;
  if (options.outcomes.empty()) {
    // The partner's key metrics when there are any: what the integration is for.
    for (const auto& c : data.partner_columns) {
      const auto* column = frame.Find(c);
      if (column != nullptr && column->is_numeric() && !Contains(attributes, c)) {
        options.outcomes.push_back(c);
      }
    }
  }
  if (options.outcomes.empty()) options.outcomes = {"After_hours_collaboration_hours"};
  for (const auto& c : data.partner_columns) {
    if (!Contains(attributes, c)) options.exclude.push_back(c);
  }
  options.behaviours = request.behaviours;
  ASSIGN_OR_RETURN(options.rank_by, analysis::ParseDriverRank(request.rank_by));
  options.group_by.clear();
  for (const auto& g : request.group_by) {
    if (frame.Find(g) != nullptr) options.group_by.push_back(g);
  }
  options.min_group_size = request.min_group_size;
  options.generated_at = request.generated_at;
  options.title = request.title;
  ASSIGN_OR_RETURN(ReportInput input, BuildReportInput(frame, options));
  if (!data.sources.empty()) {
    JoinSummary summary;
    std::vector<std::string> names, keys;
    int64_t entries = 0;
    for (const auto& s : data.sources) {
      if (!Contains(names, s.source)) names.push_back(s.source);
      const std::string key = s.key_type == "email" ? "e-mail" : "object id";
      if (!Contains(keys, key)) keys.push_back(key);
      entries += s.entries;
    }
    summary.partner_name = JoinList(names);
    summary.join_key = JoinList(keys);
    summary.partner_records = entries;
    summary.matched_records = std::max<int64_t>(0, entries - data.partner_entries_unmatched);
    summary.viva_persons = data.viva_persons;
    summary.matched_persons = data.matched_persons;
    summary.partner_persons = data.partner_persons;
    summary.partner_unresolved_persons = data.partner_unresolved_persons;
    input.join = summary;
  }
  return input;
}

}  // namespace vivalink::report
