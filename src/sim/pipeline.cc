#include "sim/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "azure/credentials.h"
#include "azure/open_store.h"
#include "azure/queue_client.h"
#include "core/io.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "crypto/hash.h"
#include "drop/metadata.h"
#include "http/curl_transport.h"
#include "http/retry.h"
#include "sim/arm_pipeline.h"
#include "sim/shipped_template.h"

namespace vivalink::sim {
namespace {

using nlohmann::ordered_json;

// The HTTP client of the notifiers: 3 attempts on 5xx/429/network failures. transport null = a
// CurlTransport owned by the result; otherwise not owned (a shared_ptr that never deletes, for
// RetryingTransport's interface).
std::unique_ptr<http::RetryingTransport> NotifyTransport(http::HttpTransport* transport) {
  std::shared_ptr<http::HttpTransport> inner =
      transport == nullptr
          ? std::shared_ptr<http::HttpTransport>(std::make_shared<http::CurlTransport>())
          : std::shared_ptr<http::HttpTransport>(transport, [](http::HttpTransport*) {});
  http::RetryOptions ro;
  ro.max_attempts = 3;
  ro.initial_delay = std::chrono::milliseconds(200);
  ro.max_retry_after = std::chrono::milliseconds(10000);
  return std::make_unique<http::RetryingTransport>(std::move(inner), ro);
}

class WebActivityNotifier final : public Notifier {
 public:
  WebActivityNotifier(std::string url, std::string secret, http::HttpTransport* transport)
      : url_(std::move(url)), secret_(std::move(secret)), retrying_(NotifyTransport(transport)) {}

  core::Status Notify(const Notification& n) override {
    http::Request req;
    req.method = "POST";
    req.url = url_;
    req.body = n.ToJson();
    req.headers["Content-Type"] = "application/json";
    req.headers["X-Vivalink-Signature"] = SignatureHeaderValue(secret_, req.body);
    req.timeout = std::chrono::milliseconds(30000);
    auto resp = retrying_->Send(req);
    if (!resp.ok()) {
      return resp.status().WithContext("notification of drop " + n.metadata_path);
    }
    if (resp->status < 200 || resp->status >= 300) {
      core::RemoteDetails details;
      details.http_status = resp->status;
      details.attempt = resp->attempt;
      return core::UnavailableError(fmt::format("notification of drop {} to {} answered HTTP {}",
                                                n.metadata_path, http::UrlWithoutQuery(url_),
                                                resp->status))
          .SetRemote(details);
    }
    return core::OkStatus();
  }

 private:
  std::string url_;
  std::string secret_;
  std::unique_ptr<http::RetryingTransport> retrying_;
};

class QueueNotifier final : public Notifier {
 public:
  explicit QueueNotifier(std::unique_ptr<azure::QueueClient> client) : client_(std::move(client)) {}

  core::Status Notify(const Notification& n) override {
    if (!created_) {
      // Best effort: a SAS scoped to adding messages cannot create queues; Send reports the
      // real problem if the queue is missing.
      client_->Create().IgnoreError();
      created_ = true;
    }
    auto sent = client_->Send(n.ToJson());
    if (!sent.ok()) {
      return sent.status().WithContext("queue notification of drop " + n.metadata_path);
    }
    return core::OkStatus();
  }

 private:
  std::unique_ptr<azure::QueueClient> client_;
  bool created_ = false;
};

// Event Grid pushing BlobCreated events to a webhook (see MakeEventGridNotifier).
class EventGridNotifier final : public Notifier {
 public:
  EventGridNotifier(std::string url, EventSchema schema, std::string blob_base_url,
                    http::HttpTransport* transport)
      : url_(std::move(url)),
        schema_(schema),
        blob_base_url_(std::move(blob_base_url)),
        retrying_(NotifyTransport(transport)) {
    while (!blob_base_url_.empty() && blob_base_url_.back() == '/') blob_base_url_.pop_back();
  }

  core::Status Notify(const Notification& n) override {
    if (!validated_) {
      RETURN_IF_ERROR(Validate());
      validated_ = true;
    }
    const std::string prefix = n.metadata_path.substr(
        0, n.metadata_path.size() - std::min(n.metadata_path.size(), drop::kMetadataSuffix.size()));
    ordered_json batch = ordered_json::array();
    batch.push_back(Event(n, prefix + "part-00000.json.gz", "application/octet-stream"));
    batch.push_back(Event(n, n.metadata_path, "application/json"));
    http::Request req;
    req.method = "POST";
    req.url = url_;
    if (schema_ == EventSchema::kCloudEvents) {
      req.headers["Content-Type"] = "application/cloudevents-batch+json; charset=utf-8";
    } else {
      req.headers["Content-Type"] = "application/json";
      req.headers["aeg-event-type"] = "Notification";
    }
    req.body = batch.dump();
    ASSIGN_OR_RETURN(http::Response resp, Send(req, "BlobCreated events of " + n.metadata_path));
    (void)resp;
    return core::OkStatus();
  }

 private:
  ordered_json Event(const Notification& n, const std::string& path,
                     std::string_view content_type) {
    const std::string id = core::NewUuid();
    const std::string time = core::FormatIso8601Millis(core::SystemClock::Instance().Now());
    const std::string subject =
        fmt::format("/blobServices/default/containers/{}/blobs/{}", n.container, path);
    ordered_json data = {{"api", "PutBlob"},
                         {"clientRequestId", core::NewUuid()},
                         {"requestId", core::NewUuid()},
                         {"eTag", "0x8D" + id.substr(0, 8)},
                         {"contentType", content_type},
                         {"contentLength", 0},
                         {"blobType", "BlockBlob"},
                         {"url", blob_base_url_ + "/" + path},
                         {"sequencer", fmt::format("{:032x}", ++sequence_)}};
    const std::string source =
        "/subscriptions/vivasim/resourceGroups/vivasim/providers/"
        "Microsoft.Storage/storageAccounts/partner";
    if (schema_ == EventSchema::kCloudEvents) {
      return {{"specversion", "1.0"}, {"type", "Microsoft.Storage.BlobCreated"},
              {"source", source},     {"id", id},
              {"time", time},         {"subject", subject.substr(1)},
              {"data", data}};
    }
    return {{"topic", source},
            {"subject", subject},
            {"eventType", "Microsoft.Storage.BlobCreated"},
            {"eventTime", time},
            {"id", id},
            {"data", data},
            {"dataVersion", ""},
            {"metadataVersion", "1"}};
  }

  core::Status Validate() {
    http::Request req;
    req.url = url_;
    if (schema_ == EventSchema::kCloudEvents) {
      req.method = "OPTIONS";
      req.headers["WebHook-Request-Origin"] = "eventgrid.azure.net";
      req.headers["WebHook-Request-Rate"] = "120";
      ASSIGN_OR_RETURN(http::Response resp, Send(req, "CloudEvents validation handshake"));
      auto it = resp.headers.find("WebHook-Allowed-Origin");
      if (it == resp.headers.end() || (it->second != "eventgrid.azure.net" && it->second != "*")) {
        return core::FailedPreconditionError(fmt::format(
            "CloudEvents validation handshake with {} failed: no WebHook-Allowed-Origin for "
            "eventgrid.azure.net in the answer",
            http::UrlWithoutQuery(url_)));
      }
      return core::OkStatus();
    }
    const std::string code = core::NewUuid();
    ordered_json event = {
        {"id", core::NewUuid()},
        {"topic", "/subscriptions/vivasim"},
        {"subject", ""},
        {"data", {{"validationCode", code}}},
        {"eventType", "Microsoft.EventGrid.SubscriptionValidationEvent"},
        {"eventTime", core::FormatIso8601Millis(core::SystemClock::Instance().Now())},
        {"metadataVersion", "1"},
        {"dataVersion", "1"}};
    req.method = "POST";
    req.headers["Content-Type"] = "application/json";
    req.headers["aeg-event-type"] = "SubscriptionValidation";
    req.body = ordered_json::array({event}).dump();
    ASSIGN_OR_RETURN(http::Response resp, Send(req, "Event Grid subscription validation"));
    auto answer = ordered_json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
    if (!answer.is_object() || !answer.contains("validationResponse") ||
        answer["validationResponse"] != code) {
      return core::FailedPreconditionError(
          fmt::format("Event Grid subscription validation with {} failed: the answer does not "
                      "echo the validationCode as validationResponse",
                      http::UrlWithoutQuery(url_)));
    }
    return core::OkStatus();
  }

  core::Result<http::Response> Send(const http::Request& req, const std::string& what) {
    http::Request r = req;
    r.timeout = std::chrono::milliseconds(30000);
    auto resp = retrying_->Send(r);
    if (!resp.ok()) return resp.status().WithContext(what);
    if (resp->status < 200 || resp->status >= 300) {
      core::RemoteDetails details;
      details.http_status = resp->status;
      details.attempt = resp->attempt;
      return core::UnavailableError(fmt::format("{} to {} answered HTTP {}", what,
                                                http::UrlWithoutQuery(url_), resp->status))
          .SetRemote(details);
    }
    return std::move(*resp);
  }

  std::string url_;
  EventSchema schema_;
  std::string blob_base_url_;
  bool validated_ = false;
  uint64_t sequence_ = 0;
  std::unique_ptr<http::RetryingTransport> retrying_;
};

}  // namespace

core::Result<std::unique_ptr<store::BlobStore>> OpenPipelineStore(std::string_view url) {
  return azure::OpenBlobStore(url);
}

std::string Notification::ToJson() const {
  return ordered_json({{"TenantId", tenant_id},
                       {"RunId", run_id},
                       {"Container", container},
                       {"MetadataPath", metadata_path},
                       {"CopyActivityId", copy_activity_id}})
      .dump();
}

std::string SignatureHeaderValue(std::string_view secret, std::string_view body) {
  return "sha256=" + core::HexEncode(crypto::HmacSha256(secret, body));
}

std::unique_ptr<Notifier> MakeWebActivityNotifier(std::string url, std::string secret,
                                                  http::HttpTransport* transport) {
  return std::make_unique<WebActivityNotifier>(std::move(url), std::move(secret), transport);
}

core::Result<std::unique_ptr<Notifier>> MakeQueueNotifier(
    std::string_view queue_url, std::shared_ptr<http::HttpTransport> transport) {
  azure::QueueClientOptions qo;
  qo.transport = std::move(transport);
  ASSIGN_OR_RETURN(auto client, azure::OpenQueueClient(queue_url, std::move(qo)));
  return std::unique_ptr<Notifier>(std::make_unique<QueueNotifier>(std::move(client)));
}

std::unique_ptr<Notifier> MakeEventGridNotifier(std::string url, EventSchema schema,
                                                std::string blob_base_url,
                                                http::HttpTransport* transport) {
  return std::make_unique<EventGridNotifier>(std::move(url), schema, std::move(blob_base_url),
                                             transport);
}

core::Result<EventSchema> ParseEventSchema(std::string_view text) {
  if (text == "eventgrid") return EventSchema::kEventGridSchema;
  if (text == "cloudevents") return EventSchema::kCloudEvents;
  return core::InvalidArgumentError(
      fmt::format("--event-schema must be eventgrid or cloudevents, not '{}'", text));
}

core::Result<FailMode> ParseFailMode(std::string_view text) {
  if (text.empty() || text == "none") return FailMode::kNone;
  if (text == "errors") return FailMode::kErrors;
  if (text == "partial") return FailMode::kPartial;
  if (text == "corrupt") return FailMode::kCorrupt;
  return core::InvalidArgumentError(
      fmt::format("--fail must be errors, partial or corrupt, not '{}'", text));
}

std::string_view FailModeName(FailMode mode) {
  switch (mode) {
    case FailMode::kNone:
      return "none";
    case FailMode::kErrors:
      return "errors";
    case FailMode::kPartial:
      return "partial";
    case FailMode::kCorrupt:
      return "corrupt";
  }
  return "none";
}

core::Result<int> WeekIndex(const Organization& org, core::Date day) {
  const auto offset = (day - org.options.first_week).count();
  if (offset < 0 || offset >= 7 * static_cast<int64_t>(org.options.weeks)) {
    return core::InvalidArgumentError(
        fmt::format("week {} is outside the simulated weeks {} to {}", core::FormatDate(day),
                    core::FormatDate(org.WeekStart(0)),
                    core::FormatDate(org.WeekStart(org.options.weeks - 1))));
  }
  return static_cast<int>(offset / 7);
}

core::Result<PipelineResult> RunPipeline(const Organization& org, store::BlobStore& partner,
                                         store::BlobStore& staging,
                                         const PipelineOptions& options) {
  if (options.shape == RowShape::kPersonQuery) {
    return core::InvalidArgumentError(
        "the pipeline delivers JSON lines: --shape must be v1 or v0 (csv is the analyst export)");
  }
  ASSIGN_OR_RETURN(int week, WeekIndex(org, options.week));
  std::vector<const Tenant*> tenants;
  for (const Tenant& t : org.tenants) {
    if (options.tenant.empty() || core::NormalizeUuid(options.tenant) == t.id) {
      tenants.push_back(&t);
    }
  }
  if (tenants.empty()) {
    return core::InvalidArgumentError(
        fmt::format("tenant {} is not part of this world (see partner.json)", options.tenant));
  }
  const arm::Value tmpl = arm::Value::parse(ShippedTemplateJson(), nullptr, false);
  if (tmpl.is_discarded()) {
    return core::InternalError("the template compiled into vivasim is not JSON");
  }
  // The stores the installation's linked services resolve to: the partner's SAS URL parameter
  // and the staging account's blob endpoint, bound to the stores given.
  const std::string partner_url = "vivasim-store://partner";
  const std::string staging_account = "vivasim-store://staging-account";
  const std::string staging_container = "staging";
  // Container of the notifications; the template wants a storage container name.
  std::string container = options.container;
  if (container.size() < 3) container = "drops";

  TemplateRunOptions to;
  to.dir = options.dir;
  to.week = org.WeekStart(week);
  to.staging_account_url = staging_account;
  to.stores = {{partner_url, &partner}, {staging_account + "/" + staging_container, &staging}};
  to.fail = options.fail;
  to.metadata_early = options.metadata_early;
  to.on_early_metadata = options.on_early_metadata;
  to.duplicate_notify = options.duplicate_notify;
  to.inline_key = options.inline_key;
  to.part_rows = options.part_rows;
  to.web = options.notifier != nullptr ? WebDelivery::kNotifier : WebDelivery::kInactive;
  to.notifier = options.notifier;
  to.clock = options.clock;

  PipelineResult result;
  for (const Tenant* t : tenants) {
    // Each tenant is its own installation of the package, with these install parameters.
    to.tenant = t->id;
    to.parameters = {
        {"partnerSasUrl", partner_url},
        {"partnerContainer", container},
        // Not called: the Web activities deliver through the notifier or are deactivated.
        {"notificationUrl", "https://partner.invalid/v1/notifications/drops"},
        {"partnerAppIdUri", "api://vivasim-partner"},
        {"vivaInsightsTable", options.shape == RowShape::kV0
                                  ? "VivaInsightsDataset_v0"
                                  : "VivaInsightsDataset_PersonReport_v1"},
        {"exportUsers", options.include_users},
        {"exportCalendar", options.include_calendar},
        {"mgdcAppId", org.partner_client_id},
        {"mgdcAppSecret", "vivasim"},
        {"scheduleStartTime",
         core::FormatIso8601(core::TimePoint(org.WeekStart(0) + std::chrono::days{7}) +
                             std::chrono::hours(2))}};
    ASSIGN_OR_RETURN(TemplateRunResult run, RunTemplatePipeline(org, to, tmpl));
    for (DropOutcome& d : run.drops) result.drops.push_back(std::move(d));
    // A failed step is an error unless it was injected or only a notification failed (the drop
    // is delivered all the same). IfCondition failures repeat those of their branch.
    for (const ActivityRun& a : run.activities) {
      if (a.status != "Failed" || a.injected || a.type == "IfCondition") continue;
      if (a.type == "WebActivity") {
        if (result.notify_error.empty()) result.notify_error = a.failure.ToString();
        continue;
      }
      return a.failure;
    }
  }
  return result;
}

}  // namespace vivalink::sim
