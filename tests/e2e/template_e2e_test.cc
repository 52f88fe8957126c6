// The customer package end to end (issue 13): `vivalink onboard` -> vivasim installs the
// Managed Application with onboard's parameters -> four scheduled weekly runs of the *template*
// -> each Web activity sends a managed-identity token -> `vivalink serve` imports each week
// exactly once; tokens that are forged, expired, for another audience or of another tenant are
// refused and import nothing. Child processes meet only in files, the store and HTTP; the
// partner store is a local folder (the Azure path of the same code is covered by e2e_push_test).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "core/time.h"
#include "http/curl_transport.h"
#include "testutil.h"

namespace vivalink {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testutil::RunProgram;

class TemplateE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path bin = testutil::BuildDir() / "src" / "cli";
    vivasim_ = (bin / "vivasim").string();
    vivalink_ = (bin / "vivalink").string();
    world_ = dir_ / "world";
    auto r = RunProgram({vivasim_, "init", "--dir", world_.string(), "--tenants", "1", "--people",
                         "25", "--weeks", "5", "--seed", "11"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json partner = json::parse(testutil::ReadFile(world_ / "partner.json"));
    tenant_ = partner.at("tenants").at(0).get<std::string>();

    ASSERT_TRUE(sim_.Start({vivasim_, "serve", "--dir", world_.string(), "--port", "0"},
                           dir_ / "vivasim-serve"));
    std::string first_line;
    for (int i = 0; i < 3000 && first_line.empty(); ++i) {
      const std::string out = sim_.stdout_text();
      if (auto nl = out.find('\n'); nl != std::string::npos) first_line = out.substr(0, nl);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const json served = json::parse(first_line, nullptr, false);
    ASSERT_TRUE(served.is_object()) << first_line << sim_.stderr_text();
    authority_ = served["authority"].get<std::string>();

    config_ = (dir_ / "vivalink.toml").string();
    testutil::WriteFile(
        config_,
        fmt::format(R"(data_dir = "{data}"
[storage]
url = "file://{data}/drops"
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
entra_audiences = ["api://vivalink-partner"]
[log]
level = "info"
)",
                    fmt::arg("data", (dir_ / "data").string()),
                    fmt::arg("api", served["baseUrl"].get<std::string>()),
                    fmt::arg("authority", authority_),
                    fmt::arg("client_id", partner.at("client_id").get<std::string>()),
                    fmt::arg("client_secret", partner.at("client_secret").get<std::string>())));

    // Onboarding: container, key pair registered with the key API, SAS, install parameters.
    r = RunProgram({vivalink_, "--config", config_, "onboard", "--tenant", tenant_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    params_ = json::parse(r.out);
    ASSERT_TRUE(params_["parameters"].contains("partnerSasUrl"));

    const std::string port_file = (dir_ / "port").string();
    ASSERT_TRUE(serve_.Start({vivalink_, "--config", config_, "serve", "--port-file", port_file},
                             dir_ / "vivalink-serve"));
    for (int i = 0; i < 3000 && port_ == 0; ++i) {
      if (fs::exists(port_file)) port_ = std::stoi(testutil::ReadFile(port_file));
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ASSERT_TRUE(serve_.Running()) << serve_.stderr_text();
    }
    ASSERT_GT(port_, 0) << serve_.stderr_text();
    bool polled = false;
    for (int i = 0; i < 600 && !polled; ++i) {
      polled = Metrics().find("vivalink_polls_total 1\n") != std::string::npos;
      if (!polled) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(polled) << serve_.stderr_text();

    // What the customer enters at install: onboard's parameters, its own MGDC application, and
    // the partner's public notification URL.
    params_["parameters"]["notificationUrl"]["value"] =
        fmt::format("http://127.0.0.1:{}/v1/notifications/drops", port_);
    params_["parameters"]["mgdcAppId"]["value"] = "11111111-2222-3333-4444-555555555555";
    params_["parameters"]["mgdcAppSecret"]["value"] = "customer-secret";
    params_path_ = (dir_ / "params.json").string();
    testutil::WriteFile(params_path_, params_.dump(2));
  }

  void TearDown() override {
    auto code = serve_.Stop();
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << serve_.stderr_text();
    sim_.Stop();
  }

  std::string Metrics() {
    http::Request req;
    req.url = fmt::format("http://127.0.0.1:{}/metrics", port_);
    auto r = client_.Send(req);
    return r.ok() ? r->body : "";
  }

  // One scheduled run of the template for the week starting `week`.
  testutil::RunResult Run(const std::string& week, const std::string& flaw = "none") {
    const std::string tmpl =
        (testutil::SourceDir() / "deploy" / "managed-app" / "mainTemplate.json").string();
    return RunProgram({vivasim_, "pipeline", "run", "--dir", world_.string(), "--week", week,
                       "--template", tmpl, "--parameters", params_path_, "--authority", authority_,
                       "--token-flaw", flaw});
  }

  // Waits until /metrics shows `done` drops of the tenant (up to 30 s).
  ::testing::AssertionResult DoneDrops(int n) {
    const std::string needle =
        fmt::format("vivalink_drops{{tenant=\"{}\",state=\"done\"}} {}\n", tenant_, n);
    std::string m;
    for (int i = 0; i < 300; ++i) {
      m = Metrics();
      if (m.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ::testing::AssertionFailure() << "no '" << needle << "' in\n" << m;
  }

  testutil::TempDir dir_;
  fs::path world_;
  std::string vivasim_, vivalink_, tenant_, authority_, config_, params_path_;
  json params_;
  testutil::ChildProcess sim_, serve_;
  int port_ = 0;
  http::CurlTransport client_;
};

TEST_F(TemplateE2E, FourWeeklyRunsImportOnceAndFlawedTokensImportNothing) {
  const json world = json::parse(testutil::ReadFile(world_ / "options.json"));
  auto first_day = core::ParseDate(world.at("first_week").get<std::string>());
  ASSERT_TRUE(first_day.ok());
  auto week = [&](int w) { return core::FormatDate(*first_day + std::chrono::days(7 * w)); };
  for (int w = 0; w < 4; ++w) {
    auto r = Run(week(w));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    // Each week: the user export and the metrics, imported by the notifications alone.
    ASSERT_TRUE(DoneDrops(2 * (w + 1))) << serve_.stderr_text();
  }
  for (const char* flaw : {"forged", "expired", "wrong-audience", "other-tenant"}) {
    auto r = Run(week(4), flaw);
    EXPECT_EQ(r.exit_code, 3) << flaw << ": " << r.out << r.err;
    // Both Web activities (the metrics drop's, then the user export's) are refused.
    EXPECT_NE(r.out.find("NotifyPartner "), std::string::npos);
    EXPECT_NE(r.out.find("NotifyPartnerUsers"), std::string::npos);
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_TRUE(DoneDrops(8));  // still 8: nothing of the refused runs was imported
  const std::string m = Metrics();
  // Two refused notifications a run: forged, expired and wrong-audience tokens are 401, the
  // other tenant's 403.
  EXPECT_NE(m.find("vivalink_push_rejected_signature_total 6\n"), std::string::npos) << m;
  EXPECT_NE(m.find("vivalink_push_rejected_forbidden_total 2\n"), std::string::npos) << m;
}

}  // namespace
}  // namespace vivalink
