// The vivasim program end to end: init, pipeline run and serve as separate processes that meet
// only in the world directory, the stores and HTTP (as vivalink meets them).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "crypto/rsa.h"
#include "drop/keys.h"
#include "http/curl_transport.h"
#include "pipeline_test_util.h"

namespace vivalink::sim {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string Vivasim() { return (testutil::BuildDir() / "src" / "cli" / "vivasim").string(); }

std::vector<json> JsonLines(const std::string& out) {
  std::vector<json> v;
  for (const auto& l : testing::Lines(out)) {
    if (!l.empty()) v.push_back(json::parse(l));
  }
  return v;
}

// `vivasim serve` as a child process; the first stdout line is read, SIGTERM stops it.
class ServeProcess {
 public:
  explicit ServeProcess(const std::vector<std::string>& args) {
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    first_line_ = line;
  }
  ~ServeProcess() {
    if (pid_ > 0) Terminate();
  }
  const std::string& first_line() const { return first_line_; }
  // SIGTERM; returns the exit status (or -signal).
  int Terminate() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  std::string first_line_;
};

TEST(VivasimCli, InitPipelineAndServeWorkTogether) {
  testutil::TempDir tmp;
  const fs::path world = tmp / "world";
  const std::string store = "file://" + (tmp / "partner").string();
  auto init = testutil::RunProgram({Vivasim(), "init", "--dir", world.string(), "--tenants", "1",
                                    "--people", "30", "--weeks", "3", "--seed", "5"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  auto org = LoadOrganization(world);
  ASSERT_TRUE(org.ok()) << org.status().ToString();
  const std::string tenant = org->tenants[0].id;
  const std::string week = core::FormatDate(org->WeekStart(1));

  ServeProcess serve({Vivasim(), "serve", "--dir", world.string(), "--port", "0"});
  const json started = json::parse(serve.first_line(), nullptr, false);
  ASSERT_TRUE(started.is_object()) << serve.first_line();
  const std::string base = started["baseUrl"];
  EXPECT_EQ(base, "http://127.0.0.1:" + std::to_string(started["port"].get<int>()));
  const json partner = json::parse(testutil::ReadFile(world / "partner.json"));
  EXPECT_EQ(partner["api_url"], base);

  // The partner: token, key registration.
  http::CurlTransport client;
  auto post = [&](const std::string& url, const std::string& body, const std::string& type,
                  const std::string& token) {
    http::Request req;
    req.method = "POST";
    req.url = url;
    req.body = body;
    req.headers["Content-Type"] = type;
    if (!token.empty()) req.headers["Authorization"] = "Bearer " + token;
    auto r = client.Send(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::Response{};
  };
  const http::Response token_r = post(
      started["authority"].get<std::string>() + "/" + tenant + "/oauth2/v2.0/token",
      "grant_type=client_credentials&client_id=" + partner["client_id"].get<std::string>() +
          "&client_secret=" + http::UrlEncodeQuery(partner["client_secret"].get<std::string>()) +
          "&scope=https%3A%2F%2Fapi.orginsights.viva.office.com%2F.default",
      "application/x-www-form-urlencoded", "");
  ASSERT_EQ(token_r.status, 200) << token_r.body;
  const std::string token = json::parse(token_r.body)["access_token"];
  auto key = crypto::RsaPrivateKey::Generate(2048);
  ASSERT_TRUE(key.ok());
  const crypto::Jwk jwk = key->PublicKey().ToJwk();
  const std::string scope = base + "/v1.0/tenants/" + tenant + "/scopes/" + tenant;
  ASSERT_EQ(
      post(
          scope + "/egressPartnerKey",
          json({{"partnerAppId", partner["client_id"]},
                {"tenantId", tenant},
                {"rsaKey",
                 {{"kty", "RSA"}, {"e", jwk.e}, {"n", jwk.n}, {"encryptionAlgorithm", "RSA2048"}}}})
              .dump(),
          "application/json", token)
          .status,
      200);

  // The customer's pipeline, with a notification and the inline key.
  testing::Receiver receiver;
  auto run =
      testutil::RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(), "--store", store,
                            "--week", week, "--inline-key", "--notify-url", receiver.url()},
                           {"VIVASIM_NOTIFY_SECRET=cli-secret"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto drops = JsonLines(run.out);
  ASSERT_EQ(drops.size(), 2u);
  EXPECT_EQ(drops[0]["kind"], "VivaInsights");
  EXPECT_EQ(drops[0]["outcome"], "complete");
  EXPECT_EQ(receiver.received().size(), 2u);
  EXPECT_TRUE(fs::is_empty(world / "staging") || !fs::exists(world / "staging"));

  // Keys from the running server decrypt the drop written by the other process.
  const http::Response keys =
      post(scope + "/egressDecryptionKey", json({{"requestId", drops[0]["copyActivityId"]}}).dump(),
           "application/json", token);
  ASSERT_EQ(keys.status, 200) << keys.body;
  auto unwrapped = drop::UnwrapKeys(*drop::ParseKeysResponse(keys.body), *key);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  auto partner_store = store::LocalStore::OpenUrl(store);
  ASSERT_TRUE(partner_store.ok());
  auto ref = drop::ParseDropRef(drops[0]["drop"].get<std::string>());
  ASSERT_TRUE(ref.ok());
  auto m = testing::ReadMetadata(**partner_store, *ref);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->inline_key.has_value());
  core::Status st = testing::ReadAndValidate(**partner_store, *ref, *m, *unwrapped);
  EXPECT_TRUE(st.ok()) << st.ToString();

  EXPECT_EQ(serve.Terminate(), 0);
}

TEST(VivasimCli, PipelineFailOptionsAndBadArguments) {
  testutil::TempDir tmp;
  const fs::path world = tmp / "world";
  const std::string store = "file://" + (tmp / "partner").string();
  ASSERT_EQ(testutil::RunProgram(
                {Vivasim(), "init", "--dir", world.string(), "--people", "20", "--weeks", "2"})
                .exit_code,
            0);
  auto org = LoadOrganization(world);
  ASSERT_TRUE(org.ok());
  const std::string week = core::FormatDate(org->WeekStart(0));
  auto partial = testutil::RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(),
                                       "--store", store, "--week", week, "--fail", "partial"});
  ASSERT_EQ(partial.exit_code, 0) << partial.err;
  EXPECT_EQ(JsonLines(partial.out).at(0)["outcome"], "partial");
  EXPECT_EQ(JsonLines(partial.out).at(0)["metadata"], "");

  auto bad_week = testutil::RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(),
                                        "--store", store, "--week", "1999-01-03"});
  EXPECT_EQ(bad_week.exit_code, 2);
  EXPECT_NE(bad_week.err.find("outside the simulated weeks"), std::string::npos) << bad_week.err;
  auto bad_fail = testutil::RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(),
                                        "--store", store, "--week", week, "--fail", "boom"});
  EXPECT_EQ(bad_fail.exit_code, 2);
  auto inline_key = testutil::RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(),
                                          "--store", store, "--week", week, "--inline-key"});
  EXPECT_EQ(inline_key.exit_code, 1);
  EXPECT_NE(inline_key.err.find("no registered partner key"), std::string::npos) << inline_key.err;
  auto unsigned_notify =
      testutil::RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(), "--store", store,
                            "--week", week, "--notify-url", "http://127.0.0.1:9/x"});
  EXPECT_EQ(unsigned_notify.exit_code, 2);
}

TEST(VivasimCli, PipelineRunsTheShippedTemplate) {
  testutil::TempDir tmp;
  const fs::path world = tmp / "world";
  ASSERT_EQ(testutil::RunProgram({Vivasim(), "init", "--dir", world.string(), "--tenants", "1",
                                  "--people", "20", "--weeks", "2"})
                .exit_code,
            0);
  auto org = LoadOrganization(world);
  ASSERT_TRUE(org.ok());
  const std::string week = core::FormatDate(org->WeekStart(1));
  testing::Receiver receiver;
  const fs::path params = tmp / "params.json";
  testutil::WriteFile(params,
                      json{{"$schema",
                            "https://schema.management.azure.com/schemas/2019-04-01/"
                            "deploymentParameters.json#"},
                           {"contentVersion", "1.0.0.0"},
                           {"parameters",
                            {{"partnerSasUrl", {{"value", "file://" + (tmp / "partner").string()}}},
                             {"partnerContainer", {{"value", "drops"}}},
                             {"notificationUrl", {{"value", receiver.url()}}},
                             {"partnerAppIdUri", {{"value", "api://vivalink-partner"}}},
                             {"exportUsers", {{"value", false}}},
                             {"mgdcAppId", {{"value", "11111111-2222-3333-4444-555555555555"}}},
                             {"mgdcAppSecret", {{"value", "x"}}},
                             {"scheduleStartTime", {{"value", "2024-01-07T02:00:00Z"}}}}}}
                          .dump());
  const std::string tmpl =
      (testutil::SourceDir() / "deploy" / "managed-app" / "mainTemplate.json").string();
  auto run = testutil::RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(), "--week",
                                   week, "--template", tmpl, "--parameters", params.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_NE(run.out.find("NotifyPartner"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(": Succeeded"), std::string::npos) << run.out;
  ASSERT_EQ(receiver.received().size(), 1u);
  const json body = json::parse(receiver.received()[0].body);
  EXPECT_EQ(body["TenantId"], org->tenants[0].id);
  EXPECT_EQ(body["Container"], "drops");

  // A failed step: exit 3, and the activity table says which.
  auto partial = testutil::RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(),
                                       "--week", week, "--template", tmpl, "--parameters",
                                       params.string(), "--fail", "partial"});
  EXPECT_EQ(partial.exit_code, 3) << partial.err;
  EXPECT_NE(partial.out.find("CopyPartsToPartner"), std::string::npos);
  // Bad arguments.
  auto flaw = testutil::RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(), "--week",
                                    week, "--template", tmpl, "--parameters", params.string(),
                                    "--token-flaw", "sloppy"});
  EXPECT_EQ(flaw.exit_code, 2);
  EXPECT_NE(flaw.err.find("token flaw"), std::string::npos) << flaw.err;
  auto missing =
      testutil::RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(), "--week", week,
                            "--template", tmpl, "--parameters", (tmp / "nope.json").string()});
  EXPECT_NE(missing.exit_code, 0);
  auto no_store =
      testutil::RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(), "--week", week});
  EXPECT_EQ(no_store.exit_code, 2);
  EXPECT_NE(no_store.err.find("--store is required"), std::string::npos) << no_store.err;
  auto help = testutil::RunProgram({Vivasim(), "pipeline", "run", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--template"), std::string::npos);
}

}  // namespace
}  // namespace vivalink::sim
