// BuildPartnerReport: the policy of `vivalink report` (report.h), separate from flag parsing.
#include <algorithm>
#include <cmath>
#include <set>

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

// The frame's meeting metrics (kMeetingColumnPrefix), in frame order.
std::vector<std::string> MeetingColumns(const analysis::Frame& frame) {
  std::vector<std::string> out;
  for (const auto& c : frame.columns()) {
    if (c.is_numeric() && c.name.starts_with(kMeetingColumnPrefix)) out.push_back(c.name);
  }
  return out;
}

double MedianOf(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) {
    m = (m + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid))) / 2;
  }
  return m;
}

// The meeting metrics' own section: how much calendar data there is, each metric's mean and
// median, and each key metric's drivers among the meeting metrics alone.
core::Result<MeetingsSection> BuildMeetings(const analysis::Frame& frame,
                                            const std::vector<std::string>& columns,
                                            const ReportOptions& options) {
  MeetingsSection section;
  const analysis::FrameColumn* hours = frame.Find(columns.front());
  for (const auto& name : columns) {
    if (name == std::string(kMeetingColumnPrefix) + "Meeting_hours") hours = frame.Find(name);
  }
  std::set<int32_t> persons, weeks;
  const analysis::FrameColumn* person = frame.Find(options.person_column);
  const analysis::FrameColumn* week = frame.Find(options.week_column);
  for (size_t r = 0; r < frame.num_rows(); ++r) {
    if (std::isnan(hours->numbers[r])) continue;
    ++section.person_weeks;
    if (person != nullptr && !person->is_numeric()) persons.insert(person->codes[r]);
    if (week != nullptr && !week->is_numeric()) weeks.insert(week->codes[r]);
  }
  section.persons = static_cast<int64_t>(persons.size());
  section.weeks = static_cast<int64_t>(weeks.size());
  for (const auto& name : columns) {
    MeetingMetricSummary m;
    m.metric = name;
    std::vector<double> values;
    double sum = 0;
    for (double v : frame.Find(name)->numbers) {
      if (std::isnan(v)) continue;
      values.push_back(v);
      sum += v;
    }
    m.n = static_cast<int64_t>(values.size());
    m.mean = values.empty() ? std::nan("") : sum / static_cast<double>(values.size());
    m.median = MedianOf(std::move(values));
    section.metrics.push_back(std::move(m));
  }
  for (const auto& outcome : options.outcomes) {
    const auto* column = frame.Find(outcome);
    if (column == nullptr || !column->is_numeric()) continue;
    analysis::DriverOptions d;
    for (const auto& name : columns) {
      if (name != outcome) d.behaviours.push_back(name);
    }
    if (d.behaviours.empty()) continue;
    d.person_column = options.person_column;
    d.iv_bins = options.iv_bins;
    d.rank_by = options.rank_by;
    ASSIGN_OR_RETURN(analysis::DriverResult drivers, analysis::RankDrivers(frame, outcome, d));
    section.drivers.push_back(std::move(drivers));
  }
  return section;
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
  const std::vector<std::string> meeting_columns = MeetingColumns(frame);
  if (options.outcomes.empty()) {
    // Without partner data: Viva's after-hours collaboration, or, for a tenant that delivers
    // only Outlook calendars (the "try it out" path), the after-hours part of its meetings.
    const std::string calendar_after_hours =
        std::string(kMeetingColumnPrefix) + "After_hours_meeting_hours";
    options.outcomes = {frame.Find("After_hours_collaboration_hours") == nullptr &&
                                frame.Find(calendar_after_hours) != nullptr
                            ? calendar_after_hours
                            : "After_hours_collaboration_hours"};
  }
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
  if (!meeting_columns.empty()) {
    ASSIGN_OR_RETURN(input.meetings, BuildMeetings(frame, meeting_columns, options));
  }
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
