// Event Grid and CloudEvents batches (push/notification.h ParseEvents), starting from the real
// samples in shared/data/eventgrid/.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "push/notification.h"
#include "testutil.h"

namespace vivalink::push {
namespace {

using core::StatusCode;
using nlohmann::json;

constexpr const char* kTenant = "0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c";
constexpr const char* kRun = "5c90a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b";

std::string Metadata(const std::string& kind = "VivaInsights") {
  return std::string(kRun) + "/" + kind + "/" + kTenant + "/metadata/JobMetadata/metadata.json";
}

json Sample(const std::string& name) {
  return json::parse(testutil::ReadFile(testutil::SharedData("eventgrid/" + name)));
}

// The Event Grid sample with its blob moved to container/path.
json EventGridFor(const std::string& container, const std::string& path) {
  json batch = Sample("blobcreated_eventgrid_schema.json");
  batch[0]["data"]["url"] =
      "https://my-storage-account.blob.core.windows.net/" + container + "/" + path;
  batch[0]["subject"] = "/blobServices/default/containers/" + container + "/blobs/" + path;
  return batch;
}

json CloudEventFor(const std::string& container, const std::string& path) {
  json event = Sample("blobcreated_cloudevents_schema.json");
  event["data"]["url"] = "https://gridtesting.blob.core.windows.net/" + container + "/" + path;
  event["subject"] = "blobServices/default/containers/" + container + "/blobs/" + path;
  return event;
}

EventBatch ParseOk(const json& body, std::string_view container = "") {
  auto r = ParseEvents(body.dump(), container);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : EventBatch{};
}

core::Status ParseFails(const std::string& body) {
  auto r = ParseEvents(body, "");
  EXPECT_FALSE(r.ok()) << body;
  return r.ok() ? core::OkStatus() : r.status();
}

TEST(PushEvents, ValidationSampleGivesItsCode) {
  const EventBatch b = ParseOk(Sample("subscription_validation_event.json"));
  ASSERT_TRUE(b.validation_code.has_value());
  EXPECT_EQ(*b.validation_code, "512d38b6-c7b8-40c8-89fe-f46f9e9622b6");
  EXPECT_TRUE(b.hints.empty());
  EXPECT_EQ(b.ignored, 0);
}

TEST(PushEvents, EventGridSampleForAnotherBlobIsIgnored) {
  const EventBatch b = ParseOk(Sample("blobcreated_eventgrid_schema.json"));
  EXPECT_FALSE(b.validation_code.has_value());
  EXPECT_TRUE(b.hints.empty());
  EXPECT_EQ(b.ignored, 1);
}

TEST(PushEvents, CloudEventsSampleForAnotherBlobIsIgnored) {
  const EventBatch b = ParseOk(Sample("blobcreated_cloudevents_schema.json"));
  EXPECT_TRUE(b.hints.empty());
  EXPECT_EQ(b.ignored, 1);
}

TEST(PushEvents, EventGridBlobCreatedForMetadataGivesAHint) {
  const EventBatch b = ParseOk(EventGridFor("vivainsights", Metadata()));
  ASSERT_EQ(b.hints.size(), 1u);
  EXPECT_EQ(b.ignored, 0);
  const DropHint& h = b.hints[0];
  EXPECT_EQ(h.source, HintSource::kEventGrid);
  EXPECT_EQ(h.ref.run_id, kRun);
  EXPECT_EQ(h.ref.tenant_id, kTenant);
  EXPECT_EQ(h.ref.kind, "VivaInsights");
  EXPECT_EQ(h.container, "vivainsights");
  EXPECT_EQ(h.id, "831e1650-001e-001b-66ab-eeb76e069631");
}

TEST(PushEvents, SingleCloudEventForMetadataGivesAHint) {
  const EventBatch b = ParseOk(CloudEventFor("vivainsights", Metadata("AADUser")));
  ASSERT_EQ(b.hints.size(), 1u);
  EXPECT_EQ(b.hints[0].source, HintSource::kCloudEvents);
  EXPECT_EQ(b.hints[0].ref.kind, "AADUser");
  EXPECT_EQ(b.hints[0].id, "9aeb0fdf-c01e-0131-0922-9eb54906e209");
}

TEST(PushEvents, CloudEventsBatchArrayIsAccepted) {
  json batch = json::array({CloudEventFor("c", Metadata()), CloudEventFor("c", "x/y.txt")});
  const EventBatch b = ParseOk(batch);
  ASSERT_EQ(b.hints.size(), 1u);
  EXPECT_EQ(b.hints[0].source, HintSource::kCloudEvents);
  EXPECT_EQ(b.ignored, 1);
}

TEST(PushEvents, AzuriteUrlNamesTheAccountInThePath) {
  json batch = EventGridFor("ignored", "ignored");
  batch[0]["data"]["url"] = "http://127.0.0.1:10000/devstoreaccount1/drops/" + Metadata();
  const EventBatch b = ParseOk(batch);
  ASSERT_EQ(b.hints.size(), 1u);
  EXPECT_EQ(b.hints[0].container, "drops");  // from the url, not the subject
}

TEST(PushEvents, PercentEncodedUrlIsDecoded) {
  json batch = EventGridFor("ignored", "ignored");
  std::string path = Metadata();
  path.replace(path.find("/metadata/"), 10, "/metadata%2F");
  batch[0]["data"]["url"] = "https://acct.blob.core.windows.net/drops/" + path;
  const EventBatch b = ParseOk(batch);
  ASSERT_EQ(b.hints.size(), 1u);
  EXPECT_EQ(b.hints[0].ref.metadata_path(), Metadata());
}

TEST(PushEvents, SubjectIsUsedWithoutUrl) {
  json batch = EventGridFor("drops", Metadata());
  batch[0]["data"].erase("url");
  EventBatch b = ParseOk(batch);
  ASSERT_EQ(b.hints.size(), 1u);
  EXPECT_EQ(b.hints[0].container, "drops");
  // The CloudEvents sample writes the subject without the leading '/'.
  json event = CloudEventFor("drops", Metadata());
  event["data"].erase("url");
  b = ParseOk(event);
  ASSERT_EQ(b.hints.size(), 1u);
  EXPECT_EQ(b.hints[0].container, "drops");
}

TEST(PushEvents, OtherContainersAreIgnoredWhenOneIsExpected) {
  json batch = EventGridFor("drops", Metadata());
  batch.push_back(EventGridFor("elsewhere", Metadata())[0]);
  EventBatch b = ParseOk(batch, "drops");
  ASSERT_EQ(b.hints.size(), 1u);
  EXPECT_EQ(b.hints[0].container, "drops");
  EXPECT_EQ(b.ignored, 1);
  b = ParseOk(batch, "");  // any container
  EXPECT_EQ(b.hints.size(), 2u);
  EXPECT_EQ(b.ignored, 0);
}

TEST(PushEvents, DataPartsAndOtherBlobsAreIgnored) {
  const std::string prefix = std::string(kRun) + "/VivaInsights/" + kTenant;
  json batch = json::array();
  for (const std::string& path : std::vector<std::string>{
           prefix + "/part-00000.json.gz", prefix + "/metadata/JobMetadata/other.json",
           std::string("junk/VivaInsights/x/metadata/JobMetadata/metadata.json"),
           "prefix/" + Metadata(), std::string("metadata/JobMetadata/metadata.json")}) {
    batch.push_back(EventGridFor("drops", path)[0]);
  }
  const EventBatch b = ParseOk(batch);
  EXPECT_TRUE(b.hints.empty());
  EXPECT_EQ(b.ignored, 5);
}

TEST(PushEvents, OtherEventTypesAreIgnored) {
  json batch = EventGridFor("drops", Metadata());
  batch[0]["eventType"] = "Microsoft.Storage.BlobDeleted";
  const EventBatch b = ParseOk(batch);
  EXPECT_TRUE(b.hints.empty());
  EXPECT_EQ(b.ignored, 1);
}

TEST(PushEvents, MixedBatchKeepsOrderAndCounts) {
  json batch = Sample("subscription_validation_event.json");
  batch.push_back(EventGridFor("drops", Metadata())[0]);
  batch.push_back(Sample("blobcreated_eventgrid_schema.json")[0]);
  batch.push_back(EventGridFor("drops", Metadata("AADUser"))[0]);
  const EventBatch b = ParseOk(batch);
  EXPECT_TRUE(b.validation_code.has_value());
  ASSERT_EQ(b.hints.size(), 2u);
  EXPECT_EQ(b.hints[0].ref.kind, "VivaInsights");
  EXPECT_EQ(b.hints[1].ref.kind, "AADUser");
  EXPECT_EQ(b.ignored, 1);
}

TEST(PushEvents, EmptyArrayIsAnEmptyBatch) {
  const EventBatch b = ParseOk(json::array());
  EXPECT_TRUE(b.hints.empty());
  EXPECT_EQ(b.ignored, 0);
  EXPECT_FALSE(b.validation_code.has_value());
}

TEST(PushEvents, MalformedJsonSaysWhere) {
  core::Status s = ParseFails("[{\"eventType\": }]");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("not valid JSON (at byte"), std::string::npos) << s.message();
  EXPECT_EQ(ParseFails("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFails("\"\xff\"").code(), StatusCode::kInvalidArgument);  // invalid UTF-8
}

TEST(PushEvents, WrongTopLevelShapeIsRefused) {
  for (const char* body : {"42", "\"x\"", "null", "true", "{\"foo\":1}"}) {
    core::Status s = ParseFails(body);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(PushEvents, EventThatIsNotAnObjectIsRefused) {
  core::Status s = ParseFails("[1]");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("event #0 must be a JSON object"), std::string::npos) << s.message();
}

TEST(PushEvents, EventWithoutTypeIsRefused) {
  json batch = EventGridFor("drops", Metadata());
  batch[0].erase("eventType");
  core::Status s = ParseFails(batch.dump());
  EXPECT_NE(s.message().find("eventType"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("831e1650"), std::string::npos) << s.message();  // names the event
  json event = CloudEventFor("drops", Metadata());
  event["type"] = 7;
  s = ParseFails(event.dump());
  EXPECT_NE(s.message().find("type"), std::string::npos) << s.message();
}

TEST(PushEvents, UnsupportedCloudEventsVersionIsRefused) {
  json event = CloudEventFor("drops", Metadata());
  event["specversion"] = "0.3";
  core::Status s = ParseFails(event.dump());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("specversion"), std::string::npos) << s.message();
}

TEST(PushEvents, ValidationWithoutCodeIsRefused) {
  json batch = Sample("subscription_validation_event.json");
  batch[0]["data"].erase("validationCode");
  core::Status s = ParseFails(batch.dump());
  EXPECT_NE(s.message().find("validationCode"), std::string::npos) << s.message();
}

TEST(PushEvents, BlobCreatedWithoutBlobIsRefused) {
  json batch = EventGridFor("drops", Metadata());
  batch[0]["data"].erase("url");
  batch[0]["subject"] = "/something/else";
  core::Status s = ParseFails(batch.dump());
  EXPECT_NE(s.message().find("data.url"), std::string::npos) << s.message();
  batch[0].erase("subject");
  batch[0].erase("data");
  EXPECT_EQ(ParseFails(batch.dump()).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::push
