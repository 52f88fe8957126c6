#include "cli/report_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "analysis/discovery.h"
#include "analysis/drivers.h"
#include "cli/common.h"
#include "core/file.h"
#include "core/strings.h"
#include "core/time.h"
#include "core/uuid.h"
#include "db/schema.h"
#include "formats/canonical.h"
#include "join/stored.h"

namespace vivalink::cli {
namespace {

using db::TextOf;

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
    double rows_n = r[4].AsNumber().value_or(std::numeric_limits<double>::quiet_NaN());
    p.rows = std::isnan(rows_n) ? -1 : static_cast<int64_t>(rows_n);
    p.finished_at = TextOf(r[5]);
    p.error = TextOf(r[6]);
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

// The stored join as the report's plain input.
report::JoinedPersonWeeks ReportData(const join::StoredJoin& joined) {
  report::JoinedPersonWeeks data;
  data.frame = &joined.frame;
  data.partner_columns = joined.partner_columns;
  for (const auto& s : joined.sources) {
    report::PartnerSourceInfo info;
    info.source = s.source;
    info.key_type = s.key_type;
    info.is_static = s.is_static();
    for (const auto& c : s.columns) info.columns.push_back(c.name);
    info.entries = s.entries;
    data.sources.push_back(std::move(info));
  }
  const join::JoinReport& r = joined.report;
  data.partner_entries_unmatched = r.partner_entries_unmatched;
  data.viva_persons = r.viva_persons;
  data.matched_persons = r.matched_persons;
  data.partner_persons = r.partner_persons;
  data.partner_unresolved_persons = r.partner_unresolved_persons;
  return data;
}

core::Result<report::ReportInput> Build(db::Database& db, const ReportArgs& args,
                                        const join::StoredJoin& joined) {
  report::ReportRequest request;
  for (const auto& o : args.outcomes) request.outcomes.push_back(formats::CanonicalName(o));
  for (const auto& b : args.behaviours) request.behaviours.push_back(formats::CanonicalName(b));
  request.rank_by = args.rank_by;
  request.group_by = args.group_by;
  request.min_group_size = args.min_group_size;
  request.generated_at = core::FormatIso8601(core::SystemClock::Instance().Now());
  ASSIGN_OR_RETURN(report::ReportInput input,
                   report::BuildPartnerReport(ReportData(joined), request));
  ASSIGN_OR_RETURN(input.provenance, LoadProvenance(db, args.tenant));
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
  auto discovery = nlohmann::ordered_json::array();
  for (const auto& d : input.discovery) {
    discovery.push_back(nlohmann::ordered_json::parse(analysis::ToJson(d)));
  }
  j["discovery"] = discovery;
  std::string text = j.dump(2) + "\n";
  core::Status written = core::WriteFileAtomic(path, text);
  if (!written.ok()) return written.WithContext("--json " + path);
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
