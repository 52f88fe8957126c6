// ICU does the zone work: TimeZone::getIDForWindowsID (CLDR windowsZones), createTimeZone (the
// IANA rules) and BasicTimeZone::getOffsetFromLocal for wall times around DST transitions.
#include "meetings/time_zone.h"

#include <unicode/basictz.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <cmath>

#include "core/strings.h"

namespace vivalink::meetings {

struct TimeZone::Impl {
  std::unique_ptr<icu::BasicTimeZone> zone;
};

TimeZone::TimeZone(std::string id, std::unique_ptr<Impl> impl)
    : id_(std::move(id)), impl_(std::move(impl)) {}
TimeZone::~TimeZone() = default;

core::TimePoint TimeZone::ToUtc(LocalTime local) const {
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  // FORMER for both: a skipped wall time is read with the offset before the gap (so it lands
  // after the gap), a repeated one with the offset before the fall-back (its first occurrence).
  impl_->zone->getOffsetFromLocal(static_cast<UDate>(local.time_since_epoch().count()),
                                  UCAL_TZ_LOCAL_FORMER, UCAL_TZ_LOCAL_FORMER, raw, dst, status);
  if (U_FAILURE(status)) raw = dst = 0;  // only for dates outside ICU's range (year > 5e6)
  return core::TimePoint(local.time_since_epoch() - std::chrono::milliseconds(raw + dst));
}

LocalTime TimeZone::ToLocal(core::TimePoint utc) const {
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  impl_->zone->getOffset(static_cast<UDate>(utc.time_since_epoch().count()), false, raw, dst,
                         status);
  if (U_FAILURE(status)) raw = dst = 0;
  return LocalTime(utc.time_since_epoch() + std::chrono::milliseconds(raw + dst));
}

TimeZoneCache::TimeZoneCache() = default;
TimeZoneCache::~TimeZoneCache() = default;

core::Result<const TimeZone*> TimeZoneCache::Find(std::string_view name) {
  auto it = zones_.find(name);
  if (it != zones_.end()) return it->second.get();
  std::string_view trimmed = core::Trim(name);
  icu::UnicodeString id;
  if (core::EqualsIgnoreCase(trimmed, "tzone://Microsoft/Utc") ||
      core::EqualsIgnoreCase(trimmed, "UTC")) {
    id = icu::UnicodeString("Etc/UTC");
  } else {
    icu::UnicodeString given = icu::UnicodeString::fromUTF8(
        icu::StringPiece(trimmed.data(), static_cast<int32_t>(trimmed.size())));
    UErrorCode status = U_ZERO_ERROR;
    icu::TimeZone::getIDForWindowsID(given, nullptr, id, status);
    if (U_FAILURE(status) || id.isEmpty()) {
      // Not a Windows name: an IANA id, accepted when ICU knows it (canonical or an alias).
      UErrorCode canonical_status = U_ZERO_ERROR;
      UBool is_system = false;
      icu::UnicodeString canonical;
      icu::TimeZone::getCanonicalID(given, canonical, is_system, canonical_status);
      if (U_FAILURE(canonical_status) || !is_system)
        id.remove();
      else
        id = given;
    }
  }
  if (id.isEmpty()) {
    return core::NotFoundError("time zone '" + std::string(trimmed) +
                               "' is neither an IANA zone nor a Windows zone name (Outlook "
                               "custom zones are not supported)");
  }
  std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(id));
  auto* basic = dynamic_cast<icu::BasicTimeZone*>(zone.get());
  if (basic == nullptr || *zone == icu::TimeZone::getUnknown()) {
    return core::NotFoundError("time zone '" + std::string(trimmed) + "' is unknown to ICU");
  }
  zone.release();
  auto impl = std::make_unique<TimeZone::Impl>();
  impl->zone.reset(basic);
  std::string utf8;
  id.toUTF8String(utf8);
  auto tz = std::unique_ptr<TimeZone>(new TimeZone(std::move(utf8), std::move(impl)));
  const TimeZone* out = tz.get();
  zones_.emplace(std::string(name), std::move(tz));
  return out;
}

}  // namespace vivalink::meetings
