// The ingestion side of `vivalink serve`'s GET /metrics: Prometheus text exposition format 0.0.4,
// built from the ledger's status (drops by state, rows, bytes, lag per tenant) and the service's
// own counters (polls, hints by channel and outcome, errors). Tenant ids are customer tenant
// GUIDs, never person identities.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "ingest/commands.h"

namespace vivalink::ingest {

struct ServeCounters {
  int64_t polls = 0;           // poll passes that completed
  int64_t poll_errors = 0;     // poll passes that failed (storage or database unreachable)
  int64_t hint_errors = 0;     // hints whose storage read-back or ledger work failed
  int64_t last_poll_unix = 0;  // end of the last successful poll pass; 0 = none yet
  // (channel, outcome) -> hints, e.g. ("queue", "processed").
  std::map<std::pair<std::string, std::string>, int64_t> hints;
};

// The metrics text; equal inputs give equal text (families and labels in a fixed order).
std::string PrometheusText(const StatusReport& status, const ServeCounters& counters);

}  // namespace vivalink::ingest
