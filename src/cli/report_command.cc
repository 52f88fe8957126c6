#include "cli/report_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "analysis/drivers.h"
#include "cli/common.h"
#include "core/strings.h"
#include "core/time.h"
#include "core/uuid.h"
#include "db/schema.h"
#include "formats/canonical.h"
#include "join/stored.h"

namespace vivalink::cli {
namespace {

std::string TextOf(const db::Value& v) {
  if (v.is_null()) return "";
  if (auto* s = std::get_if<std::string>(&v.storage())) return *s;
  if (auto* i = std::get_if<std::int64_t>(&v.storage())) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v.storage())) return std::to_string(*d);
  return "";
}

double NumberOf(const db::Value& v) {
  if (auto* d = std::get_if<double>(&v.storage())) return *d;
  if (auto* i = std::get_if<std::int64_t>(&v.storage())) return static_cast<double>(*i);
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

core::Result<std::vector<report::DropProvenance>> LoadProvenance(db::Database& db,
                                                                 const std::string& tenant) {
  std::string where = tenant.empty() ? "" : " WHERE tenant_id = ?";
  std::vector<db::Value> params;
  if (!tenant.empty()) params.emplace_back(tenant);
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT run_id, tenant_id, kind, state, rows, finished_at, "
                                       "last_error FROM drops" +
                                           where + " ORDER BY metadata_created, run_id, kind",
                                       params));
  std::vector<report::DropProvenance> out;
  for (const auto& r : rows.rows) {
    report::DropProvenance p;
    p.run_id = TextOf(r[0]);
    p.tenant_id = TextOf(r[1]);
    p.kind = TextOf(r[2]);
    p.state = TextOf(r[3]);
    double rows_n = NumberOf(r[4]);
    p.rows = std::isnan(rows_n) ? -1 : static_cast<int64_t>(rows_n);
    p.finished_at = TextOf(r[5]);
    p.error = TextOf(r[6]);
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

// The joined frame and the options of the report on it.
core::Result<report::ReportInput> Build(db::Database& db, const ReportArgs& args,
                                        const join::StoredJoin& joined) {
  const analysis::Frame& frame = joined.frame;
  if (frame.num_rows() == 0) {
    return core::FailedPreconditionError(
        "the database holds no person-weeks yet; run `vivalink run` first");
  }
  report::ReportOptions options;
  for (const auto& o : args.outcomes) options.outcomes.push_back(formats::CanonicalName(o));
  if (options.outcomes.empty()) {
    // The partner's key metrics when there are any: what the integration is for.
    for (const auto& c : joined.partner_columns) {
      const auto* column = frame.Find(c);
      if (column != nullptr && column->is_numeric()) options.outcomes.push_back(c);
    }
  }
  if (options.outcomes.empty()) options.outcomes = {"After_hours_collaboration_hours"};
  // Partner columns are outcomes, not behaviours: none is a driver candidate of another.
  for (const auto& c : joined.partner_columns) options.exclude.push_back(c);
  for (const auto& b : args.behaviours) options.behaviours.push_back(formats::CanonicalName(b));
  ASSIGN_OR_RETURN(options.rank_by, analysis::ParseDriverRank(args.rank_by));
  // HR attributes arrive only with some row shapes (the v1 person report has none): group by
  // the requested attributes the data has.
  options.group_by.clear();
  for (const auto& g : args.group_by) {
    if (frame.Find(g) != nullptr) options.group_by.push_back(g);
  }
  options.min_group_size = args.min_group_size;
  options.generated_at = core::FormatIso8601(core::SystemClock::Instance().Now());
  options.title = "vivalink: behaviours behind key metrics";
  ASSIGN_OR_RETURN(report::ReportInput input, report::BuildReportInput(frame, options));
  ASSIGN_OR_RETURN(input.provenance, LoadProvenance(db, args.tenant));
  if (!joined.sources.empty()) {
    const join::JoinReport& r = joined.report;
    report::JoinSummary summary;
    std::vector<std::string> names, keys;
    int64_t entries = 0;
    for (const auto& s : joined.sources) {
      if (std::find(names.begin(), names.end(), s.source) == names.end()) {
        names.push_back(s.source);
      }
      const std::string key = s.key_type == "email" ? "e-mail" : "object id";
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
      entries += s.entries;
    }
    for (size_t i = 0; i < names.size(); ++i) summary.partner_name += (i ? ", " : "") + names[i];
    for (size_t i = 0; i < keys.size(); ++i) summary.join_key += (i ? ", " : "") + keys[i];
    summary.partner_records = entries;
    summary.matched_records = std::max<int64_t>(0, entries - r.partner_entries_unmatched);
    summary.viva_persons = r.viva_persons;
    summary.matched_persons = r.matched_persons;
    summary.partner_persons = r.partner_persons;
    summary.partner_unresolved_persons = r.partner_unresolved_persons;
    input.join = summary;
  }
  return input;
}

core::Status WriteJson(const std::string& path, const report::ReportInput& input,
                       const join::StoredJoin& joined) {
  nlohmann::ordered_json j;
  j["person_weeks"] = joined.frame.num_rows();
  auto sources = nlohmann::ordered_json::array();
  for (const auto& s : joined.sources) {
    sources.push_back({{"tenant_id", s.tenant_id}, {"source", s.source}});
  }
  j["partner_sources"] = sources;
  j["partner_columns"] = joined.partner_columns;
  j["join"] = joined.sources.empty() ? nlohmann::ordered_json(nullptr)
                                     : nlohmann::ordered_json::parse(join::ToJson(joined.report));
  auto outcomes = nlohmann::ordered_json::array();
  auto drivers = nlohmann::ordered_json::array();
  for (const auto& d : input.drivers) {
    outcomes.push_back(d.outcome);
    drivers.push_back(nlohmann::ordered_json::parse(analysis::ToJson(d)));
  }
  j["outcomes"] = outcomes;
  j["drivers"] = drivers;
  std::string text = j.dump(2) + "\n";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return core::NotFoundError(fmt::format("cannot write --json '{}': check the folder", path));
  }
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) {
    return core::UnavailableError(fmt::format("cannot write --json '{}'", path));
  }
  return core::OkStatus();
}

}  // namespace

int ReportCommand(const ingest::Config& config, const ReportArgs& args) {
  auto db = db::OpenMigrated(config.database_url);
  if (!db.ok()) return ReportError(db.status());
  std::string tenant(core::Trim(args.tenant));
  if (core::IsUuid(tenant)) tenant = core::NormalizeUuid(tenant);
  auto joined = join::LoadJoinedPersonWeeks(**db, tenant);
  if (!joined.ok()) return ReportError(joined.status());
  ReportArgs effective = args;
  effective.tenant = tenant;
  auto input = Build(**db, effective, *joined);
  if (!input.ok()) return ReportError(input.status());
  std::string out = args.output.empty()
                        ? (std::filesystem::path(config.data_dir) / "report.html").string()
                        : args.output;
  auto st = report::WriteReport(*input, out);
  if (!st.ok()) return ReportError(st);
  if (!args.json.empty()) {
    st = WriteJson(args.json, *input, *joined);
    if (!st.ok()) return ReportError(st);
  }
  std::string outcomes;
  for (const auto& d : input->drivers) outcomes += (outcomes.empty() ? "" : ", ") + d.outcome;
  std::printf("report: %s (%zu person-weeks; key metrics: %s)\n",
              std::filesystem::absolute(out).c_str(), joined->frame.num_rows(), outcomes.c_str());
  if (input->join) {
    const auto& j = *input->join;
    std::printf("partner join (%s): %lld of %lld partner persons matched (%.1f%%)\n",
                j.partner_name.c_str(), static_cast<long long>(j.matched_persons),
                static_cast<long long>(j.partner_persons),
                j.partner_persons > 0 ? 100.0 * static_cast<double>(j.matched_persons) /
                                            static_cast<double>(j.partner_persons)
                                      : 0.0);
  }
  return 0;
}

}  // namespace vivalink::cli
