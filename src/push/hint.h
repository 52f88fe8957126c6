// Drop hints: what every push channel (PROTOCOL §6) boils down to. A web activity call, an Event
// Grid or CloudEvents BlobCreated event and a Storage Queue message each say "the drop whose
// metadata.json is at this path may be ready". A hint is never trusted: the consumer re-reads the
// drop from storage and deduplicates through its ledger, so a forged, repeated or stale hint costs
// one storage read at most.
#pragma once

#include <string>
#include <string_view>

#include "drop/layout.h"

namespace vivalink::push {

// The channel a hint arrived on.
enum class HintSource {
  kWebActivity,  // POST /v1/notifications/drops (Data Factory web activity), signed
  kEventGrid,    // POST /v1/events, Event Grid schema
  kCloudEvents,  // POST /v1/events, CloudEvents 1.0 schema
  kQueue,        // a Storage Queue message with the web activity's body
};

// "web_activity", "event_grid", "cloudevents", "queue": stable names for logs and metrics.
std::string_view HintSourceName(HintSource source);

// A hint that a drop may be ready.
struct DropHint {
  HintSource source = HintSource::kWebActivity;
  drop::DropRef ref;      // parsed from the metadata path (always a VivaInsights/AADUser drop)
  std::string container;  // container named by the notification / event URL ("" if not given)
  std::string id;         // CopyActivityId or event id (for logs only; may be empty)

  // "web_activity drop {run}/{kind}/{tenant} (container c, id x)" for logs.
  std::string ToString() const;
};

}  // namespace vivalink::push
