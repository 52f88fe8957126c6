// `vivalink onboard`, `vivalink sas --rotate` and the SAS warning of `vivalink status`, as a
// partner runs them (a local folder store, no key API).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testutil.h"

namespace vivalink::cli {
namespace {

using nlohmann::json;

constexpr const char* kTenant = "0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c";

std::string Vivalink() { return (testutil::BuildDir() / "src" / "cli" / "vivalink").string(); }

class OnboardCli : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = (dir_ / "vivalink.toml").string();
    testutil::WriteFile(config_,
                        "data_dir = \"" + dir_.path().string() + "\"\n[storage]\nurl = \"file://" +
                            (dir_ / "drops").string() +
                            "\"\n[push]\nentra_audiences = [\"api://vivalink-partner\"]\n");
  }
  testutil::RunResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {Vivalink(), "--config", config_});
    return testutil::RunProgram(args);
  }
  testutil::TempDir dir_;
  std::string config_;
};

TEST_F(OnboardCli, OnboardPrintsInstallParametersAndStatusWarnsBeforeExpiry) {
  auto r = Run({"onboard", "--tenant", kTenant, "--days", "10", "--notification-url",
                "https://partner.example/v1/notifications/drops"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json params = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(params.is_object()) << r.out;
  EXPECT_EQ(params["parameters"]["partnerContainer"]["value"], "drops");
  EXPECT_EQ(params["parameters"]["partnerAppIdUri"]["value"], "api://vivalink-partner");
  EXPECT_NE(r.err.find("note: send the customer"), std::string::npos) << r.err;

  auto status = Run({"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.err.find("warning: the SAS of tenant " + std::string(kTenant)),
            std::string::npos)
      << status.err;

  auto rotated = Run({"sas", "--rotate", "--tenant", kTenant, "--days", "90"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_TRUE(json::parse(rotated.out)["parameters"].contains("partnerSasUrl"));
  auto quiet = Run({"status"});
  EXPECT_EQ(quiet.err.find("warning: the SAS"), std::string::npos) << quiet.err;
}

TEST_F(OnboardCli, HelpAndBadArguments) {
  auto help = Run({"onboard", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--tenant"), std::string::npos);
  EXPECT_NE(Run({"onboard"}).exit_code, 0);  // --tenant is required
  auto bad = Run({"onboard", "--tenant", "../x"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not a tenant id"), std::string::npos) << bad.err;
  auto never = Run({"sas", "--rotate", "--tenant", kTenant});
  EXPECT_EQ(never.exit_code, 1);
  EXPECT_NE(never.err.find("vivalink onboard --tenant"), std::string::npos) << never.err;
  auto no_tenant = Run({"sas", "--rotate"});
  EXPECT_EQ(no_tenant.exit_code, 2);
}

}  // namespace
}  // namespace vivalink::cli
