#include "sim/metrics.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/random.h"

namespace vivalink::sim {
namespace {

double Count(double x) { return std::max(0.0, std::floor(x + 0.5)); }

}  // namespace

WeekMetrics PersonWeekMetrics(const Organization& org, const Tenant& t, const Person& p, int week) {
  WeekMetrics m;
  if (week < 0 || week >= org.options.weeks || !p.EmployedIn(week)) return m;
  const PersonTraits& tr = p.traits;
  Rng r(org.options.seed, Stream::kPersonWeek, t.index, p.index, static_cast<uint64_t>(week));

  double presence = t.week_factor[static_cast<size_t>(week)];
  if (r.Bernoulli(tr.vacation_rate)) {
    if (r.Bernoulli(0.4)) return m;  // away the whole week: no activity at all
    presence *= r.Uniform(0.02, 0.25);
  }

  // The four components and their overlap.
  const double total = tr.collaboration_hours * presence * r.Jitter(0.15);
  const double meeting_share = std::clamp(tr.meeting_share * r.Jitter(0.15), 0.03, 0.85);
  const double meeting = total * meeting_share;
  const double rest = total - meeting;
  const double we = tr.email_weight * r.Jitter(0.2);
  const double wc = tr.chat_weight * r.Jitter(0.25);
  const double wk = tr.call_weight * r.Jitter(0.3);
  const double email = rest * we / (we + wc + wk);
  const double chat = rest * wc / (we + wc + wk);
  const double call = rest - email - chat;
  const double scheduled = call * std::clamp(tr.scheduled_call_share * r.Jitter(0.1), 0.0, 1.0);
  const double unscheduled = call - scheduled;
  const double overlap =
      std::min(meeting, email + chat) * std::min(0.5, tr.multitask_rate * r.Jitter(0.2));
  const double collaboration = meeting + email + chat + call - overlap;

  // After hours: each component keeps a share of itself, so no part exceeds its whole; the
  // overlap is after hours in the same proportion as meetings, which keeps the total <= whole.
  const double ah = std::min(0.7, tr.after_hours_share * r.Jitter(0.25));
  const auto share = [ah](double factor) { return std::min(0.9, ah * factor); };
  const double ah_meeting = meeting * share(0.7);
  const double ah_email = email * share(1.5);
  const double ah_chat = chat * share(1.3);
  const double ah_scheduled = scheduled * share(0.8);
  const double ah_unscheduled = unscheduled * share(1.1);
  const double ah_overlap = overlap * share(0.7);
  const double ah_collaboration =
      ah_meeting + ah_email + ah_chat + ah_scheduled + ah_unscheduled - ah_overlap;

  // External share of each component.
  const double xe = std::min(0.9, tr.external_share * r.Jitter(0.2));
  const double ext_meeting = meeting * std::min(1.0, xe * r.Uniform(0.8, 1.2));
  const double ext_email = email * std::min(1.0, xe * r.Uniform(0.9, 1.4));
  const double ext_chat = chat * xe * 0.4;
  const double ext_unscheduled = unscheduled * std::min(1.0, xe * r.Uniform(0.8, 1.2));
  const double external = std::min(
      collaboration, ext_meeting + ext_email + ext_chat + ext_unscheduled + scheduled * xe);

  // Counts.
  const double meetings =
      meeting > 0 ? std::max(1.0, double(r.Poisson(meeting / tr.meeting_length))) : 0;
  const double emails = double(r.Poisson(email * tr.emails_per_hour));
  const double chats = double(r.Poisson(chat * tr.chats_per_hour));
  const double calls = call > 0 ? std::max(1.0, double(r.Poisson(call / tr.call_length))) : 0;

  // Focus: meeting-free working time, fragmented more as the number of meetings grows.
  const double working_time = 40.0 * presence;
  const double meeting_free =
      std::max(0.0, working_time - (meeting - ah_meeting) - (scheduled - ah_scheduled));
  const double fragmentation =
      std::clamp(tr.focus_fragmentation * std::exp(-0.01 * meetings) * r.Jitter(0.1), 0.0, 0.95);
  const double focus = meeting_free * fragmentation;
  const double uninterrupted = focus + (meeting_free - focus) * r.Uniform(0.2, 0.5);

  // Double-booking rises faster than meeting load.
  const double conflicting =
      std::min(0.6 * meeting, meeting * tr.conflict_rate * (0.5 + meeting / 10.0) * r.Jitter(0.3));

  // Meeting sizes and lengths; recurring parts.
  const double small = std::clamp(tr.small_meeting_share * r.Jitter(0.1), 0.0, 1.0);
  const double longer = std::clamp(tr.long_meeting_share * r.Jitter(0.1), 0.0, 1.0);
  const double small_short = meeting * small * (1 - longer);
  const double small_long = meeting * small * longer;
  const double large_short = meeting * (1 - small) * (1 - longer);
  const double large_long = meeting * (1 - small) * longer;
  const double recurring = std::min(1.0, tr.recurring_share * r.Jitter(0.15));
  const double rec_ss = small_short * recurring, rec_sl = small_long * recurring;
  const double rec_ls = large_short * recurring, rec_ll = large_long * recurring;

  // Manager relationship.
  double mgr_hours = 0, mgr_1on1 = 0, skip_hours = 0, mgr_meetings = 0, mgr_1on1_meetings = 0,
         skip_meetings = 0, mgr_calls = 0, mgr_1on1_calls = 0;
  if (p.manager >= 0) {
    mgr_hours = std::min(0.8 * meeting, meeting * tr.manager_meeting_share * r.Jitter(0.3));
    mgr_1on1 = std::min(mgr_hours, r.Uniform(0.0, 1.0) * presence);
    skip_hours = (meeting - mgr_hours) * r.Uniform(0.0, 0.05);
    mgr_meetings = mgr_hours > 0.05
                       ? std::min(meetings, std::max(1.0, Count(mgr_hours / tr.meeting_length)))
                       : 0;
    mgr_1on1_meetings = mgr_1on1 > 0.1 ? std::min(mgr_meetings, 1.0) : 0;
    skip_meetings = skip_hours > 0.1 ? std::min(meetings - mgr_meetings, 1.0) : 0;
    mgr_calls = unscheduled * r.Uniform(0.0, 0.15);
    mgr_1on1_calls = mgr_calls * r.Uniform(0.3, 0.8);
  }
  double with_reports = 0, coaching = 0;
  if (p.direct_reports > 0) {
    with_reports = collaboration * r.Uniform(0.1, 0.25);
    coaching = std::min(meeting * 0.5, p.direct_reports * 0.4 * presence * r.Uniform(0.3, 1.0));
  }
  const double internal_meeting = meeting - ext_meeting;

  using M = Metric;
  m[M::kAfterHoursCollaborationHours] = ah_collaboration;
  m[M::kAfterHoursEmailHours] = ah_email;
  m[M::kAfterHoursCallHours] = ah_scheduled + ah_unscheduled;
  m[M::kAfterHoursUnscheduledCallHours] = ah_unscheduled;
  m[M::kAfterHoursScheduledCallHours] = ah_scheduled;
  m[M::kAfterHoursChatHours] = ah_chat;
  m[M::kAfterHoursMeetingHours] = ah_meeting;
  m[M::kCollaborationHours] = collaboration;
  m[M::kEmailHours] = email;
  m[M::kMeetingHours] = meeting;
  m[M::kChatHours] = chat;
  m[M::kCallHours] = call;
  m[M::kUnscheduledCallHours] = unscheduled;
  m[M::kScheduledCallHours] = scheduled;
  m[M::kMultitaskingHours] = overlap;
  m[M::kEmailsSent] = emails;
  m[M::kMeetings] = meetings;
  m[M::kChatsSent] = chats;
  m[M::kCalls] = calls;
  m[M::kMeetingAndCallHours] = meeting + call;
  m[M::kWeekendEmailsSent] = std::min(emails, double(r.Poisson(emails * tr.weekend_rate)));
  m[M::kWeekendChatsSent] = std::min(chats, double(r.Poisson(chats * tr.weekend_rate)));
  m[M::kWeekendMeetings] = std::min(meetings, double(r.Poisson(meetings * tr.weekend_rate * 0.2)));
  m[M::kUnscheduledWeekendCalls] =
      std::min(calls, double(r.Poisson(calls * tr.weekend_rate * 0.5)));
  m[M::kUrgentEmailHours] = std::min(email, email * tr.urgent_rate * r.Uniform(0.5, 1.5));
  m[M::kUrgentMeetingHours] = meeting * tr.urgent_rate * 0.5 * r.Uniform(0.5, 1.5);
  m[M::kSmallGroupMeetingCallChatHours] =
      std::min(meeting + call + chat, small_short + small_long + call * 0.7 + chat * 0.6);
  m[M::kSmallGroupEmailsSentExclManager] = Count(emails * r.Uniform(0.3, 0.6));
  m[M::kSmallGroupChatsSentExclManager] = Count(chats * r.Uniform(0.3, 0.6));
  m[M::kInternalMeetingHoursWithoutManager1on1] = std::max(0.0, internal_meeting - mgr_1on1);
  m[M::kInternalMeetingHours3to8] = internal_meeting * r.Uniform(0.3, 0.5);
  m[M::kUnscheduledCallHoursWithManager1on1] = mgr_1on1_calls;
  m[M::kUnscheduledCallHoursWithManager] = mgr_calls;
  m[M::kCollaborationHoursWithDirectReports] = with_reports;
  m[M::kSmallGroupEmailsSentInclManager] =
      p.manager >= 0 ? Count(emails * r.Uniform(0.05, 0.15)) : 0;
  m[M::kSmallGroupChatsSentInclManager] = p.manager >= 0 ? Count(chats * r.Uniform(0.05, 0.15)) : 0;
  m[M::kManagerCoachingHours1on1] = coaching;
  m[M::kMeetingHoursWithManager] = mgr_hours;
  m[M::kMeetingHoursWithManager1on1] = mgr_1on1;
  m[M::kMeetingHoursWithSkipLevel] = skip_hours;
  m[M::kMeetingsWithManager] = mgr_meetings;
  m[M::kMeetingsWithManager1on1] = mgr_1on1_meetings;
  m[M::kMeetingsWithSkipLevel] = skip_meetings;
  m[M::kExternalCollaborationHours] = external;
  m[M::kExternalUnscheduledCallHours] = ext_unscheduled;
  m[M::kExternalEmailHours] = ext_email;
  m[M::kExternalChatHours] = ext_chat;
  m[M::kExternalMeetingHours] = ext_meeting;
  m[M::kAvailableToFocusHours] = focus;
  m[M::kUninterruptedHours] = uninterrupted;
  m[M::kInterruptedHours] = meeting_free - uninterrupted;
  m[M::kConflictingMeetingHours] = conflicting;
  m[M::kSmallShortMeetingHours] = small_short;
  m[M::kSmallShortRecurringMeetingHours] = rec_ss;
  m[M::kLargeLongMeetingHours] = large_long;
  m[M::kLargeLongRecurringMeetingHours] = rec_ll;
  m[M::kLargeShortMeetingHours] = large_short;
  m[M::kLargeShortRecurringMeetingHours] = rec_ls;
  m[M::kSmallLongMeetingHours] = small_long;
  m[M::kSmallLongRecurringMeetingHours] = rec_sl;
  m[M::kRecurringMeetingHours] = rec_ss + rec_sl + rec_ls + rec_ll;
  m[M::kWorkingHoursCollaborationHours] = collaboration - ah_collaboration;
  m[M::kWorkingHoursEmailHours] = email - ah_email;
  m[M::kWorkingHoursCallHours] = call - (ah_scheduled + ah_unscheduled);
  m[M::kWorkingHoursChatHours] = chat - ah_chat;
  m[M::kWorkingHoursMeetingHours] = meeting - ah_meeting;
  m[M::kInternalNetworkSize] = Count(tr.internal_network * std::sqrt(presence) * r.Jitter(0.1));
  m[M::kExternalNetworkSize] = Count(tr.external_network * std::sqrt(presence) * r.Jitter(0.15));
  m.is_active = collaboration > 0;
  return m;
}

core::Result<std::vector<MetricRow>> MetricsForWeek(const Organization& org, size_t tenant,
                                                    int week) {
  if (tenant >= org.tenants.size()) {
    return core::InvalidArgumentError("tenant " + std::to_string(tenant) +
                                      " does not exist (the organisation has " +
                                      std::to_string(org.tenants.size()) + ")");
  }
  if (week < 0 || week >= org.options.weeks) {
    return core::InvalidArgumentError("week " + std::to_string(week) + " is outside 0.." +
                                      std::to_string(org.options.weeks - 1));
  }
  const Tenant& t = org.tenants[tenant];
  std::vector<MetricRow> rows;
  rows.reserve(t.people.size());
  const core::Date date = org.WeekStart(week);
  for (const Person& p : t.people) {
    if (!p.licensed || !p.EmployedIn(week)) continue;
    rows.push_back(MetricRow{&p, date, PersonWeekMetrics(org, t, p, week)});
  }
  return rows;
}

}  // namespace vivalink::sim
