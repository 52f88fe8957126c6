#include "meetings/time_zone.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vivalink::meetings {
namespace {

using core::StatusCode;
using ::testing::HasSubstr;

LocalTime Local(std::string_view text) {
  auto t = core::ParseIso8601(text);
  EXPECT_TRUE(t.ok()) << text;
  return LocalTime(t.ok() ? t->time_since_epoch() : std::chrono::milliseconds(0));
}

std::string Utc(core::TimePoint t) { return core::FormatIso8601(t); }
std::string LocalText(LocalTime t) {
  return core::FormatIso8601(core::TimePoint(t.time_since_epoch()));
}

TEST(TimeZones, WindowsNamesMapToTheirCldrZones) {
  TimeZoneCache zones;
  auto berlin = zones.Find("W. Europe Standard Time");
  ASSERT_TRUE(berlin.ok()) << berlin.status().ToString();
  EXPECT_EQ((*berlin)->id(), "Europe/Berlin");
  auto pacific = zones.Find("Pacific Standard Time");
  ASSERT_TRUE(pacific.ok());
  EXPECT_EQ((*pacific)->id(), "America/Los_Angeles");
  auto tokyo = zones.Find("Tokyo Standard Time");
  ASSERT_TRUE(tokyo.ok());
  EXPECT_EQ((*tokyo)->id(), "Asia/Tokyo");
}

TEST(TimeZones, IanaIdsAliasesAndUtcSpellingsAreAccepted) {
  TimeZoneCache zones;
  for (std::string_view name :
       {"Europe/Paris", "US/Pacific", "UTC", "tzone://Microsoft/Utc", "Asia/Kolkata"}) {
    auto z = zones.Find(name);
    EXPECT_TRUE(z.ok()) << name << ": " << z.status().ToString();
  }
  EXPECT_EQ((*zones.Find("UTC"))->id(), "Etc/UTC");
}

TEST(TimeZones, CustomAndUnknownZonesAreNotFound) {
  TimeZoneCache zones;
  auto custom = zones.Find("tzone://Microsoft/Custom");
  EXPECT_EQ(custom.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(custom.status().message(), HasSubstr("custom"));
  EXPECT_EQ(zones.Find("Mars/Olympus_Mons").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(zones.Find("").status().code(), StatusCode::kNotFound);
}

TEST(TimeZones, WinterAndSummerOffsetsFollowTheRules) {
  TimeZoneCache zones;
  const TimeZone* berlin = *zones.Find("W. Europe Standard Time");
  EXPECT_EQ(Utc(berlin->ToUtc(Local("2024-01-15T10:00:00"))), "2024-01-15T09:00:00Z");
  EXPECT_EQ(Utc(berlin->ToUtc(Local("2024-07-15T10:00:00"))), "2024-07-15T08:00:00Z");
  EXPECT_EQ(LocalText(berlin->ToLocal(*core::ParseIso8601("2024-07-15T08:00:00Z"))),
            "2024-07-15T10:00:00Z");
}

TEST(TimeZones, WallTimeInTheSpringGapMovesForward) {
  TimeZoneCache zones;
  const TimeZone* la = *zones.Find("America/Los_Angeles");
  // 2024-03-10 02:00 PST -> 03:00 PDT: 02:30 does not exist; read as 02:30 PST = 10:30 UTC,
  // which is 03:30 PDT.
  EXPECT_EQ(Utc(la->ToUtc(Local("2024-03-10T02:30:00"))), "2024-03-10T10:30:00Z");
  EXPECT_EQ(Utc(la->ToUtc(Local("2024-03-10T01:30:00"))), "2024-03-10T09:30:00Z");
  EXPECT_EQ(Utc(la->ToUtc(Local("2024-03-10T03:30:00"))), "2024-03-10T10:30:00Z");
}

TEST(TimeZones, RepeatedWallTimeTakesItsFirstOccurrence) {
  TimeZoneCache zones;
  const TimeZone* la = *zones.Find("Pacific Standard Time");
  // 2024-11-03 02:00 PDT -> 01:00 PST: 01:30 happens twice; the first is PDT (UTC-7).
  EXPECT_EQ(Utc(la->ToUtc(Local("2024-11-03T01:30:00"))), "2024-11-03T08:30:00Z");
  EXPECT_EQ(Utc(la->ToUtc(Local("2024-11-03T02:30:00"))), "2024-11-03T10:30:00Z");
}

}  // namespace
}  // namespace vivalink::meetings
