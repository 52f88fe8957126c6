#include "cli/report_command.h"

#include <cstdio>

#include "report/database_report.h"

namespace vivalink::cli {

void RegisterReportCommand(CLI::App& app, Commands& commands, const GlobalFlags& flags) {
  auto& r = commands.Keep<report::DatabaseReportRequest>();
  auto* cmd = app.add_subcommand("report", "write the HTML report of what was imported");
  cmd->add_option("--output", r.output, "report file (default <data_dir>/report.html)");
  cmd->add_option("--outcome", r.outcomes,
                  "key metric column(s) to explain (default: the stored partner metrics)")
      ->delimiter(',');
  cmd->add_option("--group-by", r.group_by, "grouping attribute(s)")->capture_default_str();
  cmd->add_option("--min-group", r.min_group_size, "minimum group size (distinct people)")
      ->capture_default_str();
  cmd->add_option("--tenant", r.tenant, "only this tenant");
  cmd->add_option("--behaviours", r.behaviours, "driver candidates (default: all metrics)")
      ->delimiter(',');
  cmd->add_option("--rank-by", r.rank_by, "driver ranking: spearman or partial")
      ->check(CLI::IsMember({"spearman", "partial"}))
      ->capture_default_str();
  cmd->add_option("--json", r.json, "also write drivers and join counts as JSON here");
  commands.Add(cmd, WithConfig(flags, [&r](const ingest::Config& config) {
                 report::DatabaseReportRequest request = r;
                 request.database_url = config.database_url;
                 request.data_dir = config.data_dir;
                 auto written = report::WriteDatabaseReport(request);
                 if (!written.ok()) return ReportError(written.status());
                 std::printf("%s", written->ToText().c_str());
                 return 0;
               }));
}

}  // namespace vivalink::cli
