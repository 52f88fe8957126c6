// Per person: the counted meetings as compact UTC intervals with their kinds; at Finish a sweep
// over their start/end points gives the elementary segments (constant set of active meetings),
// each split at the person's local midnights, so that weeks and working hours are cut in their
// own zone with its DST rules.
#include "meetings/metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>

#include "core/file.h"
#include "core/strings.h"
#include "formats/writer.h"
#include "meetings/internal/day_pieces.h"
#include "meetings/recurrence.h"
#include "meetings/time_zone.h"

namespace vivalink::meetings {
namespace {

using formats::CalendarEvent;
using std::chrono::days;
using std::chrono::duration_cast;
using std::chrono::floor;
using std::chrono::milliseconds;

// Kinds of a meeting (bits of Meeting::kinds); each has a counter in the sweep.
enum Kind : uint8_t {
  kLarge = 0,
  kLong,
  kLargeAndLong,
  kRecurring,
  kWithManager,
  kExternal,
  kNumKinds,
};

struct Meeting {
  int64_t start_ms = 0;  // UTC, since the epoch
  int64_t end_ms = 0;
  uint64_t id_hash = 0;
  uint64_t series_hash = 0;  // generated from a series master: hash of the master's id
  uint8_t kinds = 0;
  bool has_id = false;
  bool generated = false;
};

struct Person {
  std::vector<Meeting> meetings;
  // (hash of seriesMasterId, originalStart) of occurrence and exception rows: a generated
  // occurrence at that start is replaced by the row (or removed with it, when cancelled).
  std::vector<std::pair<uint64_t, int64_t>> replaced;
  // options.zone_from_calendar: the zone names of the person's rows, with how often each occurs.
  std::vector<std::pair<std::string, uint32_t>> zones;
};

// Sums of one person-week in milliseconds (exact), turned into hours at the end.
struct WeekSums {
  int64_t meetings = 0, recurring = 0, one_off = 0;
  int64_t all = 0, after_hours = 0, conflicting = 0, one_off_ms = 0;
  std::array<int64_t, kNumKinds> kind_ms{};
};

constexpr double kMsPerHour = 3'600'000.0;
// Occurrences one series master may generate (ten years of a weekly meeting): bounds the memory
// one row can cost.
constexpr size_t kMaxOccurrencesPerSeries = 520;

std::string Lower(std::string_view s) { return core::ToLower(core::Trim(s)); }

std::string_view Domain(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

// The civil date of a local day, as the sys_days with the same count (core::Date).
core::Date CivilDate(std::chrono::local_days d) { return core::Date(d.time_since_epoch()); }

}  // namespace

struct MeetingAggregator::State {
  MeetingOptions options;
  bool checked = false;
  core::Status options_status;
  std::vector<std::string> internal_domains;  // lower case
  TimeZoneCache zones;
  std::map<std::string, Person, std::less<>> people;
  MeetingCounts counts;
  std::vector<std::string> invitees;  // scratch

  core::Status CheckOptions() {
    if (checked) return options_status;
    checked = true;
    options_status = Check();
    return options_status;
  }

  core::Status CheckHours(const WorkingHours& h, std::string_view whose) {
    if (h.start < std::chrono::minutes(0) || h.end > std::chrono::minutes(24 * 60) ||
        h.end <= h.start || h.days_mask > 0x7F) {
      return core::InvalidArgumentError(
          "working hours of " + std::string(whose) +
          ": start must be before end, within one day (00:00 to 24:00), days Sunday to Saturday");
    }
    auto zone = zones.Find(h.time_zone);
    if (!zone.ok()) {
      return core::InvalidArgumentError("working hours of " + std::string(whose) + ": " +
                                        zone.status().message());
    }
    return core::OkStatus();
  }

  core::Status Check() {
    if (options.large_meeting_attendees < 2) {
      return core::InvalidArgumentError("a large meeting needs at least 2 attendees");
    }
    if (options.long_meeting <= std::chrono::minutes(0)) {
      return core::InvalidArgumentError("the long-meeting length must be positive");
    }
    if (options.max_meeting_length <= std::chrono::minutes(0) ||
        options.max_meeting_length > std::chrono::minutes(31 * 24 * 60)) {
      return core::InvalidArgumentError("the longest meeting must be between 1 minute and 31 days");
    }
    RETURN_IF_ERROR(CheckHours(options.default_hours, "everyone"));
    for (const auto& [person, hours] : options.hours_by_person) {
      RETURN_IF_ERROR(CheckHours(hours, "a person"));  // ids are personal data: not named
    }
    for (const auto& d : options.internal_domains) {
      std::string lower = Lower(d);
      if (lower.starts_with('@')) lower.erase(0, 1);
      if (!lower.empty()) internal_domains.push_back(std::move(lower));
    }
    return core::OkStatus();
  }

  std::string Where(std::string_view source, const CalendarEvent& e) const {
    return std::string(source) + ": line " + std::to_string(e.line);
  }

  core::Result<core::TimePoint> Utc(const formats::WallTime& t, std::string_view field,
                                    std::string_view source, const CalendarEvent& e) {
    ASSIGN_OR_RETURN(const TimeZone* zone, Zone(t, field, source, e));
    return zone->ToUtc(t.local);
  }

  core::Result<const TimeZone*> Zone(const formats::WallTime& t, std::string_view field,
                                     std::string_view source, const CalendarEvent& e) {
    auto zone = zones.Find(t.time_zone);
    if (!zone.ok()) {
      return core::DataLossError(
          Where(source, e) + ": field " + std::string(field) +
          " is neither an IANA zone nor a Windows zone name (or an Outlook custom zone); the "
          "event's time cannot be placed");
    }
    return *zone;
  }

  bool Attended(const CalendarEvent& e) const {
    using formats::ResponseType;
    if (e.response == ResponseType::kOrganizer || e.is_organizer.value_or(false)) return true;
    if (e.response == ResponseType::kAccepted) return true;
    return options.count_tentative && e.response == ResponseType::kTentativelyAccepted;
  }

  void AddInvitee(std::string_view address, std::string_view name) {
    std::string key =
        address.empty() ? (name.empty() ? "" : "name:" + Lower(name)) : Lower(address);
    if (key.empty()) return;
    if (std::find(invitees.begin(), invitees.end(), key) == invitees.end()) {
      invitees.push_back(std::move(key));
    }
  }

  core::Status Add(const CalendarEvent& e, std::string_view source) {
    RETURN_IF_ERROR(CheckOptions());
    ++counts.events;
    const bool master = e.type == formats::EventType::kSeriesMaster;
    if (master) ++counts.series_masters;
    const std::string& person = e.puser.empty() ? options.owner : e.puser;
    if (person.empty()) {
      return core::DataLossError(Where(source, e) +
                                 ": field puser is missing, so the calendar's owner is unknown; "
                                 "give the owner (--owner) for an export of one calendar");
    }
    if (options.zone_from_calendar && !e.start.time_zone.empty()) {
      auto& zones_seen = Of(person).zones;
      auto it = std::find_if(zones_seen.begin(), zones_seen.end(),
                             [&](const auto& z) { return z.first == e.start.time_zone; });
      if (it == zones_seen.end()) {
        if (zones_seen.size() < 16) zones_seen.emplace_back(e.start.time_zone, 1);
      } else {
        ++it->second;
      }
    }
    if (!master && !e.series_master_id.empty() && e.original_start) {
      Of(person).replaced.emplace_back(std::hash<std::string>{}(e.series_master_id),
                                       e.original_start->time_since_epoch().count());
    }
    if (e.is_cancelled) {
      ++counts.cancelled;
      return core::OkStatus();
    }
    if (e.is_all_day) {
      ++counts.all_day;
      return core::OkStatus();
    }
    if (!Attended(e)) {
      ++counts.not_attended;
      return core::OkStatus();
    }
    if (e.show_as == formats::ShowAs::kFree) {
      ++counts.shown_as_free;
      return core::OkStatus();
    }
    invitees.clear();
    AddInvitee(e.organizer_address, e.organizer_name);
    for (const auto& a : e.attendees) {
      if (a.type != formats::AttendeeType::kResource) AddInvitee(a.address, a.name);
    }
    if (invitees.size() < 2) {
      ++counts.no_other_invitee;
      return core::OkStatus();
    }
    ASSIGN_OR_RETURN(core::TimePoint start, Utc(e.start, "start.timeZone", source, e));
    ASSIGN_OR_RETURN(core::TimePoint end, Utc(e.end, "end.timeZone", source, e));
    if (end < start) {
      return core::DataLossError(Where(source, e) +
                                 ": the event ends (end) before it starts (start); the row is "
                                 "corrupt");
    }
    if (end == start) {
      ++counts.zero_length;
      return core::OkStatus();
    }
    if (end - start > options.max_meeting_length) {
      ++counts.too_long;
      return core::OkStatus();
    }
    Meeting m;
    m.start_ms = start.time_since_epoch().count();
    m.end_ms = end.time_since_epoch().count();
    m.has_id = !e.id.empty();
    m.id_hash = std::hash<std::string>{}(e.id);
    bool large = invitees.size() >= static_cast<size_t>(options.large_meeting_attendees);
    bool long_meeting = end - start >= options.long_meeting;
    auto set = [&m](Kind k, bool on) {
      if (on) m.kinds = static_cast<uint8_t>(m.kinds | (1u << k));
    };
    set(kLarge, large);
    set(kLong, long_meeting);
    set(kLargeAndLong, large && long_meeting);
    set(kRecurring, e.type == formats::EventType::kOccurrence ||
                        e.type == formats::EventType::kException || !e.series_master_id.empty());
    if (auto it = options.manager_of.find(person); it != options.manager_of.end()) {
      std::string manager = Lower(it->second);
      set(kWithManager, std::find(invitees.begin(), invitees.end(), manager) != invitees.end());
    }
    if (!internal_domains.empty()) {
      bool external = false;
      for (const auto& i : invitees) {
        if (i.starts_with("name:")) continue;  // no address: domain unknown
        std::string_view domain = Domain(i);
        if (std::find(internal_domains.begin(), internal_domains.end(), domain) ==
            internal_domains.end()) {
          external = true;
          break;
        }
      }
      set(kExternal, external);
    }
    if (master) return AddSeries(e, source, m, Of(person));
    Of(person).meetings.push_back(m);
    ++counts.meetings;
    return core::OkStatus();
  }

  Person& Of(const std::string& person) {
    auto it = people.find(person);
    if (it == people.end()) it = people.emplace(person, Person{}).first;
    return it->second;
  }

  // One meeting per occurrence of a series master (Event_v1), its wall-clock times moved to
  // each occurrence date in the master's zones (so DST keeps the local time, as Outlook does).
  core::Status AddSeries(const CalendarEvent& e, std::string_view source, Meeting pattern,
                         Person& p) {
    if (!e.recurrence) {
      ++counts.series_not_expanded;
      return core::OkStatus();
    }
    auto first = std::chrono::floor<days>(e.start.local);
    auto dates = ExpandOccurrences(*e.recurrence, first, first + days(options.series_horizon_days),
                                   kMaxOccurrencesPerSeries);
    if (!dates.ok()) {
      if (dates.status().code() == core::StatusCode::kFailedPrecondition) {
        ++counts.series_not_expanded;
        return core::OkStatus();
      }
      return core::DataLossError(Where(source, e) + ": " + dates.status().message());
    }
    ASSIGN_OR_RETURN(const TimeZone* start_zone, Zone(e.start, "start.timeZone", source, e));
    ASSIGN_OR_RETURN(const TimeZone* end_zone, Zone(e.end, "end.timeZone", source, e));
    pattern.generated = true;
    pattern.series_hash = pattern.id_hash;
    pattern.kinds = static_cast<uint8_t>(pattern.kinds | (1u << kRecurring));
    for (auto date : *dates) {
      auto shift = date - first;
      Meeting m = pattern;
      m.start_ms = start_zone->ToUtc(e.start.local + shift).time_since_epoch().count();
      m.end_ms = end_zone->ToUtc(e.end.local + shift).time_since_epoch().count();
      m.id_hash = pattern.series_hash ^
                  (static_cast<uint64_t>(date.time_since_epoch().count()) * 0x9E3779B97F4A7C15ULL);
      if (m.end_ms <= m.start_ms) continue;  // a DST gap ate it
      p.meetings.push_back(m);
      ++counts.meetings;
      ++counts.series_occurrences;
    }
    return core::OkStatus();
  }

  // Adds the segment [a, b) of `active` meetings (kind counters in `kind_active`) to the weeks.
  void AddSegment(int64_t a, int64_t b, int active, const std::array<int, kNumKinds>& kind_active,
                  const TimeZone& zone, const WorkingHours& hours,
                  std::map<core::Date, WeekSums>& weeks) const {
    internal::ForEachLocalDay(
        a, b, zone, hours,
        [&](int64_t from, int64_t to, std::chrono::local_days day, int64_t in_hours) {
          int64_t len = to - from;
          WeekSums& w = weeks[core::WeekStart(CivilDate(day), options.week_start)];
          w.all += len;
          w.after_hours += len - in_hours;
          if (active >= 2) w.conflicting += len;
          for (int k = 0; k < kNumKinds; ++k) {
            if (kind_active[k] > 0) w.kind_ms[k] += len;
          }
          if (active - kind_active[kRecurring] > 0) w.one_off_ms += len;
        });
  }

  core::Result<MeetingMetrics> Finish() {
    RETURN_IF_ERROR(CheckOptions());
    MeetingMetrics out;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    struct Point {
      int64_t t;
      int delta;
      uint8_t kinds;
    };
    std::vector<Point> points;
    for (auto& [person, p] : people) {
      auto hours_it = options.hours_by_person.find(person);
      WorkingHours hours =
          hours_it == options.hours_by_person.end() ? options.default_hours : hours_it->second;
      if (hours_it == options.hours_by_person.end() && options.zone_from_calendar) {
        uint32_t best = 0;
        for (const auto& [name, n] : p.zones) {
          if (n > best && zones.Find(name).ok()) {
            best = n;
            hours.time_zone = name;
          }
        }
      }
      ASSIGN_OR_RETURN(const TimeZone* zone, zones.Find(hours.time_zone));

      auto& ms = p.meetings;
      std::sort(ms.begin(), ms.end(), [](const Meeting& x, const Meeting& y) {
        return std::tie(x.start_ms, x.end_ms, x.id_hash, x.has_id) <
               std::tie(y.start_ms, y.end_ms, y.id_hash, y.has_id);
      });
      auto same = [](const Meeting& x, const Meeting& y) {
        return x.has_id && y.has_id && x.start_ms == y.start_ms && x.end_ms == y.end_ms &&
               x.id_hash == y.id_hash;
      };
      size_t before = ms.size();
      if (!p.replaced.empty()) {
        std::sort(p.replaced.begin(), p.replaced.end());
        size_t replaced_count = ms.size();
        const auto& replaced = p.replaced;  // clang 14 lambdas cannot capture bindings
        std::erase_if(ms, [&replaced](const Meeting& m) {
          return m.generated && std::binary_search(replaced.begin(), replaced.end(),
                                                   std::pair(m.series_hash, m.start_ms));
        });
        counts.replaced_occurrences += replaced_count - ms.size();
        counts.meetings -= replaced_count - ms.size();
        before = ms.size();
      }
      ms.erase(std::unique(ms.begin(), ms.end(), same), ms.end());
      counts.duplicates += before - ms.size();
      counts.meetings -= before - ms.size();

      std::map<core::Date, WeekSums> weeks;
      points.clear();
      for (const Meeting& m : ms) {
        auto day = floor<days>(zone->ToLocal(core::TimePoint(milliseconds(m.start_ms))));
        WeekSums& w = weeks[core::WeekStart(CivilDate(day), options.week_start)];
        ++w.meetings;
        ++((m.kinds & (1u << kRecurring)) ? w.recurring : w.one_off);
        points.push_back({m.start_ms, +1, m.kinds});
        points.push_back({m.end_ms, -1, m.kinds});
      }
      std::sort(points.begin(), points.end(),
                [](const Point& x, const Point& y) { return x.t < y.t; });
      int active = 0;
      std::array<int, kNumKinds> kind_active{};
      for (size_t i = 0; i < points.size();) {
        int64_t t = points[i].t;
        for (; i < points.size() && points[i].t == t; ++i) {
          active += points[i].delta;
          for (int k = 0; k < kNumKinds; ++k) {
            if (points[i].kinds & (1u << k)) kind_active[k] += points[i].delta;
          }
        }
        if (i < points.size() && active > 0) {
          AddSegment(t, points[i].t, active, kind_active, *zone, hours, weeks);
        }
      }

      const bool has_manager = options.manager_of.contains(person);
      const bool has_domains = !internal_domains.empty();
      for (const auto& [week, w] : weeks) {
        PersonWeekMeetings& r = out.rows.emplace_back();
        r.person = person;
        r.week = week;
        r.meetings = w.meetings;
        r.recurring_meetings = w.recurring;
        r.one_off_meetings = w.one_off;
        r.meeting_hours = static_cast<double>(w.all) / kMsPerHour;
        r.after_hours_meeting_hours = static_cast<double>(w.after_hours) / kMsPerHour;
        r.conflicting_meeting_hours = static_cast<double>(w.conflicting) / kMsPerHour;
        r.large_meeting_hours = static_cast<double>(w.kind_ms[kLarge]) / kMsPerHour;
        r.long_meeting_hours = static_cast<double>(w.kind_ms[kLong]) / kMsPerHour;
        r.large_and_long_meeting_hours = static_cast<double>(w.kind_ms[kLargeAndLong]) / kMsPerHour;
        r.recurring_meeting_hours = static_cast<double>(w.kind_ms[kRecurring]) / kMsPerHour;
        r.one_off_meeting_hours = static_cast<double>(w.one_off_ms) / kMsPerHour;
        r.meeting_hours_with_manager =
            has_manager ? static_cast<double>(w.kind_ms[kWithManager]) / kMsPerHour : nan;
        r.external_meeting_hours =
            has_domains ? static_cast<double>(w.kind_ms[kExternal]) / kMsPerHour : nan;
      }
    }
    out.counts = counts;
    return out;
  }
};

MeetingAggregator::MeetingAggregator(MeetingOptions options) : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
}
MeetingAggregator::~MeetingAggregator() = default;

core::Status MeetingAggregator::Add(const CalendarEvent& event, std::string_view source_name) {
  return state_->Add(event, source_name);
}

core::Result<MeetingMetrics> MeetingAggregator::Finish() && { return state_->Finish(); }

core::Result<MeetingMetrics> DeriveMeetingMetrics(std::unique_ptr<core::ByteSource> source,
                                                  std::string_view source_name,
                                                  const MeetingOptions& options) {
  formats::CalendarReaderOptions reader_options;
  reader_options.source_name = std::string(source_name);
  ASSIGN_OR_RETURN(auto reader, formats::OpenCalendarReader(std::move(source), reader_options));
  MeetingAggregator aggregator(options);
  formats::CalendarBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) break;
    for (const CalendarEvent& e : batch) RETURN_IF_ERROR(aggregator.Add(e, source_name));
  }
  return std::move(aggregator).Finish();
}

core::Result<MeetingMetrics> DeriveMeetingMetricsFromFile(const std::string& path,
                                                          const MeetingOptions& options) {
  ASSIGN_OR_RETURN(auto source, core::OpenFileSource(path));
  return DeriveMeetingMetrics(std::move(source), path, options);
}

core::Status ParseWorkingHours(std::string_view text, WorkingHours& hours) {
  auto bad = [&] {
    return core::InvalidArgumentError("working hours '" + std::string(text) +
                                      "' are not HH:MM-HH:MM (24-hour clock), e.g. 09:00-17:00");
  };
  auto clock = [](std::string_view t, std::chrono::minutes& out) {
    if (t.size() != 5 || t[2] != ':') return false;
    for (size_t i : {0u, 1u, 3u, 4u}) {
      if (t[i] < '0' || t[i] > '9') return false;
    }
    int h = (t[0] - '0') * 10 + (t[1] - '0');
    int m = (t[3] - '0') * 10 + (t[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return false;
    out = std::chrono::minutes(h * 60 + m);
    return true;
  };
  std::string_view trimmed = core::Trim(text);
  size_t dash = trimmed.find('-');
  if (dash == std::string_view::npos) return bad();
  std::chrono::minutes start{}, end{};
  if (!clock(core::Trim(trimmed.substr(0, dash)), start) ||
      !clock(core::Trim(trimmed.substr(dash + 1)), end) || end <= start) {
    return bad();
  }
  hours.start = start;
  hours.end = end;
  return core::OkStatus();
}

std::string CountsText(const MeetingCounts& c) {
  std::string out = std::to_string(c.events) + " events: " + std::to_string(c.meetings) +
                    " meetings, " + std::to_string(c.duplicates) + " duplicates, " +
                    std::to_string(c.cancelled) + " cancelled, " + std::to_string(c.all_day) +
                    " all-day, " + std::to_string(c.not_attended) + " not accepted, " +
                    std::to_string(c.shown_as_free) + " shown as free, " +
                    std::to_string(c.no_other_invitee) + " without another invitee, " +
                    std::to_string(c.zero_length) + " of zero length, " +
                    std::to_string(c.too_long) + " longer than the longest meeting";
  if (c.series_masters > 0) {
    out += "; " + std::to_string(c.series_masters) + " series masters gave " +
           std::to_string(c.series_occurrences) + " occurrences (" +
           std::to_string(c.replaced_occurrences) + " replaced by exception rows, " +
           std::to_string(c.series_not_expanded) + " masters not expanded)";
  }
  return out;
}

const std::vector<std::string>& MeetingColumns() {
  static const std::vector<std::string> kColumns = {
      "PersonId",
      "MetricDate",
      "Meetings",
      "Meeting_hours",
      "After_hours_meeting_hours",
      "Conflicting_meeting_hours",
      "Large_meeting_hours",
      "Long_meeting_hours",
      "Large_and_long_meeting_hours",
      "Recurring_meetings",
      "Recurring_meeting_hours",
      "One_off_meetings",
      "One_off_meeting_hours",
      "Meeting_hours_with_manager",
      "External_meeting_hours",
  };
  return kColumns;
}

formats::RowBatch ToRowBatch(const MeetingMetrics& metrics) {
  formats::RowBatch batch;
  const auto& names = MeetingColumns();
  for (size_t c = 0; c < names.size(); ++c) {
    batch.AddColumn(names[c], c < 2 ? formats::ColumnType::kString : formats::ColumnType::kNumber);
  }
  for (const auto& r : metrics.rows) {
    size_t c = 0;
    auto number = [&](double v) { batch.mutable_column(c++).AppendNumber(v); };
    batch.mutable_column(c++).AppendString(r.person);
    batch.mutable_column(c++).AppendString(core::FormatDate(r.week));
    number(static_cast<double>(r.meetings));
    number(r.meeting_hours);
    number(r.after_hours_meeting_hours);
    number(r.conflicting_meeting_hours);
    number(r.large_meeting_hours);
    number(r.long_meeting_hours);
    number(r.large_and_long_meeting_hours);
    number(static_cast<double>(r.recurring_meetings));
    number(r.recurring_meeting_hours);
    number(static_cast<double>(r.one_off_meetings));
    number(r.one_off_meeting_hours);
    number(r.meeting_hours_with_manager);
    number(r.external_meeting_hours);
    batch.FinishRow();
  }
  return batch;
}

std::string ToCsv(const MeetingMetrics& metrics) {
  core::StringSink sink;
  formats::CsvWriter writer(sink, {.csv_columns = MeetingColumns()});
  // Writing to memory cannot fail.
  (void)writer.Write(ToRowBatch(metrics));
  (void)writer.Flush();
  return std::move(sink.data());
}

std::string ToJsonLines(const MeetingMetrics& metrics) {
  return formats::ToJsonLines(ToRowBatch(metrics));
}

}  // namespace vivalink::meetings
