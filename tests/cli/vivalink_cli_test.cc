// Every command of the vivalink program, run as a partner runs it: --help and a bad argument of
// each (exit 0 and 2), and one real run of each: on the embedded defaults in a fresh folder, the
// import chain on a local store (keys create, drop cat, run, status, replay, partner load/list,
// report), keys register against vivasim's key API, serve, sas and every analysis.
// (onboard and sas --rotate: onboard_cli_test; offboard and forget: offboard_cli_test.)
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "../e2e/child_process.h"
#include "cli_test_util.h"
#include "testutil.h"

namespace vivalink::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testutil::RunProgram;
using testutil::RunResult;

constexpr const char* kTenant = "5d1c0b2a-7e6f-4a3b-9c8d-1e2f3a4b5c6d";

std::string Vivalink() { return testutil::ProgramPath("vivalink"); }
std::string Vivasim() { return testutil::ProgramPath("vivasim"); }

// vivalink with args, its working directory set to dir (as a partner runs it in a folder).
RunResult RunIn(const fs::path& dir, std::vector<std::string> args,
                const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv = {"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", dir.string(),
                                   Vivalink()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, env);
}

std::string PersonId(int i) { return fmt::format("00000000-0000-4000-8000-{:012d}", i); }

// A person query of 40 people over 3 weeks; busier people have more after-hours work.
std::string PersonQueryCsv() {
  std::string csv =
      "PersonId,MetricDate,Collaboration_hours,Meeting_hours,Email_hours,"
      "After_hours_collaboration_hours,Organization\n";
  const char* weeks[] = {"2024-01-07", "2024-01-14", "2024-01-21"};
  for (int p = 0; p < 40; ++p) {
    for (int w = 0; w < 3; ++w) {
      const double meetings = 5 + (p % 10) + w;
      const double email = 3 + (p % 7) * 0.5;
      csv += fmt::format("{},{},{},{},{},{},{}\n", PersonId(p), weeks[w], meetings + email + 2,
                         meetings, email, 0.3 * meetings + (p % 3), p % 2 == 0 ? "Sales" : "R&D");
    }
  }
  return csv;
}

// Static partner data keyed by the Entra object id (the person query's PersonId).
std::string PartnerCsv() {
  std::string csv = "ObjectId,Revenue\n";
  for (int p = 0; p < 40; ++p) csv += fmt::format("{},{}\n", PersonId(p), 1000 + 50 * (p % 10));
  return csv;
}

// Every command and subcommand path.
const std::vector<std::vector<std::string>>& CommandPaths() {
  static const std::vector<std::vector<std::string>> paths = {{"run"},
                                                              {"serve"},
                                                              {"status"},
                                                              {"replay"},
                                                              {"config"},
                                                              {"report"},
                                                              {"keys", "create"},
                                                              {"keys", "register"},
                                                              {"drop", "cat"},
                                                              {"sas"},
                                                              {"onboard"},
                                                              {"partner", "load"},
                                                              {"partner", "list"},
                                                              {"analyze", "iv"},
                                                              {"analyze", "drivers"},
                                                              {"analyze", "groups"},
                                                              {"analyze", "hygiene"},
                                                              {"analyze", "patterns"},
                                                              {"analyze", "meetings"},
                                                              {"analyze", "meeting-query"}};
  return paths;
}

TEST(VivalinkCli, HelpOfEveryCommandExitsZeroAndNamesItsFlags) {
  auto top = RunProgram({Vivalink(), "--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("--config"), std::string::npos) << top.out;
  for (const auto& path : CommandPaths()) {
    auto r = RunCommand(Vivalink(), path, "--help");
    EXPECT_EQ(r.exit_code, 0) << path.back() << ": " << r.err;
    EXPECT_NE(r.out.find(path.back()), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--help"), std::string::npos) << r.out;
  }
}

TEST(VivalinkCli, AnUnknownFlagOfEveryCommandExitsTwoAndNamesIt) {
  for (const auto& path : CommandPaths()) {
    auto r = RunCommand(Vivalink(), path, "--no-such-flag");
    EXPECT_EQ(r.exit_code, 2) << path.back() << ": " << r.err;
    EXPECT_TRUE(NamesTheFlagOrARequiredOne(r.err, "--no-such-flag")) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(VivalinkCli, MissingCommandsRequiredFlagsAndBadValuesExitTwo) {
  EXPECT_EQ(RunProgram({Vivalink()}).exit_code, 2);
  EXPECT_EQ(RunProgram({Vivalink(), "keys"}).exit_code, 2);
  EXPECT_EQ(RunProgram({Vivalink(), "partner"}).exit_code, 2);
  EXPECT_EQ(RunProgram({Vivalink(), "analyze"}).exit_code, 2);
  EXPECT_EQ(RunProgram({Vivalink(), "replay"}).exit_code, 2);                      // --run
  EXPECT_EQ(RunProgram({Vivalink(), "keys", "create"}).exit_code, 2);              // --tenant
  EXPECT_EQ(RunProgram({Vivalink(), "drop", "cat", "--drop", "x"}).exit_code, 2);  // --store
  auto rank = RunProgram({Vivalink(), "report", "--rank-by", "pearson"});
  EXPECT_EQ(rank.exit_code, 2);
  EXPECT_NE(rank.err.find("--rank-by"), std::string::npos) << rank.err;
  auto key_type = RunProgram({Vivalink(), "partner", "load", "--key-type", "phone"});
  EXPECT_EQ(key_type.exit_code, 2);
  auto tenant = RunProgram({Vivalink(), "keys", "create", "--tenant", "not-a-guid", "--keystore",
                            (fs::temp_directory_path() / "vl-cli-never").string()});
  EXPECT_EQ(tenant.exit_code, 2);
  EXPECT_NE(tenant.err.find("not a GUID"), std::string::npos) << tenant.err;
}

// Issue 15: `vivalink run` without --config failed in a fresh folder with `local store URL
// "file://./vivalink-data/drops" must be file:///absolute/path`, the documented default.
TEST(VivalinkCli, RunStatusAndConfigWorkOnTheEmbeddedDefaultsInAFreshFolder) {
  testutil::TempDir dir;
  auto run = RunIn(dir.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(fs::is_directory(dir / "vivalink-data" / "drops"));
  EXPECT_TRUE(fs::exists(dir / "vivalink-data" / "vivalink.db"));

  auto status = RunIn(dir.path(), {"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_FALSE(json::parse(status.out, nullptr, false).is_discarded()) << status.out;

  auto config = RunIn(dir.path(), {"config", "--show"});
  ASSERT_EQ(config.exit_code, 0) << config.err;
  EXPECT_NE(config.out.find("file://./vivalink-data/drops"), std::string::npos) << config.out;
  EXPECT_EQ(RunIn(dir.path(), {"config"}).out, config.out);  // --show is the default

  auto report = RunIn(dir.path(), {"report"});
  EXPECT_EQ(report.exit_code, 1);  // nothing imported yet
  EXPECT_NE(report.err.find("run `vivalink run` first"), std::string::npos) << report.err;
}

TEST(VivalinkCli, AnUnreadableConfigFileExitsWithItsName) {
  testutil::TempDir dir;
  auto missing = RunProgram({Vivalink(), "--config", (dir / "nope.toml").string(), "status"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.toml"), std::string::npos) << missing.err;
  testutil::WriteFile(dir / "bad.toml", "[ingest]\nmax_attempts = \"three\"\n");
  auto bad = RunProgram({Vivalink(), "--config", (dir / "bad.toml").string(), "run"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("max_attempts"), std::string::npos) << bad.err;
}

// A data folder configured by a file; drops are written by `vivasim drop write`.
class ImportChain : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "answers");
    config_ = (dir_ / "vivalink.toml").string();
    testutil::WriteFile(config_, fmt::format("data_dir = \"{0}\"\n"
                                             "[keys]\nkeys_dir = \"{0}/answers\"\n"
                                             "[ingest]\nmax_attempts = 1\n",
                                             dir_.path().string()));
    testutil::WriteFile(dir_ / "pq.csv", PersonQueryCsv());
    testutil::WriteFile(dir_ / "crm.csv", PartnerCsv());
  }
  RunResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {Vivalink(), "--config", config_});
    return RunProgram(args);
  }
  std::string Keystore() const { return (dir_ / "keys").string(); }
  std::string Store() const { return "file://" + (dir_ / "drops").string(); }

  testutil::TempDir dir_;
  std::string config_;
};

TEST_F(ImportChain, KeysDropCatRunReplayStatusPartnerAndReport) {
  // keys create: the JWK to register, and the pair on disk; never twice.
  auto keys =
      RunProgram({Vivalink(), "keys", "create", "--tenant", kTenant, "--keystore", Keystore()});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  const json jwk = json::parse(keys.out);
  EXPECT_EQ(jwk["tenantId"], kTenant);
  EXPECT_EQ(jwk["rsaKey"]["kty"], "RSA");
  EXPECT_EQ(jwk["privateKeyFile"], (dir_ / "keys" / kTenant / "private.pem").string());
  auto again =
      RunProgram({Vivalink(), "keys", "create", "--tenant", kTenant, "--keystore", Keystore()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already has a key pair"), std::string::npos) << again.err;

  const std::string answer = (dir_ / "answer.json").string();
  auto written =
      RunProgram({Vivasim(), "drop", "write", "--store", Store(), "--tenant", kTenant,
                  "--public-key", (dir_ / "keys" / kTenant / "public.pem").string(), "--input",
                  (dir_ / "pq.csv").string(), "--keys-out", answer, "--part-rows", "50"});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  const json drop = json::parse(written.out);
  const std::string ref = drop["drop"].get<std::string>();
  const std::string run_id = ref.substr(0, ref.find('/'));
  EXPECT_EQ(drop["rows"], 120);

  // drop cat: the summary, the rows, and an error without the key API's answer.
  auto summary = RunProgram({Vivalink(), "drop", "cat", "--store", Store(), "--drop", ref,
                             "--keystore", Keystore(), "--keys-file", answer, "--summary"});
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_NE(summary.out.find("120"), std::string::npos) << summary.out;
  auto rows = RunProgram({Vivalink(), "drop", "cat", "--store", Store(), "--drop", ref,
                          "--keystore", Keystore(), "--keys-file", answer});
  ASSERT_EQ(rows.exit_code, 0) << rows.err;
  EXPECT_EQ(std::count(rows.out.begin(), rows.out.end(), '\n'), 120);
  EXPECT_NE(rows.out.find(PersonId(7)), std::string::npos);
  auto no_keys = RunProgram(
      {Vivalink(), "drop", "cat", "--store", Store(), "--drop", ref, "--keystore", Keystore()});
  EXPECT_EQ(no_keys.exit_code, 1);
  EXPECT_NE(no_keys.err.find("--keys-file"), std::string::npos) << no_keys.err;
  EXPECT_TRUE(no_keys.out.empty());
  EXPECT_EQ(RunProgram({Vivalink(), "drop", "cat", "--store", Store(), "--drop", "not/a/drop/x"})
                .exit_code,
            2);

  // run without the key API's answer: the drop fails and is quarantined (max_attempts 1).
  auto failed = Run({"run"});
  EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
  auto status = Run({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("\"quarantined\":1"), std::string::npos) << status.out;

  // replay after the answer arrived: the next run imports the drop.
  fs::copy_file(answer, dir_ / "answers" / (drop["copyActivityId"].get<std::string>() + ".json"));
  auto replay = Run({"replay", "--run", run_id});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_NE(replay.out.find("1 drop(s) of run " + run_id), std::string::npos) << replay.out;
  EXPECT_EQ(Run({"replay", "--run", run_id}).exit_code, 1);  // nothing left to replay
  auto imported = Run({"run"});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  auto done = Run({"status"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_NE(done.out.find(kTenant), std::string::npos) << done.out;

  // partner load / list: the only tenant is chosen, every person matches.
  auto load = Run({"partner", "load", "--file", (dir_ / "crm.csv").string(), "--key", "ObjectId",
                   "--key-type", "object_id", "--date", "none", "--json"});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  const json loaded = json::parse(load.out);
  EXPECT_EQ(loaded["tenant_id"], kTenant);
  EXPECT_EQ(loaded["source"], "crm");
  auto list = Run({"partner", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const json sources = json::parse(list.out);
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0]["matched_persons"], 40);
  auto list_text = Run({"partner", "list"});
  EXPECT_NE(list_text.out.find("match rate 100.0% (40 of 40 partner persons)"), std::string::npos)
      << list_text.out;
  auto no_file = Run({"partner", "load"});
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_NE(no_file.err.find("--file"), std::string::npos) << no_file.err;

  // report: the HTML file, the JSON, and the summary lines.
  const fs::path html = dir_ / "out" / "report.html";
  fs::create_directories(html.parent_path());
  auto report =
      // Revenue is static and not 0/1: a person attribute unless named as the key metric.
      Run({"report", "--outcome", "Revenue", "--output", html.string(), "--json",
           (dir_ / "report.json").string()});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(
      report.out.find("report: " + html.string() + " (120 person-weeks; key metrics: Revenue)"),
      std::string::npos)
      << report.out;
  EXPECT_NE(report.out.find("partner join (crm): 40 of 40 partner persons matched (100.0%)"),
            std::string::npos)
      << report.out;
  EXPECT_NE(testutil::ReadFile(html).find(run_id), std::string::npos);  // provenance
  const json report_json = json::parse(testutil::ReadFile(dir_ / "report.json"));
  EXPECT_EQ(report_json["person_weeks"], 120);
  EXPECT_EQ(report_json["outcomes"], json::array({"Revenue"}));
  auto into_missing = Run({"report", "--output", (dir_ / "no" / "such" / "r.html").string()});
  EXPECT_EQ(into_missing.exit_code, 1);
  EXPECT_NE(into_missing.err.find("r.html"), std::string::npos) << into_missing.err;
}

TEST(VivalinkCli, KeysRegisterWithTheSimulatedKeyApi) {
  testutil::TempDir dir;
  const fs::path world = dir / "world";
  auto init = RunProgram({Vivasim(), "init", "--dir", world.string(), "--tenants", "1", "--people",
                          "10", "--weeks", "1", "--seed", "3"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  testutil::ChildProcess serve;
  ASSERT_TRUE(serve.Start({Vivasim(), "serve", "--dir", world.string(), "--port", "0"},
                          dir / "vivasim-serve"));
  json partner;
  for (int i = 0; i < 200 && !partner.contains("api_url"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    partner = json::parse(testutil::ReadFile(world / "partner.json"), nullptr, false);
    if (partner.is_discarded() || partner.value("api_url", "").empty()) partner = json::object();
  }
  ASSERT_TRUE(partner.contains("api_url")) << "vivasim serve did not start";
  const std::string tenant = partner["tenants"][0].get<std::string>();
  const std::string config = (dir / "vivalink.toml").string();
  testutil::WriteFile(config,
                      fmt::format("data_dir = \"{}\"\n[keys]\napi_base_url = \"{}\"\n"
                                  "authority = \"{}\"\nclient_id = \"{}\"\n",
                                  dir.path().string(), partner["api_url"].get<std::string>(),
                                  partner["authority"].get<std::string>(),
                                  partner["client_id"].get<std::string>()));
  const std::string secret =
      "VIVALINK_CLIENT_SECRET=" + partner["client_secret"].get<std::string>();
  auto no_pair = RunProgram(
      {Vivalink(), "--config", config, "keys", "register", "--tenant", tenant}, {secret});
  EXPECT_EQ(no_pair.exit_code, 1);
  EXPECT_NE(no_pair.err.find("keys create"), std::string::npos) << no_pair.err;
  auto reg = RunProgram(
      {Vivalink(), "--config", config, "keys", "register", "--tenant", tenant, "--create"},
      {secret});
  ASSERT_EQ(reg.exit_code, 0) << reg.err;
  EXPECT_NE(reg.out.find("registered the public key of tenant " + tenant), std::string::npos);
  EXPECT_TRUE(fs::exists(world / "registrations" / (tenant + ".json")));
  EXPECT_TRUE(fs::exists(dir / "keys" / tenant / "private.pem"));
  EXPECT_EQ(serve.Stop(), 0);
}

TEST(VivalinkCli, ServeWritesItsPortAndStopsCleanlyOnSigterm) {
  testutil::TempDir dir;
  const std::string config = (dir / "vivalink.toml").string();
  testutil::WriteFile(config, fmt::format("data_dir = \"{}\"\n", dir.path().string()));
  const fs::path port_file = dir / "port";
  testutil::ChildProcess serve;
  ASSERT_TRUE(serve.Start({Vivalink(), "--config", config, "serve", "--listen", "127.0.0.1:0",
                           "--port-file", port_file.string()},
                          dir / "serve"));
  for (int i = 0; i < 400 && !fs::exists(port_file); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(fs::exists(port_file)) << testutil::ReadFile(dir / "serve.err");
  const int port = std::stoi(testutil::ReadFile(port_file));
  EXPECT_GT(port, 0);
  EXPECT_LT(port, 65536);
  EXPECT_EQ(serve.Stop(), 0) << testutil::ReadFile(dir / "serve.err");

  auto bad = RunProgram({Vivalink(), "--config", config, "serve", "--listen", "nowhere"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("nowhere"), std::string::npos) << bad.err;
}

TEST(VivalinkCli, SasPrintsACreateWriteContainerUrlFromTheConnectionString) {
  auto sas = RunProgram({Vivalink(), "sas", "--container", "drops", "--days", "7"},
                        {"AZURE_STORAGE_CONNECTION_STRING=UseDevelopmentStorage=true"});
  ASSERT_EQ(sas.exit_code, 0) << sas.err;
  EXPECT_EQ(sas.out.rfind("http://127.0.0.1:10000/devstoreaccount1/drops?", 0), 0u) << sas.out;
  EXPECT_NE(sas.out.find("sp=cw"), std::string::npos) << sas.out;
  EXPECT_NE(sas.out.find("sig="), std::string::npos) << sas.out;

  auto no_env =
      RunProgram({Vivalink(), "sas", "--container", "drops"}, {"AZURE_STORAGE_CONNECTION_STRING="});
  EXPECT_EQ(no_env.exit_code, 2);
  EXPECT_NE(no_env.err.find("AZURE_STORAGE_CONNECTION_STRING"), std::string::npos) << no_env.err;
  auto days = RunProgram({Vivalink(), "sas", "--container", "drops", "--days", "0"},
                         {"AZURE_STORAGE_CONNECTION_STRING=UseDevelopmentStorage=true"});
  EXPECT_EQ(days.exit_code, 2);
  auto no_container = RunProgram({Vivalink(), "sas"});
  EXPECT_EQ(no_container.exit_code, 2);
  EXPECT_NE(no_container.err.find("--container"), std::string::npos) << no_container.err;
}

class AnalyzeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    testutil::WriteFile(dir_ / "pq.csv", PersonQueryCsv());
    testutil::WriteFile(dir_ / "crm.csv", PartnerCsv());
  }
  // vivalink analyze <analysis> --input pq.csv <args>
  RunResult Analyze(const std::string& analysis, std::vector<std::string> args) {
    args.insert(args.begin(), {Vivalink(), "analyze", analysis, "--input", Input()});
    return RunProgram(args);
  }
  std::string Input() const { return (dir_ / "pq.csv").string(); }
  testutil::TempDir dir_;
};

TEST_F(AnalyzeCli, EveryPersonQueryAnalysisRuns) {
  auto iv = Analyze("iv", {"--outcome", "After_hours_collaboration_hours>=4"});
  ASSERT_EQ(iv.exit_code, 0) << iv.err;
  EXPECT_EQ(iv.out.rfind("predictor,kind,iv", 0), 0u) << iv.out;
  auto drivers =
      Analyze("drivers", {"--outcome", "After_hours_collaboration_hours", "--format", "json"});
  ASSERT_EQ(drivers.exit_code, 0) << drivers.err;
  EXPECT_FALSE(json::parse(drivers.out, nullptr, false).is_discarded()) << drivers.out;
  auto groups = Analyze("groups", {"--metrics", "Meeting_hours", "--min-group", "5"});
  ASSERT_EQ(groups.exit_code, 0) << groups.err;
  EXPECT_NE(groups.out.find("Sales"), std::string::npos) << groups.out;
  auto patterns = Analyze("patterns", {"--kind", "trend", "--metric", "Meeting_hours"});
  ASSERT_EQ(patterns.exit_code, 0) << patterns.err;
  auto hygiene = Analyze("hygiene", {});
  ASSERT_EQ(hygiene.exit_code, 0) << hygiene.err;
}

// hygiene --exclude prints the remaining rows (analysis::WriteFrame): CSV with a header, every
// column, as many lines as rows kept; JSON lines with the same rows.
TEST_F(AnalyzeCli, HygieneExcludePrintsTheRemainingFrame) {
  auto csv = Analyze("hygiene", {"--exclude"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("PersonId,MetricDate,", 0), 0u) << csv.out.substr(0, 200);
  EXPECT_NE(csv.err.find("rows removed"), std::string::npos) << csv.err;
  const auto lines = std::count(csv.out.begin(), csv.out.end(), '\n');
  EXPECT_GT(lines, 1);
  auto jsonl = Analyze("hygiene", {"--exclude", "--format", "json"});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  EXPECT_EQ(std::count(jsonl.out.begin(), jsonl.out.end(), '\n'), lines - 1);  // no header
  const json first = json::parse(jsonl.out.substr(0, jsonl.out.find('\n')));
  EXPECT_TRUE(first.contains("PersonId")) << first.dump();
  EXPECT_TRUE(first["Meeting_hours"].is_number()) << first.dump();
}

TEST_F(AnalyzeCli, PartnerJoinWritesItsReportAndRefusesUsersWithoutPartnerData) {
  const std::string join_report = (dir_ / "join.json").string();
  auto joined =
      Analyze("drivers", {"--outcome", "Revenue", "--partner-static", (dir_ / "crm.csv").string(),
                          "--partner-key", "ObjectId", "--partner-key-type", "object_id",
                          "--join-report", join_report});
  ASSERT_EQ(joined.exit_code, 0) << joined.err;
  EXPECT_FALSE(joined.err.empty());  // the join's counts
  const json counts = json::parse(testutil::ReadFile(join_report));
  EXPECT_EQ(counts["matched_persons"], 40) << counts.dump();
  auto users = Analyze("groups", {"--metrics", "Meeting_hours", "--users", Input()});
  EXPECT_EQ(users.exit_code, 2);
  EXPECT_NE(users.err.find("--users"), std::string::npos) << users.err;
  auto unwritable = Analyze(
      "drivers", {"--outcome", "Revenue", "--partner-static", (dir_ / "crm.csv").string(),
                  "--partner-key", "ObjectId", "--partner-key-type", "object_id", "--join-report",
                  (dir_ / "crm.csv" / "join.json").string()});  // under a file
  EXPECT_EQ(unwritable.exit_code, 1);
  EXPECT_NE(unwritable.err.find("--join-report"), std::string::npos) << unwritable.err;
}

TEST_F(AnalyzeCli, MeetingAnalysesRunOnTheirInputs) {
  auto meetings = RunProgram(
      {Vivalink(), "analyze", "meetings", "--input",
       testutil::SharedData("BasicDataSet_v0.CalendarView_v0.jsonl").string(), "--format", "json"});
  ASSERT_EQ(meetings.exit_code, 0) << meetings.err;
  EXPECT_FALSE(
      json::parse(meetings.out.substr(0, meetings.out.find('\n')), nullptr, false).is_discarded())
      << meetings.out;
  auto mq = RunProgram({Vivalink(), "analyze", "meeting-query", "--input",
                        testutil::SharedData("mt_data.csv").string(), "--kind", "types"});
  ASSERT_EQ(mq.exit_code, 0) << mq.err;
  EXPECT_FALSE(mq.out.empty());
  auto not_mq = RunProgram({Vivalink(), "analyze", "meeting-query", "--input", Input()});
  EXPECT_EQ(not_mq.exit_code, 2);
}

}  // namespace
}  // namespace vivalink::cli
