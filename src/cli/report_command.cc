#include "cli/report_command.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "cli/common.h"
#include "core/time.h"
#include "db/schema.h"

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

core::Result<analysis::Frame> LoadPersonWeeks(db::Database& db, const std::string& tenant) {
  std::string where = tenant.empty() ? "" : " WHERE tenant_id = ?";
  std::vector<db::Value> params;
  if (!tenant.empty()) params.emplace_back(tenant);
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT tenant_id, person_key, metric_date, attrs FROM "
                                       "person_week" +
                                           where + " ORDER BY tenant_id, metric_date, person_key",
                                       params));
  const size_t n = rows.size();
  std::vector<std::string> tenant_col(n), person_col(n), date_col(n);
  std::map<std::string, std::vector<std::string>> attrs;
  std::unordered_map<std::string, size_t> index;
  index.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& r = rows.rows[i];
    tenant_col[i] = TextOf(r[0]);
    person_col[i] = TextOf(r[1]);
    date_col[i] = TextOf(r[2]);
    index.emplace(tenant_col[i] + '\x1f' + person_col[i] + '\x1f' + date_col[i], i);
    std::string a = TextOf(r[3]);
    if (a.empty()) continue;
    auto j = nlohmann::json::parse(a, nullptr, false);
    if (!j.is_object()) continue;
    for (auto it = j.begin(); it != j.end(); ++it) {
      auto& col = attrs[it.key()];
      if (col.empty()) col.assign(n, std::string());
      col[i] = it->is_string() ? it->get<std::string>() : it->dump();
    }
  }
  ASSIGN_OR_RETURN(auto metrics,
                   db.Query("SELECT tenant_id, person_key, metric_date, metric, value FROM "
                            "person_week_metric" +
                                where,
                            params));
  std::map<std::string, std::vector<double>> numeric;
  for (const auto& r : metrics.rows) {
    auto it = index.find(TextOf(r[0]) + '\x1f' + TextOf(r[1]) + '\x1f' + TextOf(r[2]));
    if (it == index.end()) continue;
    auto& col = numeric[TextOf(r[3])];
    if (col.empty()) col.assign(n, std::numeric_limits<double>::quiet_NaN());
    col[it->second] = NumberOf(r[4]);
  }
  analysis::Frame frame;
  RETURN_IF_ERROR(frame.AddStrings("TenantId", tenant_col));
  RETURN_IF_ERROR(frame.AddStrings("PersonId", person_col));
  RETURN_IF_ERROR(frame.AddStrings("MetricDate", date_col));
  for (auto& [name, values] : attrs) RETURN_IF_ERROR(frame.AddStrings(name, values));
  for (auto& [name, values] : numeric) RETURN_IF_ERROR(frame.AddNumeric(name, std::move(values)));
  return frame;
}

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

int ReportCommand(const ingest::Config& config, const ReportArgs& args) {
  auto db = db::Database::Open(config.database_url, {});
  if (!db.ok()) return ReportError(db.status());
  auto migrated = db::MigrateToLatest(**db);
  if (!migrated.ok()) return ReportError(migrated.status());
  auto frame = LoadPersonWeeks(**db, args.tenant);
  if (!frame.ok()) return ReportError(frame.status());
  if (frame->num_rows() == 0) {
    return ReportError(core::FailedPreconditionError(
        "the database holds no person-weeks yet; run `vivalink run` first"));
  }
  report::ReportOptions options;
  options.outcomes = args.outcomes.empty()
                         ? std::vector<std::string>{"After_hours_collaboration_hours"}
                         : args.outcomes;
  // HR attributes arrive only with some row shapes (the v1 person report has none): group by
  // the requested attributes the data has.
  options.group_by.clear();
  for (const auto& g : args.group_by) {
    if (frame->Find(g) != nullptr) options.group_by.push_back(g);
  }
  options.min_group_size = args.min_group_size;
  options.generated_at = core::FormatIso8601(core::SystemClock::Instance().Now());
  options.title = "vivalink: behaviours behind key metrics";
  auto input = report::BuildReportInput(*frame, options);
  if (!input.ok()) return ReportError(input.status());
  auto provenance = LoadProvenance(**db, args.tenant);
  if (!provenance.ok()) return ReportError(provenance.status());
  input->provenance = std::move(*provenance);
  std::string out = args.output.empty()
                        ? (std::filesystem::path(config.data_dir) / "report.html").string()
                        : args.output;
  auto st = report::WriteReport(*input, out);
  if (!st.ok()) return ReportError(st);
  std::printf("report: %s (%zu person-weeks)\n", std::filesystem::absolute(out).c_str(),
              frame->num_rows());
  return 0;
}

}  // namespace vivalink::cli
