// Weekly Viva Insights metrics of the synthetic organisation, in one canonical internal form
// (an array indexed by sim::Metric); sim/writers.h turns them into the three row shapes.
//
// A person-week is a pure function of (seed, tenant, person, week) and the person's traits:
//   presence   = tenant holiday factor x individual vacation (a vacation week keeps 0-25% of the
//                activity; 40% of vacation weeks are fully absent: all zeros, IsActive false)
//   components = Meeting, Email, Chat, Call (= scheduled + unscheduled) hours split from a
//                lognormal weekly collaboration total by the person's shares, each with noise
//   Collaboration hours = Meeting + Email + Chat + Call - Multitasking hours (overlap counted once)
//   After-hours X <= X for every component; Working-hours X = X - After-hours X (exactly), so
//   Working-hours collaboration + After-hours collaboration = Collaboration hours
//   Available-to-focus hours = share of meeting-free working time (40 h x presence) in 2h+ blocks,
//                so it falls as meeting load rises; Uninterrupted + Interrupted = meeting-free time
//   Conflicting meeting hours grow faster than linearly with meeting hours (<= 60% of them)
//   External collaboration hours <= Collaboration hours; counts and network sizes are integers.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "sim/columns.h"
#include "sim/organization.h"

namespace vivalink::sim {

struct WeekMetrics {
  std::array<double, kMetricCount> values{};  // hours or counts, never negative
  bool is_active = false;                     // any collaboration at all this week

  double operator[](Metric m) const { return values[Index(m)]; }
  double& operator[](Metric m) { return values[Index(m)]; }
};

// The metrics of person p of tenant t in week w. A person not employed in w gets all zeros
// (inactive). Deterministic; thread-safe (reads org only).
WeekMetrics PersonWeekMetrics(const Organization& org, const Tenant& t, const Person& p, int week);

// One row of the weekly Viva Insights output.
struct MetricRow {
  const Person* person = nullptr;  // points into the Organization; valid while it lives
  core::Date metric_date;          // the week's start (a Sunday)
  WeekMetrics metrics;
};

// Rows of one week of one tenant, as the Viva Insights pipeline extracts them: every licensed
// person employed that week (active or not), in person order. kInvalidArgument for a tenant or
// week out of range. ~600 bytes per row.
core::Result<std::vector<MetricRow>> MetricsForWeek(const Organization& org, size_t tenant,
                                                    int week);

}  // namespace vivalink::sim
