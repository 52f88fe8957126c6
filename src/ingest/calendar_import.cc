#include "ingest/calendar_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <set>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/log.h"
#include "warehouse/meeting_weeks.h"

namespace vivalink::ingest {

using core::Result;
using core::Status;

namespace {

// Person-weeks handed to the warehouse writer at a time (bounds the batch it builds).
constexpr size_t kWriteChunk = 4096;

}  // namespace

Result<meetings::MeetingOptions> MeetingOptionsFor(const MeetingsConfig& config) {
  meetings::MeetingOptions options;
  RETURN_IF_ERROR(meetings::ParseWorkingHours(config.working_hours, options.default_hours));
  if (config.time_zone == "calendar") {
    options.zone_from_calendar = true;
    options.default_hours.time_zone = "UTC";
  } else {
    options.default_hours.time_zone = config.time_zone;
  }
  options.internal_domains = config.internal_domains;
  options.count_tentative = config.count_tentative;
  return options;
}

struct CalendarImport::State {
  db::Database* db = nullptr;
  CalendarImportRequest request;
  meetings::MeetingOptions options;
  std::unique_ptr<meetings::MeetingAggregator> aggregator;
  std::unordered_set<std::string> persons;  // every calendar owner of the drop
};

CalendarImport::CalendarImport(std::unique_ptr<State> state) : state_(std::move(state)) {}
CalendarImport::~CalendarImport() = default;

Result<std::unique_ptr<CalendarImport>> CalendarImport::Open(db::Database& db,
                                                             CalendarImportRequest request) {
  if (!db.in_transaction()) {
    return core::FailedPreconditionError(
        "CalendarImport::Open needs an open transaction (the rows commit with the ledger row)");
  }
  auto s = std::make_unique<State>();
  s->db = &db;
  auto options = MeetingOptionsFor(request.meetings);
  if (!options.ok()) return options.status().WithContext("[meetings] working_hours");
  s->options = std::move(*options);
  s->aggregator = std::make_unique<meetings::MeetingAggregator>(s->options);
  s->request = std::move(request);
  return std::unique_ptr<CalendarImport>(new CalendarImport(std::move(s)));
}

Status CalendarImport::Add(const formats::CalendarBatch& batch, std::string_view source) {
  State& s = *state_;
  for (const formats::CalendarEvent& e : batch) {
    RETURN_IF_ERROR(s.aggregator->Add(e, source));
    if (!s.persons.contains(e.puser)) s.persons.insert(e.puser);
  }
  return core::OkStatus();
}

Result<int64_t> CalendarImport::Finish() {
  State& s = *state_;
  ASSIGN_OR_RETURN(meetings::MeetingMetrics derived, std::move(*s.aggregator).Finish());
  s.aggregator.reset();
  counts_ = derived.counts;
  VL_LOG_INFO("drop {}: {}", s.request.drop_name, meetings::CountsText(counts_));

  // The weeks this drop holds whole: those starting within its request window.
  const core::Date first = std::chrono::floor<std::chrono::days>(s.request.request_start);
  const core::Date last = std::chrono::floor<std::chrono::days>(s.request.request_end);
  std::vector<core::Date> weeks;
  for (core::Date d = core::WeekStart(first, s.options.week_start); d <= last;
       d += std::chrono::days(7)) {
    if (d >= first) weeks.push_back(d);
  }
  std::vector<meetings::PersonWeekMeetings> rows;
  rows.reserve(derived.rows.size());
  std::set<std::pair<std::string_view, core::Date>> present;
  for (auto& r : derived.rows) {
    if (r.week < first || r.week > last) continue;
    rows.push_back(std::move(r));
  }
  derived.rows.clear();
  for (const auto& r : rows) present.emplace(r.person, r.week);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<meetings::PersonWeekMeetings> quiet;
  for (const std::string& person : s.persons) {
    for (core::Date week : weeks) {
      if (present.contains({person, week})) continue;
      meetings::PersonWeekMeetings& q = quiet.emplace_back();
      q.person = person;
      q.week = week;
      q.meeting_hours_with_manager = nan;  // ingestion has no manager data
      q.external_meeting_hours = s.options.internal_domains.empty() ? nan : 0.0;
    }
  }
  present.clear();
  for (auto& q : quiet) rows.push_back(std::move(q));
  quiet.clear();
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(a.week, a.person) < std::tie(b.week, b.person);
  });
  s.persons.clear();

  warehouse::WriteRequest request;
  request.tenant_id = s.request.tenant_id;
  request.run_id = s.request.run_id;
  request.drop_name = s.request.drop_name;
  request.pseudonym_key = s.request.pseudonym_key;
  ASSIGN_OR_RETURN(auto writer, warehouse::OpenMeetingWeekWriter(*s.db, std::move(request)));
  meetings::MeetingMetrics chunk;
  for (size_t at = 0; at < rows.size(); at += kWriteChunk) {
    const size_t end = std::min(rows.size(), at + kWriteChunk);
    chunk.rows.assign(std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(at)),
                      std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(end)));
    RETURN_IF_ERROR(writer->Add(meetings::ToRowBatch(chunk)));
  }
  RETURN_IF_ERROR(writer->Finish());
  return static_cast<int64_t>(rows.size());
}

}  // namespace vivalink::ingest
