// person_week_packed.id (db/schema.h, migration 4): tenant number, week (days since 1970-01-01)
// and person number in one 63-bit integer, so that a tenant's rows, and a week's rows of a
// tenant, are one id range.
#pragma once

#include <cstdint>

namespace vivalink::warehouse::internal {

inline constexpr int kPersonBits = 27;  // 134 million persons a tenant
inline constexpr int kWeekBits = 20;    // days up to the year 4840
inline constexpr int kTenantBits = 16;  // 65,535 tenants a database
inline constexpr std::int64_t kPersonMask = (std::int64_t{1} << kPersonBits) - 1;
inline constexpr std::int64_t kWeekMask = (std::int64_t{1} << kWeekBits) - 1;

inline constexpr std::int64_t PersonWeekId(std::int64_t tenant_no, std::int64_t week,
                                           std::int64_t person_no) {
  return (tenant_no << (kPersonBits + kWeekBits)) | (week << kPersonBits) | person_no;
}
// The first and last id of a tenant's rows.
inline constexpr std::int64_t TenantFirstId(std::int64_t tenant_no) {
  return tenant_no << (kPersonBits + kWeekBits);
}
inline constexpr std::int64_t TenantLastId(std::int64_t tenant_no) {
  return TenantFirstId(tenant_no + 1) - 1;
}
inline constexpr std::int64_t WeekOf(std::int64_t id) { return (id >> kPersonBits) & kWeekMask; }
inline constexpr std::int64_t PersonOf(std::int64_t id) { return id & kPersonMask; }

}  // namespace vivalink::warehouse::internal
