// The weekly Viva Insights pipeline of a customer tenant (PROTOCOL §1, §2, §3, §6, §9), for
// `vivasim pipeline run`, and its notification channels.
//
// RunPipeline runs the Managed Application template the partner ships
// (deploy/managed-app/mainTemplate.json, compiled into vivasim) through the template interpreter
// (sim/arm_pipeline.h), once per selected tenant, each tenant its own installation: the
// pipeline's Office 365 copy extracts the week's metrics rows (shape v1 or v0) into the staging
// store as encrypted parts {RunId}/VivaInsights/{TenantId}/part-NNNNN.json.gz with fresh file and
// column keys and its metadata.json (new CopyActivityId, every field true to the data:
// ColumnsRequested = the columns present, NumberOfRowsExtracted, RequestStartDate = the week's
// Sunday, RequestEndDate = its Saturday, job times, DataFactoryName = the template's factory,
// TenantId, Errors ""); a binary copy takes the parts to the partner store, a second one
// metadata.json last; the Web activity notifies; then, as chosen, the Entra ID user export under
// {RunId}/AADUser/{TenantId}/ and the week's Outlook calendars (sim/calendar.h, file-encrypted
// only) under {RunId}/CalendarView/{TenantId}/, each its own drop, copied and notified the same
// way; the staging copy is deleted whether the steps succeeded or failed.
// The raw keys of each copy are saved to D/runs/<CopyActivityId>.json *before* its metadata is
// written (the key API serves them from there) and each drop is recorded in D/runs.jsonl.
//
// Same world + same week => the same decrypted rows, under a new RunId, CopyActivityId and keys.
// Weeks may be run in any order and any number of times.
//
// Injected failures hit the VivaInsights copy (sim/arm_pipeline.h says how); no user export or
// calendar follows kErrors or kPartial:
//   kErrors   metadata.json with Errors set (NumberOfRowsExtracted 0), no data file; notified
//   kPartial  only the first half (at least one, never all) of >= 2 parts copied, no metadata,
//             no notification
//   kCorrupt  every part copied, bytes in the middle of part-00000 flipped on the way (the blob's
//             Content-MD5 matches the flipped bytes, as when corruption happens before upload);
//             metadata written and notified as usual
//   metadata_early  metadata.json reaches the partner before the parts (and again after them)
// These count as successful simulations (the result says what was produced).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "drop/layout.h"
#include "http/transport.h"
#include "sim/organization.h"
#include "sim/writers.h"
#include "store/blob_store.h"

namespace vivalink::sim {

// Opens a store URL for the pipeline through azure::OpenBlobStore: file:///path or a plain path
// (LocalStore), an Azure / Azurite container URL with a SAS (as the partner hands out for the
// copy), or one without a SAS authorised by AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_KEY.
core::Result<std::unique_ptr<store::BlobStore>> OpenPipelineStore(std::string_view url);

// The body of a web activity / queue notification (PROTOCOL §6).
struct Notification {
  std::string tenant_id;
  std::string run_id;
  std::string container;
  std::string metadata_path;
  std::string copy_activity_id;
  // {"TenantId":..,"RunId":..,"Container":..,"MetadataPath":..,"CopyActivityId":..}
  std::string ToJson() const;
};

// Delivers notifications. Implementations must be usable from one thread at a time.
class Notifier {
 public:
  virtual ~Notifier() = default;
  // kUnavailable when delivery failed (network, non-2xx answer after retries).
  virtual core::Status Notify(const Notification& n) = 0;
};

// "sha256=" + hex(HMAC-SHA256(secret, body)).
std::string SignatureHeaderValue(std::string_view secret, std::string_view body);

// The Data Factory web activity: POST url with the JSON body, Content-Type application/json and
// X-Vivalink-Signature. Retries 5xx/429/network failures (3 attempts). transport is not owned
// and must outlive the notifier; null = a CurlTransport owned by the notifier.
std::unique_ptr<Notifier> MakeWebActivityNotifier(std::string url, std::string secret,
                                                  http::HttpTransport* transport = nullptr);

// A Storage Queue: each notification is one message (base64 of the same JSON body) put on the
// queue at queue_url ("https://{account}.queue.core.windows.net/{queue}[?SAS]" or Azurite
// "http://127.0.0.1:10001/{account}/{queue}[?SAS]"). Without a SAS the credential comes from
// AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_KEY (azure::OpenQueueClient). The queue is
// created when missing (best effort: a SAS may not allow it). transport: null = the queue client's
// default (retrying libcurl). kInvalidArgument for a malformed URL or connection string,
// kUnauthenticated without any credential.
core::Result<std::unique_ptr<Notifier>> MakeQueueNotifier(
    std::string_view queue_url, std::shared_ptr<http::HttpTransport> transport = nullptr);

// Event Grid delivering Microsoft.Storage.BlobCreated events of the partner container to a
// webhook, as an Event Grid system topic on the storage account would. Each notification becomes
// one batch of two events: the drop's first data part (which the subscriber must ignore) and its
// metadata.json. Before the first batch the subscription is validated the way Event Grid does it:
//   kEventGridSchema: a Microsoft.EventGrid.SubscriptionValidationEvent whose validationCode must
//                     come back as {"validationResponse": code};
//   kCloudEvents:     the CloudEvents 1.0 abuse-protection OPTIONS request
//   (WebHook-Request-Origin),
//                     which must be answered with WebHook-Allowed-Origin.
// blob_base_url: the partner container URL without query ("https://acct.blob.core.windows.net/c"
// or Azurite's "http://127.0.0.1:p/acct/c"); event data.url = blob_base_url + "/" + blob path.
// transport is not owned and must outlive the notifier; null = a CurlTransport owned by it.
enum class EventSchema { kEventGridSchema, kCloudEvents };
core::Result<EventSchema> ParseEventSchema(std::string_view text);  // "eventgrid"|"cloudevents"
std::unique_ptr<Notifier> MakeEventGridNotifier(std::string url, EventSchema schema,
                                                std::string blob_base_url,
                                                http::HttpTransport* transport = nullptr);

enum class FailMode { kNone, kErrors, kPartial, kCorrupt };
// "none", "errors", "partial", "corrupt" (kInvalidArgument otherwise).
core::Result<FailMode> ParseFailMode(std::string_view text);
std::string_view FailModeName(FailMode mode);

struct PipelineOptions {
  std::filesystem::path dir;  // the world (vivasim init); runs/ and runs.jsonl are written here
  core::Date week{};          // any day of a simulated week; the run covers that whole week
  std::string tenant;         // one tenant id; empty = every tenant
  RowShape shape = RowShape::kV1;  // kV1 or kV0 (JSON lines); kPersonQuery is refused
  FailMode fail = FailMode::kNone;
  bool duplicate_notify = false;  // send each notification twice
  // Put the File key in metadata.json (DecryptionKeyDetails), wrapped with the tenant's
  // registered partner key (D/registrations); kFailedPrecondition when it has none.
  bool inline_key = false;
  bool include_users = true;      // also copy the AADUser export
  bool include_calendar = false;  // also copy the CalendarView_v0 rows (kind "CalendarView")
  uint64_t part_rows = 0;         // rows per part; 0 = about 4 parts of at most 50,000 rows
  // metadata.json reaches the partner before the parts (the failure a single folder copy may
  // cause); on_early_metadata is called once it is there and after each part (see
  // TemplateRunOptions).
  bool metadata_early = false;
  std::function<void(const drop::DropRef& ref, uint64_t parts_copied, uint64_t parts)>
      on_early_metadata;
  std::string container;  // Container of notifications (usually azure::ContainerNameFromUrl)
  // The Web activities deliver through this notifier (not owned); null = they are deactivated
  // and nothing is notified.
  Notifier* notifier = nullptr;
  const core::Clock* clock = nullptr;  // null = core::SystemClock
};

// What one drop of a run ended as.
struct DropOutcome {
  drop::DropRef ref;
  std::string copy_activity_id;
  std::string outcome;       // "complete", "errors", "partial", "corrupt"
  std::string data_factory;  // the factory that made it (its metadata's DataFactoryName)
  uint64_t rows = 0;
  uint64_t parts = 0;         // parts extracted
  uint64_t parts_copied = 0;  // parts in the partner store
  bool metadata_written = false;
  int notifications = 0;  // notifications delivered for this drop
};

struct PipelineResult {
  std::vector<DropOutcome> drops;  // in the order they were produced
  // The first failed notification ("Unavailable: ..."); empty when all were delivered. The
  // drops are complete and recorded all the same (the web activity fails after the copy).
  std::string notify_error;
};

// Runs the shipped template for the selected tenants into partner, using staging for the
// extract (partner and staging are not owned and are used only during the call). Errors:
// kInvalidArgument for a week outside the world, an unknown tenant or a CSV shape;
// kFailedPrecondition for inline_key without a registration; a store error of a step, with its
// code (the run stops at that tenant). Injected failures are not errors. A failed notification is
// reported in PipelineResult::notify_error. Staging is cleaned up in every case.
// Not thread-safe for one PipelineOptions::notifier.
core::Result<PipelineResult> RunPipeline(const Organization& org, store::BlobStore& partner,
                                         store::BlobStore& staging, const PipelineOptions& options);

// Index of the simulated week holding day (kInvalidArgument, naming the range, when outside).
core::Result<int> WeekIndex(const Organization& org, core::Date day);

}  // namespace vivalink::sim
