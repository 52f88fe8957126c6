#include "report/database_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "analysis/discovery.h"
#include "analysis/drivers.h"
#include "core/file.h"
#include "core/strings.h"
#include "core/time.h"
#include "core/uuid.h"
#include "db/schema.h"
#include "formats/canonical.h"
#include "ingest/ledger.h"
#include "join/stored.h"

namespace vivalink::report {

core::Result<std::vector<DropProvenance>> LoadProvenance(db::Database& db,
                                                         std::string_view tenant) {
  ingest::Ledger ledger(db);
  ASSIGN_OR_RETURN(std::vector<ingest::LedgerEntry> entries, ledger.Entries(tenant));
  // Oldest first across tenants: the report reads as one timeline.
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return std::tie(a.metadata_created, a.key.run_id, a.key.kind) <
           std::tie(b.metadata_created, b.key.run_id, b.key.kind);
  });
  std::vector<DropProvenance> out;
  out.reserve(entries.size());
  for (const auto& e : entries) {
    DropProvenance p;
    p.run_id = e.key.run_id;
    p.tenant_id = e.key.tenant_id;
    p.kind = e.key.kind;
    p.state = std::string(ingest::DropStateName(e.state));
    p.rows = e.rows_recorded ? e.rows : -1;
    p.finished_at = e.finished_at;
    p.error = e.last_error;
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

// The stored join as the report's plain input.
JoinedPersonWeeks ReportData(const join::StoredJoin& joined) {
  JoinedPersonWeeks data;
  data.frame = &joined.frame;
  data.partner_columns = joined.partner_columns;
  for (const auto& s : joined.sources) {
    PartnerSourceInfo info;
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

ReportRequest RequestOf(const DatabaseReportRequest& r) {
  ReportRequest request;
  for (const auto& o : r.outcomes) request.outcomes.push_back(formats::CanonicalName(o));
  for (const auto& b : r.behaviours) request.behaviours.push_back(formats::CanonicalName(b));
  request.rank_by = r.rank_by;
  request.group_by = r.group_by;
  request.min_group_size = r.min_group_size;
  request.generated_at = r.generated_at.empty()
                             ? core::FormatIso8601(core::SystemClock::Instance().Now())
                             : r.generated_at;
  return request;
}

core::Status WriteJson(const std::string& path, const ReportInput& input,
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
  core::Status written = core::WriteFileAtomic(path, j.dump(2) + "\n");
  if (!written.ok()) return written.WithContext("--json " + path);
  return core::OkStatus();
}

}  // namespace

std::string DatabaseReport::ToText() const {
  std::string metrics;
  for (const auto& m : key_metrics) metrics += (metrics.empty() ? "" : ", ") + m;
  std::string out = fmt::format("report: {} ({} person-weeks; key metrics: {})\n", output.string(),
                                person_weeks, metrics);
  if (join) {
    const double rate = join->partner_persons > 0
                            ? 100.0 * static_cast<double>(join->matched_persons) /
                                  static_cast<double>(join->partner_persons)
                            : 0.0;
    out += fmt::format("partner join ({}): {} of {} partner persons matched ({:.1f}%)\n",
                       join->partner_name, join->matched_persons, join->partner_persons, rate);
  }
  return out;
}

core::Result<DatabaseReport> WriteDatabaseReport(const DatabaseReportRequest& request) {
  ASSIGN_OR_RETURN(auto db, db::OpenMigrated(request.database_url));
  std::string tenant(core::Trim(request.tenant));
  if (core::IsUuid(tenant)) tenant = core::NormalizeUuid(tenant);
  ASSIGN_OR_RETURN(join::StoredJoin joined, join::LoadJoinedPersonWeeks(*db, tenant));
  ASSIGN_OR_RETURN(ReportInput input, BuildPartnerReport(ReportData(joined), RequestOf(request)));
  ASSIGN_OR_RETURN(input.provenance, LoadProvenance(*db, tenant));
  const std::filesystem::path out = request.output.empty()
                                        ? std::filesystem::path(request.data_dir) / "report.html"
                                        : std::filesystem::path(request.output);
  RETURN_IF_ERROR(WriteReport(input, out));
  if (!request.json.empty()) RETURN_IF_ERROR(WriteJson(request.json, input, joined));
  DatabaseReport result;
  result.output = std::filesystem::absolute(out);
  result.person_weeks = joined.frame.num_rows();
  for (const auto& d : input.drivers) result.key_metrics.push_back(d.outcome);
  result.join = input.join;
  return result;
}

}  // namespace vivalink::report
