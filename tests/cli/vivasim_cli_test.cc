// Every command of the vivasim program: --help and a bad argument of each (exit 0 and 2), and one
// real run of each (drop write read back by `vivalink drop cat`, init, pipeline run into a local
// store, serve until SIGTERM). The deeper runs of init, pipeline and serve together are in
// tests/sim/vivasim_cli_test.cc.
#include <fmt/format.h>
#include <gtest/gtest.h>

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

constexpr const char* kTenant = "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d";

std::string Vivalink() { return testutil::ProgramPath("vivalink"); }
std::string Vivasim() { return testutil::ProgramPath("vivasim"); }

const std::vector<std::vector<std::string>>& CommandPaths() {
  static const std::vector<std::vector<std::string>> paths = {
      {"drop", "write"}, {"init"}, {"pipeline", "run"}, {"serve"}};
  return paths;
}

TEST(VivasimCliCommands, HelpOfEveryCommandExitsZero) {
  auto top = RunProgram({Vivasim(), "--help"});
  EXPECT_EQ(top.exit_code, 0);
  for (const auto& path : CommandPaths()) {
    auto r = RunCommand(Vivasim(), path, "--help");
    EXPECT_EQ(r.exit_code, 0) << path.back() << ": " << r.err;
    EXPECT_NE(r.out.find(path.back() == "write" ? "--store" : "--dir"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(path.back()), std::string::npos) << r.out;
  }
}

TEST(VivasimCliCommands, UnknownFlagsMissingFlagsAndBadValuesExitTwo) {
  for (const auto& path : CommandPaths()) {
    auto r = RunCommand(Vivasim(), path, "--no-such-flag");
    EXPECT_EQ(r.exit_code, 2) << path.back() << ": " << r.err;
    EXPECT_TRUE(NamesTheFlagOrARequiredOne(r.err, "--no-such-flag")) << r.err;
  }
  EXPECT_EQ(RunProgram({Vivasim()}).exit_code, 2);
  EXPECT_EQ(RunProgram({Vivasim(), "drop"}).exit_code, 2);
  EXPECT_EQ(RunProgram({Vivasim(), "pipeline"}).exit_code, 2);
  EXPECT_EQ(RunProgram({Vivasim(), "init"}).exit_code, 2);   // --dir
  EXPECT_EQ(RunProgram({Vivasim(), "serve"}).exit_code, 2);  // --dir
  testutil::TempDir dir;
  auto week = RunProgram({Vivasim(), "pipeline", "run", "--dir", dir.path().string(), "--store",
                          "file://" + (dir / "s").string(), "--week", "last-monday"});
  EXPECT_EQ(week.exit_code, 2);
  EXPECT_NE(week.err.find("--week"), std::string::npos) << week.err;
  auto app = RunProgram({Vivasim(), "serve", "--dir", dir.path().string(), "--extra-app", "x"});
  EXPECT_EQ(app.exit_code, 2);
  EXPECT_NE(app.err.find("CLIENT_ID=SECRET"), std::string::npos) << app.err;
}

// drop write: a CSV person query becomes one encrypted drop that vivalink reads back with the
// same values; --errors writes a failed run that holds no data.
TEST(VivasimCliCommands, DropWriteMakesADropVivalinkReadsBack) {
  testutil::TempDir dir;
  const std::string keystore = (dir / "keys").string();
  ASSERT_EQ(RunProgram({Vivalink(), "keys", "create", "--tenant", kTenant, "--keystore", keystore})
                .exit_code,
            0);
  testutil::WriteFile(dir / "rows.csv",
                      "PersonId,MetricDate,Meeting_hours,Organization\n"
                      "00000000-0000-4000-8000-000000000001,2024-01-07,3.5,\"Sales, East\"\n"
                      "00000000-0000-4000-8000-000000000002,2024-01-07,12,NA\n");
  const std::string store = "file://" + (dir / "store").string();
  const std::string public_key = keystore + "/" + kTenant + "/public.pem";
  const std::string answer = (dir / "answer.json").string();
  auto written =
      RunProgram({Vivasim(), "drop", "write", "--store", store, "--tenant", kTenant, "--public-key",
                  public_key, "--input", (dir / "rows.csv").string(), "--keys-out", answer});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  const json result = json::parse(written.out);
  EXPECT_EQ(result["rows"], 2);
  EXPECT_EQ(result["parts"], 1);
  EXPECT_EQ(result["keysFile"], answer);
  EXPECT_EQ((fs::status(answer).permissions() & fs::perms::others_read), fs::perms::none);

  auto cat = RunProgram({Vivalink(), "drop", "cat", "--store", store, "--drop",
                         result["drop"].get<std::string>(), "--keystore", keystore, "--keys-file",
                         answer});
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  const json first = json::parse(cat.out.substr(0, cat.out.find('\n')));
  EXPECT_EQ(first["PersonId"], "00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(first["Meeting_hours"].get<double>(), 3.5);
  EXPECT_EQ(first["Organization"], "Sales, East");

  auto failed = RunProgram({Vivasim(), "drop", "write", "--store", store, "--tenant", kTenant,
                            "--public-key", public_key, "--input", (dir / "rows.csv").string(),
                            "--errors", "quota exceeded"});
  ASSERT_EQ(failed.exit_code, 0) << failed.err;
  EXPECT_EQ(json::parse(failed.out)["rows"], 0);
  auto upstream =
      RunProgram({Vivalink(), "drop", "cat", "--store", store, "--drop",
                  json::parse(failed.out)["drop"].get<std::string>(), "--keystore", keystore});
  EXPECT_EQ(upstream.exit_code, 1);
  EXPECT_NE(upstream.err.find("failed upstream: quota exceeded"), std::string::npos)
      << upstream.err;

  auto not_guid = RunProgram({Vivasim(), "drop", "write", "--store", store, "--tenant", "acme",
                              "--public-key", public_key, "--input", (dir / "rows.csv").string()});
  EXPECT_EQ(not_guid.exit_code, 2);
  auto no_input = RunProgram({Vivasim(), "drop", "write", "--store", store, "--tenant", kTenant,
                              "--public-key", public_key, "--input", (dir / "none.csv").string()});
  EXPECT_EQ(no_input.exit_code, 1);
  EXPECT_NE(no_input.err.find("none.csv"), std::string::npos) << no_input.err;
}

TEST(VivasimCliCommands, InitPipelineRunAndServe) {
  testutil::TempDir dir;
  const fs::path world = dir / "world";
  auto init = RunProgram({Vivasim(), "init", "--dir", world.string(), "--tenants", "1", "--people",
                          "12", "--weeks", "2", "--seed", "9"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_TRUE(fs::exists(world / "options.json"));
  EXPECT_TRUE(fs::exists(world / "ground_truth.json"));
  auto exists = RunProgram({Vivasim(), "init", "--dir", world.string()});
  EXPECT_EQ(exists.exit_code, 2);  // an existing world needs --force

  const std::string store = "file://" + (dir / "partner").string();
  auto run = RunProgram({Vivasim(), "pipeline", "run", "--dir", world.string(), "--store", store,
                         "--week", "2024-01-10"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<json> drops;
  for (size_t pos = 0; pos < run.out.size();) {
    const size_t end = run.out.find('\n', pos);
    drops.push_back(json::parse(run.out.substr(pos, end - pos)));
    pos = end == std::string::npos ? run.out.size() : end + 1;
  }
  ASSERT_EQ(drops.size(), 2u) << run.out;  // the week's metrics and the user export
  EXPECT_EQ(drops[0]["kind"], "VivaInsights");
  EXPECT_EQ(drops[0]["outcome"], "complete");
  EXPECT_TRUE(fs::exists(dir / "partner" / drops[0]["metadata"].get<std::string>()));

  testutil::ChildProcess serve;
  ASSERT_TRUE(
      serve.Start({Vivasim(), "serve", "--dir", world.string(), "--port", "0"}, dir / "serve"));
  json started;
  for (int i = 0; i < 200 && !started.is_object(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::string out = testutil::ReadFile(dir / "serve.out");
    if (out.find('\n') != std::string::npos) {
      started = json::parse(out.substr(0, out.find('\n')), nullptr, false);
    }
  }
  ASSERT_TRUE(started.is_object()) << testutil::ReadFile(dir / "serve.err");
  EXPECT_GT(started["port"].get<int>(), 0);
  EXPECT_EQ(serve.Stop(), 0);
}

}  // namespace
}  // namespace vivalink::cli
