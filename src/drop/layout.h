// Where drops live in the partner container (PROTOCOL §2):
//   {RunId}/VivaInsights/{TenantId}/part-00000.json.gz ...
//   {RunId}/VivaInsights/{TenantId}/metadata/JobMetadata/metadata.json   (written last)
//   {RunId}/AADUser/{TenantId}/...                                       (user export, same shape)
//   {RunId}/CalendarView/{TenantId}/...   Outlook calendars (MGDC CalendarView_v0), same shape
//   {RunId}/Event/{TenantId}/...          Outlook events (MGDC Event_v1), same shape
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/blob_store.h"

namespace vivalink::drop {

inline constexpr std::string_view kMetricsKind = "VivaInsights";
inline constexpr std::string_view kUsersKind = "AADUser";
inline constexpr std::string_view kCalendarViewKind = "CalendarView";
inline constexpr std::string_view kEventKind = "Event";
// A drop of Outlook calendar rows (CalendarView or Event): read as events, not as metric rows.
inline bool IsCalendarKind(std::string_view kind) {
  return kind == kCalendarViewKind || kind == kEventKind;
}
inline constexpr std::string_view kMetadataSuffix = "metadata/JobMetadata/metadata.json";

struct DropRef {
  std::string run_id;
  std::string kind;  // "VivaInsights", "AADUser", "CalendarView" or "Event"
  std::string tenant_id;

  // "{run}/{kind}/{tenant}/"
  std::string prefix() const;
  std::string metadata_path() const;
  std::string part_path(int index) const;  // part-00000.json.gz
  std::string ToString() const;            // "{run}/{kind}/{tenant}"
  bool operator==(const DropRef&) const = default;
};

// Accepts "{run}/{kind}/{tenant}", with or without a trailing '/', or the full metadata path.
// kInvalidArgument says which part is wrong (RunId and TenantId must be GUIDs).
core::Result<DropRef> ParseDropRef(std::string_view path);

// A drop whose metadata.json exists, as found by listing.
struct FoundDrop {
  DropRef ref;
  store::BlobProperties metadata;  // ETag and creation time of metadata.json
};

// Lists every complete drop (metadata.json present) under prefix (e.g. "" or a run id), both
// kinds, sorted by metadata creation time then name.
core::Result<std::vector<FoundDrop>> ListDrops(store::BlobStore& store,
                                               std::string_view prefix = "");

// The data parts of a drop (every blob under its prefix outside metadata/), sorted by name.
core::Result<std::vector<store::BlobProperties>> ListParts(store::BlobStore& store,
                                                           const DropRef& ref);

}  // namespace vivalink::drop
