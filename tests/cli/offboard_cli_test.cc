// `vivalink offboard` and `vivalink forget` as an operator runs them: a tenant onboarded, one
// week and its user export delivered by `vivasim drop write` and imported by `vivalink run`
// (SQLite, a local folder store), then a data subject's request and the offboarding.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "testutil.h"

namespace vivalink::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kTenant = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c";
constexpr const char* kAnn = "7d1e2f3a-0000-4000-8000-00000000000a";
constexpr const char* kBob = "7d1e2f3a-0000-4000-8000-00000000000b";

std::string Vivalink() { return testutil::ProgramPath("vivalink"); }
std::string Vivasim() { return testutil::ProgramPath("vivasim"); }

class OffboardCli : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = (dir_ / "vivalink.toml").string();
    testutil::WriteFile(config_, "data_dir = \"" + dir_.path().string() +
                                     "\"\n[storage]\nurl = \"file://" + (dir_ / "drops").string() +
                                     "\"\n[keys]\nkeys_dir = \"" + (dir_ / "answers").string() +
                                     "\"\n");
    fs::create_directories(dir_ / "answers");
  }
  testutil::RunResult Run(std::vector<std::string> args, const std::string& stdin_data = "") {
    args.insert(args.begin(), {Vivalink(), "--config", config_});
    return testutil::RunProgram(args, {}, stdin_data);
  }
  // One drop written by vivasim as the pipeline would, its key answer saved where run finds it.
  void Deliver(const std::string& kind, const std::string& rows) {
    const fs::path input = dir_ / (kind + ".jsonl");
    testutil::WriteFile(input, rows);
    const std::string answer = (dir_ / "answer.json").string();
    auto w = testutil::RunProgram(
        {Vivasim(), "drop", "write", "--store", "file://" + (dir_ / "drops").string(), "--tenant",
         kTenant, "--public-key", (dir_ / "keys" / kTenant / "public.pem").string(), "--input",
         input.string(), "--kind", kind, "--keys-out", answer});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    const json out = json::parse(w.out);
    fs::rename(answer, dir_ / "answers" / (out["copyActivityId"].get<std::string>() + ".json"));
  }
  // Onboarded, one week of two people and their user export imported.
  void Imported() {
    ASSERT_EQ(Run({"onboard", "--tenant", kTenant}).exit_code, 0);
    Deliver("VivaInsights",
            std::string(R"({"PersonId":")") + kAnn +
                R"(","MetricDate":"2024-01-07","Collaboration hours":"10","Organization":"R&D"})"
                "\n" +
                R"({"PersonId":")" + kBob +
                R"(","MetricDate":"2024-01-07","Collaboration hours":"20","Organization":"Sales"})"
                "\n");
    Deliver("AADUser", std::string(R"({"id":")") + kAnn +
                           R"(","mail":"Ann@Contoso.com","userPrincipalName":"ann@contoso.com"})"
                           "\n" +
                           R"({"id":")" + kBob +
                           R"(","mail":"Bob@Contoso.com","userPrincipalName":"bob@contoso.com"})"
                           "\n");
    auto run = Run({"run"});
    ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  }
  testutil::TempDir dir_;
  std::string config_;
};

TEST_F(OffboardCli, ForgetThenOffboardWithDryRunAndConfirmation) {
  Imported();
  auto forget = Run({"forget", "--tenant", kTenant, "--person", "ANN@contoso.com", "--json"});
  ASSERT_EQ(forget.exit_code, 0) << forget.err;
  const json f = json::parse(forget.out);
  EXPECT_EQ(f["matchedBy"], "mail");
  EXPECT_EQ(f["rows"]["person_week_packed"], 1);
  EXPECT_EQ(f["rows"]["person_identity"], 3);  // object id, mail, UPN
  EXPECT_EQ(forget.out.find("ann@"), std::string::npos) << forget.out;
  EXPECT_EQ(forget.out.find(kAnn), std::string::npos) << forget.out;

  // Not on a terminal: refused without --yes, nothing changed.
  auto refused = Run({"offboard", "--tenant", kTenant}, "y\n");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--yes"), std::string::npos) << refused.err;

  auto dry = Run({"offboard", "--tenant", kTenant, "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  const json d = json::parse(dry.out);
  EXPECT_TRUE(d["dryRun"].get<bool>());
  EXPECT_EQ(d["rows"]["person_week_packed"], 1);  // Bob's week
  EXPECT_EQ(d["rows"]["drops"], 2);
  EXPECT_EQ(d["blobs"], 0);  // imported drops are deleted from storage
  bool has_private = false;
  for (const auto& file : d["keyFiles"]) {
    has_private = has_private || file.get<std::string>().ends_with("/private.pem");
  }
  EXPECT_TRUE(has_private) << dry.out;
  EXPECT_TRUE(fs::exists(dir_ / "keys" / kTenant / "private.pem"));

  auto done = Run({"offboard", "--tenant", kTenant, "--yes"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_NE(done.out.find("recorded in erasure_audit"), std::string::npos) << done.out;
  EXPECT_FALSE(fs::exists(dir_ / "keys" / kTenant));
  auto status = Run({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(status.out.find(kTenant), std::string::npos) << status.out;
  auto again = Run({"offboard", "--tenant", kTenant, "--yes", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["rowsTotal"], 0);
}

TEST_F(OffboardCli, AsksOnATerminalAndGoesOnOnlyWithTheTenantId) {
  ASSERT_EQ(Run({"onboard", "--tenant", kTenant}).exit_code, 0);
  // `script` gives the command a terminal; what we pipe in is typed on it.
  const std::string command = Vivalink() + " --config " + config_ + " offboard --tenant " + kTenant;
  auto declined =
      testutil::RunProgram({"/usr/bin/script", "-qec", command, "/dev/null"}, {}, "no\n");
  EXPECT_EQ(declined.exit_code, 1) << declined.out << declined.err;
  EXPECT_NE(declined.out.find("Type the tenant id"), std::string::npos) << declined.out;
  EXPECT_NE(declined.out.find("not confirmed"), std::string::npos) << declined.out;
  EXPECT_TRUE(fs::exists(dir_ / "keys" / kTenant / "private.pem"));
  auto confirmed = testutil::RunProgram({"/usr/bin/script", "-qec", command, "/dev/null"}, {},
                                        std::string(kTenant) + "\n");
  EXPECT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  EXPECT_FALSE(fs::exists(dir_ / "keys" / kTenant));
}

TEST_F(OffboardCli, HelpAndBadArguments) {
  auto help = Run({"offboard", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--dry-run"), std::string::npos) << help.out;
  auto forget_help = Run({"forget", "--help"});
  EXPECT_EQ(forget_help.exit_code, 0);
  EXPECT_NE(forget_help.out.find("--person"), std::string::npos) << forget_help.out;
  EXPECT_NE(Run({"offboard"}).exit_code, 0);                     // --tenant is required
  EXPECT_NE(Run({"forget", "--tenant", kTenant}).exit_code, 0);  // --person is required
  auto bad = Run({"offboard", "--tenant", "../x", "--yes"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not a tenant id"), std::string::npos) << bad.err;
  auto person = Run({"forget", "--tenant", kTenant, "--person", "Ann Lee"});
  EXPECT_EQ(person.exit_code, 2);
  EXPECT_EQ(person.err.find("Ann Lee"), std::string::npos) << person.err;  // never echoed
}

}  // namespace
}  // namespace vivalink::cli
