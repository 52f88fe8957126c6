#include "cli/analyze_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/drivers.h"
#include "analysis/expr.h"
#include "analysis/frame.h"
#include "analysis/groups.h"
#include "analysis/hygiene.h"
#include "analysis/iv.h"
#include "analysis/load_csv.h"
#include "analysis/patterns.h"
#include "cli/common.h"
#include "core/io.h"
#include "core/strings.h"
#include "formats/canonical.h"
#include "formats/reader.h"
#include "join/join.h"
#include "join/partner.h"
#include "join/resolver.h"
#include "meetings/meeting_query.h"
#include "meetings/metrics.h"

namespace vivalink::cli {
namespace {

std::optional<int> g_exit_code;

// Options every analyze subcommand shares: the input and the optional partner join.
struct InputArgs {
  std::string input;
  std::string format = "csv";
  std::string users;
  std::string partner;
  std::string partner_static;
  std::string partner_key = "Email";
  std::string partner_key_type = "email";
  std::string partner_date;  // "": detect (MetricDate, Week, Date, Day, WeekStart)
  std::vector<std::string> partner_sum, partner_mean;
  std::string partner_default = "mean";
  bool left_join = false;
  std::string join_report;
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

// Loads one partner file; detect_date: pick the date column from the first batch's columns.
core::Result<join::PartnerTable> LoadPartnerInput(const std::string& path,
                                                  const join::IdentityIndex* index,
                                                  join::PartnerOptions options, bool detect_date) {
  options.detect_date_column = detect_date;
  return join::LoadPartnerFile(path, index, options);
}

struct Loaded {
  analysis::Frame frame;
  std::vector<std::string> partner_columns;  // columns added by the join
};

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

// wanted: the person query's columns to keep (empty: all); names that are not in the person
// query (partner columns) are ignored here, the analyses check them on the joined frame.
core::Result<Loaded> LoadInput(const InputArgs& a, const std::vector<std::string>& wanted) {
  Loaded out;
  ASSIGN_OR_RETURN(out.frame, analysis::LoadCsvFrame(a.input, wanted, /*missing_wanted_ok=*/true));
  if (a.partner.empty() && a.partner_static.empty()) {
    if (!a.users.empty()) {
      return core::InvalidArgumentError("--users is only used with --partner/--partner-static");
    }
    return out;
  }
  ASSIGN_OR_RETURN(join::KeyType key_type, join::ParseKeyType(a.partner_key_type));
  std::optional<join::IdentityIndex> index;
  if (!a.users.empty()) {
    ASSIGN_OR_RETURN(index, join::LoadIdentityIndexFile(a.users));
  } else if (key_type == join::KeyType::kEmail) {
    return core::InvalidArgumentError(
        "partner data keyed by e-mail needs the user export: pass --users (the Entra ID "
        "User_v1 export), or --partner-key-type object_id");
  }
  join::PartnerOptions options;
  options.key_column = a.partner_key;
  options.key_type = key_type;
  ASSIGN_OR_RETURN(options.numeric_default, join::ParseAggregation(a.partner_default));
  for (const auto& c : a.partner_sum) options.aggregation_of[c] = join::Aggregation::kSum;
  for (const auto& c : a.partner_mean) options.aggregation_of[c] = join::Aggregation::kMean;
  const join::IdentityIndex* index_ptr = index ? &*index : nullptr;
  std::vector<join::PartnerTable> tables;
  if (!a.partner.empty()) {
    join::PartnerOptions weekly = options;
    bool detect = a.partner_date.empty();
    if (!detect && !core::EqualsIgnoreCase(a.partner_date, "none")) {
      weekly.date_column = a.partner_date;
    }
    ASSIGN_OR_RETURN(auto table, LoadPartnerInput(a.partner, index_ptr, weekly, detect));
    tables.push_back(std::move(table));
  }
  if (!a.partner_static.empty()) {
    ASSIGN_OR_RETURN(auto table, LoadPartnerInput(a.partner_static, index_ptr, options, false));
    tables.push_back(std::move(table));
  }
  std::vector<const join::PartnerTable*> ptrs;
  for (const auto& t : tables) ptrs.push_back(&t);
  join::JoinOptions join_options;
  join_options.keep_unmatched_viva_rows = a.left_join;
  ASSIGN_OR_RETURN(auto joined, join::JoinPartners(out.frame, ptrs, join_options, index_ptr));
  std::fprintf(stderr, "%s\n", join::ToText(joined.report).c_str());
  if (!a.join_report.empty()) {
    FILE* f = std::fopen(a.join_report.c_str(), "wb");
    if (f == nullptr) {
      return core::NotFoundError(fmt::format("cannot write --join-report '{}'", a.join_report));
    }
    std::string json = join::ToJson(joined.report) + "\n";
    std::fwrite(json.data(), 1, json.size(), f);
    std::fclose(f);
  }
  const size_t viva_columns = out.frame.num_columns();
  out.frame = std::move(joined.frame);
  for (size_t c = viva_columns; c < out.frame.num_columns(); ++c) {
    out.partner_columns.push_back(out.frame.columns()[c].name);
  }
  return out;
}

// Default predictors/behaviours must be behaviours: the partner's other outcome columns are left
// out unless named.
void ExcludePartnerColumns(const Loaded& loaded, std::string_view outcome,
                           std::vector<std::string>& exclude) {
  for (const auto& c : loaded.partner_columns) {
    if (c != outcome) exclude.push_back(c);
  }
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
  ASSIGN_OR_RETURN(Loaded loaded, LoadInput(a.in, Wanted(a.predictors.empty(), named)));
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
  ASSIGN_OR_RETURN(Loaded loaded, LoadInput(a.in, Wanted(a.behaviours.empty(), named)));
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
  ASSIGN_OR_RETURN(Loaded loaded, LoadInput(a.in, Wanted(a.metrics.empty(), named)));
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

std::string NumberText(double v) {
  if (!std::isfinite(v)) return "NA";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos && s != "NA") return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// The rows of a frame as CSV (NA for missing values) or JSON lines (null).
void PrintFrame(const analysis::Frame& frame, const std::string& format) {
  const auto& cols = frame.columns();
  std::string out;
  if (format == "csv") {
    for (size_t c = 0; c < cols.size(); ++c) {
      if (c > 0) out.push_back(',');
      out += CsvField(cols[c].name);
    }
    out.push_back('\n');
  }
  for (size_t r = 0; r < frame.num_rows(); ++r) {
    if (format == "csv") {
      for (size_t c = 0; c < cols.size(); ++c) {
        if (c > 0) out.push_back(',');
        if (cols[c].IsMissing(r)) {
          out += "NA";
        } else {
          out +=
              cols[c].is_numeric() ? NumberText(cols[c].numbers[r]) : CsvField(cols[c].StringAt(r));
        }
      }
    } else {
      nlohmann::ordered_json row = nlohmann::ordered_json::object();
      for (const auto& col : cols) {
        if (col.IsMissing(r)) {
          row[col.name] = nullptr;
        } else if (col.is_numeric()) {
          row[col.name] = col.numbers[r];
        } else {
          row[col.name] = std::string(col.StringAt(r));
        }
      }
      out += row.dump();
    }
    out.push_back('\n');
    if (out.size() > (1 << 20)) {
      Print(out);
      out.clear();
    }
  }
  Print(out);
}

core::Status RunHygiene(const HygieneArgs& a) {
  // --exclude prints every column of the rows that remain.
  ASSIGN_OR_RETURN(
      Loaded loaded,
      LoadInput(a.in, Wanted(a.exclude, {formats::CanonicalName(core::Trim(a.metric))})));
  analysis::HygieneOptions options;
  options.metric = formats::CanonicalName(core::Trim(a.metric));
  ASSIGN_OR_RETURN(auto filtered, analysis::ExcludeHygiene(loaded.frame, options));
  if (a.exclude) {
    std::fprintf(stderr, "hygiene: %lld of %zu rows removed\n",
                 static_cast<long long>(filtered.rows_removed), loaded.frame.num_rows());
    PrintFrame(filtered.frame, a.in.format);
    return core::OkStatus();
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
  ASSIGN_OR_RETURN(Loaded loaded, LoadInput(a.in, Wanted(false, named)));
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

std::optional<int> AnalyzeExitCode() { return g_exit_code; }

void AddAnalyzeCommands(CLI::App& app) {
  auto* analyze = app.add_subcommand(
      "analyze", "analyse a person query, optionally joined with partner data; results on stdout");
  analyze->require_subcommand(1);

  // The argument structs live for the whole program: CLI11 writes into them during parse and
  // the callbacks read them.
  static IvArgs iv;
  auto* iv_cmd = analyze->add_subcommand("iv", "information value of predictors for an outcome");
  AddInputOptions(iv_cmd, iv.in);
  iv_cmd->add_option("--outcome", iv.outcome, "binary outcome, e.g. 'Revenue>5000'")->required();
  iv_cmd->add_option("--predictors", iv.predictors, "predictor columns (default: numeric ones)")
      ->delimiter(',');
  iv_cmd->add_option("--bins", iv.bins, "bins per numeric predictor")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  iv_cmd->callback([] { g_exit_code = Finish(RunIv(iv)); });

  static DriversArgs drivers;
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
  drivers_cmd->callback([] { g_exit_code = Finish(RunDrivers(drivers)); });

  static GroupsArgs groups;
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
  groups_cmd->callback([] { g_exit_code = Finish(RunGroups(groups)); });

  static HygieneArgs hygiene;
  auto* hygiene_cmd = analyze->add_subcommand(
      "hygiene", "holiday weeks, inactive weeks, non-knowledge workers and outliers");
  AddInputOptions(hygiene_cmd, hygiene.in);
  hygiene_cmd->add_option("--metric", hygiene.metric, "metric the rules use")
      ->capture_default_str();
  hygiene_cmd->add_flag("--exclude", hygiene.exclude,
                        "print the rows that remain after exclusion instead of the exclusions");
  hygiene_cmd->callback([] { g_exit_code = Finish(RunHygiene(hygiene)); });

  static PatternsArgs patterns;
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
  patterns_cmd->callback([] { g_exit_code = Finish(RunPatterns(patterns)); });

  static MeetingsArgs meetings_args;
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
  meetings_cmd->callback([] { g_exit_code = Finish(RunMeetings(meetings_args)); });

  static MeetingQueryArgs mq;
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
  mq_cmd->callback([] { g_exit_code = Finish(RunMeetingQuery(mq)); });
}

}  // namespace vivalink::cli
