// Event Grid and CloudEvents BlobCreated parsing (declared in notification.h).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "azure/credentials.h"
#include "core/strings.h"
#include "push/internal/json_body.h"
#include "push/notification.h"

namespace vivalink::push {
namespace {

using nlohmann::json;

struct BlobLocation {
  std::string container;
  std::string path;  // blob name inside the container
};

std::string StringOr(const json& object, const char* key, std::string fallback = "") {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// "{container}/{path}" into its two parts; nullopt when either is empty.
std::optional<BlobLocation> SplitContainer(std::string_view resource) {
  const size_t slash = resource.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == resource.size()) {
    return std::nullopt;
  }
  return BlobLocation{std::string(resource.substr(0, slash)),
                      std::string(resource.substr(slash + 1))};
}

// data.url: account in the host (Azure) or in the first path segment (Azurite, IP hosts); the
// resource after the account is percent-decoded by ParseStorageUrl.
std::optional<BlobLocation> FromUrl(std::string_view url) {
  if (url.empty()) return std::nullopt;
  auto parsed = azure::ParseStorageUrl(url);
  if (!parsed.ok()) return std::nullopt;
  return SplitContainer(parsed->resource);
}

// "/blobServices/default/containers/{container}/blobs/{path}" (Event Grid writes the leading
// '/', the CloudEvents sample does not).
std::optional<BlobLocation> FromSubject(std::string_view subject) {
  constexpr std::string_view kPrefix = "blobServices/default/containers/";
  constexpr std::string_view kBlobs = "/blobs/";
  if (subject.starts_with('/')) subject.remove_prefix(1);
  if (!subject.starts_with(kPrefix)) return std::nullopt;
  subject.remove_prefix(kPrefix.size());
  const size_t blobs = subject.find(kBlobs);
  if (blobs == std::string_view::npos || blobs == 0) return std::nullopt;
  std::string_view path = subject.substr(blobs + kBlobs.size());
  if (path.empty()) return std::nullopt;
  return BlobLocation{std::string(subject.substr(0, blobs)), std::string(path)};
}

std::string EventName(size_t index, const std::string& id) {
  return id.empty() ? fmt::format("events: event #{}", index)
                    : fmt::format("events: event #{} (id {})", index, id);
}

core::Status AddEvent(const json& event, size_t index, std::string_view expected_container,
                      EventBatch& batch) {
  if (!event.is_object()) {
    return core::InvalidArgumentError(
        fmt::format("events: event #{} must be a JSON object, found {}", index, event.type_name()));
  }
  const std::string id = StringOr(event, "id");
  const bool cloud = event.contains("specversion");
  if (cloud) {
    const std::string version = StringOr(event, "specversion");
    if (!version.starts_with("1.")) {
      return core::InvalidArgumentError(
          fmt::format("{}: CloudEvents specversion must be \"1.0\"", EventName(index, id)));
    }
  }
  const char* type_key = cloud ? "type" : "eventType";
  auto type_it = event.find(type_key);
  if (type_it == event.end() || !type_it->is_string()) {
    return core::InvalidArgumentError(
        fmt::format("{}: field {} is missing or not a string", EventName(index, id), type_key));
  }
  const std::string& type = type_it->get_ref<const std::string&>();
  auto data_it = event.find("data");
  const json* data = data_it != event.end() && data_it->is_object() ? &*data_it : nullptr;

  if (type == kValidationEventType) {
    const std::string code = data != nullptr ? StringOr(*data, "validationCode") : "";
    if (code.empty()) {
      return core::InvalidArgumentError(fmt::format(
          "{}: a subscription validation event needs data.validationCode", EventName(index, id)));
    }
    if (!batch.validation_code) batch.validation_code = code;
    return core::OkStatus();
  }
  if (type != kBlobCreatedType) {
    ++batch.ignored;
    return core::OkStatus();
  }
  std::optional<BlobLocation> where;
  if (data != nullptr) where = FromUrl(StringOr(*data, "url"));
  if (!where) where = FromSubject(StringOr(event, "subject"));
  if (!where) {
    return core::InvalidArgumentError(
        fmt::format("{}: a BlobCreated event must name its blob in data.url "
                    "(https://account.blob.core.windows.net/container/blob) or in the subject "
                    "(/blobServices/default/containers/container/blobs/blob)",
                    EventName(index, id)));
  }
  if (!expected_container.empty() &&
      !core::EqualsIgnoreCase(where->container, expected_container)) {
    ++batch.ignored;
    return core::OkStatus();
  }
  // Only a drop's metadata.json (written last) means a copy is complete; data parts and other
  // tools' blobs in the container are not our business.
  auto ref = drop::ParseDropRef(where->path);
  if (!where->path.ends_with(drop::kMetadataSuffix) || !ref.ok() ||
      ref->metadata_path() != where->path) {
    ++batch.ignored;
    return core::OkStatus();
  }
  DropHint hint;
  hint.source = cloud ? HintSource::kCloudEvents : HintSource::kEventGrid;
  hint.ref = std::move(*ref);
  hint.container = std::move(where->container);
  hint.id = id;
  batch.hints.push_back(std::move(hint));
  return core::OkStatus();
}

}  // namespace

core::Result<EventBatch> ParseEvents(std::string_view body, std::string_view expected_container) {
  ASSIGN_OR_RETURN(json j, internal::ParseJsonBody(body, "events"));
  EventBatch batch;
  if (j.is_array()) {
    size_t index = 0;
    for (const json& event : j)
      RETURN_IF_ERROR(AddEvent(event, index++, expected_container, batch));
    return batch;
  }
  if (j.is_object()) {
    if (!j.contains("specversion") && !j.contains("eventType")) {
      return core::InvalidArgumentError(
          "events: a single event object must be a CloudEvent (with specversion) or an Event "
          "Grid event (with eventType); Event Grid batches are JSON arrays");
    }
    RETURN_IF_ERROR(AddEvent(j, 0, expected_container, batch));
    return batch;
  }
  return core::InvalidArgumentError(fmt::format(
      "events: the body must be a JSON array of events or one CloudEvent object, found {}",
      j.type_name()));
}

}  // namespace vivalink::push
