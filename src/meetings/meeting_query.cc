// One pass over the rows, accumulating only what the chosen analysis needs; groups are keyed by
// label (few: sizes x lengths, organizer attribute values), so memory does not grow with rows.
#include "meetings/meeting_query.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "core/file.h"
#include "core/strings.h"
#include "formats/canonical.h"
#include "formats/reader.h"
#include "formats/writer.h"
#include "meetings/internal/day_pieces.h"
#include "meetings/time_zone.h"

namespace vivalink::meetings {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Sums {
  std::set<std::string> organizers;
  int64_t meetings = 0;
  int64_t recurring = 0;
  int64_t after_hours_meetings = 0;
  double attendee_hours = 0;
  double duration_hours = 0;
  double attendees = 0;
  double after_hours = 0;
  double after_hours_attendee_hours = 0;
};

// A cell of the current batch: column index or -1.
struct Cols {
  int attendees = -1, duration = -1, attendee_hours = -1, recurring = -1, cancelled = -1,
      all_day = -1, start = -1, zone = -1, organizer = -1, by = -1;
};

bool IsNull(const formats::Column& c, size_t r) { return c.IsNull(r); }

std::string Text(const formats::Column& c, size_t r) {
  if (c.IsNull(r)) return "";
  if (c.type() == formats::ColumnType::kString) return std::string(c.StringAt(r));
  if (c.type() == formats::ColumnType::kBool) return c.NumberAt(r) != 0 ? "TRUE" : "FALSE";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, c.NumberAt(r));
  return std::string(buf, res.ptr);
}

// Parses "YYYY-MM-DD HH:MM[:SS]", "YYYY-MM-DDTHH:MM[:SS]" or "DD/MM/YYYY HH:MM[:SS]" (month
// first when asked) as a wall-clock time.
bool ParseStart(std::string_view text, bool month_first, LocalTime& out) {
  text = core::Trim(text);
  if (text.size() >= 16 && text[4] == '-') {
    auto t = core::ParseIso8601(text);
    if (!t.ok()) return false;
    out = LocalTime(t->time_since_epoch());
    return true;
  }
  // DD/MM/YYYY HH:MM[:SS]
  int a = 0, b = 0, y = 0, h = 0, m = 0, s = 0;
  auto num = [&](size_t pos, size_t len, int& v) {
    if (pos + len > text.size()) return false;
    v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    return true;
  };
  if (text.size() != 16 && text.size() != 19) return false;
  if (text[2] != '/' || text[5] != '/' || text[10] != ' ' || text[13] != ':') return false;
  if (!num(0, 2, a) || !num(3, 2, b) || !num(6, 4, y) || !num(11, 2, h) || !num(14, 2, m)) {
    return false;
  }
  if (text.size() == 19 && (text[16] != ':' || !num(17, 2, s))) return false;
  int day = month_first ? b : a, month = month_first ? a : b;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(month),
                                  std::chrono::day(day)};
  if (!ymd.ok() || h > 23 || m > 59 || s > 59) return false;
  out = LocalTime(std::chrono::local_days(ymd)) + std::chrono::hours(h) + std::chrono::minutes(m) +
        std::chrono::seconds(s);
  return true;
}

std::string_view SizeClass(double attendees) {
  if (attendees <= 1) return "1";
  if (attendees <= 2) return "2";
  if (attendees <= 8) return "3-8";
  if (attendees <= 18) return "9-18";
  return "19+";
}

std::string_view LengthClass(double hours) {
  if (hours <= 0.5) return "<= 30 min";
  if (hours < 1) return "30-60 min";
  return ">= 1 h";
}

class Analyzer {
 public:
  Analyzer(const MeetingQueryOptions& options, std::string_view source)
      : options_(options), source_(source) {}

  core::Status Check() {
    if (options_.min_group < 1) return core::InvalidArgumentError("--min-group must be >= 1");
    if (options_.hours.end <= options_.hours.start) {
      return core::InvalidArgumentError("working hours must start before they end");
    }
    by_ = core::Trim(options_.by).empty() ? "" : formats::CanonicalName(core::Trim(options_.by));
    if (options_.kind == MeetingQueryKind::kOrganizers && by_.empty()) {
      return core::InvalidArgumentError("the organizers analysis needs --by (an attribute)");
    }
    ASSIGN_OR_RETURN(utc_, zones_.Find("UTC"));
    return core::OkStatus();
  }

  core::Status Add(const formats::RowBatch& batch) {
    Cols c;
    c.attendees = batch.Find("Number_of_attendees");
    c.duration = batch.Find("Duration");
    c.attendee_hours = batch.Find("Attendee_meeting_hours");
    c.recurring = batch.Find("Recurring");
    c.cancelled = batch.Find("Cancelled");
    c.all_day = batch.Find("All_Day_Meeting");
    c.start = batch.Find("Collaboration_start_time");
    c.zone = batch.Find("TimeZone");
    c.organizer = batch.Find("Organizer");
    c.by = by_.empty() ? -1 : batch.Find(by_);
    if (batch.num_rows() > 0) {
      if (c.attendees < 0 || c.duration < 0) {
        return core::InvalidArgumentError(
            std::string(source_) +
            " is not a meeting query: it needs the columns Number_of_attendees and Duration");
      }
      if (!by_.empty() && c.by < 0 && options_.kind != MeetingQueryKind::kTypes &&
          options_.kind != MeetingQueryKind::kRecurring) {
        return core::InvalidArgumentError(std::string(source_) + " has no column " + by_ +
                                          " to group by (--by)");
      }
    }
    for (size_t r = 0; r < batch.num_rows(); ++r) RETURN_IF_ERROR(AddRow(batch, c, r));
    return core::OkStatus();
  }

  core::Result<MeetingQueryTable> Finish() {
    MeetingQueryTable out;
    out.rows_read = rows_read_;
    out.excluded = excluded_;
    formats::RowBatch& t = out.rows;
    double total_attendee_hours = 0;
    for (const auto& [key, s] : groups_) total_attendee_hours += s.attendee_hours;
    auto share = [&](double v) {
      return total_attendee_hours > 0 ? 100.0 * v / total_attendee_hours : kNaN;
    };
    auto mean = [](double sum, int64_t n) { return n > 0 ? sum / static_cast<double>(n) : kNaN; };
    switch (options_.kind) {
      case MeetingQueryKind::kTypes:
        Schema(t, {"Size", "Length"},
               {"Meetings", "Attendee_meeting_hours", "Share_of_attendee_hours"});
        for (const auto& [key, s] : groups_) {
          Row(t, {key.first, key.second},
              {static_cast<double>(s.meetings), s.attendee_hours, share(s.attendee_hours)});
        }
        break;
      case MeetingQueryKind::kRecurring:
        Schema(t, {"Recurring"},
               {"Meetings", "Attendee_meeting_hours", "Mean_duration_hours", "Mean_attendees",
                "Share_of_attendee_hours"});
        for (const auto& [key, s] : groups_) {
          Row(t, {key.first},
              {static_cast<double>(s.meetings), s.attendee_hours,
               mean(s.duration_hours, s.meetings), mean(s.attendees, s.meetings),
               share(s.attendee_hours)});
        }
        break;
      case MeetingQueryKind::kOrganizers:
        Schema(t, {by_},
               {"Organizers", "Meetings", "Attendee_meeting_hours", "Mean_duration_hours",
                "Mean_attendees", "Recurring_share"});
        for (const auto& [key, s] : groups_) {
          if (s.organizers.size() < static_cast<size_t>(options_.min_group)) {
            ++out.groups_suppressed;
            continue;
          }
          Row(t, {key.first},
              {static_cast<double>(s.organizers.size()), static_cast<double>(s.meetings),
               s.attendee_hours, mean(s.duration_hours, s.meetings), mean(s.attendees, s.meetings),
               s.meetings > 0
                   ? 100.0 * static_cast<double>(s.recurring) / static_cast<double>(s.meetings)
                   : kNaN});
        }
        break;
      case MeetingQueryKind::kAfterHours:
        Schema(t, {by_.empty() ? std::string("Group") : by_},
               {"Meetings", "Meetings_after_hours", "After_hours_meeting_hours",
                "After_hours_attendee_hours", "After_hours_share"});
        for (const auto& [key, s] : groups_) {
          Row(t, {key.first},
              {static_cast<double>(s.meetings), static_cast<double>(s.after_hours_meetings),
               s.after_hours, s.after_hours_attendee_hours,
               s.duration_hours > 0 ? 100.0 * s.after_hours / s.duration_hours : kNaN});
        }
        break;
    }
    return out;
  }

 private:
  static void Schema(formats::RowBatch& t, std::initializer_list<std::string> labels,
                     std::initializer_list<std::string> numbers) {
    for (const auto& l : labels) t.AddColumn(l, formats::ColumnType::kString);
    for (const auto& n : numbers) t.AddColumn(n, formats::ColumnType::kNumber);
  }
  static void Row(formats::RowBatch& t, std::initializer_list<std::string_view> labels,
                  std::initializer_list<double> numbers) {
    size_t c = 0;
    for (auto l : labels) t.mutable_column(c++).AppendString(l);
    for (double n : numbers) t.mutable_column(c++).AppendNumber(n);
    t.FinishRow();
  }

  core::Status ValueError(const formats::RowBatch& batch, size_t r, std::string_view column,
                          std::string_view what) const {
    return core::DataLossError(std::string(source_) + ": line " +
                               std::to_string(batch.first_line + r) + ": column " +
                               std::string(column) + " " + std::string(what));
  }

  double Number(const formats::RowBatch& batch, int col, size_t r) const {
    if (col < 0) return kNaN;
    const auto& c = batch.column(static_cast<size_t>(col));
    if (c.type() == formats::ColumnType::kString) return kNaN;
    return c.NumberAt(r);
  }

  bool Flag(const formats::RowBatch& batch, int col, size_t r) const {
    if (col < 0) return false;
    const auto& c = batch.column(static_cast<size_t>(col));
    if (IsNull(c, r)) return false;
    if (c.type() == formats::ColumnType::kString) {
      return core::EqualsIgnoreCase(core::Trim(c.StringAt(r)), "true");
    }
    return c.NumberAt(r) != 0;
  }

  core::Status AddRow(const formats::RowBatch& batch, const Cols& c, size_t r) {
    ++rows_read_;
    if (Flag(batch, c.cancelled, r) || Flag(batch, c.all_day, r)) {
      ++excluded_;
      return core::OkStatus();
    }
    double attendees = Number(batch, c.attendees, r);
    double duration = Number(batch, c.duration, r);
    if (!std::isfinite(attendees) || attendees < 0) {
      return ValueError(batch, r, "Number_of_attendees", "must be a number >= 0");
    }
    if (!std::isfinite(duration) || duration < 0 || duration > 24 * 366) {
      return ValueError(batch, r, "Duration", "must be a number of hours >= 0");
    }
    double attendee_hours = Number(batch, c.attendee_hours, r);
    if (!std::isfinite(attendee_hours)) attendee_hours = attendees * duration;
    bool recurring = Flag(batch, c.recurring, r);

    std::pair<std::string, std::string> key;
    switch (options_.kind) {
      case MeetingQueryKind::kTypes:
        key = {std::string(SizeClass(attendees)), std::string(LengthClass(duration))};
        break;
      case MeetingQueryKind::kRecurring:
        key = {recurring ? "Recurring" : "One-off", ""};
        break;
      case MeetingQueryKind::kOrganizers:
      case MeetingQueryKind::kAfterHours: {
        std::string label = c.by < 0 ? "All" : Text(batch.column(static_cast<size_t>(c.by)), r);
        key = {label.empty() ? "NA" : label, ""};
        break;
      }
    }
    Sums& s = groups_[key];
    ++s.meetings;
    s.recurring += recurring ? 1 : 0;
    s.attendee_hours += attendee_hours;
    s.duration_hours += duration;
    s.attendees += attendees;
    if (options_.kind == MeetingQueryKind::kOrganizers && c.organizer >= 0) {
      std::string organizer = Text(batch.column(static_cast<size_t>(c.organizer)), r);
      if (!organizer.empty()) s.organizers.insert(std::move(organizer));
    }
    if (options_.kind == MeetingQueryKind::kAfterHours) {
      RETURN_IF_ERROR(AddAfterHours(batch, c, r, duration, attendees, s));
    }
    return core::OkStatus();
  }

  core::Status AddAfterHours(const formats::RowBatch& batch, const Cols& c, size_t r,
                             double duration, double attendees, Sums& s) {
    if (c.start < 0 || IsNull(batch.column(static_cast<size_t>(c.start)), r)) {
      return ValueError(batch, r, "Collaboration_start_time",
                        "is missing; the after-hours analysis needs each meeting's start");
    }
    LocalTime start;
    if (!ParseStart(Text(batch.column(static_cast<size_t>(c.start)), r), options_.month_first,
                    start)) {
      return ValueError(batch, r, "Collaboration_start_time",
                        "is not a date and time like 05/12/2022 16:30 or 2022-12-05 16:30");
    }
    const TimeZone* zone = utc_;
    int64_t start_ms = start.time_since_epoch().count();
    if (options_.start_times_utc) {
      std::string name = c.zone < 0 ? "" : Text(batch.column(static_cast<size_t>(c.zone)), r);
      auto z = zones_.Find(name.empty() ? "UTC" : name);
      if (!z.ok()) {
        return ValueError(batch, r, "TimeZone", "is neither an IANA nor a Windows zone name");
      }
      zone = *z;
    }
    // Local mode: the wall-clock start is placed on a UTC line, so the day cuts are local days.
    auto duration_ms = static_cast<int64_t>(std::llround(duration * 3'600'000.0));
    int64_t after = 0;
    internal::ForEachLocalDay(
        start_ms, start_ms + duration_ms, *zone, options_.hours,
        [&](int64_t from, int64_t to, auto, int64_t in_hours) { after += (to - from) - in_hours; });
    if (after > 0) ++s.after_hours_meetings;
    double after_hours = static_cast<double>(after) / 3'600'000.0;
    s.after_hours += after_hours;
    s.after_hours_attendee_hours += after_hours * attendees;
    return core::OkStatus();
  }

  const MeetingQueryOptions& options_;
  std::string_view source_;
  std::string by_;
  TimeZoneCache zones_;
  const TimeZone* utc_ = nullptr;
  std::map<std::pair<std::string, std::string>, Sums> groups_;
  uint64_t rows_read_ = 0;
  uint64_t excluded_ = 0;
};

}  // namespace

core::Result<MeetingQueryKind> ParseMeetingQueryKind(std::string_view text) {
  text = core::Trim(text);
  if (text == "types") return MeetingQueryKind::kTypes;
  if (text == "organizers") return MeetingQueryKind::kOrganizers;
  if (text == "recurring") return MeetingQueryKind::kRecurring;
  if (text == "after-hours") return MeetingQueryKind::kAfterHours;
  return core::InvalidArgumentError("meeting query analysis '" + std::string(text) +
                                    "' is not types, organizers, recurring or after-hours");
}

core::Result<MeetingQueryTable> AnalyzeMeetingQuery(std::unique_ptr<core::ByteSource> source,
                                                    std::string_view source_name,
                                                    const MeetingQueryOptions& options) {
  Analyzer analyzer(options, source_name);
  RETURN_IF_ERROR(analyzer.Check());
  formats::ReaderOptions reader_options;
  reader_options.source_name = std::string(source_name);
  ASSIGN_OR_RETURN(auto reader, formats::OpenRowReader(std::move(source), reader_options));
  formats::RowBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) break;
    RETURN_IF_ERROR(analyzer.Add(batch));
  }
  return analyzer.Finish();
}

core::Result<MeetingQueryTable> AnalyzeMeetingQueryFile(const std::string& path,
                                                        const MeetingQueryOptions& options) {
  ASSIGN_OR_RETURN(auto source, core::OpenFileSource(path));
  return AnalyzeMeetingQuery(std::move(source), path, options);
}

std::string ToCsv(const MeetingQueryTable& table) {
  core::StringSink sink;
  std::vector<std::string> columns;
  for (const auto& c : table.rows.columns()) columns.push_back(c.name());
  formats::CsvWriter writer(sink, {.csv_columns = columns});
  (void)writer.Write(table.rows);  // memory sink: cannot fail
  (void)writer.Flush();
  return std::move(sink.data());
}

std::string ToJsonLines(const MeetingQueryTable& table) { return formats::ToJsonLines(table.rows); }

std::string CountsText(const MeetingQueryTable& table) {
  return std::to_string(table.rows_read) + " meetings read, " + std::to_string(table.excluded) +
         " cancelled or all-day left out, " + std::to_string(table.groups_suppressed) +
         " groups below the minimum size left out";
}

}  // namespace vivalink::meetings
