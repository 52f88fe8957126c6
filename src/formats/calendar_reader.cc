// Calendar reader: simdjson On Demand over the same reused padded chunk buffer as the row
// readers. Only the fields meetings need are visited; the rest (subject, body, locations, ...)
// are skipped by the parser without being copied, so personal text never leaves the input buffer.
#include "formats/calendar_reader.h"

#include <simdjson.h>

#include <cstring>
#include <string>

#include "core/strings.h"
#include "formats/internal/chunk_buffer.h"
#include "formats/internal/line_splitter.h"
#include "formats/internal/text.h"

namespace vivalink::formats {
namespace {

namespace od = simdjson::ondemand;
using internal::ChunkBuffer;
using internal::LineSplitter;

static_assert(ChunkBuffer::kPadding >= simdjson::SIMDJSON_PADDING);

// "microsoft.graph.responseType'accepted'" -> "accepted"; anything else unchanged.
std::string_view EnumText(std::string_view s) {
  size_t open = s.find('\'');
  if (open != std::string_view::npos && s.size() >= open + 2 && s.back() == '\'') {
    return s.substr(open + 1, s.size() - open - 2);
  }
  return s;
}

bool Eq(std::string_view a, std::string_view b) { return core::EqualsIgnoreCase(a, b); }

std::optional<EventType> ParseEventType(std::string_view s) {
  s = EnumText(s);
  if (Eq(s, "singleInstance")) return EventType::kSingleInstance;
  if (Eq(s, "occurrence")) return EventType::kOccurrence;
  if (Eq(s, "exception")) return EventType::kException;
  if (Eq(s, "seriesMaster")) return EventType::kSeriesMaster;
  return std::nullopt;
}

std::optional<ResponseType> ParseResponse(std::string_view s) {
  s = EnumText(s);
  if (s.empty() || Eq(s, "none")) return ResponseType::kNone;
  if (Eq(s, "organizer")) return ResponseType::kOrganizer;
  if (Eq(s, "tentativelyAccepted")) return ResponseType::kTentativelyAccepted;
  if (Eq(s, "accepted")) return ResponseType::kAccepted;
  if (Eq(s, "declined")) return ResponseType::kDeclined;
  if (Eq(s, "notResponded")) return ResponseType::kNotResponded;
  return std::nullopt;
}

std::optional<AttendeeType> ParseAttendeeType(std::string_view s) {
  s = EnumText(s);
  if (s.empty() || Eq(s, "required")) return AttendeeType::kRequired;
  if (Eq(s, "optional")) return AttendeeType::kOptional;
  if (Eq(s, "resource")) return AttendeeType::kResource;
  return std::nullopt;
}

ShowAs ParseShowAs(std::string_view s) {
  s = EnumText(s);
  if (Eq(s, "free")) return ShowAs::kFree;
  if (Eq(s, "tentative")) return ShowAs::kTentative;
  if (Eq(s, "busy")) return ShowAs::kBusy;
  if (Eq(s, "oof")) return ShowAs::kOof;
  if (Eq(s, "workingElsewhere")) return ShowAs::kWorkingElsewhere;
  return ShowAs::kUnknown;  // "unknown" and values newer than this reader
}

std::optional<int> ParseWeekday(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kDays = {
      "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  s = EnumText(s);
  for (size_t d = 0; d < kDays.size(); ++d) {
    if (Eq(s, kDays[d])) return static_cast<int>(d);
  }
  return std::nullopt;
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (!internal::IsJsonSpace(c)) return false;
  }
  return true;
}

class CalendarReaderImpl final : public CalendarReader {
 public:
  CalendarReaderImpl(std::unique_ptr<core::ByteSource> source, CalendarReaderOptions options)
      : source_(std::move(source)),
        options_(std::move(options)),
        buffer_(*source_, options_.chunk_bytes, 0),
        lines_(buffer_, options_.source_name, options_.max_line_bytes, "event",
               /*strip_bom=*/true) {}

  core::Result<bool> Next(CalendarBatch& batch) override {
    batch.Clear();
    if (!status_.ok()) return status_;
    while (batch.size() < options_.batch_events) {
      std::string_view line;
      bool more = false;
      core::Status s = lines_.Next(line, more);
      if (s.ok() && !more) break;
      if (s.ok() && IsBlank(line)) continue;
      if (s.ok()) s = ParseRow(line, batch.Append());
      if (!s.ok()) {
        batch.Clear();
        status_ = s;
        return s;
      }
    }
    rows_read_ += batch.size();
    return !batch.empty();
  }

  uint64_t rows_read() const override { return rows_read_; }

 private:
  core::Status Error(std::string_view what) const {
    return core::DataLossError(lines_.Where() + ": " + std::string(what));
  }
  core::Status FieldError(std::string_view field, std::string_view what) const {
    return core::DataLossError(lines_.Where() + ": field " + std::string(field) + " " +
                               std::string(what) +
                               "; the file is not a CalendarView/Event export or is corrupt");
  }
  core::Status JsonError(simdjson::error_code e) const {
    return Error(std::string("not valid JSON (") + simdjson::error_message(e) +
                 "); every line must be one JSON object (one event): the file is corrupt or not "
                 "JSON lines");
  }

  // Values -------------------------------------------------------------------------------------

  // A string or null (-> empty). decrypt: the value is a PII field (column cipher).
  core::Status ReadString(od::value v, std::string_view field, std::string& out,
                          bool decrypt = false) {
    od::json_type type;
    if (auto e = v.type().get(type)) return JsonError(e);
    out.clear();
    if (type == od::json_type::null) return core::OkStatus();
    if (type != od::json_type::string) return FieldError(field, "must be a string");
    std::string_view text;
    if (auto e = v.get_string().get(text)) return JsonError(e);
    if (decrypt && options_.decrypt_pii) {
      core::Status s = options_.decrypt_pii(text, out);
      if (!s.ok())
        return core::Status(s.code(),
                            lines_.Where() + ": field " + std::string(field) + ": " + s.message());
      return core::OkStatus();
    }
    out.assign(text);
    return core::OkStatus();
  }

  // A bool, "true"/"false" or null (-> nullopt).
  core::Status ReadBool(od::value v, std::string_view field, std::optional<bool>& out) {
    od::json_type type;
    if (auto e = v.type().get(type)) return JsonError(e);
    out.reset();
    if (type == od::json_type::null) return core::OkStatus();
    if (type == od::json_type::boolean) {
      bool b = false;
      if (auto e = v.get_bool().get(b)) return JsonError(e);
      out = b;
      return core::OkStatus();
    }
    if (type == od::json_type::string) {
      std::string_view text;
      if (auto e = v.get_string().get(text)) return JsonError(e);
      bool b = false;
      if (text.empty()) return core::OkStatus();
      if (internal::ParseBool(text, b)) {
        out = b;
        return core::OkStatus();
      }
    }
    return FieldError(field, "must be true or false");
  }
  core::Status ReadFlag(od::value v, std::string_view field, bool& out) {
    std::optional<bool> b;
    RETURN_IF_ERROR(ReadBool(v, field, b));
    out = b.value_or(false);
    return core::OkStatus();
  }

  // An integer as a JSON number or a string holding one; null -> 0.
  core::Status ReadInt(od::value v, std::string_view field, int& out) {
    od::json_type type;
    if (auto e = v.type().get(type)) return JsonError(e);
    out = 0;
    if (type == od::json_type::null) return core::OkStatus();
    double d = 0;
    if (type == od::json_type::number) {
      if (auto e = v.get_double().get(d)) return JsonError(e);
    } else if (type == od::json_type::string) {
      std::string_view text;
      if (auto e = v.get_string().get(text)) return JsonError(e);
      if (!text.empty() && !internal::ParseNumber(text, d)) {
        return FieldError(field, "must be a whole number");
      }
    } else {
      return FieldError(field, "must be a whole number");
    }
    if (d != static_cast<double>(static_cast<int64_t>(d)) || d < -1e6 || d > 1e6) {
      return FieldError(field, "must be a whole number between -1000000 and 1000000");
    }
    out = static_cast<int>(d);
    return core::OkStatus();
  }

  // Graph's local dateTime "YYYY-MM-DDTHH:MM:SS.fffffff" (no zone) as a wall-clock value.
  core::Status ParseLocal(std::string_view text, std::string_view field,
                          std::chrono::local_time<std::chrono::milliseconds>& out) {
    auto t = core::ParseIso8601(text);
    // A trailing Z or offset would make the zone ambiguous with timeZone: Graph never writes one.
    bool zoned = text.size() > 19 && (text.back() == 'Z' || text.back() == 'z' ||
                                      text[text.size() - 6] == '+' || text[text.size() - 6] == '-');
    if (!t.ok() || zoned || text.size() < 16) {
      return FieldError(field, "is not a local date-time like 2024-03-10T09:30:00.0000000");
    }
    out = std::chrono::local_time<std::chrono::milliseconds>(t->time_since_epoch());
    return core::OkStatus();
  }

  core::Status ReadDate(od::value v, std::string_view field, std::optional<core::Date>& out) {
    RETURN_IF_ERROR(ReadString(v, field, scratch_));
    out.reset();
    if (scratch_.empty()) return core::OkStatus();
    auto d = core::ParseDate(scratch_);
    if (!d.ok() || scratch_.size() != 10) return FieldError(field, "is not a date YYYY-MM-DD");
    out = *d;
    return core::OkStatus();
  }

  // Objects ------------------------------------------------------------------------------------

  // Iterates an object value (null: nothing), calling f(key, value) for every field.
  template <typename F>
  core::Status ForEachField(od::value v, std::string_view field, F&& f) {
    od::json_type type;
    if (auto e = v.type().get(type)) return JsonError(e);
    if (type == od::json_type::null) return core::OkStatus();
    if (type != od::json_type::object) return FieldError(field, "must be an object");
    od::object object;
    if (auto e = v.get_object().get(object)) return JsonError(e);
    for (auto result : object) {
      od::field member;
      if (auto e = std::move(result).get(member)) return JsonError(e);
      std::string_view key;
      if (auto e = member.unescaped_key().get(key)) return JsonError(e);
      RETURN_IF_ERROR(f(key, member.value()));
    }
    return core::OkStatus();
  }

  // Iterates an array value (null: nothing), calling f(element).
  template <typename F>
  core::Status ForEachElement(od::value v, std::string_view field, F&& f) {
    od::json_type type;
    if (auto e = v.type().get(type)) return JsonError(e);
    if (type == od::json_type::null) return core::OkStatus();
    if (type != od::json_type::array) return FieldError(field, "must be an array");
    od::array array;
    if (auto e = v.get_array().get(array)) return JsonError(e);
    for (auto result : array) {
      od::value element;
      if (auto e = std::move(result).get(element)) return JsonError(e);
      RETURN_IF_ERROR(f(element));
    }
    return core::OkStatus();
  }

  // Field names of the nested values, spelled out so that no name is built per value.
  struct WallTimeFields {
    std::string_view self, date_time, time_zone;
  };
  struct AddressFields {
    std::string_view self, address, name;
  };
  struct ResponseFields {
    std::string_view self, response;
  };

  core::Status ReadWallTime(od::value v, const WallTimeFields& f, WallTime& out, bool& seen) {
    bool have_time = false, have_zone = false;
    // Not RETURN_IF_ERROR around the lambda: its own RETURN_IF_ERRORs would shadow the macro's.
    core::Status status = ForEachField(v, f.self, [&](std::string_view key, od::value member) {
      if (key == "dateTime") {
        RETURN_IF_ERROR(ReadString(member, f.date_time, scratch_));
        if (scratch_.empty()) return core::OkStatus();
        have_time = true;
        return ParseLocal(scratch_, f.date_time, out.local);
      }
      if (key == "timeZone") {
        RETURN_IF_ERROR(ReadString(member, f.time_zone, out.time_zone));
        have_zone = !out.time_zone.empty();
      }
      return core::OkStatus();
    });
    if (!status.ok()) return status;
    if (!have_time) return FieldError(f.date_time, "is missing");
    if (!have_zone) return FieldError(f.time_zone, "is missing");
    seen = true;
    return core::OkStatus();
  }

  core::Status ReadEmailAddress(od::value v, const AddressFields& f, std::string& address,
                                std::string& name) {
    return ForEachField(v, f.self, [&](std::string_view key, od::value member) {
      if (key == "address") return ReadString(member, f.address, address, true);
      if (key == "name") return ReadString(member, f.name, name, true);
      return core::OkStatus();
    });
  }

  core::Status ReadResponse(od::value v, const ResponseFields& f, ResponseType& out) {
    return ForEachField(v, f.self, [&](std::string_view key, od::value member) {
      if (key != "response") return core::OkStatus();
      RETURN_IF_ERROR(ReadString(member, f.response, scratch_));
      auto r = ParseResponse(scratch_);
      if (!r) return FieldError(f.response, "is not a Graph response type");
      out = *r;
      return core::OkStatus();
    });
  }

  core::Status ReadAttendee(od::value v, CalendarEvent& event) {
    Attendee& a = event.attendees.emplace_back();
    return ForEachField(v, "attendees[]", [&](std::string_view key, od::value member) {
      if (key == "type") {
        RETURN_IF_ERROR(ReadString(member, "attendees[].type", scratch_));
        auto t = ParseAttendeeType(scratch_);
        if (!t) return FieldError("attendees[].type", "is not required, optional or resource");
        a.type = *t;
      } else if (key == "status") {
        return ReadResponse(member, {"attendees[].status", "attendees[].status.response"},
                            a.response);
      } else if (key == "emailAddress") {
        return ReadEmailAddress(member,
                                {"attendees[].emailAddress", "attendees[].emailAddress.address",
                                 "attendees[].emailAddress.name"},
                                a.address, a.name);
      }
      return core::OkStatus();
    });
  }

  core::Status ReadPattern(od::value v, Recurrence& r) {
    return ForEachField(v, "recurrence.pattern", [&](std::string_view key, od::value member) {
      if (key == "type") return ReadString(member, "recurrence.pattern.type", r.pattern_type);
      if (key == "interval") return ReadInt(member, "recurrence.pattern.interval", r.interval);
      if (key == "month") return ReadInt(member, "recurrence.pattern.month", r.month);
      if (key == "dayOfMonth") {
        return ReadInt(member, "recurrence.pattern.dayOfMonth", r.day_of_month);
      }
      if (key == "index") return ReadString(member, "recurrence.pattern.index", r.index);
      if (key == "firstDayOfWeek") {
        RETURN_IF_ERROR(ReadString(member, "recurrence.pattern.firstDayOfWeek", scratch_));
        if (scratch_.empty()) return core::OkStatus();
        auto d = ParseWeekday(scratch_);
        if (!d) return FieldError("recurrence.pattern.firstDayOfWeek", "is not a day of the week");
        r.first_day_of_week = *d;
        return core::OkStatus();
      }
      if (key == "daysOfWeek") {
        return ForEachElement(member, "recurrence.pattern.daysOfWeek", [&](od::value day) {
          RETURN_IF_ERROR(ReadString(day, "recurrence.pattern.daysOfWeek[]", scratch_));
          auto d = ParseWeekday(scratch_);
          if (!d) return FieldError("recurrence.pattern.daysOfWeek[]", "is not a day of the week");
          r.days_mask = static_cast<uint8_t>(r.days_mask | (1u << *d));
          return core::OkStatus();
        });
      }
      return core::OkStatus();
    });
  }

  core::Status ReadRange(od::value v, Recurrence& r) {
    return ForEachField(v, "recurrence.range", [&](std::string_view key, od::value member) {
      if (key == "type") return ReadString(member, "recurrence.range.type", r.range_type);
      if (key == "startDate") return ReadDate(member, "recurrence.range.startDate", r.range_start);
      if (key == "endDate") return ReadDate(member, "recurrence.range.endDate", r.range_end);
      if (key == "numberOfOccurrences") {
        return ReadInt(member, "recurrence.range.numberOfOccurrences", r.number_of_occurrences);
      }
      if (key == "recurrenceTimeZone") {
        return ReadString(member, "recurrence.range.recurrenceTimeZone", r.recurrence_time_zone);
      }
      return core::OkStatus();
    });
  }

  core::Status ReadRecurrence(od::value v, CalendarEvent& event) {
    od::json_type type;
    if (auto e = v.type().get(type)) return JsonError(e);
    if (type == od::json_type::null) return core::OkStatus();
    Recurrence& r = event.recurrence.emplace();
    return ForEachField(v, "recurrence", [&](std::string_view key, od::value member) {
      if (key == "pattern") return ReadPattern(member, r);
      if (key == "range") return ReadRange(member, r);
      return core::OkStatus();
    });
  }

  // One row -------------------------------------------------------------------------------------

  core::Status ParseRow(std::string_view line, CalendarEvent& event) {
    event.line = lines_.line_number();
    size_t capacity = buffer_.padded_capacity() - static_cast<size_t>(line.data() - buffer_.data());
    od::document doc;
    if (auto e = parser_.iterate(simdjson::padded_string_view(line.data(), line.size(), capacity))
                     .get(doc)) {
      return JsonError(e);
    }
    od::object object;
    if (auto e = doc.get_object().get(object)) {
      if (e == simdjson::INCORRECT_TYPE)
        return Error("is not a JSON object; every line must be one");
      return JsonError(e);
    }
    bool have_start = false, have_end = false;
    for (auto result : object) {
      od::field field;
      if (auto e = std::move(result).get(field)) return JsonError(e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return JsonError(e);
      RETURN_IF_ERROR(ParseField(key, field.value(), event, have_start, have_end));
    }
    const char* rest = nullptr;
    if (!doc.current_location().get(rest)) return Error("has text after its JSON object");
    if (!have_start) return FieldError("start", "is missing; every event has start and end");
    if (!have_end) return FieldError("end", "is missing; every event has start and end");
    return core::OkStatus();
  }

  core::Status ParseField(std::string_view key, od::value v, CalendarEvent& event, bool& have_start,
                          bool& have_end) {
    if (key == "id") return ReadString(v, key, event.id);
    if (key == "iCalUId") return ReadString(v, key, event.ical_uid);
    if (key == "seriesMasterId") return ReadString(v, key, event.series_master_id);
    if (key == "type") {
      RETURN_IF_ERROR(ReadString(v, key, scratch_));
      if (scratch_.empty()) return core::OkStatus();
      auto t = ParseEventType(scratch_);
      if (!t) {
        return FieldError(key, "is not singleInstance, occurrence, exception or seriesMaster");
      }
      event.type = *t;
      return core::OkStatus();
    }
    if (key == "isCancelled") return ReadFlag(v, key, event.is_cancelled);
    if (key == "isAllDay") return ReadFlag(v, key, event.is_all_day);
    if (key == "isOnlineMeeting") return ReadFlag(v, key, event.is_online_meeting);
    if (key == "isOrganizer") return ReadBool(v, key, event.is_organizer);
    if (key == "showAs") {
      RETURN_IF_ERROR(ReadString(v, key, scratch_));
      event.show_as = ParseShowAs(scratch_);
      return core::OkStatus();
    }
    if (key == "responseStatus") {
      return ReadResponse(v, {"responseStatus", "responseStatus.response"}, event.response);
    }
    if (key == "start") {
      return ReadWallTime(v, {"start", "start.dateTime", "start.timeZone"}, event.start,
                          have_start);
    }
    if (key == "end") {
      return ReadWallTime(v, {"end", "end.dateTime", "end.timeZone"}, event.end, have_end);
    }
    if (key == "originalStart") {
      RETURN_IF_ERROR(ReadString(v, key, scratch_));
      if (scratch_.empty()) return core::OkStatus();
      auto t = core::ParseIso8601(scratch_);
      if (!t.ok()) return FieldError(key, "is not an ISO 8601 date-time");
      event.original_start = *t;
      return core::OkStatus();
    }
    if (key == "originalStartTimeZone") return ReadString(v, key, event.original_start_time_zone);
    if (key == "organizer") {
      return ForEachField(v, key, [&](std::string_view k, od::value member) {
        if (k != "emailAddress") return core::OkStatus();
        return ReadEmailAddress(member,
                                {"organizer.emailAddress", "organizer.emailAddress.address",
                                 "organizer.emailAddress.name"},
                                event.organizer_address, event.organizer_name);
      });
    }
    if (key == "attendees") {
      return ForEachElement(v, key, [&](od::value a) { return ReadAttendee(a, event); });
    }
    if (key == "recurrence") return ReadRecurrence(v, event);
    if (key == "puser") return ReadString(v, key, event.puser, true);
    if (key == "ptenant") return ReadString(v, key, event.ptenant);
    return core::OkStatus();  // skipped unread
  }

  std::unique_ptr<core::ByteSource> source_;
  CalendarReaderOptions options_;
  ChunkBuffer buffer_;
  od::parser parser_;
  LineSplitter lines_;
  uint64_t rows_read_ = 0;
  std::string scratch_;
  core::Status status_;
};

}  // namespace

std::string_view EventTypeName(EventType t) {
  switch (t) {
    case EventType::kSingleInstance:
      return "singleInstance";
    case EventType::kOccurrence:
      return "occurrence";
    case EventType::kException:
      return "exception";
    case EventType::kSeriesMaster:
      return "seriesMaster";
  }
  return "singleInstance";
}

std::string_view ResponseTypeName(ResponseType r) {
  switch (r) {
    case ResponseType::kNone:
      return "none";
    case ResponseType::kOrganizer:
      return "organizer";
    case ResponseType::kTentativelyAccepted:
      return "tentativelyAccepted";
    case ResponseType::kAccepted:
      return "accepted";
    case ResponseType::kDeclined:
      return "declined";
    case ResponseType::kNotResponded:
      return "notResponded";
  }
  return "none";
}

void CalendarEvent::Clear() {
  line = 0;
  id.clear();
  ical_uid.clear();
  series_master_id.clear();
  type = EventType::kSingleInstance;
  is_cancelled = is_all_day = is_online_meeting = false;
  is_organizer.reset();
  show_as = ShowAs::kUnknown;
  response = ResponseType::kNone;
  start.local = {};
  start.time_zone.clear();
  end.local = {};
  end.time_zone.clear();
  original_start.reset();
  original_start_time_zone.clear();
  organizer_address.clear();
  organizer_name.clear();
  attendees.clear();
  recurrence.reset();
  puser.clear();
  ptenant.clear();
}

core::Result<std::unique_ptr<CalendarReader>> OpenCalendarReader(
    std::unique_ptr<core::ByteSource> source, CalendarReaderOptions options) {
  if (source == nullptr) return core::InvalidArgumentError("OpenCalendarReader: no source");
  if (options.batch_events == 0 || options.max_line_bytes == 0 || options.chunk_bytes == 0) {
    return core::InvalidArgumentError(
        "OpenCalendarReader: batch_events, max_line_bytes and chunk_bytes must be positive");
  }
  return std::unique_ptr<CalendarReader>(
      new CalendarReaderImpl(std::move(source), std::move(options)));
}

}  // namespace vivalink::formats
