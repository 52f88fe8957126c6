#include "drop/layout.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/strings.h"
#include "core/uuid.h"

namespace vivalink::drop {

std::string DropRef::prefix() const { return fmt::format("{}/{}/{}/", run_id, kind, tenant_id); }
std::string DropRef::metadata_path() const { return prefix() + std::string(kMetadataSuffix); }
std::string DropRef::part_path(int index) const {
  return fmt::format("{}part-{:05}.json.gz", prefix(), index);
}
std::string DropRef::ToString() const { return fmt::format("{}/{}/{}", run_id, kind, tenant_id); }

core::Result<DropRef> ParseDropRef(std::string_view path) {
  std::string_view p = path;
  if (p.ends_with(kMetadataSuffix)) p.remove_suffix(kMetadataSuffix.size());
  while (p.ends_with('/')) p.remove_suffix(1);
  auto parts = core::Split(p, '/');
  if (parts.size() != 3) {
    return core::InvalidArgumentError(
        fmt::format("'{}' is not a drop: expected <RunId>/<kind>/<TenantId>, kind VivaInsights, "
                    "AADUser, CalendarView or Event",
                    path));
  }
  if (!core::IsUuid(parts[0])) {
    return core::InvalidArgumentError(
        fmt::format("drop '{}': RunId '{}' is not a GUID", path, parts[0]));
  }
  if (parts[1] != kMetricsKind && parts[1] != kUsersKind && !IsCalendarKind(parts[1])) {
    return core::InvalidArgumentError(fmt::format(
        "drop '{}': '{}' is not a drop kind (VivaInsights, AADUser, CalendarView, Event)", path,
        parts[1]));
  }
  if (!core::IsUuid(parts[2])) {
    return core::InvalidArgumentError(
        fmt::format("drop '{}': TenantId '{}' is not a GUID", path, parts[2]));
  }
  return DropRef{std::string(parts[0]), std::string(parts[1]), std::string(parts[2])};
}

core::Result<std::vector<FoundDrop>> ListDrops(store::BlobStore& store, std::string_view prefix) {
  ASSIGN_OR_RETURN(auto blobs, store::ListAll(store, prefix));
  std::vector<FoundDrop> out;
  for (auto& b : blobs) {
    if (!b.name.ends_with(kMetadataSuffix)) continue;
    auto ref = ParseDropRef(b.name);
    if (!ref.ok())
      continue;  // not laid out as a drop: ignore (other tools may share the container)
    if (b.name != ref->metadata_path()) continue;
    out.push_back({std::move(*ref), std::move(b)});
  }
  std::sort(out.begin(), out.end(), [](const FoundDrop& a, const FoundDrop& b) {
    if (a.metadata.created != b.metadata.created) return a.metadata.created < b.metadata.created;
    return a.metadata.name < b.metadata.name;
  });
  return out;
}

core::Result<std::vector<store::BlobProperties>> ListParts(store::BlobStore& store,
                                                           const DropRef& ref) {
  ASSIGN_OR_RETURN(auto blobs, store::ListAll(store, ref.prefix()));
  std::vector<store::BlobProperties> parts;
  std::string metadata_dir = ref.prefix() + "metadata/";
  for (auto& b : blobs) {
    if (b.name.starts_with(metadata_dir)) continue;
    parts.push_back(std::move(b));
  }
  std::sort(parts.begin(), parts.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return parts;
}

}  // namespace vivalink::drop
