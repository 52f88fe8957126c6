#include "sim/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "azure/credentials.h"
#include "azure/open_store.h"
#include "azure/queue_client.h"
#include "core/cleanup.h"
#include "core/io.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "crypto/hash.h"
#include "drop/keys.h"
#include "drop/metadata.h"
#include "drop/writer.h"
#include "http/curl_transport.h"
#include "http/retry.h"
#include "sim/calendar.h"
#include "sim/state.h"

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

// Deletes every blob of a run from the staging store. Best effort: a failure here must not hide
// the run's own outcome, so it is only logged through the returned status' message.
core::Status DeleteStaging(store::BlobStore& staging, const std::string& run_id) {
  ASSIGN_OR_RETURN(auto blobs, store::ListAll(staging, run_id + "/"));
  core::Status first;
  for (const auto& b : blobs) {
    core::Status st = staging.Delete(b.name);
    if (!st.ok() && st.code() != core::StatusCode::kNotFound && first.ok()) first = st;
  }
  return first;
}

uint64_t AutoPartRows(uint64_t rows) { return std::clamp<uint64_t>((rows + 3) / 4, 1, 50000); }

struct CopyPlan {
  std::string kind;
  std::string jsonl;
  std::vector<std::string> requested_columns;  // for a failed run, what was asked for
  FailMode fail = FailMode::kNone;
  bool column_encrypted = true;  // false: no PII column (CalendarView)
};

class TenantRun {
 public:
  TenantRun(const Organization& org, const Tenant& tenant, int week, store::BlobStore& partner,
            store::BlobStore& staging, const PipelineOptions& options, PipelineResult& result)
      : org_(org),
        tenant_(tenant),
        week_(week),
        partner_(partner),
        staging_(staging),
        options_(options),
        result_(result),
        clock_(options.clock != nullptr ? *options.clock : core::SystemClock::Instance()),
        run_id_(core::NewUuid()) {}

  core::Status Run() {
    const core::TimePoint submitted = clock_.Now();
    // Staging is removed whatever happens below.
    core::Cleanup cleanup([&] { DeleteStaging(staging_, run_id_).IgnoreError(); });

    std::optional<crypto::RsaPublicKey> inline_key;
    if (options_.inline_key) {
      auto reg = LoadRegistration(options_.dir, tenant_.id);
      if (!reg.ok()) {
        return core::FailedPreconditionError(
            "--inline-key: " + reg.status().message() +
            " (the pipeline wraps the inline File key with the registered partner key)");
      }
      ASSIGN_OR_RETURN(auto key, crypto::RsaPublicKey::FromJwk(reg->key));
      inline_key = std::move(key);
    }

    CopyPlan metrics;
    metrics.kind = std::string(drop::kMetricsKind);
    metrics.fail = options_.fail;
    metrics.requested_columns = ColumnNames(options_.shape);
    {
      core::StringSink sink;
      ASSIGN_OR_RETURN(size_t rows, WriteWeek(org_, tenant_.index, week_, options_.shape, sink));
      (void)rows;
      metrics.jsonl = std::move(sink.data());
    }
    RETURN_IF_ERROR(Copy(metrics, submitted, inline_key));
    if (options_.fail == FailMode::kErrors || options_.fail == FailMode::kPartial) {
      return core::OkStatus();
    }
    if (options_.include_users) {
      CopyPlan users;
      users.kind = std::string(drop::kUsersKind);
      core::StringSink sink;
      ASSIGN_OR_RETURN(size_t rows, WriteUsers(org_, tenant_.index, sink));
      (void)rows;
      users.jsonl = std::move(sink.data());
      RETURN_IF_ERROR(Copy(users, submitted, inline_key));
    }
    if (options_.include_calendar) {
      CopyPlan calendar;
      calendar.kind = std::string(kCalendarKind);
      calendar.column_encrypted = false;
      core::StringSink sink;
      ASSIGN_OR_RETURN(CalendarWeek written, WriteCalendarWeek(org_, tenant_.index, week_, sink));
      (void)written;
      calendar.jsonl = std::move(sink.data());
      RETURN_IF_ERROR(Copy(calendar, submitted, inline_key));
    }
    return core::OkStatus();
  }

 private:
  core::Status Copy(CopyPlan& plan, core::TimePoint submitted,
                    const std::optional<crypto::RsaPublicKey>& inline_key) {
    const drop::DropRef ref{run_id_, plan.kind, tenant_.id};
    DropOutcome out;
    out.ref = ref;
    out.copy_activity_id = core::NewUuid();
    out.outcome = "complete";

    // Fresh keys per copy activity, saved before anything refers to them.
    drop::DropKeys keys{crypto::AesKeyIv::Random(), crypto::AesKeyIv::Random()};
    RETURN_IF_ERROR(
        SaveRunKeys(options_.dir, {out.copy_activity_id, run_id_, tenant_.id, plan.kind, keys}));

    drop::DropMetadata m;
    m.copy_activity_id = out.copy_activity_id;
    m.job_submission_time = submitted;
    const core::Date first_day = org_.WeekStart(week_);
    m.request_start = core::TimePoint(first_day);
    m.request_end = core::TimePoint(first_day + std::chrono::days{6});
    m.data_factory_name = options_.data_factory_prefix + "-" + tenant_.company;
    m.tenant_id = tenant_.id;
    m.table_name = plan.kind == drop::kMetricsKind
                       ? (options_.shape == RowShape::kV0 ? "VivaInsightsDataset_v0"
                                                          : "VivaInsightsDataset_PersonReport_v1")
                   : plan.kind == kCalendarKind ? "BasicDataSet_v0.CalendarView_v0"
                                                : "BasicDataSet_v0.User_v1";
    if (inline_key) {
      ASSIGN_OR_RETURN(auto wrapped, drop::WrapKey("File", keys.file, *inline_key));
      m.inline_key = std::move(wrapped);
    }

    if (plan.fail == FailMode::kErrors) {
      out.outcome = "errors";
      m.errors = fmt::format(
          "Operation on target Copy_{} failed: Failure happened on 'Source' side. "
          "ErrorCode=UserErrorFailedToReadData,Message=The extraction of week {} for tenant {} "
          "failed (injected by vivasim --fail errors).",
          plan.kind, core::FormatDate(first_day), tenant_.id);
      std::string cols;
      for (const auto& c : plan.requested_columns) cols += (cols.empty() ? "" : ",") + c;
      m.columns_requested = cols;
      m.rows_extracted = 0;
      return Finish(ref, m, out);
    }

    // 1. Extract into staging.
    drop::DropWriteOptions wo;
    if (!plan.column_encrypted) wo.encrypted_fields.clear();
    const uint64_t lines =
        static_cast<uint64_t>(std::count(plan.jsonl.begin(), plan.jsonl.end(), '\n'));
    wo.part_rows = options_.part_rows > 0 ? options_.part_rows : AutoPartRows(lines);
    if (plan.fail == FailMode::kPartial && lines >= 2) {
      wo.part_rows = std::min<uint64_t>(wo.part_rows, (lines + 1) / 2);
    }
    ASSIGN_OR_RETURN(drop::DropWriteResult written,
                     drop::WriteDropParts(staging_, ref, plan.jsonl, keys, wo));
    core::SecureWipe(plan.jsonl.data(), plan.jsonl.size());
    plan.jsonl.clear();
    out.rows = written.rows;
    out.parts = written.parts;
    drop::FillMetadataFromResult(written, m);

    // 2. Copy part by part (the Data Factory copy activity through the partner's SAS).
    uint64_t to_copy = written.parts;
    if (plan.fail == FailMode::kPartial) {
      if (written.parts < 2) {
        return core::InvalidArgumentError(
            "--fail partial needs at least 2 rows to split into 2 parts");
      }
      to_copy = written.parts / 2;
      out.outcome = "partial";
    }
    for (uint64_t i = 0; i < to_copy; ++i) {
      const std::string name = ref.part_path(static_cast<int>(i));
      ASSIGN_OR_RETURN(std::string bytes, store::GetAll(staging_, name));
      if (plan.fail == FailMode::kCorrupt && i == 0) {
        const size_t n = std::min<size_t>(8, bytes.size());
        const size_t at = bytes.size() / 2 >= n / 2 ? bytes.size() / 2 - n / 2 : 0;
        for (size_t k = 0; k < n; ++k) bytes[at + k] = static_cast<char>(bytes[at + k] ^ 0x5A);
        out.outcome = "corrupt";
      }
      ASSIGN_OR_RETURN(auto props, store::PutString(partner_, name, bytes));
      (void)props;
      ++out.parts_copied;
    }
    if (plan.fail == FailMode::kPartial) {
      // The copy died here: no metadata, no notification.
      return Record(out, m);
    }
    return Finish(ref, m, out);
  }

  // Metadata last, then the record and the notifications.
  core::Status Finish(const drop::DropRef& ref, drop::DropMetadata& m, DropOutcome& out) {
    m.job_completion_time = clock_.Now();
    ASSIGN_OR_RETURN(auto props, drop::WriteMetadata(partner_, ref, m));
    (void)props;
    out.metadata_written = true;
    if (options_.notifier != nullptr) {
      Notification n{tenant_.id, run_id_, options_.container, ref.metadata_path(),
                     out.copy_activity_id};
      const int times = options_.duplicate_notify ? 2 : 1;
      for (int i = 0; i < times; ++i) {
        core::Status st = options_.notifier->Notify(n);
        if (!st.ok()) {
          if (result_.notify_error.empty()) result_.notify_error = st.ToString();
          break;
        }
        ++out.notifications;
      }
    }
    return Record(out, m);
  }

  core::Status Record(const DropOutcome& out, const drop::DropMetadata& m) {
    ordered_json line = {{"time", core::FormatIso8601Millis(clock_.Now())},
                         {"runId", out.ref.run_id},
                         {"copyActivityId", out.copy_activity_id},
                         {"tenantId", out.ref.tenant_id},
                         {"kind", out.ref.kind},
                         {"week", core::FormatDate(org_.WeekStart(week_))},
                         {"shape", std::string(RowShapeName(options_.shape))},
                         {"outcome", out.outcome},
                         {"rows", out.rows},
                         {"parts", out.parts},
                         {"partsCopied", out.parts_copied},
                         {"metadataWritten", out.metadata_written},
                         {"inlineKey", m.inline_key.has_value()},
                         {"notifications", out.notifications},
                         {"store", partner_.Describe()}};
    result_.drops.push_back(out);
    return AppendJsonLine(options_.dir / "runs.jsonl", line);
  }

  const Organization& org_;
  const Tenant& tenant_;
  const int week_;
  store::BlobStore& partner_;
  store::BlobStore& staging_;
  const PipelineOptions& options_;
  PipelineResult& result_;
  const core::Clock& clock_;
  const std::string run_id_;
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
  PipelineResult result;
  for (const Tenant* t : tenants) {
    TenantRun run(org, *t, week, partner, staging, options, result);
    RETURN_IF_ERROR(run.Run());
  }
  return result;
}

}  // namespace vivalink::sim
