#include "cli/analyze_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "analysis/drivers.h"
#include "analysis/expr.h"
#include "analysis/frame.h"
#include "analysis/groups.h"
#include "analysis/hygiene.h"
#include "analysis/iv.h"
#include "analysis/patterns.h"
#include "core/strings.h"
#include "formats/canonical.h"
#include "join/file_join.h"
#include "meetings/meeting_query.h"
#include "meetings/metrics.h"

namespace vivalink::cli {
namespace {

// Options every analyze subcommand shares: the input and the optional partner join, and the
// output format.
struct InputArgs : join::FileJoinRequest {
  std::string format = "csv";
};

void AddInputOptions(CLI::App* cmd, InputArgs& a) {
  cmd->add_option("--input", a.input, "person query file (CSV or JSON lines)")->required();
  cmd->add_option("--format", a.format, "output format")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--partner", a.partner,
                  "partner data (CSV or JSON lines), daily/weekly with a date column or static");
  cmd->add_option("--partner-static", a.partner_static,
                  "static partner data (one row per person, e.g. attrition, tenure), same key");
  cmd->add_option("--partner-key", a.partner_key, "partner key column")->capture_default_str();
  cmd->add_option("--partner-key-type", a.partner_key_type, "email or object_id")
      ->check(CLI::IsMember({"email", "object_id"}))
      ->capture_default_str();
  cmd->add_option("--users", a.users,
                  "Entra ID user export (User_v1 JSON lines); needed for e-mail keys");
  cmd->add_option("--partner-date", a.partner_date,
                  "date column of --partner (default: MetricDate, Week, Date or Day if present; "
                  "none = static)");
  cmd->add_option("--partner-sum", a.partner_sum, "additive partner columns (summed per week)")
      ->delimiter(',');
  cmd->add_option("--partner-mean", a.partner_mean, "partner columns averaged per week")
      ->delimiter(',');
  cmd->add_option("--partner-default", a.partner_default,
                  "aggregation of undeclared numeric partner columns")
      ->check(CLI::IsMember({"sum", "mean"}))
      ->capture_default_str();
  cmd->add_flag("--left-join", a.left_join,
                "keep Viva rows without partner data (partner values missing)");
  cmd->add_option("--join-report", a.join_report, "write the join's counts as JSON to this file");
}

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// Canonical names of user-given column lists (display names are accepted too).
std::vector<std::string> Canonical(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& n : names) {
    auto t = core::Trim(n);
    if (!t.empty()) out.push_back(formats::CanonicalName(t));
  }
  return out;
}

// The columns of the person query an analysis reads: the identifiers the join and the
// person/week levels need, plus `named`. Empty (every column) when the analysis takes all
// numeric columns by default (`all`).
std::vector<std::string> Wanted(bool all, std::vector<std::string> named) {
  if (all) return {};
  named.insert(named.end(), {"PersonId", "MetricDate"});
  return named;
}

// The person query with the columns an analysis reads (see Wanted), joined with the partner
// files when given; the join's counts (never identities) go to stderr.
core::Result<join::FileJoin> LoadInput(const InputArgs& a, std::vector<std::string> wanted) {
  join::FileJoinRequest request = a;
  request.columns = std::move(wanted);
  ASSIGN_OR_RETURN(join::FileJoin loaded, join::LoadFileJoin(request));
  if (loaded.report) std::fprintf(stderr, "%s\n", join::ToText(*loaded.report).c_str());
  return loaded;
}

// Appends to exclude the partner columns other than outcome (see FileJoin).
void ExcludePartnerColumns(const join::FileJoin& loaded, std::string_view outcome,
                           std::vector<std::string>& exclude) {
  for (auto& c : loaded.PartnerColumnsExcept(outcome)) exclude.push_back(std::move(c));
}

int Finish(const core::Status& status) {
  if (!status.ok()) return ReportError(status);
  return std::fflush(stdout) == 0
             ? 0
             : ReportError(core::UnavailableError("cannot write to standard output"));
}

template <typename R>
core::Status Emit(const R& result, const std::string& format) {
  Print(format == "json" ? analysis::ToJson(result) + "\n" : analysis::ToCsv(result));
  return core::OkStatus();
}

// ---- iv ----
struct IvArgs {
  InputArgs in;
  std::string outcome;
  std::vector<std::string> predictors;
  int bins = 5;
};

core::Status RunIv(const IvArgs& a) {
  ASSIGN_OR_RETURN(analysis::Comparison outcome, analysis::ParseComparison(a.outcome));
  std::vector<std::string> named = Canonical(a.predictors);
  named.push_back(formats::CanonicalName(outcome.column));
  ASSIGN_OR_RETURN(join::FileJoin loaded, LoadInput(a.in, Wanted(a.predictors.empty(), named)));
  analysis::IvOptions options;
  options.predictors = Canonical(a.predictors);
  options.bins = a.bins;
  ExcludePartnerColumns(loaded, outcome.column, options.exclude);
  ASSIGN_OR_RETURN(auto result, analysis::InformationValue(loaded.frame, a.outcome, options));
  return Emit(result, a.in.format);
}

// ---- drivers ----
struct DriversArgs {
  InputArgs in;
  std::string outcome;
  std::vector<std::string> behaviours;
  int iv_bins = 5;
  std::string rank_by = "spearman";
};

core::Status RunDrivers(const DriversArgs& a) {
  std::string outcome = formats::CanonicalName(core::Trim(a.outcome));
  std::vector<std::string> named = Canonical(a.behaviours);
  named.push_back(outcome);
  ASSIGN_OR_RETURN(join::FileJoin loaded, LoadInput(a.in, Wanted(a.behaviours.empty(), named)));
  analysis::DriverOptions options;
  options.behaviours = Canonical(a.behaviours);
  options.iv_bins = a.iv_bins;
  ASSIGN_OR_RETURN(options.rank_by, analysis::ParseDriverRank(a.rank_by));
  ExcludePartnerColumns(loaded, outcome, options.exclude);
  ASSIGN_OR_RETURN(auto result, analysis::RankDrivers(loaded.frame, outcome, options));
  return Emit(result, a.in.format);
}

// ---- groups ----
struct GroupsArgs {
  InputArgs in;
  std::vector<std::string> by = {"Organization"};
  std::vector<std::string> metrics;
  int min_group = 5;
};

core::Status RunGroups(const GroupsArgs& a) {
  std::vector<std::string> named = Canonical(a.by);
  for (auto& m : Canonical(a.metrics)) named.push_back(std::move(m));
  ASSIGN_OR_RETURN(join::FileJoin loaded, LoadInput(a.in, Wanted(a.metrics.empty(), named)));
  analysis::GroupSummaryOptions options;
  options.group_by = Canonical(a.by);
  options.metrics = Canonical(a.metrics);
  options.min_group_size = a.min_group;
  if (options.metrics.empty()) {
    return core::InvalidArgumentError("analyze groups needs --metrics (one or more columns)");
  }
  ASSIGN_OR_RETURN(auto result, analysis::SummarizeGroups(loaded.frame, options));
  return Emit(result, a.in.format);
}

// ---- hygiene ----
struct HygieneArgs {
  InputArgs in;
  std::string metric = "Collaboration_hours";
  bool exclude = false;
};

core::Status RunHygiene(const HygieneArgs& a) {
  // --exclude prints every column of the rows that remain.
  ASSIGN_OR_RETURN(
      join::FileJoin loaded,
      LoadInput(a.in, Wanted(a.exclude, {formats::CanonicalName(core::Trim(a.metric))})));
  analysis::HygieneOptions options;
  options.metric = formats::CanonicalName(core::Trim(a.metric));
  ASSIGN_OR_RETURN(auto filtered, analysis::ExcludeHygiene(loaded.frame, options));
  if (a.exclude) {
    std::fprintf(stderr, "hygiene: %lld of %zu rows removed\n",
                 static_cast<long long>(filtered.rows_removed), loaded.frame.num_rows());
    StdoutSink out;
    return analysis::WriteFrame(filtered.frame, a.in.format, out);
  }
  analysis::HygieneResult result;
  result.exclusions = std::move(filtered.exclusions);
  return Emit(result, a.in.format);
}

// ---- patterns ----
struct PatternsArgs {
  InputArgs in;
  std::string kind = "trend";
  std::string metric = "Collaboration_hours";
  std::string by = "Organization";
  int min_group = 5;
  double threshold = 1;  // as analysis::HabitOptions (vivainsights identify_habit)
  int min_weeks = 3;
  int last_weeks = 4;
};

core::Status RunPatterns(const PatternsArgs& a) {
  std::string metric = formats::CanonicalName(core::Trim(a.metric));
  std::string by = core::Trim(a.by).empty() ? "" : formats::CanonicalName(core::Trim(a.by));
  std::vector<std::string> named = {metric};
  if (!by.empty()) named.push_back(by);
  ASSIGN_OR_RETURN(join::FileJoin loaded, LoadInput(a.in, Wanted(false, named)));
  if (a.min_group < 1) return core::InvalidArgumentError("--min-group must be at least 1");
  if (a.kind == "trend") {
    analysis::TrendOptions options;
    options.metric = metric;
    options.group_by = by;
    options.min_group_size = a.min_group;
    ASSIGN_OR_RETURN(auto result, analysis::WeeklyTrend(loaded.frame, options));
    return Emit(result, a.in.format);
  }
  if (a.kind == "habits") {
    analysis::HabitOptions options;
    options.metric = metric;
    options.group_by = by;
    options.min_group_size = a.min_group;
    options.threshold = a.threshold;
    options.min_weeks = a.min_weeks;
    options.last_weeks = a.last_weeks;
    ASSIGN_OR_RETURN(auto result, analysis::Habits(loaded.frame, options));
    return Emit(result, a.in.format);
  }
  analysis::GiniOptions options;
  options.metric = metric;
  ASSIGN_OR_RETURN(auto result, analysis::Gini(loaded.frame, options));
  return Emit(result, a.in.format);
}

// ---- meetings ----
struct MeetingsArgs {
  std::string input;
  std::string format = "csv";
  std::string time_zone = "UTC";
  std::string working_hours = "09:00-17:00";
  std::vector<std::string> internal_domains;
  std::string owner;
  bool count_tentative = false;
};

core::Status RunMeetings(const MeetingsArgs& a) {
  meetings::MeetingOptions options;
  options.default_hours.time_zone = a.time_zone;
  RETURN_IF_ERROR(meetings::ParseWorkingHours(a.working_hours, options.default_hours));
  options.internal_domains = a.internal_domains;
  options.owner = a.owner;
  options.count_tentative = a.count_tentative;
  ASSIGN_OR_RETURN(auto result, meetings::DeriveMeetingMetricsFromFile(a.input, options));
  std::fprintf(stderr, "%s\n", meetings::CountsText(result.counts).c_str());
  Print(a.format == "json" ? meetings::ToJsonLines(result) : meetings::ToCsv(result));
  return core::OkStatus();
}

// ---- meeting-query ----
struct MeetingQueryArgs {
  std::string input;
  std::string format = "csv";
  std::string kind = "types";
  std::string by = "Organization";
  int min_group = 5;
  std::string working_hours = "09:00-17:00";
  bool month_first = false;
  bool utc = false;
};

core::Status RunMeetingQuery(const MeetingQueryArgs& a) {
  meetings::MeetingQueryOptions options;
  ASSIGN_OR_RETURN(options.kind, meetings::ParseMeetingQueryKind(a.kind));
  options.by = a.by;
  options.min_group = a.min_group;
  RETURN_IF_ERROR(meetings::ParseWorkingHours(a.working_hours, options.hours));
  options.month_first = a.month_first;
  options.start_times_utc = a.utc;
  ASSIGN_OR_RETURN(auto table, meetings::AnalyzeMeetingQueryFile(a.input, options));
  std::fprintf(stderr, "%s\n", meetings::CountsText(table).c_str());
  Print(a.format == "json" ? meetings::ToJsonLines(table) : meetings::ToCsv(table));
  return core::OkStatus();
}

}  // namespace

void RegisterAnalyzeCommands(CLI::App& app, Commands& commands) {
  auto* analyze = app.add_subcommand(
      "analyze", "analyse a person query, optionally joined with partner data; results on stdout");
  analyze->require_subcommand(1);

  auto& iv = commands.Keep<IvArgs>();
  auto* iv_cmd = analyze->add_subcommand("iv", "information value of predictors for an outcome");
  AddInputOptions(iv_cmd, iv.in);
  iv_cmd->add_option("--outcome", iv.outcome, "binary outcome, e.g. 'Revenue>5000'")->required();
  iv_cmd->add_option("--predictors", iv.predictors, "predictor columns (default: numeric ones)")
      ->delimiter(',');
  iv_cmd->add_option("--bins", iv.bins, "bins per numeric predictor")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  commands.Add(iv_cmd, [&iv] { return Finish(RunIv(iv)); });

  auto& drivers = commands.Keep<DriversArgs>();
  auto* drivers_cmd =
      analyze->add_subcommand("drivers", "rank behaviours by association with a numeric outcome");
  AddInputOptions(drivers_cmd, drivers.in);
  drivers_cmd->add_option("--outcome", drivers.outcome, "numeric outcome column")->required();
  drivers_cmd->add_option("--behaviours", drivers.behaviours, "behaviour columns (default: all)")
      ->delimiter(',');
  drivers_cmd->add_option("--iv-bins", drivers.iv_bins, "bins of the IV column")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  drivers_cmd
      ->add_option("--rank-by", drivers.rank_by,
                   "rank by |Spearman rho| or by |partial r| given the other behaviours")
      ->check(CLI::IsMember({"spearman", "partial"}))
      ->capture_default_str();
  commands.Add(drivers_cmd, [&drivers] { return Finish(RunDrivers(drivers)); });

  auto& groups = commands.Keep<GroupsArgs>();
  auto* groups_cmd =
      analyze->add_subcommand("groups", "group summaries, groups below --min-group suppressed");
  AddInputOptions(groups_cmd, groups.in);
  groups_cmd->add_option("--by", groups.by, "grouping attributes")
      ->delimiter(',')
      ->capture_default_str();
  groups_cmd->add_option("--metrics", groups.metrics, "metric columns")->delimiter(',');
  groups_cmd->add_option("--min-group", groups.min_group, "minimum persons a group")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  commands.Add(groups_cmd, [&groups] { return Finish(RunGroups(groups)); });

  auto& hygiene = commands.Keep<HygieneArgs>();
  auto* hygiene_cmd = analyze->add_subcommand(
      "hygiene", "holiday weeks, inactive weeks, non-knowledge workers and outliers");
  AddInputOptions(hygiene_cmd, hygiene.in);
  hygiene_cmd->add_option("--metric", hygiene.metric, "metric the rules use")
      ->capture_default_str();
  hygiene_cmd->add_flag("--exclude", hygiene.exclude,
                        "print the rows that remain after exclusion instead of the exclusions");
  commands.Add(hygiene_cmd, [&hygiene] { return Finish(RunHygiene(hygiene)); });

  auto& patterns = commands.Keep<PatternsArgs>();
  auto* patterns_cmd = analyze->add_subcommand(
      "patterns", "weekly trend per group, habits, or Gini concentration of a metric");
  AddInputOptions(patterns_cmd, patterns.in);
  patterns_cmd->add_option("--kind", patterns.kind, "trend | habits | gini")
      ->check(CLI::IsMember({"trend", "habits", "gini"}))
      ->capture_default_str();
  patterns_cmd->add_option("--metric", patterns.metric, "metric")->capture_default_str();
  patterns_cmd->add_option("--by", patterns.by, "group attribute ('' = one group)")
      ->capture_default_str();
  patterns_cmd->add_option("--min-group", patterns.min_group, "minimum persons a group")
      ->capture_default_str();
  patterns_cmd->add_option("--threshold", patterns.threshold, "habits: a week counts at >=")
      ->capture_default_str();
  patterns_cmd->add_option("--min-weeks", patterns.min_weeks, "habits: weeks needed")
      ->capture_default_str();
  patterns_cmd->add_option("--last-weeks", patterns.last_weeks, "habits: weeks looked at")
      ->capture_default_str();
  commands.Add(patterns_cmd, [&patterns] { return Finish(RunPatterns(patterns)); });

  auto& meetings_args = commands.Keep<MeetingsArgs>();
  auto* meetings_cmd = analyze->add_subcommand(
      "meetings", "weekly per-person meeting metrics from Outlook events (CalendarView/Event)");
  meetings_cmd->add_option("--input", meetings_args.input, "CalendarView_v0 or Event_v1 JSON lines")
      ->required();
  meetings_cmd->add_option("--format", meetings_args.format, "output format")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  meetings_cmd
      ->add_option("--time-zone", meetings_args.time_zone,
                   "everyone's working-hours zone (IANA or Windows name)")
      ->capture_default_str();
  meetings_cmd->add_option("--working-hours", meetings_args.working_hours, "HH:MM-HH:MM, Mon-Fri")
      ->capture_default_str();
  meetings_cmd
      ->add_option("--internal-domain", meetings_args.internal_domains,
                   "the organisation's e-mail domains (External_meeting_hours is NA without)")
      ->delimiter(',');
  meetings_cmd->add_option("--owner", meetings_args.owner,
                           "the calendar's owner for rows without puser (one-calendar exports)");
  meetings_cmd->add_flag("--count-tentative", meetings_args.count_tentative,
                         "count tentatively accepted meetings too");
  commands.Add(meetings_cmd, [&meetings_args] { return Finish(RunMeetings(meetings_args)); });

  auto& mq = commands.Keep<MeetingQueryArgs>();
  auto* mq_cmd = analyze->add_subcommand(
      "meeting-query",
      "meeting types, organizer groups, recurring and after-hours meetings of a "
      "Viva Insights meeting query");
  mq_cmd->add_option("--input", mq.input, "meeting query file (CSV or JSON lines)")->required();
  mq_cmd->add_option("--format", mq.format, "output format")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  mq_cmd->add_option("--kind", mq.kind, "types | organizers | recurring | after-hours")
      ->check(CLI::IsMember({"types", "organizers", "recurring", "after-hours"}))
      ->capture_default_str();
  mq_cmd->add_option("--by", mq.by, "organizer attribute ('' = one group for after-hours)")
      ->capture_default_str();
  mq_cmd->add_option("--min-group", mq.min_group, "organizers: minimum distinct organizers")
      ->capture_default_str();
  mq_cmd->add_option("--working-hours", mq.working_hours, "after-hours: HH:MM-HH:MM, Mon-Fri")
      ->capture_default_str();
  mq_cmd->add_flag("--month-first", mq.month_first,
                   "Collaboration_start_time is MM/DD/YYYY (default DD/MM/YYYY)");
  mq_cmd->add_flag("--utc", mq.utc, "Collaboration_start_time is UTC (TimeZone places it)");
  commands.Add(mq_cmd, [&mq] { return Finish(RunMeetingQuery(mq)); });
}

}  // namespace vivalink::cli
