#include "ingest/metrics.h"

#include <fmt/format.h>

#include <string_view>

namespace vivalink::ingest {
namespace {

// Label values escape backslash, double quote and newline (exposition format).
std::string Label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string PrometheusText(const StatusReport& status, const ServeCounters& counters) {
  std::string out;
  Family(out, "vivalink_drops", "gauge", "Drops in the ingestion ledger by state.");
  for (const TenantStatus& t : status.tenants) {
    const std::pair<std::string_view, int> states[] = {{"pending", t.pending},
                                                       {"processing", t.processing},
                                                       {"done", t.done},
                                                       {"failed", t.failed},
                                                       {"failed_upstream", t.failed_upstream},
                                                       {"quarantined", t.quarantined}};
    for (const auto& [state, n] : states) {
      out += fmt::format("vivalink_drops{{tenant=\"{}\",state=\"{}\"}} {}\n", Label(t.tenant_id),
                         state, n);
    }
  }
  Family(out, "vivalink_rows_imported_total", "counter", "Rows imported from done drops.");
  for (const TenantStatus& t : status.tenants) {
    out += fmt::format("vivalink_rows_imported_total{{tenant=\"{}\"}} {}\n", Label(t.tenant_id),
                       t.rows);
  }
  Family(out, "vivalink_bytes_imported_total", "counter", "Encrypted bytes of the drops imported.");
  for (const TenantStatus& t : status.tenants) {
    out += fmt::format("vivalink_bytes_imported_total{{tenant=\"{}\"}} {}\n", Label(t.tenant_id),
                       t.bytes);
  }
  Family(out, "vivalink_lag_seconds", "gauge",
         "Seconds between now and the tenant's watermark (newest finished drop).");
  for (const TenantStatus& t : status.tenants) {
    if (t.lag_seconds < 0) continue;
    out += fmt::format("vivalink_lag_seconds{{tenant=\"{}\"}} {}\n", Label(t.tenant_id),
                       t.lag_seconds);
  }
  Family(out, "vivalink_polls_total", "counter", "Poll passes over the storage that completed.");
  out += fmt::format("vivalink_polls_total {}\n", counters.polls);
  Family(out, "vivalink_last_poll_timestamp_seconds", "gauge",
         "Unix time of the end of the last successful poll pass.");
  out += fmt::format("vivalink_last_poll_timestamp_seconds {}\n", counters.last_poll_unix);
  Family(out, "vivalink_hints_total", "counter",
         "Push notifications taken up, by channel and outcome.");
  for (const auto& [key, n] : counters.hints) {
    out += fmt::format("vivalink_hints_total{{channel=\"{}\",outcome=\"{}\"}} {}\n",
                       Label(key.first), Label(key.second), n);
  }
  // Failed and quarantined drops are in vivalink_drops (a replay takes them back).
  Family(out, "vivalink_errors_total", "counter",
         "Service errors: poll passes or hints that could not reach storage or the database.");
  out += fmt::format("vivalink_errors_total{{kind=\"poll\"}} {}\n", counters.poll_errors);
  out += fmt::format("vivalink_errors_total{{kind=\"hint\"}} {}\n", counters.hint_errors);
  return out;
}

}  // namespace vivalink::ingest
