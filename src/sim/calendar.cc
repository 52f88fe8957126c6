// Each person-week: the metric minutes are split into meetings and packed into the week's
// working-hour and after-hour windows (never overlapping, so the truth is a plain sum); each
// placed meeting becomes one CalendarView row, and rows that must not count are added around them.
#include "sim/calendar.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <nlohmann/json.hpp>

#include "sim/metrics.h"
#include "sim/random.h"
#include "sim/writers.h"

namespace vivalink::sim {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kDayStart = 9 * 60, kDayEnd = 17 * 60, kEveningEnd = 21 * 60;
constexpr int kLargeInvitees = 9;

struct Window {
  int day = 0;              // 1 = Monday .. 5 = Friday (days after the week's Sunday)
  int cursor = 0, end = 0;  // minutes from local midnight
  int Room() const { return end - cursor; }
};

struct Placed {
  int day = 0, start = 0, minutes = 0;
  bool after_hours = false;
};

// total minutes into n parts of at least a few minutes each, by random weights.
std::vector<int> Split(int total, int n, Rng& rng) {
  std::vector<int> parts;
  if (total <= 0) return parts;
  n = std::clamp(n, 1, std::max(1, total / 5));
  std::vector<double> w(static_cast<size_t>(n));
  double sum = 0;
  for (double& x : w) sum += (x = rng.Uniform(0.5, 1.5));
  int used = 0;
  for (double x : w) {
    int part = static_cast<int>(std::floor(total * x / sum));
    parts.push_back(part);
    used += part;
  }
  for (size_t i = 0; used < total; i = (i + 1) % parts.size(), ++used) ++parts[i];
  std::erase(parts, 0);
  return parts;
}

// Packs the parts into the windows (each fits: the caller caps the total at the capacity).
std::vector<Placed> Pack(const std::vector<int>& parts, std::vector<Window> windows,
                         bool after_hours) {
  std::vector<Placed> out;
  std::deque<int> queue(parts.begin(), parts.end());
  size_t next = 0;
  while (!queue.empty()) {
    int minutes = queue.front();
    queue.pop_front();
    Window* chosen = nullptr;
    for (size_t k = 0; k < windows.size(); ++k) {
      Window& w = windows[(next + k) % windows.size()];
      if (w.Room() >= minutes) {
        chosen = &w;
        break;
      }
    }
    ++next;
    if (chosen == nullptr) {  // no day has room for all of it: fill the roomiest, carry the rest
      chosen =
          &*std::max_element(windows.begin(), windows.end(),
                             [](const Window& a, const Window& b) { return a.Room() < b.Room(); });
      if (chosen->Room() <= 0) break;  // capacity exhausted (cannot happen below the caps)
      queue.push_front(minutes - chosen->Room());
      minutes = chosen->Room();
    }
    out.push_back({chosen->day, chosen->cursor, minutes, after_hours});
    chosen->cursor += minutes;
  }
  return out;
}

std::string Id(uint64_t h) { return fmt::format("AAMkSIM{:016X}", h); }

std::string Wall(core::Date sunday, int day, int minute) {
  core::Date d = sunday + std::chrono::days(day + minute / (24 * 60));
  minute %= 24 * 60;
  return fmt::format("{}T{:02}:{:02}:00.0000000", core::FormatDate(d), minute / 60, minute % 60);
}

Json Address(const Person& p) { return Json{{"name", p.display_name}, {"address", p.mail}}; }

std::string Qualified(std::string_view type, std::string_view value) {
  return fmt::format("microsoft.graph.{}'{}'", type, value);
}

struct EventSpec {
  int day = 1, start = 0, minutes = 30;
  const Person* organizer = nullptr;
  std::vector<const Person*> attendees;  // without the organizer
  std::string response = "accepted";     // the calendar owner's
  bool cancelled = false, all_day = false, recurring = false;
  std::string show_as = "busy";
};

class Writer {
 public:
  Writer(const Organization& org, const Tenant& t, int week, internal::SinkBuffer& buffer)
      : t_(t), sunday_(org.WeekStart(week)), buffer_(buffer) {}

  void Event(const Person& owner, const EventSpec& e, uint64_t id_hash) {
    std::string zone(CalendarTimeZone(owner));
    Json j;
    j["id"] = Id(id_hash);
    j["createdDateTime"] = core::FormatIso8601(core::TimePoint(sunday_ - std::chrono::days(14)));
    j["subject"] = e.all_day ? "Out of office" : "Meeting";
    j["originalStartTimeZone"] = zone;
    j["originalEndTimeZone"] = zone;
    j["iCalUId"] = fmt::format("040000008200E00074C5B7101A82E008{:016X}", id_hash);
    j["isAllDay"] = e.all_day;
    j["isCancelled"] = e.cancelled;
    j["isOrganizer"] = e.organizer == &owner;
    j["responseRequested"] = true;
    j["seriesMasterId"] = e.recurring ? Json(Id(id_hash ^ 0x5E5E5E5E5E5E5E5EULL)) : Json(nullptr);
    j["showAs"] = e.show_as;
    j["type"] = e.recurring ? "occurrence" : "singleInstance";
    j["isOnlineMeeting"] = !e.attendees.empty();
    j["responseStatus"] = {{"response", Qualified("responseType", e.response)},
                           {"time", "0001-01-01T00:00:00Z"}};
    if (e.all_day) {
      j["start"] = {{"dateTime", Wall(sunday_, e.day, 0)}, {"timeZone", zone}};
      j["end"] = {{"dateTime", Wall(sunday_, e.day + 1, 0)}, {"timeZone", zone}};
    } else {
      j["start"] = {{"dateTime", Wall(sunday_, e.day, e.start)}, {"timeZone", zone}};
      j["end"] = {{"dateTime", Wall(sunday_, e.day, e.start + e.minutes)}, {"timeZone", zone}};
    }
    j["recurrence"] = nullptr;
    Json attendees = Json::array();
    for (const Person* a : e.attendees) {
      std::string response = a == &owner ? e.response : "none";
      attendees.push_back(
          {{"type", Qualified("attendeeType", "required")},
           {"status",
            {{"response", Qualified("responseType", response)}, {"time", "0001-01-01T00:00:00Z"}}},
           {"emailAddress", Address(*a)}});
    }
    j["attendees"] = std::move(attendees);
    j["organizer"] = {{"emailAddress", Address(*e.organizer)}};
    j["ODataType"] = "#microsoft.graph.event";
    j["puser"] = owner.object_id;
    j["ptenant"] = t_.id;
    j["datarow"] = rows_;
    j["userrow"] = rows_;
    j["pagerow"] = 0;
    j["rowinformation"] = {{"errorInformation", nullptr},
                           {"userReturnedNoData", false},
                           {"isUserSummaryRow", false},
                           {"userHasCompleteData", true}};
    buffer_.text() += j.dump();
    buffer_.text() += '\n';
    ++rows_;
  }

  size_t rows() const { return rows_; }

 private:
  const Tenant& t_;
  core::Date sunday_;
  internal::SinkBuffer& buffer_;
  size_t rows_ = 0;
};

// Distinct colleagues of p (not p), up to n.
std::vector<const Person*> Colleagues(const Tenant& t, const Person& p, int n, Rng& rng) {
  std::vector<const Person*> out;
  const size_t size = t.people.size();
  for (int tries = 0; static_cast<int>(out.size()) < n && tries < 4 * n + 8; ++tries) {
    const Person* c = &t.people[rng.Below(size)];
    if (c == &p || std::find(out.begin(), out.end(), c) != out.end()) continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string_view CalendarTimeZone(const Person& person) {
  if (person.region == "Europe") return "W. Europe Standard Time";
  if (person.region == "Asia Pacific") return "AUS Eastern Standard Time";
  if (person.region == "Latin America") return "E. South America Standard Time";
  return "Pacific Standard Time";
}

core::Result<CalendarWeek> WriteCalendarWeek(const Organization& org, size_t tenant, int week,
                                             core::ByteSink& sink) {
  if (tenant >= org.tenants.size() || week < 0 || week >= org.options.weeks) {
    return core::InvalidArgumentError(
        fmt::format("calendar: tenant {} week {} is outside the organisation", tenant, week));
  }
  const Tenant& t = org.tenants[tenant];
  CalendarWeek out;
  internal::SinkBuffer buffer(sink);
  Writer writer(org, t, week, buffer);
  for (const Person& p : t.people) {
    if (!p.licensed || !p.EmployedIn(week)) continue;
    const WeekMetrics m = PersonWeekMetrics(org, t, p, week);
    Rng rng(org.options.seed, Stream::kCalendar, t.index, p.index, static_cast<uint64_t>(week));
    CalendarTruth truth;
    truth.person = p.object_id;
    truth.week = org.WeekStart(week);
    truth.viva_meeting_hours = m[Metric::kMeetingHours];
    truth.viva_after_hours_meeting_hours = m[Metric::kAfterHoursMeetingHours];
    truth.viva_meetings = m[Metric::kMeetings];

    const int total = static_cast<int>(std::lround(truth.viva_meeting_hours * 60));
    const int after =
        std::min({total, static_cast<int>(std::lround(truth.viva_after_hours_meeting_hours * 60)),
                  5 * (kEveningEnd - kDayEnd)});
    const int working = std::min(total - after, 5 * (kDayEnd - kDayStart));
    const int n = std::max(1, static_cast<int>(std::lround(truth.viva_meetings)));
    const int n_after =
        after > 0
            ? std::max(1, static_cast<int>(std::lround(double(n) * after / std::max(total, 1))))
            : 0;
    std::vector<Window> days, evenings;
    for (int d = 1; d <= 5; ++d) {
      days.push_back({d, kDayStart, kDayEnd});
      evenings.push_back({d, kDayEnd, kEveningEnd});
    }
    std::vector<Placed> placed = Pack(Split(working, std::max(1, n - n_after), rng), days, false);
    for (const Placed& e : Pack(Split(after, n_after, rng), evenings, true)) placed.push_back(e);

    uint64_t k = 0;
    auto id = [&] {
      return StreamSeed(org.options.seed, Stream::kCalendar, t.index,
                        (uint64_t{p.index} << 20) | static_cast<uint64_t>(week), ++k);
    };
    const Person* manager = p.manager >= 0 ? &t.people[static_cast<size_t>(p.manager)] : nullptr;
    for (const Placed& e : placed) {
      EventSpec spec;
      spec.day = e.day;
      spec.start = e.start;
      spec.minutes = e.minutes;
      const bool small = rng.Bernoulli(p.traits.small_meeting_share);
      int others = small ? 1 + static_cast<int>(rng.Below(6)) : 8 + static_cast<int>(rng.Below(8));
      spec.attendees = Colleagues(t, p, others, rng);
      double who = rng.Uniform();
      if (who < 0.4 || spec.attendees.empty()) {
        spec.organizer = &p;
        spec.response = "organizer";
      } else {
        spec.organizer = (who < 0.6 && manager != nullptr) ? manager : spec.attendees.back();
        std::erase(spec.attendees, spec.organizer);
        spec.attendees.push_back(&p);
        spec.response = "accepted";
      }
      spec.recurring = rng.Bernoulli(p.traits.recurring_share);
      // Counted only with another invitee: an organizer alone is an appointment.
      size_t invitees = 1 + spec.attendees.size();
      if (spec.organizer == &p && spec.attendees.empty()) continue;
      writer.Event(p, spec, id());
      double hours = e.minutes / 60.0;
      ++truth.meetings;
      truth.meeting_hours += hours;
      if (e.after_hours) truth.after_hours_meeting_hours += hours;
      if (invitees >= kLargeInvitees) truth.large_meeting_hours += hours;
      if (e.minutes >= 60) truth.long_meeting_hours += hours;
      if (spec.recurring) {
        ++truth.recurring_meetings;
        truth.recurring_meeting_hours += hours;
      }
    }

    // Rows that must not count.
    auto colleague_meeting = [&](int day, int start, int minutes) {
      EventSpec spec;
      spec.day = day;
      spec.start = start;
      spec.minutes = minutes;
      spec.attendees = Colleagues(t, p, 3, rng);
      if (spec.attendees.empty()) return spec;
      spec.organizer = spec.attendees.back();
      spec.attendees.back() = &p;
      return spec;
    };
    if (rng.Bernoulli(0.5) && t.people.size() > 2) {
      EventSpec declined = colleague_meeting(2, 10 * 60, 60);
      declined.response = "declined";
      if (declined.organizer != nullptr) writer.Event(p, declined, id());
    }
    if (rng.Bernoulli(0.3) && t.people.size() > 2) {
      EventSpec cancelled = colleague_meeting(3, 11 * 60, 30);
      cancelled.cancelled = true;
      if (cancelled.organizer != nullptr) writer.Event(p, cancelled, id());
    }
    if (rng.Bernoulli(0.3) && t.people.size() > 2) {
      EventSpec free = colleague_meeting(4, 12 * 60, 60);
      free.show_as = "free";
      if (free.organizer != nullptr) writer.Event(p, free, id());
    }
    if (rng.Bernoulli(0.5)) {
      EventSpec focus;
      focus.day = 3;
      focus.start = 13 * 60;
      focus.minutes = 120;
      focus.organizer = &p;
      focus.response = "organizer";
      writer.Event(p, focus, id());
    }
    if (!m.is_active) {
      EventSpec away;
      away.day = 1;
      away.all_day = true;
      away.organizer = &p;
      away.response = "organizer";
      away.show_as = "oof";
      writer.Event(p, away, id());
    }
    out.truth.push_back(std::move(truth));
    RETURN_IF_ERROR(buffer.Flush());
  }
  RETURN_IF_ERROR(buffer.Flush(true));
  out.rows = writer.rows();
  return out;
}

}  // namespace vivalink::sim
