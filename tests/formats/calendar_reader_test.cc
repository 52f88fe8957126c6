#include "formats/calendar_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "formats_testing.h"

namespace vivalink::formats {
namespace {

using core::StatusCode;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::SharedText;
using testing::TrickleSource;

// Every event of a stream, copied out of the reused batches.
core::Result<std::vector<CalendarEvent>> ReadAll(std::unique_ptr<core::ByteSource> source,
                                                 CalendarReaderOptions options = {}) {
  ASSIGN_OR_RETURN(auto reader, OpenCalendarReader(std::move(source), std::move(options)));
  std::vector<CalendarEvent> events;
  CalendarBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) break;
    for (const CalendarEvent& e : batch) events.push_back(e);
  }
  EXPECT_EQ(reader->rows_read(), events.size());
  return events;
}

core::Result<std::vector<CalendarEvent>> ReadText(std::string text,
                                                  CalendarReaderOptions options = {}) {
  return ReadAll(core::MemorySource::Owning(std::move(text)), std::move(options));
}

std::vector<CalendarEvent> MustRead(std::string text, CalendarReaderOptions options = {}) {
  auto events = ReadText(std::move(text), std::move(options));
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  return events.ok() ? std::move(events).value() : std::vector<CalendarEvent>{};
}

core::Status FirstError(std::string text, CalendarReaderOptions options = {}) {
  auto events = ReadText(std::move(text), std::move(options));
  return events.ok() ? core::OkStatus() : events.status();
}

std::string Local(const WallTime& t) {
  return core::FormatIso8601(core::TimePoint(t.local.time_since_epoch()));
}

// A minimal valid event line with `extra` fields appended inside the object.
std::string Event(std::string_view extra = "") {
  std::string line =
      R"({"id":"e1","start":{"dateTime":"2024-03-10T09:30:00.0000000","timeZone":"Pacific Standard Time"},)"
      R"("end":{"dateTime":"2024-03-10T10:00:00.0000000","timeZone":"Pacific Standard Time"})";
  if (!extra.empty()) line += "," + std::string(extra);
  return line + "}\n";
}

// --- The Microsoft sample ------------------------------------------------------------------

TEST(CalendarSample, ReadsEveryEventWithItsFields) {
  auto events = MustRead(SharedText("BasicDataSet_v0.CalendarView_v0.jsonl"));
  // 9 newlines: the last of the 10 events has none.
  ASSERT_EQ(events.size(), 10u);
  const CalendarEvent& e = events[0];
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.type, EventType::kOccurrence);
  EXPECT_FALSE(e.is_cancelled);
  EXPECT_FALSE(e.is_all_day);
  EXPECT_FALSE(e.is_online_meeting);
  EXPECT_EQ(e.is_organizer, true);
  EXPECT_EQ(e.show_as, ShowAs::kBusy);
  EXPECT_EQ(e.response, ResponseType::kOrganizer);
  EXPECT_EQ(Local(e.start), "2020-01-07T22:00:00Z");
  EXPECT_EQ(e.start.time_zone, "UTC");
  EXPECT_EQ(Local(e.end), "2020-01-07T23:00:00Z");
  EXPECT_EQ(e.original_start_time_zone, "Pacific Standard Time");
  ASSERT_TRUE(e.original_start.has_value());
  EXPECT_EQ(core::FormatIso8601(*e.original_start), "2020-01-07T22:00:00Z");
  EXPECT_EQ(e.organizer_address, "LidiaH@M365x723843.OnMicrosoft.com");
  EXPECT_EQ(e.organizer_name, "Lidia Holloway");
  ASSERT_EQ(e.attendees.size(), 4u);
  EXPECT_EQ(e.attendees[0].address, "MeganB@M365x723843.OnMicrosoft.com");
  EXPECT_EQ(e.attendees[0].type, AttendeeType::kRequired);
  EXPECT_EQ(e.attendees[0].response, ResponseType::kAccepted);
  EXPECT_EQ(e.attendees[1].response, ResponseType::kNone);
  EXPECT_EQ(e.attendees[3].type, AttendeeType::kOptional);
  EXPECT_EQ(e.attendees[3].response, ResponseType::kTentativelyAccepted);
  EXPECT_FALSE(e.series_master_id.empty());
  EXPECT_FALSE(e.recurrence.has_value());
  EXPECT_EQ(e.puser, "6618944e-1fe9-4c03-955e-b1ebbf5737c9");
  EXPECT_EQ(e.ptenant, "027d8585-9664-42ed-ae2a-c9e9fddfda22");

  EXPECT_EQ(events[2].show_as, ShowAs::kOof);
  EXPECT_EQ(Local(events[2].end), "2020-12-10T01:30:00Z");
  EXPECT_EQ(events[3].is_organizer, false);
  EXPECT_EQ(events[3].response, ResponseType::kAccepted);
  EXPECT_EQ(events[3].attendees.size(), 5u);
  EXPECT_EQ(events[9].line, 10u);
  EXPECT_EQ(events[9].organizer_address, "MeganB@M365x723843.OnMicrosoft.com");
}

TEST(CalendarSample, SmallChunksAndBatchesGiveTheSameEvents) {
  std::string text = SharedText("BasicDataSet_v0.CalendarView_v0.jsonl");
  auto whole = MustRead(text);
  auto trickled =
      ReadAll(std::make_unique<TrickleSource>(text), {.batch_events = 3, .chunk_bytes = 64});
  ASSERT_TRUE(trickled.ok()) << trickled.status().ToString();
  ASSERT_EQ(trickled->size(), whole.size());
  for (size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ((*trickled)[i].id, whole[i].id);
    EXPECT_EQ((*trickled)[i].line, whole[i].line);
    EXPECT_EQ((*trickled)[i].start.local, whole[i].start.local);
    EXPECT_EQ((*trickled)[i].attendees.size(), whole[i].attendees.size());
  }
}

// --- Field forms ----------------------------------------------------------------------------

TEST(CalendarReader, PlainAndQualifiedEnumsAndStringBooleansAreRead) {
  auto events = MustRead(
      Event(
          R"("type":"microsoft.graph.eventType'exception'","isCancelled":"true",)"
          R"("isAllDay":"False","showAs":"WORKINGELSEWHERE","responseStatus":{"response":"declined"},)"
          R"("attendees":[{"type":"resource","status":{"response":"notResponded"}}])") +
      Event(
          R"("type":"seriesMaster","isCancelled":false,"isOnlineMeeting":true,"showAs":"brandNew")"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, EventType::kException);
  EXPECT_TRUE(events[0].is_cancelled);
  EXPECT_FALSE(events[0].is_all_day);
  EXPECT_EQ(events[0].show_as, ShowAs::kWorkingElsewhere);
  EXPECT_EQ(events[0].response, ResponseType::kDeclined);
  ASSERT_EQ(events[0].attendees.size(), 1u);
  EXPECT_EQ(events[0].attendees[0].type, AttendeeType::kResource);
  EXPECT_EQ(events[0].attendees[0].response, ResponseType::kNotResponded);
  EXPECT_EQ(events[1].type, EventType::kSeriesMaster);
  EXPECT_TRUE(events[1].is_online_meeting);
  EXPECT_EQ(events[1].show_as, ShowAs::kUnknown);  // newer than the reader: not an error
  EXPECT_FALSE(events[1].is_organizer.has_value());
}

TEST(CalendarReader, AbsentTypeIsSingleInstanceAndNullsAreEmpty) {
  auto events = MustRead(
      Event(R"("seriesMasterId":null,"organizer":null,"attendees":null,"recurrence":null)"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kSingleInstance);
  EXPECT_TRUE(events[0].series_master_id.empty());
  EXPECT_TRUE(events[0].attendees.empty());
  EXPECT_EQ(Local(events[0].start), "2024-03-10T09:30:00Z");
  EXPECT_EQ(events[0].start.time_zone, "Pacific Standard Time");
}

TEST(CalendarReader, ReadsTheRecurrenceOfASeriesMaster) {
  auto events = MustRead(Event(
      R"("type":"seriesMaster","recurrence":{"pattern":{"type":"weekly","interval":2,"month":0,)"
      R"("dayOfMonth":0,"daysOfWeek":["monday","Thursday"],"firstDayOfWeek":"sunday","index":"first"},)"
      R"("range":{"type":"endDate","startDate":"2024-01-01","endDate":"2024-06-30",)"
      R"("recurrenceTimeZone":"W. Europe Standard Time","numberOfOccurrences":"0"}})"));
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(events[0].recurrence.has_value());
  const Recurrence& r = *events[0].recurrence;
  EXPECT_EQ(r.pattern_type, "weekly");
  EXPECT_EQ(r.interval, 2);
  EXPECT_EQ(r.days_mask, (1u << 1) | (1u << 4));
  EXPECT_EQ(r.first_day_of_week, 0);
  EXPECT_EQ(r.range_type, "endDate");
  ASSERT_TRUE(r.range_start && r.range_end);
  EXPECT_EQ(core::FormatDate(*r.range_start), "2024-01-01");
  EXPECT_EQ(core::FormatDate(*r.range_end), "2024-06-30");
  EXPECT_EQ(r.recurrence_time_zone, "W. Europe Standard Time");
}

TEST(CalendarReader, SkipsByteOrderMarkAndBlankLines) {
  auto events = MustRead("\xEF\xBB\xBF" + Event() + "\n  \n" + Event());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].line, 1u);
  EXPECT_EQ(events[1].line, 4u);
}

TEST(CalendarReader, DecryptsAddressesNamesAndPuserWithTheColumnCipher) {
  CalendarReaderOptions options;
  options.decrypt_pii = [](std::string_view cipher, std::string& out) {
    out = "plain:" + std::string(cipher);
    return core::OkStatus();
  };
  auto events = MustRead(
      Event(
          R"("puser":"c1","ptenant":"t1","organizer":{"emailAddress":{"address":"c2","name":"c3"}},)"
          R"("attendees":[{"emailAddress":{"address":"c4","name":"c5"}}])"),
      options);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].puser, "plain:c1");
  EXPECT_EQ(events[0].ptenant, "t1");  // not PII: not decrypted
  EXPECT_EQ(events[0].organizer_address, "plain:c2");
  EXPECT_EQ(events[0].organizer_name, "plain:c3");
  EXPECT_EQ(events[0].attendees[0].address, "plain:c4");
  EXPECT_EQ(events[0].attendees[0].name, "plain:c5");
}

// --- Bad input: one named case each ---------------------------------------------------------

TEST(CalendarReaderErrors, MissingStartNamesSourceLineAndField) {
  core::Status s =
      FirstError(Event() + R"({"end":{"dateTime":"2024-03-10T10:00:00","timeZone":"UTC"}})" + "\n",
                 {.source_name = "part-00003.json"});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("part-00003.json: line 2"));
  EXPECT_THAT(s.message(), HasSubstr("field start is missing"));
}

TEST(CalendarReaderErrors, MissingTimeZoneIsDataLoss) {
  core::Status s = FirstError(
      R"({"start":{"dateTime":"2024-03-10T09:00:00"},"end":{"dateTime":"2024-03-10T10:00:00","timeZone":"UTC"}})"
      "\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("start.timeZone is missing"));
}

TEST(CalendarReaderErrors, MalformedDateTimeNamesTheFieldButNotTheValue) {
  core::Status s = FirstError(
      R"({"start":{"dateTime":"SECRET-not-a-time","timeZone":"UTC"},"end":{"dateTime":"2024-03-10T10:00:00","timeZone":"UTC"}})"
      "\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 1"));
  EXPECT_THAT(s.message(), HasSubstr("start.dateTime"));
  EXPECT_THAT(s.message(), Not(HasSubstr("SECRET")));
}

TEST(CalendarReaderErrors, DateTimeWithAZoneOfItsOwnIsRejected) {
  core::Status s =
      FirstError(Event() + R"({"start":{"dateTime":"2024-03-10T09:00:00Z","timeZone":"UTC"},)"
                           R"("end":{"dateTime":"2024-03-10T10:00:00","timeZone":"UTC"}})"
                           "\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 2"));
  EXPECT_THAT(s.message(), HasSubstr("start.dateTime"));
}

TEST(CalendarReaderErrors, WrongJsonTypeOfAnAddressDoesNotQuoteIt) {
  core::Status s = FirstError(Event(R"("attendees":[{"emailAddress":{"address":12345678}}])"));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("attendees[].emailAddress.address must be a string"));
  EXPECT_THAT(s.message(), Not(HasSubstr("12345678")));
}

TEST(CalendarReaderErrors, UnknownEventTypeIsDataLoss) {
  core::Status s = FirstError(Event(R"("type":"meeting")"));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("field type"));
}

TEST(CalendarReaderErrors, UnknownResponseIsDataLoss) {
  core::Status s = FirstError(Event(R"("responseStatus":{"response":"maybe"})"));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("responseStatus.response"));
}

TEST(CalendarReaderErrors, BadBooleanIsDataLoss) {
  core::Status s = FirstError(Event(R"("isCancelled":"perhaps")"));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("isCancelled must be true or false"));
}

TEST(CalendarReaderErrors, LineThatIsNotJsonNamesLineAndOffset) {
  std::string first = Event();
  core::Status s = FirstError(first + "{\"start\": [1, 2\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 2 (byte offset " + std::to_string(first.size()) + ")"));
}

TEST(CalendarReaderErrors, ArrayInsteadOfObjectIsDataLoss) {
  core::Status s = FirstError("[1,2,3]\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("is not a JSON object"));
}

TEST(CalendarReaderErrors, TextAfterTheObjectIsDataLoss) {
  std::string line = Event();
  line.pop_back();
  core::Status s = FirstError(line + " {}\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
}

TEST(CalendarReaderErrors, LineLongerThanTheLimitIsDataLoss) {
  std::string padding(5000, ' ');
  core::Status s =
      FirstError(Event() + "{" + padding + "}\n", {.max_line_bytes = 1024, .chunk_bytes = 256});
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 2"));
  EXPECT_THAT(s.message(), HasSubstr("1024-byte limit"));
}

TEST(CalendarReaderErrors, DecryptionFailureKeepsItsCodeAndNamesTheLine) {
  CalendarReaderOptions options;
  options.decrypt_pii = [](std::string_view, std::string&) {
    return core::DataLossError("column cipher: bad padding");
  };
  core::Status s = FirstError(Event(R"("puser":"xx")"), options);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 1"));
  EXPECT_THAT(s.message(), HasSubstr("field puser"));
}

TEST(CalendarReaderErrors, ErrorsAreStickyAndNoPartialBatchIsReturned) {
  auto reader = OpenCalendarReader(core::MemorySource::Owning(Event() + "nope\n" + Event()));
  ASSERT_TRUE(reader.ok());
  CalendarBatch batch;
  auto first = (*reader)->Next(batch);
  EXPECT_EQ(first.status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(batch.empty());
  auto second = (*reader)->Next(batch);
  EXPECT_EQ(second.status().code(), StatusCode::kDataLoss);
}

TEST(CalendarReaderErrors, OpenRejectsANullSourceAndZeroSizes) {
  EXPECT_EQ(OpenCalendarReader(nullptr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenCalendarReader(core::MemorySource::Owning(""), {.batch_events = 0}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::formats
