#include "warehouse/meeting_weeks.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vivalink::warehouse {
namespace {

using analysis::FrameColumn;
using analysis::kMissingCode;

constexpr std::string_view kKeys[] = {"TenantId", "PersonId", "MetricDate"};

bool IsKey(std::string_view name) {
  return std::find(std::begin(kKeys), std::end(kKeys), name) != std::end(kKeys);
}

// The key columns of a frame (categorical), or kInvalidArgument naming the frame.
core::Result<std::vector<const FrameColumn*>> Keys(const analysis::Frame& f,
                                                   std::string_view which) {
  std::vector<const FrameColumn*> out;
  for (std::string_view k : kKeys) {
    auto c = f.GetCategorical(k);
    if (!c.ok()) return c.status().WithContext(fmt::format("merging {} frames", which));
    out.push_back(*c);
  }
  return out;
}

// One output row: where it comes from in each frame (npos: absent) and its sort key.
struct Source {
  std::string_view tenant, date, person;
  size_t person_row = std::string::npos;
  size_t meeting_row = std::string::npos;
};

// Re-codes a categorical column of one input into the output's rows.
void AppendCategorical(const FrameColumn& in, const std::vector<size_t>& rows,
                       std::vector<int32_t>& codes) {
  codes.reserve(rows.size());
  for (size_t r : rows) codes.push_back(r == std::string::npos ? kMissingCode : in.codes[r]);
}

}  // namespace

core::Result<std::unique_ptr<PersonWeekWriter>> OpenMeetingWeekWriter(db::Database& db,
                                                                      WriteRequest request) {
  request.table = WeekTable::kMeetingWeek;
  request.all_metrics = true;
  request.metrics.clear();
  request.all_attributes = false;
  request.attributes.clear();
  return PersonWeekWriter::Open(db, std::move(request));
}

core::Result<analysis::Frame> LoadMeetingWeeks(db::Database& db, std::string_view tenant_id) {
  LoadOptions options;
  options.table = WeekTable::kMeetingWeek;
  options.tenant_id = std::string(tenant_id);
  options.attributes = false;
  return LoadPersonWeeks(db, options);
}

core::Result<analysis::Frame> MergeMeetingWeeks(analysis::Frame person_weeks,
                                                const analysis::Frame& meeting_weeks) {
  if (meeting_weeks.num_rows() == 0) return person_weeks;
  ASSIGN_OR_RETURN(auto mk, Keys(meeting_weeks, "meeting-week"));
  std::vector<const FrameColumn*> pk;
  // A frame without any column (no person-week stored) joins as empty.
  const bool no_people = person_weeks.num_columns() == 0;
  if (!no_people) {
    ASSIGN_OR_RETURN(pk, Keys(person_weeks, "person-week"));
  }
  for (const FrameColumn& c : meeting_weeks.columns()) {
    if (IsKey(c.name) || !c.is_numeric()) continue;
    std::string name = std::string(kMeetingPrefix) + c.name;
    if (person_weeks.Find(name) != nullptr) {
      return core::InvalidArgumentError(
          fmt::format("merging meeting-weeks: the person-weeks already have a column {}", name));
    }
  }

  // Every row of either frame, matched on the key strings, ordered by tenant, week, person.
  std::vector<Source> rows;
  rows.reserve(person_weeks.num_rows() + meeting_weeks.num_rows());
  std::unordered_map<std::string, size_t> by_key;
  by_key.reserve(person_weeks.num_rows());
  auto key_of = [](std::string_view t, std::string_view p, std::string_view d) {
    std::string k;
    k.reserve(t.size() + p.size() + d.size() + 2);
    k.append(t).push_back('\x1f');
    k.append(p).push_back('\x1f');
    k.append(d);
    return k;
  };
  for (size_t r = 0; !no_people && r < person_weeks.num_rows(); ++r) {
    Source s{pk[0]->StringAt(r), pk[2]->StringAt(r), pk[1]->StringAt(r), r, std::string::npos};
    by_key.emplace(key_of(s.tenant, s.person, s.date), rows.size());
    rows.push_back(s);
  }
  for (size_t r = 0; r < meeting_weeks.num_rows(); ++r) {
    std::string_view t = mk[0]->StringAt(r), p = mk[1]->StringAt(r), d = mk[2]->StringAt(r);
    auto it = by_key.find(key_of(t, p, d));
    if (it != by_key.end()) {
      rows[it->second].meeting_row = r;
    } else {
      rows.push_back({t, d, p, std::string::npos, r});
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Source& a, const Source& b) {
    return std::tie(a.tenant, a.date, a.person) < std::tie(b.tenant, b.date, b.person);
  });
  std::vector<size_t> from_people(rows.size()), from_meetings(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    from_people[i] = rows[i].person_row;
    from_meetings[i] = rows[i].meeting_row;
  }

  analysis::Frame out;
  // Keys: the strings of whichever frame has the row.
  for (size_t k = 0; k < std::size(kKeys); ++k) {
    std::vector<std::string> values;
    values.reserve(rows.size());
    for (const Source& s : rows) {
      values.emplace_back(k == 0 ? s.tenant : k == 1 ? s.person : s.date);
    }
    RETURN_IF_ERROR(out.AddStrings(std::string(kKeys[k]), values));
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const FrameColumn& c : person_weeks.columns()) {
    if (IsKey(c.name)) continue;
    if (c.is_numeric()) {
      std::vector<double> v;
      v.reserve(rows.size());
      for (size_t r : from_people) v.push_back(r == std::string::npos ? nan : c.numbers[r]);
      RETURN_IF_ERROR(out.AddNumeric(c.name, std::move(v)));
    } else {
      std::vector<int32_t> codes;
      AppendCategorical(c, from_people, codes);
      RETURN_IF_ERROR(out.AddCategorical(c.name, std::move(codes), c.levels));
    }
  }
  for (const FrameColumn& c : meeting_weeks.columns()) {
    if (IsKey(c.name) || !c.is_numeric()) continue;
    std::vector<double> v;
    v.reserve(rows.size());
    for (size_t r : from_meetings) v.push_back(r == std::string::npos ? nan : c.numbers[r]);
    RETURN_IF_ERROR(out.AddNumeric(std::string(kMeetingPrefix) + c.name, std::move(v)));
  }
  return out;
}

}  // namespace vivalink::warehouse
