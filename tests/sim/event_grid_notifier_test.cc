// vivasim's Event Grid stand-in (sim/pipeline.h MakeEventGridNotifier): the subscription
// validation handshake of each schema comes first, then one batch of BlobCreated events per drop
// (a data part and metadata.json), shaped like the samples in shared/data/eventgrid.

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/server_thread.h"
#include "pipeline_test_util.h"
#include "sim/pipeline.h"

namespace vivalink::sim {
namespace {

using testing::World;

// A webhook that answers the handshakes the way a subscriber should (or refuses them).
class EventReceiver {
 public:
  struct Request {
    std::string method;
    std::string body;
    std::string content_type;
    std::string event_type_header;
  };
  explicit EventReceiver(bool answer_handshakes = true) : answer_(answer_handshakes) {
    server_.Post("/v1/events", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      const auto body = nlohmann::json::parse(req.body, nullptr, false);
      if (body.is_array() && !body.empty() &&
          body[0].value("eventType", "") == "Microsoft.EventGrid.SubscriptionValidationEvent") {
        const std::string code = answer_ ? body[0]["data"]["validationCode"] : "wrong";
        res.set_content(nlohmann::json{{"validationResponse", code}}.dump(), "application/json");
      }
    });
    server_.Options("/v1/events", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      if (answer_) {
        res.set_header("WebHook-Allowed-Origin", req.get_header_value("WebHook-Request-Origin"));
      }
    });
    core::Status listening = listener_.Listen(server_, "127.0.0.1", 0);
    EXPECT_TRUE(listening.ok()) << listening.ToString();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(listener_.port()) + "/v1/events";
  }
  std::vector<Request> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  void Record(const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mu_);
    received_.push_back({req.method, req.body, req.get_header_value("Content-Type"),
                         req.get_header_value("aeg-event-type")});
  }
  bool answer_;
  httplib::Server server_;
  http::ServerThread listener_;  // stops before server_ is destroyed
  std::mutex mu_;
  std::vector<Request> received_;
};

PipelineOptions Options(const World& w, Notifier* notifier) {
  PipelineOptions o;
  o.dir = w.dir();
  o.week = w.org().WeekStart(1);
  o.tenant = w.tenant(0);
  o.container = "partner";
  o.include_users = false;
  o.notifier = notifier;
  return o;
}

constexpr const char* kBase = "https://acct.blob.core.windows.net/partner";

TEST(EventGridNotifier, ValidatesTheSubscriptionThenPostsBlobCreatedForAPartAndTheMetadata) {
  World w;
  EventReceiver receiver;
  auto notifier = MakeEventGridNotifier(receiver.url(), EventSchema::kEventGridSchema, kBase);
  auto r = RunPipeline(w.org(), w.partner(), w.staging(), Options(w, notifier.get()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->notify_error.empty()) << r->notify_error;
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].event_type_header, "SubscriptionValidation");
  EXPECT_EQ(got[1].event_type_header, "Notification");
  const auto events = nlohmann::json::parse(got[1].body);
  ASSERT_TRUE(events.is_array());
  ASSERT_EQ(events.size(), 2u);
  const std::string metadata = r->drops[0].ref.metadata_path();
  EXPECT_EQ(events[1]["eventType"], "Microsoft.Storage.BlobCreated");
  EXPECT_EQ(events[1]["data"]["url"], std::string(kBase) + "/" + metadata);
  EXPECT_EQ(events[1]["subject"], "/blobServices/default/containers/partner/blobs/" + metadata);
  EXPECT_EQ(events[0]["data"]["url"],
            std::string(kBase) + "/" + r->drops[0].ref.prefix() + "part-00000.json.gz");
  EXPECT_NE(events[0]["id"], events[1]["id"]);
}

TEST(EventGridNotifier, ValidatesOnlyOnceForManyDrops) {
  World w;
  EventReceiver receiver;
  auto notifier = MakeEventGridNotifier(receiver.url(), EventSchema::kEventGridSchema, kBase);
  PipelineOptions o = Options(w, notifier.get());
  o.include_users = true;  // two drops, two event batches
  auto r = RunPipeline(w.org(), w.partner(), w.staging(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(receiver.received().size(), 3u);
}

TEST(EventGridNotifier, CloudEventsAnswersTheOptionsHandshakeThenPostsABatch) {
  World w;
  EventReceiver receiver;
  auto notifier = MakeEventGridNotifier(receiver.url(), EventSchema::kCloudEvents, kBase);
  auto r = RunPipeline(w.org(), w.partner(), w.staging(), Options(w, notifier.get()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->notify_error.empty()) << r->notify_error;
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].method, "OPTIONS");
  EXPECT_EQ(got[1].method, "POST");
  EXPECT_EQ(got[1].content_type, "application/cloudevents-batch+json; charset=utf-8");
  const auto events = nlohmann::json::parse(got[1].body);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["specversion"], "1.0");
  EXPECT_EQ(events[1]["type"], "Microsoft.Storage.BlobCreated");
  EXPECT_EQ(events[1]["data"]["url"], std::string(kBase) + "/" + r->drops[0].ref.metadata_path());
}

TEST(EventGridNotifier, ASubscriberThatFailsTheValidationGetsNoEvents) {
  World w;
  EventReceiver receiver(/*answer_handshakes=*/false);
  auto notifier = MakeEventGridNotifier(receiver.url(), EventSchema::kEventGridSchema, kBase);
  auto r = RunPipeline(w.org(), w.partner(), w.staging(), Options(w, notifier.get()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r->notify_error.find("validationCode"), std::string::npos) << r->notify_error;
  EXPECT_EQ(receiver.received().size(), 1u);  // the validation event only
  EXPECT_TRUE(r->drops[0].metadata_written);  // the drop itself is delivered
}

TEST(EventGridNotifier, CloudEventsWithoutAnAllowedOriginGetsNoEvents) {
  World w;
  EventReceiver receiver(/*answer_handshakes=*/false);
  auto notifier = MakeEventGridNotifier(receiver.url(), EventSchema::kCloudEvents, kBase);
  auto r = RunPipeline(w.org(), w.partner(), w.staging(), Options(w, notifier.get()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r->notify_error.find("WebHook-Allowed-Origin"), std::string::npos) << r->notify_error;
  EXPECT_EQ(receiver.received().size(), 1u);
}

TEST(EventGridNotifier, SchemaNamesParse) {
  EXPECT_EQ(*ParseEventSchema("eventgrid"), EventSchema::kEventGridSchema);
  EXPECT_EQ(*ParseEventSchema("cloudevents"), EventSchema::kCloudEvents);
  EXPECT_EQ(ParseEventSchema("grid").status().code(), core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::sim
