// End to end, the push model (PROTOCOL §6): `vivasim pipeline run` delivers drops into a real
// Azurite container through the partner's write-only SAS and notifies `vivalink serve` (a real
// child process, SQLite, keys from `vivasim serve`'s key API) by each of the three channels —
// the signed web activity, Event Grid (both schemas) and a Storage Queue. `vivalink serve` polls
// once an hour here, so only the notification can bring a drop in within the test's wait.
//
// Duplicate and forged notifications change nothing: a repeated notification finds the ledger
// row it already made, a forged signature is refused with 401, a notification naming a drop
// that is not in storage (or a tenant other than the path's) imports nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "azure/blob_client.h"
#include "azure/credentials.h"
#include "azure/queue_client.h"
#include "azure/sas.h"
#include "azure/shared_key.h"
#include "azurite.h"
#include "child_process.h"
#include "core/base64.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "crypto/hash.h"
#include "db/database.h"
#include "http/curl_transport.h"
#include "testutil.h"

namespace vivalink {
namespace {

namespace fs = std::filesystem;
using testing::AzuriteEnvironment;
using testutil::ChildProcess;
using testutil::RunProgram;

::testing::Environment* const kAzurite =
    ::testing::AddGlobalTestEnvironment(new AzuriteEnvironment);

constexpr char kSecret[] = "webhook-s3cret";
constexpr char kEventsKey[] = "events-k3y";

std::shared_ptr<const azure::SharedKeyCredential> DevKey() {
  return *azure::SharedKeyCredential::Make(std::string(azure::kDevStoreAccount),
                                           azure::kDevStoreKey);
}

std::string Text(const db::Value& v) { return v.GetText() != nullptr ? *v.GetText() : ""; }
int64_t Int(const db::Value& v) { return v.GetInt() != nullptr ? *v.GetInt() : -1; }

struct SimDrop {
  std::string run_id, tenant, kind, metadata, outcome;
  int64_t rows = 0;
};

class PushAzuriteE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    vivasim_ = (testutil::BuildDir() / "src/cli/vivasim").string();
    vivalink_ = (testutil::BuildDir() / "src/cli/vivalink").string();
    auto& az = AzuriteEnvironment::Get();
    ::setenv("AZURE_STORAGE_CONNECTION_STRING", az.ConnectionString().c_str(), 1);
    // Fresh names per test: Azurite is shared by the whole binary.
    const std::string id = core::NewUuid().substr(0, 8);
    container_ = "drops-" + id;
    queue_ = "notify-" + id;

    world_ = dir_ / "world";
    auto r = RunProgram({vivasim_, "init", "--dir", world_.string(), "--tenants", "1", "--people",
                         "30", "--weeks", "4", "--seed", "5", "--first-week", "2024-01-07"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto partner = nlohmann::json::parse(testutil::ReadFile(world_ / "partner.json"));
    tenant_ = partner.at("tenants").at(0).get<std::string>();

    ASSERT_TRUE(sim_.Start({vivasim_, "serve", "--dir", world_.string(), "--port", "0"},
                           dir_ / "vivasim-serve"));
    std::string first_line;
    for (int i = 0; i < 3000 && first_line.empty(); ++i) {
      const std::string out = sim_.stdout_text();
      if (auto nl = out.find('\n'); nl != std::string::npos) first_line = out.substr(0, nl);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto served = nlohmann::json::parse(first_line, nullptr, false);
    ASSERT_TRUE(served.is_object()) << "vivasim serve said: " << first_line << sim_.stderr_text();

    auto client = azure::AzureBlobClient::Make(az.ContainerUrl(container_), DevKey());
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE((*client)->CreateContainerIfNotExists().ok());
    const auto expiry = core::SystemClock::Instance().Now() + std::chrono::hours(2);
    auto write_sas = azure::MakeContainerSas(azure::kDevStoreAccount, azure::kDevStoreKey,
                                             container_, "cw", expiry);
    auto read_sas = azure::MakeContainerSas(azure::kDevStoreAccount, azure::kDevStoreKey,
                                            container_, "rdl", expiry);
    ASSERT_TRUE(write_sas.ok() && read_sas.ok());
    pipeline_store_ = azure::AppendSas(az.ContainerUrl(container_), *write_sas);
    const std::string partner_store = azure::AppendSas(az.ContainerUrl(container_), *read_sas);

    // The TOML of vivalink serve: polls hourly (so pushes are what import), SQLite, the key API.
    const std::string config = fmt::format(
        R"(data_dir = "{data}"
[storage]
url = "{store}"
[keys]
keystore = "{data}/keys"
api_base_url = "{api}"
authority = "{authority}"
client_id = "{client_id}"
client_secret = "{client_secret}"
[database]
url = "sqlite://{data}/vivalink.db"
[ingest]
poll_interval_seconds = 3600
[push]
listen = "127.0.0.1:0"
webhook_secret = "{secret}"
events_key = "{events_key}"
queue_url = "{queue}"
queue_visibility_seconds = 30
max_dequeue_count = 3
[log]
level = "info"
)",
        fmt::arg("data", (dir_ / "data").string()), fmt::arg("store", partner_store),
        fmt::arg("api", served["baseUrl"].get<std::string>()),
        fmt::arg("authority", served["authority"].get<std::string>()),
        fmt::arg("client_id", partner.at("client_id").get<std::string>()),
        fmt::arg("client_secret", partner.at("client_secret").get<std::string>()),
        fmt::arg("secret", kSecret), fmt::arg("events_key", kEventsKey),
        fmt::arg("queue", az.QueueUrl(queue_)));
    config_path_ = (dir_ / "vivalink.toml").string();
    testutil::WriteFile(config_path_, config);
    r = RunProgram(
        {vivalink_, "--config", config_path_, "keys", "register", "--tenant", tenant_, "--create"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    // The queue exists before serve starts reading it (a pipeline would create it too).
    auto queue = azure::QueueClient::Make(az.QueueUrl(queue_), DevKey());
    ASSERT_TRUE(queue.ok());
    ASSERT_TRUE((*queue)->Create().ok());

    const std::string port_file = (dir_ / "port").string();
    ASSERT_TRUE(
        serve_.Start({vivalink_, "--config", config_path_, "serve", "--port-file", port_file},
                     dir_ / "vivalink-serve"));
    for (int i = 0; i < 3000 && port_ == 0; ++i) {
      if (fs::exists(port_file)) port_ = std::stoi(testutil::ReadFile(port_file));
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ASSERT_TRUE(serve_.Running()) << "vivalink serve exited: " << serve_.stderr_text();
    }
    ASSERT_GT(port_, 0) << "vivalink serve did not start listening: " << serve_.stderr_text();
    // Its first poll (of the still empty container) must be over before the pipeline delivers:
    // from then on only a notification can import within the test (the next poll is an hour away).
    bool polled = false;
    for (int i = 0; i < 600 && !polled; ++i) {
      polled = Metrics().find("vivalink_polls_total 1\n") != std::string::npos;
      if (!polled) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(polled) << "the first poll did not finish: " << serve_.stderr_text();
  }

  void TearDown() override {
    auto code = serve_.Stop();
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << "vivalink serve did not stop cleanly on SIGTERM:\n"
                        << serve_.stderr_text();
    sim_.Stop();
    ::unsetenv("AZURE_STORAGE_CONNECTION_STRING");
  }

  std::string Url(std::string_view path) const {
    return fmt::format("http://127.0.0.1:{}{}", port_, path);
  }

  // `vivasim pipeline run` for one week with the given notification flags.
  std::vector<SimDrop> Pipeline(const std::string& week, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {vivasim_,  "pipeline",      "run",    "--dir", world_.string(),
                                     "--store", pipeline_store_, "--week", week};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = RunProgram(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<SimDrop> out;
    for (auto line : core::Split(r.out, '\n')) {
      if (core::Trim(line).empty()) continue;
      auto j = nlohmann::json::parse(line);
      out.push_back({j.at("runId"), j.at("tenantId"), j.at("kind"), j.at("metadata"),
                     j.at("outcome"), j.at("rows").get<int64_t>()});
    }
    return out;
  }

  std::unique_ptr<db::Database> Db() const {
    auto db = db::Database::Open("sqlite://" + (dir_ / "data" / "vivalink.db").string(), {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // "{run}/{kind}" -> (state, attempts) of every ledger row.
  std::map<std::string, std::pair<std::string, int64_t>> Ledger() const {
    std::map<std::string, std::pair<std::string, int64_t>> out;
    auto db = Db();
    if (!db) return out;
    auto q = db->Query("SELECT run_id, kind, state, attempts FROM drops");
    if (!q.ok()) return out;  // not created yet
    for (const auto& r : q->rows) {
      EXPECT_TRUE(
          out.emplace(Text(r[0]) + "/" + Text(r[1]), std::make_pair(Text(r[2]), Int(r[3]))).second)
          << "two ledger rows for one drop";
    }
    return out;
  }

  int64_t PersonWeeks(const std::string& run_id) const {
    auto db = Db();
    if (!db) return -1;
    auto v = db->QueryValue("SELECT COUNT(*) FROM person_week WHERE run_id = ?", {run_id});
    return v.ok() ? Int(*v) : -1;
  }

  // Waits until every drop has a done ledger row (or 60 s passed).
  ::testing::AssertionResult WaitDone(const std::vector<SimDrop>& drops) {
    for (int i = 0; i < 600; ++i) {
      auto ledger = Ledger();
      bool all = true;
      for (const auto& d : drops) {
        auto it = ledger.find(d.run_id + "/" + d.kind);
        all = all && it != ledger.end() && it->second.first == "done";
      }
      if (all) return ::testing::AssertionSuccess();
      if (!serve_.Running()) {
        return ::testing::AssertionFailure() << "vivalink serve exited: " << serve_.stderr_text();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ::testing::AssertionFailure() << "drops not imported within 60 s:\n"
                                         << serve_.stderr_text();
  }

  void ExpectImportedOnce(const std::vector<SimDrop>& drops) {
    auto ledger = Ledger();
    for (const auto& d : drops) {
      auto it = ledger.find(d.run_id + "/" + d.kind);
      ASSERT_NE(it, ledger.end()) << d.metadata;
      EXPECT_EQ(it->second.first, "done") << d.metadata;
      EXPECT_EQ(it->second.second, 1) << d.metadata << ": claimed more than once";
      if (d.kind == "VivaInsights") {
        EXPECT_EQ(PersonWeeks(d.run_id), d.rows) << d.metadata;
      }
    }
  }

  http::Response Post(std::string_view path, const std::string& body, http::Headers headers) {
    http::Request req;
    req.method = "POST";
    req.url = Url(path);
    req.body = body;
    req.headers = std::move(headers);
    if (!req.headers.contains("Content-Type")) req.headers["Content-Type"] = "application/json";
    auto resp = transport_.Send(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() ? std::move(resp).value() : http::Response{};
  }

  std::string Metrics() {
    http::Request req;
    req.url = Url("/metrics");
    auto resp = transport_.Send(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() ? resp->body : "";
  }

  // Waits (up to 10 s) until /metrics holds `needle`: serve publishes its metrics text after
  // the transaction of a drop commits, so the database can be ahead of /metrics for a moment.
  ::testing::AssertionResult MetricsShow(const std::string& needle) {
    std::string metrics;
    for (int i = 0; i < 100; ++i) {
      metrics = Metrics();
      if (metrics.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ::testing::AssertionFailure() << "/metrics never showed " << needle << ":\n" << metrics;
  }

  // Waits (up to 10 s) until /metrics shows a hint of the channel that imported a drop.
  ::testing::AssertionResult ImportedByHint(std::string_view channel) {
    return MetricsShow(
        fmt::format("vivalink_hints_total{{channel=\"{}\",outcome=\"processed\"}}", channel));
  }

  std::string Signed(const std::string& body) {
    return "sha256=" + core::HexEncode(crypto::HmacSha256(kSecret, body));
  }

  testutil::TempDir dir_;
  fs::path world_;
  std::string vivasim_, vivalink_, tenant_, container_, queue_, pipeline_store_, config_path_;
  ChildProcess sim_, serve_;
  int port_ = 0;
  http::CurlTransport transport_;
};

TEST_F(PushAzuriteE2E, WebActivityNotificationImportsTheWeekOnce) {
  auto drops = Pipeline("2024-01-07", {"--notify-url", Url("/v1/notifications/drops"),
                                       "--notify-secret", kSecret, "--duplicate-notify"});
  ASSERT_EQ(drops.size(), 2u);  // the metrics and the user export
  ASSERT_TRUE(WaitDone(drops));
  ExpectImportedOnce(drops);
  EXPECT_TRUE(
      MetricsShow(fmt::format("vivalink_drops{{tenant=\"{}\",state=\"done\"}} 2", tenant_)));
  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("vivalink_hints_total{channel=\"web_activity\",outcome=\"processed\"}"),
            std::string::npos)
      << metrics;
}

TEST_F(PushAzuriteE2E, EventGridBlobCreatedImportsTheWeekOnce) {
  auto drops =
      Pipeline("2024-01-14", {"--notify-events", Url(std::string("/v1/events?code=") + kEventsKey),
                              "--event-schema", "eventgrid", "--duplicate-notify"});
  ASSERT_EQ(drops.size(), 2u);
  ASSERT_TRUE(WaitDone(drops));
  ExpectImportedOnce(drops);
  EXPECT_TRUE(ImportedByHint("event_grid"));
}

TEST_F(PushAzuriteE2E, CloudEventsBlobCreatedImportsTheWeekOnce) {
  auto drops =
      Pipeline("2024-01-21", {"--notify-events", Url(std::string("/v1/events?code=") + kEventsKey),
                              "--event-schema", "cloudevents"});
  ASSERT_EQ(drops.size(), 2u);
  ASSERT_TRUE(WaitDone(drops));
  ExpectImportedOnce(drops);
  EXPECT_TRUE(ImportedByHint("cloudevents"));
}

TEST_F(PushAzuriteE2E, QueueMessageImportsTheWeekOnceAndIsDeleted) {
  auto& az = AzuriteEnvironment::Get();
  auto drops =
      Pipeline("2024-01-28", {"--notify-queue", az.QueueUrl(queue_), "--duplicate-notify"});
  ASSERT_EQ(drops.size(), 2u);
  ASSERT_TRUE(WaitDone(drops));
  ExpectImportedOnce(drops);
  EXPECT_TRUE(ImportedByHint("queue"));
  // Every message (duplicates included) is deleted once its drop is settled.
  auto queue = azure::QueueClient::Make(az.QueueUrl(queue_), DevKey());
  ASSERT_TRUE(queue.ok());
  bool empty = false;
  for (int i = 0; i < 100 && !empty; ++i) {
    auto peek = (*queue)->Peek(32);
    ASSERT_TRUE(peek.ok()) << peek.status().ToString();
    empty = peek->empty();
    if (!empty) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(empty) << "notifications left on the queue";
}

TEST_F(PushAzuriteE2E, ForgedAndStaleNotificationsChangeNothing) {
  // A real delivery without notification: the poll is an hour away, so it stays unimported.
  auto drops = Pipeline("2024-01-07", {});
  ASSERT_EQ(drops.size(), 2u);
  const SimDrop& metrics_drop = drops[0].kind == "VivaInsights" ? drops[0] : drops[1];
  nlohmann::json body = {{"TenantId", tenant_},
                         {"RunId", metrics_drop.run_id},
                         {"Container", container_},
                         {"MetadataPath", metrics_drop.metadata},
                         {"CopyActivityId", core::NewUuid()}};
  // 1. The right body with a forged signature: 401, nothing imported.
  auto r = Post("/v1/notifications/drops", body.dump(),
                {{"X-Vivalink-Signature",
                  "sha256=" + core::HexEncode(crypto::HmacSha256("guess", body.dump()))}});
  EXPECT_EQ(r.status, 401) << r.body;
  r = Post("/v1/notifications/drops", body.dump(), {});
  EXPECT_EQ(r.status, 401) << r.body;
  // 2. Events without the events key: 401.
  r = Post("/v1/events", "[]", {});
  EXPECT_EQ(r.status, 401) << r.body;
  // 3. A signed notification whose tenant is not the path's: refused as a bad request.
  nlohmann::json other = body;
  other["TenantId"] = core::NewUuid();
  r = Post("/v1/notifications/drops", other.dump(),
           {{"X-Vivalink-Signature", Signed(other.dump())}});
  EXPECT_EQ(r.status, 400) << r.body;
  // 4. A signed notification for a drop that is not in storage: accepted as a hint, and the
  //    read-back finds nothing.
  const std::string ghost_run = core::NewUuid();
  nlohmann::json ghost = body;
  ghost["RunId"] = ghost_run;
  ghost["MetadataPath"] =
      fmt::format("{}/VivaInsights/{}/metadata/JobMetadata/metadata.json", ghost_run, tenant_);
  r = Post("/v1/notifications/drops", ghost.dump(),
           {{"X-Vivalink-Signature", Signed(ghost.dump())}});
  EXPECT_EQ(r.status, 202) << r.body;
  std::string metrics;
  for (int i = 0; i < 100; ++i) {
    metrics = Metrics();
    if (metrics.find("outcome=\"not_in_storage\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(
      metrics.find("vivalink_hints_total{channel=\"web_activity\",outcome=\"not_in_storage\"} 1"),
      std::string::npos)
      << metrics;
  EXPECT_TRUE(Ledger().empty()) << "a forged or stale notification touched the ledger";
  EXPECT_EQ(PersonWeeks(metrics_drop.run_id), 0);

  // The genuine notification still works afterwards, and a replay of it changes nothing.
  for (int i = 0; i < 2; ++i) {
    r = Post("/v1/notifications/drops", body.dump(),
             {{"X-Vivalink-Signature", Signed(body.dump())}});
    EXPECT_EQ(r.status, 202) << r.body;
    ASSERT_TRUE(WaitDone({metrics_drop}));
  }
  ExpectImportedOnce({metrics_drop});
}

TEST_F(PushAzuriteE2E, UnparseableQueueMessageGoesToThePoisonQueue) {
  auto& az = AzuriteEnvironment::Get();
  auto queue = azure::QueueClient::Make(az.QueueUrl(queue_), DevKey());
  ASSERT_TRUE(queue.ok());
  ASSERT_TRUE((*queue)->Send("{not json").ok());
  auto poison = azure::QueueClient::Make(az.QueueUrl(queue_ + "-poison"), DevKey());
  ASSERT_TRUE(poison.ok());
  bool moved = false;
  for (int i = 0; i < 150 && !moved; ++i) {
    auto peek = (*poison)->Peek(1);
    moved = peek.ok() && peek->size() == 1 && (*peek)[0].text == "{not json";
    if (!moved) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(moved) << serve_.stderr_text();
  auto left = (*queue)->Peek(1);
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
  EXPECT_TRUE(Ledger().empty());
}

TEST_F(PushAzuriteE2E, HealthzAnswersOk) {
  http::Request req;
  req.url = Url("/healthz");
  auto resp = transport_.Send(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 200) << resp->body;
}

}  // namespace
}  // namespace vivalink
