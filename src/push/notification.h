// Parsing and authenticating push notifications (PROTOCOL §6). Pure functions over request bodies:
// no I/O, no logging, thread-safe. Every input is untrusted; a malformed one gives
// kInvalidArgument with a message that names what is wrong (never a secret: bodies carry none,
// and the signature header is not echoed).
//
// Web activity / queue body (what `vivasim` sends, sim::Notification::ToJson):
//   {"TenantId": "<guid>", "RunId": "<guid>", "Container": "<container>",
//    "MetadataPath": "<RunId>/VivaInsights/<TenantId>/metadata/JobMetadata/metadata.json",
//    "CopyActivityId": "<guid>"}
//   signed with the header  X-Vivalink-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>.
//
// Event Grid schema: a JSON array of events {id, eventType, subject, data, ...}. CloudEvents 1.0:
// one structured event object {specversion:"1.0", id, type, source, subject, data} or a batch
// array of them. Samples in shared/data/eventgrid/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "push/hint.h"

namespace vivalink::push {

inline constexpr std::string_view kSignatureHeader = "X-Vivalink-Signature";
// Per-tenant static notification key (like Azure Functions' x-functions-key), PROTOCOL §6 (b).
inline constexpr std::string_view kTenantKeyHeader = "x-vivalink-key";
inline constexpr std::string_view kBlobCreatedType = "Microsoft.Storage.BlobCreated";
inline constexpr std::string_view kValidationEventType =
    "Microsoft.EventGrid.SubscriptionValidationEvent";

// Parses a web activity or queue notification body. Keys are matched case-insensitively
// ("TenantId", "tenantId", "tenantid"); a key given twice in different casings is refused as
// ambiguous. TenantId, RunId and MetadataPath are required non-empty strings; Container and
// CopyActivityId are optional strings. MetadataPath must be exactly the metadata.json blob of a
// drop (<RunId>/VivaInsights|AADUser/<TenantId>/metadata/JobMetadata/metadata.json) and its
// RunId and TenantId must equal the body's (case-insensitively): a notification for tenant A
// may never point at tenant B's drop.
// kInvalidArgument naming the field for: not a JSON object, a missing, empty or non-string
// field, a MetadataPath that is not a drop's metadata.json, TenantId/RunId disagreeing with it.
core::Result<DropHint> ParseDropNotification(std::string_view body, HintSource source);

// Checks X-Vivalink-Signature: header_value must be "sha256=" followed by the 64 hex digits
// (either case) of HMAC-SHA256(secret, body); surrounding whitespace is ignored. The comparison
// is constant-time. False for an empty secret, a missing or malformed header, or a mismatch.
bool VerifySignature(std::string_view secret, std::string_view body, std::string_view header_value);

// "sha256=" + lower-case hex HMAC-SHA256(secret, body): the value a sender puts in the header.
std::string SignatureHeaderValue(std::string_view secret, std::string_view body);

// What one POST /v1/events body asks of us.
struct EventBatch {
  // data.validationCode of a Microsoft.EventGrid.SubscriptionValidationEvent (the first one).
  std::optional<std::string> validation_code;
  // BlobCreated events for .../metadata/JobMetadata/metadata.json of a drop, in body order.
  std::vector<DropHint> hints;
  // Other events: other blob types or blobs, other event types, other containers.
  int ignored = 0;
};

// Parses an Event Grid schema batch (JSON array of events) or CloudEvents 1.0 (one structured
// event object, or a batch array whose events carry "specversion"); both kinds may be mixed in
// one array. The blob of a BlobCreated event comes from data.url
// ("https://acct.blob.core.windows.net/{container}/{path}" or the emulator form
// "http://127.0.0.1:10000/{account}/{container}/{path}"), or, without a url, from the subject
// "/blobServices/default/containers/{container}/blobs/{path}" (leading '/' optional).
// expected_container: when non-empty, events for other containers are ignored (and counted).
// kInvalidArgument with what is wrong for: malformed JSON, a top level that is neither an object
// nor an array, an event that is not an object or has no string event type, a CloudEvent whose
// specversion is not 1.x, a validation event without data.validationCode, a BlobCreated event
// whose blob can be located neither from data.url nor from the subject.
core::Result<EventBatch> ParseEvents(std::string_view body, std::string_view expected_container);

}  // namespace vivalink::push
