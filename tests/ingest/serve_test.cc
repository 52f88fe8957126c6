// The push model inside ingest: Ingestor::Hint (a notification is only a hint), the /metrics text
// and `Serve` with its HTTP endpoint on 127.0.0.1 port 0 against a real SQLite file and a local
// folder store (the Azurite version of all this is tests/e2e/push_e2e_test.cc).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "core/base64.h"
#include "core/strings.h"
#include "crypto/hash.h"
#include "http/curl_transport.h"
#include "ingest/commands.h"
#include "ingest/ingestor.h"
#include "ingest/metrics.h"
#include "ingest_fixture.h"

namespace vivalink::ingest {
namespace {

using testing::Count;
using testing::kTenantA;
using testing::kTenantB;
using testing::MetricRows;
using testing::World;

constexpr char kRun1[] = "11111111-1111-4111-8111-111111111111";
constexpr char kRun2[] = "22222222-2222-4222-8222-222222222222";
constexpr char kRun3[] = "33333333-3333-4333-8333-333333333333";

class Hints : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = world_.MakeConfig(world_.sqlite_url());
    auto ingestor = Ingestor::Open(config_, {.progress = 0}, nullptr);
    ASSERT_TRUE(ingestor.ok()) << ingestor.status().ToString();
    ingestor_ = std::move(*ingestor);
  }
  HintResult Hint(const drop::DropRef& ref) {
    auto r = ingestor_->Hint(ref);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HintResult{};
  }
  int64_t Rows(const std::string& sql) {
    auto db = db::Database::Open(config_.database_url, {});
    EXPECT_TRUE(db.ok());
    return Count(**db, sql);
  }

  World world_;
  Config config_;
  std::unique_ptr<Ingestor> ingestor_;
};

TEST_F(Hints, AHintImportsTheDropAndARepeatFindsItDone) {
  const drop::DropRef ref = world_.Write({.run_id = kRun1, .rows = MetricRows(12)});
  HintResult first = Hint(ref);
  EXPECT_EQ(first.outcome, HintOutcome::kProcessed);
  EXPECT_EQ(first.drop.state, DropState::kDone);
  EXPECT_EQ(first.drop.rows, 12);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM person_week"), 12);
  // Retention 0: the blobs are gone, so the repeat cannot even read metadata back.
  HintResult again = Hint(ref);
  EXPECT_EQ(again.outcome, HintOutcome::kNotInStorage);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM person_week"), 12);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM drops"), 1);
  EXPECT_EQ(Rows("SELECT attempts FROM drops"), 1);
}

TEST_F(Hints, ARepeatWhileTheBlobsAreKeptIsAlreadyKnown) {
  config_.retention_days = 7;
  auto ingestor = Ingestor::Open(config_, {.progress = 0}, nullptr);
  ASSERT_TRUE(ingestor.ok());
  ingestor_ = std::move(*ingestor);
  const drop::DropRef ref = world_.Write({.run_id = kRun1, .rows = MetricRows(5)});
  EXPECT_EQ(Hint(ref).outcome, HintOutcome::kProcessed);
  HintResult again = Hint(ref);
  EXPECT_EQ(again.outcome, HintOutcome::kAlreadyKnown);
  EXPECT_EQ(again.drop.state, DropState::kDone);
  EXPECT_EQ(Rows("SELECT attempts FROM drops"), 1);
}

TEST_F(Hints, AHintForADropNotInStorageChangesNothing) {
  HintResult r = Hint({kRun2, "VivaInsights", kTenantA});
  EXPECT_EQ(r.outcome, HintOutcome::kNotInStorage);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM drops"), 0);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM tenants"), 0);
}

TEST_F(Hints, OlderUnfinishedDropsOfTheTenantGoFirstAndOtherTenantsWait) {
  world_.Write({.run_id = kRun1, .rows = MetricRows(3)});
  world_.Write({.run_id = kRun3, .tenant = kTenantB, .rows = MetricRows(4)});
  // A poll registers both, then an outage stops processing (simulated: register only).
  {
    auto db = db::Database::Open(config_.database_url, {});
    ASSERT_TRUE(db.ok());
    Ledger ledger(**db);
    auto found = drop::ListDrops(world_.store());
    ASSERT_TRUE(found.ok());
    ASSERT_TRUE(ledger.Register(*found, config_.lookback).ok());
  }
  const drop::DropRef newer = world_.Write({.run_id = kRun2, .rows = MetricRows(6)});
  HintResult r = Hint(newer);
  ASSERT_EQ(r.outcome, HintOutcome::kProcessed);
  ASSERT_EQ(r.pass.results.size(), 2u);
  EXPECT_EQ(r.pass.results[0].key.run_id, kRun1);  // the older one first
  EXPECT_EQ(r.pass.results[1].key.run_id, kRun2);
  EXPECT_EQ(r.drop.state, DropState::kDone);
  EXPECT_EQ(Rows(fmt::format("SELECT COUNT(*) FROM drops WHERE tenant_id = '{}' AND state = "
                             "'pending'",
                             kTenantB)),
            1);
}

TEST_F(Hints, ATenantLimitedServiceIgnoresOtherTenants) {
  auto ingestor = Ingestor::Open(config_, {.progress = 0, .tenant = kTenantB}, nullptr);
  ASSERT_TRUE(ingestor.ok());
  const drop::DropRef ref = world_.Write({.run_id = kRun1, .rows = MetricRows(3)});
  auto r = (*ingestor)->Hint(ref);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, HintOutcome::kOtherTenant);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM drops"), 0);
}

TEST_F(Hints, AFailingDropIsReportedAsFailedForARetry) {
  const drop::DropRef ref =
      world_.Write({.run_id = kRun1, .rows = MetricRows(8), .corrupt_last_part = true});
  HintResult r = Hint(ref);
  EXPECT_EQ(r.outcome, HintOutcome::kProcessed);
  EXPECT_EQ(r.drop.state, DropState::kFailed);
  EXPECT_FALSE(r.drop.error.ok());
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM person_week"), 0);
}

TEST(PrometheusText, NamesEveryFamilyWithHelpTypeAndTenantLabels) {
  StatusReport status;
  TenantStatus t;
  t.tenant_id = kTenantA;
  t.done = 3;
  t.failed = 1;
  t.rows = 1200;
  t.bytes = 4096;
  t.lag_seconds = 86400;
  status.tenants.push_back(t);
  ServeCounters c;
  c.polls = 2;
  c.poll_errors = 1;
  c.hints[{"queue", "processed"}] = 5;
  const std::string text = PrometheusText(status, c);
  for (const char* family :
       {"vivalink_drops", "vivalink_rows_imported_total", "vivalink_bytes_imported_total",
        "vivalink_lag_seconds", "vivalink_polls_total", "vivalink_hints_total",
        "vivalink_errors_total"}) {
    EXPECT_NE(text.find(fmt::format("# HELP {} ", family)), std::string::npos) << family;
    EXPECT_NE(text.find(fmt::format("# TYPE {} ", family)), std::string::npos) << family;
  }
  const std::string label = fmt::format("tenant=\"{}\"", kTenantA);
  EXPECT_NE(text.find("vivalink_drops{" + label + ",state=\"done\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("vivalink_drops{" + label + ",state=\"failed\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("vivalink_rows_imported_total{" + label + "} 1200\n"), std::string::npos);
  EXPECT_NE(text.find("vivalink_bytes_imported_total{" + label + "} 4096\n"), std::string::npos);
  EXPECT_NE(text.find("vivalink_lag_seconds{" + label + "} 86400\n"), std::string::npos);
  EXPECT_NE(text.find("vivalink_hints_total{channel=\"queue\",outcome=\"processed\"} 5\n"),
            std::string::npos);
  EXPECT_NE(text.find("vivalink_errors_total{kind=\"poll\"} 1\n"), std::string::npos);
  // Every sample line is "name{labels} value" or "name value".
  for (auto line : core::Split(text, '\n')) {
    if (line.empty() || line.starts_with("#")) continue;
    EXPECT_NE(line.find(' '), std::string_view::npos) << line;
  }
}

TEST(PrometheusText, LagIsLeftOutBeforeTheFirstDrop) {
  StatusReport status;
  status.tenants.push_back({.tenant_id = kTenantA, .lag_seconds = -1});
  EXPECT_EQ(PrometheusText(status, {}).find("vivalink_lag_seconds{"), std::string::npos);
}

// Serve in a thread with the HTTP endpoint on a free port.
class ServeHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = world_.MakeConfig(world_.sqlite_url());
    config_.poll_interval = std::chrono::hours(1);  // only the first poll, then pushes
    config_.push.listen = "127.0.0.1:0";
    config_.push.webhook_secret = "s3cret";
    thread_ = std::thread([this] {
      CommandOptions o;
      o.stop = &stop_;
      status_ = Serve(config_, o, [this](int port) { port_ = port; });
    });
    for (int i = 0; i < 5000 && port_.load() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_GT(port_.load(), 0);
    // The first poll runs right after the endpoint opens; drops written before it ends could be
    // imported by it rather than by the notification under test.
    bool polled = false;
    for (int i = 0; i < 500 && !polled; ++i) {
      polled = Send("GET", "/metrics").body.find("vivalink_polls_total 1\n") != std::string::npos;
      if (!polled) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(polled) << "the first poll did not finish";
  }
  void TearDown() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    EXPECT_TRUE(status_.ok()) << status_.ToString();
  }
  http::Response Send(const std::string& method, const std::string& path,
                      const std::string& body = "", http::Headers headers = {}) {
    http::Request req;
    req.method = method;
    req.url = fmt::format("http://127.0.0.1:{}{}", port_.load(), path);
    req.body = body;
    req.headers = std::move(headers);
    auto r = transport_.Send(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::Response{};
  }
  std::string Notification(const drop::DropRef& ref) {
    return nlohmann::json{{"TenantId", ref.tenant_id},
                          {"RunId", ref.run_id},
                          {"Container", "store"},
                          {"MetadataPath", ref.metadata_path()},
                          {"CopyActivityId", "c0ffee00-0000-4000-8000-000000000001"}}
        .dump();
  }
  std::string Signature(const std::string& body, const std::string& secret = "s3cret") {
    return "sha256=" + core::HexEncode(crypto::HmacSha256(secret, body));
  }
  bool WaitFor(const std::string& sql, int64_t want) {
    for (int i = 0; i < 500; ++i) {
      auto db = db::Database::Open(config_.database_url, {});
      if (db.ok()) {
        auto v = (*db)->QueryValue(sql);
        if (v.ok() && v->GetInt() != nullptr && *v->GetInt() == want) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  World world_;
  Config config_;
  std::atomic<bool> stop_{false};
  std::atomic<int> port_{0};
  core::Status status_;
  std::thread thread_;
  http::CurlTransport transport_;
};

TEST_F(ServeHttp, ASignedWebActivityImportsTheDrop) {
  const drop::DropRef ref = world_.Write({.run_id = kRun1, .rows = MetricRows(9)});
  const std::string body = Notification(ref);
  auto r = Send("POST", "/v1/notifications/drops", body,
                {{"Content-Type", "application/json"}, {"X-Vivalink-Signature", Signature(body)}});
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_TRUE(WaitFor("SELECT COUNT(*) FROM person_week", 9));
  EXPECT_TRUE(WaitFor("SELECT COUNT(*) FROM drops WHERE state = 'done'", 1));
}

TEST_F(ServeHttp, AForgedSignatureIsRefusedAndImportsNothing) {
  const drop::DropRef ref = world_.Write({.run_id = kRun1, .rows = MetricRows(9)});
  const std::string body = Notification(ref);
  auto r = Send(
      "POST", "/v1/notifications/drops", body,
      {{"Content-Type", "application/json"}, {"X-Vivalink-Signature", Signature(body, "wrong")}});
  EXPECT_EQ(r.status, 401) << r.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(WaitFor("SELECT COUNT(*) FROM drops", 0));
}

TEST_F(ServeHttp, MetricsAndHealthzAnswer) {
  const drop::DropRef ref = world_.Write({.run_id = kRun1, .rows = MetricRows(4)});
  const std::string body = Notification(ref);
  Send("POST", "/v1/notifications/drops", body,
       {{"Content-Type", "application/json"}, {"X-Vivalink-Signature", Signature(body)}});
  ASSERT_TRUE(WaitFor("SELECT COUNT(*) FROM drops WHERE state = 'done'", 1));
  std::string metrics;
  for (int i = 0; i < 100; ++i) {
    metrics = Send("GET", "/metrics").body;
    if (metrics.find("outcome=\"processed\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(metrics.find("vivalink_hints_total{channel=\"web_activity\",outcome=\"processed\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(fmt::format("vivalink_rows_imported_total{{tenant=\"{}\"}} 4", kTenantA)),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("vivalink_polls_total 1"), std::string::npos) << metrics;
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
}

TEST(ServeStartup, AListenAddressInUseIsAStartupError) {
  World world;
  Config config = world.MakeConfig(world.sqlite_url());
  // Occupy a port with a first service, then start a second on the same port.
  std::atomic<bool> stop{false};
  std::atomic<int> port{0};
  config.push.listen = "127.0.0.1:0";
  std::thread first([&] {
    CommandOptions o;
    o.stop = &stop;
    EXPECT_TRUE(Serve(config, o, [&](int p) { port = p; }).ok());
  });
  for (int i = 0; i < 5000 && port.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_GT(port.load(), 0);
  Config second = config;
  second.push.listen = fmt::format("127.0.0.1:{}", port.load());
  std::atomic<bool> stop2{false};
  std::atomic<bool> returned{false};
  core::Status st;
  std::thread other([&] {
    CommandOptions o2;
    o2.stop = &stop2;
    st = Serve(second, o2);
    returned = true;
  });
  for (int i = 0; i < 250 && !returned.load(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(returned.load()) << "a second service started on a port already in use";
  stop2 = true;
  other.join();
  EXPECT_FALSE(st.ok());
  stop = true;
  first.join();
}

TEST(ServeStartup, AMalformedListenAddressIsRefused) {
  EXPECT_FALSE(ParseListenAddress("8080").ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:").ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:70000").ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:80x").ok());
  auto ok = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->first, "::1");
  EXPECT_EQ(ok->second, 0);
}

}  // namespace
}  // namespace vivalink::ingest
