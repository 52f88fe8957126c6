// Onboarding a customer (onboard/onboard.h) against a local folder store and keystore.
#include "onboard/onboard.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "drop/keys.h"
#include "push/tenant_keys.h"
#include "sim/arm_template.h"
#include "testutil.h"

namespace vivalink::onboard {
namespace {

constexpr const char* kTenant = "0B7E5A6C-3F1D-4C2E-9A8B-7D6E5F4A3B2C";
constexpr const char* kLower = "0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c";

class FixedClock final : public core::Clock {
 public:
  explicit FixedClock(core::TimePoint t) : t_(t) {}
  core::TimePoint Now() const override { return t_; }

 private:
  core::TimePoint t_;
};

core::TimePoint At(const char* iso) { return *core::ParseIso8601(iso); }

ingest::Config MakeConfig(const testutil::TempDir& dir) {
  ingest::Config c;
  c.data_dir = dir.path().string();
  c.store_url = "file://" + (dir / "drops").string();
  c.keystore_dir = (dir / "keys").string();
  c.push.entra_audiences = {"api://vivalink-partner"};
  return c;
}

TEST(Onboard, CreatesEverythingAndPrintsTheTemplatesInstallParameters) {
  testutil::TempDir dir;
  const ingest::Config config = MakeConfig(dir);
  FixedClock clock(At("2026-12-07T11:00:00Z"));
  OnboardOptions o;
  o.tenant = kTenant;
  o.sas_days = 30;
  o.notification_url = "https://partner.example/v1/notifications/drops";
  o.clock = &clock;
  auto r = Onboard(config, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->tenant, kLower);
  EXPECT_EQ(r->container, "drops");
  EXPECT_TRUE(std::filesystem::is_directory(dir / "drops"));
  EXPECT_TRUE(r->key_pair_created);
  EXPECT_FALSE(r->registered);  // no key API configured: a note says how to register
  EXPECT_TRUE(drop::KeyStore(config.keystore_dir).Load(kLower).ok());
  EXPECT_EQ(r->sas_expires, At("2027-01-06T11:00:00Z"));
  auto keys = push::LoadTenantKeys(config.keystore_dir);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->at(kLower), r->notification_key);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "keys" / kLower / "onboarding.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // Every install parameter is one the shipped template declares, with a value of its type.
  auto tmpl =
      sim::arm::LoadJsonFile(testutil::SourceDir() / "deploy/managed-app/mainTemplate.json");
  ASSERT_TRUE(tmpl.ok());
  const auto& params = r->install_parameters["parameters"];
  for (auto it = params.begin(); it != params.end(); ++it) {
    ASSERT_TRUE((*tmpl)["parameters"].contains(it.key())) << it.key();
    const std::string type = (*tmpl)["parameters"][it.key()]["type"];
    EXPECT_EQ((*it)["value"].is_boolean(), type == "bool") << it.key();
  }
  EXPECT_EQ(params["partnerAppIdUri"]["value"], "api://vivalink-partner");
  EXPECT_EQ(params["notificationUrl"]["value"], o.notification_url);
  EXPECT_EQ(params["scheduleStartTime"]["value"], "2026-12-13T02:00:00Z");  // next Sunday
  // The customer adds only its own Graph Data Connect application.
  for (auto it = (*tmpl)["parameters"].begin(); it != (*tmpl)["parameters"].end(); ++it) {
    if (it.key() == "mgdcAppId" || it.key() == "mgdcAppSecret" || it.key() == "location") continue;
    EXPECT_TRUE(params.contains(it.key())) << it.key();
  }
}

TEST(Onboard, ASecondRunReusesTheKeysAndTheNotificationKey) {
  testutil::TempDir dir;
  const ingest::Config config = MakeConfig(dir);
  OnboardOptions o;
  o.tenant = kTenant;
  auto a = Onboard(config, o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = Onboard(config, o);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_FALSE(b->key_pair_created);
  EXPECT_EQ(a->notification_key, b->notification_key);
}

TEST(Onboard, BadTenantAndContainerAreRefused) {
  testutil::TempDir dir;
  const ingest::Config config = MakeConfig(dir);
  OnboardOptions o;
  o.tenant = "../etc";
  EXPECT_EQ(Onboard(config, o).status().code(), core::StatusCode::kInvalidArgument);
  o.tenant = kTenant;
  o.container = "Bad_Container";
  EXPECT_EQ(Onboard(config, o).status().code(), core::StatusCode::kInvalidArgument);
  o.container = "";
  o.sas_days = 0;
  EXPECT_EQ(Onboard(config, o).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Onboard, RotateGivesANewExpiryAndStatusWarnsTwoWeeksAhead) {
  testutil::TempDir dir;
  const ingest::Config config = MakeConfig(dir);
  FixedClock day0(At("2026-12-01T00:00:00Z"));
  OnboardOptions o;
  o.tenant = kTenant;
  o.sas_days = 20;
  o.clock = &day0;
  ASSERT_TRUE(Onboard(config, o).ok());
  // Expires 2026-12-21: no warning on 12-06, a warning from 12-07 on.
  EXPECT_TRUE(SasExpiryWarnings(config.keystore_dir, At("2026-12-06T00:00:00Z")).empty());
  auto warn = SasExpiryWarnings(config.keystore_dir, At("2026-12-08T00:00:00Z"));
  ASSERT_EQ(warn.size(), 1u);
  EXPECT_EQ(warn[0].tenant, kLower);
  EXPECT_NE(warn[0].message.find("in 13 days"), std::string::npos) << warn[0].message;
  EXPECT_NE(warn[0].message.find("vivalink sas --rotate"), std::string::npos);
  auto expired = SasExpiryWarnings(config.keystore_dir, At("2026-12-22T00:00:00Z"));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_NE(expired[0].message.find("expired"), std::string::npos);

  FixedClock day7(At("2026-12-08T00:00:00Z"));
  auto rotated = RotateSas(config, kTenant, 90, &day7);
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_EQ(rotated->sas_expires, At("2027-03-08T00:00:00Z"));
  EXPECT_TRUE(SasExpiryWarnings(config.keystore_dir, At("2026-12-22T00:00:00Z")).empty());
}

TEST(Onboard, RotatingATenantNeverOnboardedSaysHowToOnboard) {
  testutil::TempDir dir;
  auto r = RotateSas(MakeConfig(dir), kTenant, 30);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("vivalink onboard --tenant"), std::string::npos);
}

}  // namespace
}  // namespace vivalink::onboard
