// Time zones of Outlook events and of people's working hours, resolved by ICU (Debian's libicu,
// which carries the IANA rules and CLDR's Windows-to-IANA table): nothing here hand-writes a rule.
//
// Outlook and Graph name zones in two ways: IANA ids ("Europe/Berlin") and Windows names ("W.
// Europe Standard Time", "Pacific Standard Time"), plus "UTC" and "tzone://Microsoft/Utc". A
// Windows name maps to CLDR's default ("001") zone of that name. "tzone://Microsoft/Custom" (a
// zone defined inside one event) and unknown names are kNotFound.
//
// Local to UTC follows Windows' calendar behaviour at DST transitions: a wall time skipped by a
// spring-forward gap moves forward by the gap (02:30 -> 03:30 daylight time), and a wall time
// repeated by a fall-back takes its first (daylight-time) occurrence.
//
// Not thread-safe: one TimeZoneCache per thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace vivalink::meetings {

using LocalTime = std::chrono::local_time<std::chrono::milliseconds>;

class TimeZone {
 public:
  ~TimeZone();
  TimeZone(const TimeZone&) = delete;
  TimeZone& operator=(const TimeZone&) = delete;

  // The IANA id ICU resolved the name to ("America/Los_Angeles"; "Etc/UTC" for UTC).
  const std::string& id() const { return id_; }
  core::TimePoint ToUtc(LocalTime local) const;
  LocalTime ToLocal(core::TimePoint utc) const;

 private:
  friend class TimeZoneCache;
  struct Impl;
  TimeZone(std::string id, std::unique_ptr<Impl> impl);
  std::string id_;
  std::unique_ptr<Impl> impl_;
};

// Resolves and keeps the zones a stream names; the returned pointers live as long as the cache.
class TimeZoneCache {
 public:
  TimeZoneCache();
  ~TimeZoneCache();
  // kNotFound (naming the zone: zone names are not personal data) for a name that is neither an
  // IANA id nor a Windows zone name, and for Outlook's custom zones.
  core::Result<const TimeZone*> Find(std::string_view name);

 private:
  std::map<std::string, std::unique_ptr<TimeZone>, std::less<>> zones_;
};

}  // namespace vivalink::meetings
