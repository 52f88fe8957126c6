// Data hygiene: find the weeks, persons and person-weeks that distort behavioural averages, and
// drop them. The first three rules are vivainsights' identify_holidayweeks,
// identify_inactiveweeks and identify_nkw (checked against vivainsights-py itself:
// tests/golden/parity_*); `metric` is Collaboration_hours by default:
//   - holiday weeks: the week's mean of the metric over its person-weeks with a value; z of each
//     week's mean against the mean and SAMPLE sd of all weeks' means; flagged when
//     z < holiday_z (-1). No week is flagged with fewer than holiday_min_weeks weeks (8) or a
//     zero sd. vivainsights' identify_holidayweeks has no such minimum; with few weeks a sd of
//     week means says nothing about holidays (on 4 weeks one week in four lies more than 1 sd
//     below the mean in ordinary data, and the rule removed 26% of a 4-week world), so vivalink
//     judges holidays only once there are enough weeks. Set holiday_min_weeks = 2 for parity.
//   - inactive person-weeks: per person, z of each weekly value against that person's own mean
//     and POPULATION sd (n denominator, as identify_inactiveweeks); flagged when
//     z <= inactive_z (-2). Persons with sd 0 (or one week) are never flagged. Unlike
//     identify_inactiveweeks, vivalink never relaxes the threshold when nothing is flagged (that
//     package then flags its 5% lowest z-scores).
//   - non-knowledge workers: persons whose mean of the metric is < nkw_threshold (5 hours).
//   - outlier person-weeks (vivalink's own rule; NOT vivainsights' identify_outlier, which gives
//     z-scores of week means, i.e. the holiday rule's statistic): value > Q3 +
//     outlier_iqr_multiplier * (Q3 - Q1) (3), with the quartiles (type 7) over all person-weeks
//     with a value. Only the upper fence is used: the metrics are non-negative hours, where low
//     values are what inactive-week detection is for.
// Rows with a missing metric value take part in no rule and are never flagged.
// Every rule is evaluated on the frame given (not one after another).
// Exclusion lists are ordered by week (chronological, see LevelOrder) then person.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/frame.h"
#include "core/status.h"

namespace vivalink::analysis {

struct HygieneOptions {
  std::string metric = "Collaboration_hours";
  std::string person_column = "PersonId";
  std::string week_column = "MetricDate";
  bool holiday_weeks = true;
  double holiday_z = -1;
  int holiday_min_weeks = 8;  // weeks with a value needed before any week is judged (>= 2)
  bool inactive_weeks = true;
  double inactive_z = -2;
  bool non_knowledge_workers = true;
  double nkw_threshold = 5;
  bool outlier_weeks = true;
  double outlier_iqr_multiplier = 3;
};

enum class ExclusionKind {
  kHolidayWeek,
  kInactivePersonWeek,
  kNonKnowledgeWorker,
  kOutlierPersonWeek
};
// "holiday_week", "inactive_person_week", "non_knowledge_worker", "outlier_person_week".
std::string_view ExclusionKindName(ExclusionKind kind);

struct Exclusion {
  ExclusionKind kind = ExclusionKind::kHolidayWeek;
  std::string person;  // "" for a holiday week
  std::string week;    // "" for a non-knowledge worker
  double value = 0;    // week mean / person-week value / person mean / person-week value
  double score = 0;    // holiday and inactive: z; non-knowledge worker: NaN; outlier: the fence
};

struct HygieneResult {
  std::vector<Exclusion> exclusions;
};

// Each finder returns only its kind of exclusion, ignoring the rule switches in options.
// Errors (all): kInvalidArgument for an unknown column or one of the wrong kind.
core::Result<HygieneResult> FindHolidayWeeks(const Frame& frame,
                                             const HygieneOptions& options = {});
core::Result<HygieneResult> FindInactiveWeeks(const Frame& frame,
                                              const HygieneOptions& options = {});
core::Result<HygieneResult> FindNonKnowledgeWorkers(const Frame& frame,
                                                    const HygieneOptions& options = {});
core::Result<HygieneResult> FindOutlierWeeks(const Frame& frame,
                                             const HygieneOptions& options = {});

struct FilteredFrame {
  Frame frame;                        // the rows kept
  std::vector<Exclusion> exclusions;  // every rule switched on, in the order of the finders above
  int64_t rows_removed = 0;
};
// Applies every rule switched on in options and removes: every row of a holiday week, the rows of
// flagged person-weeks, and every row of a non-knowledge worker.
core::Result<FilteredFrame> ExcludeHygiene(const Frame& frame, const HygieneOptions& options = {});

// CSV: kind,person,week,value,score. JSON: {"analysis":"hygiene", exclusions:[...]}.
std::string ToCsv(const HygieneResult& result);
std::string ToJson(const HygieneResult& result);

}  // namespace vivalink::analysis
