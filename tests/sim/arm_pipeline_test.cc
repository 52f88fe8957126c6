// vivasim runs the shipped Managed Application template (sim/arm_pipeline.h): the pipeline in
// deploy/managed-app/mainTemplate.json, with vivasim playing Office 365 and Entra ID, against
// local stores and vivalink's real notification endpoint (push::NotificationServer validating
// the Web activity's managed-identity token against vivasim's published keys).
#include "sim/arm_pipeline.h"

#include <gtest/gtest.h>

#include <mutex>

#include "pipeline_test_util.h"
#include "push/entra.h"
#include "push/server.h"
#include "sim/api_server.h"
#include "sim/arm_template.h"

namespace vivalink::sim {
namespace {

using testing::World;
constexpr const char* kAudience = "api://vivalink-partner";

class TemplateRun : public ::testing::Test {
 protected:
  void SetUp() override {
    ApiServerOptions ao;
    ao.dir = world_.dir();
    ao.update_partner_json = false;
    auto api = ApiServer::Start(ao);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = std::move(api).value();

    push::ValidatorOptions vo;
    vo.authority = api_->authority();
    vo.audiences = {kAudience};
    auto v = push::EntraTokenValidator::Create(vo);
    ASSERT_TRUE(v.ok());
    validator_ = std::move(v).value();
    push::ServerOptions so;
    so.entra = validator_.get();
    so.on_hint = [this](const push::DropHint& h) {
      std::lock_guard lock(mu_);
      hints_.push_back(h);
      return true;
    };
    auto s = push::NotificationServer::Start(std::move(so));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
  }

  // The install parameters `vivalink onboard` would print, for the local partner folder.
  arm::Value Parameters(bool export_users = true) {
    return {{"partnerSasUrl", "file://" + (world_.dir() / "partner").string()},
            {"partnerContainer", "drops"},
            {"notificationUrl", server_->url() + "/v1/notifications/drops"},
            {"partnerAppIdUri", kAudience},
            {"exportUsers", export_users},
            {"mgdcAppId", "11111111-2222-3333-4444-555555555555"},
            {"mgdcAppSecret", "not-used-by-vivasim"},
            {"scheduleStartTime", "2024-01-07T02:00:00Z"}};
  }

  TemplateRunOptions Options() {
    TemplateRunOptions o;
    o.dir = world_.dir();
    o.template_path = testutil::SourceDir() / "deploy" / "managed-app" / "mainTemplate.json";
    o.parameters = Parameters();
    o.week = world_.org().WeekStart(1);
    o.tenant = world_.tenant(0);
    o.part_rows = 10;
    o.authority = api_->authority();
    return o;
  }

  std::string StatusOf(const TemplateRunResult& r, const std::string& activity) {
    for (const auto& a : r.activities) {
      if (a.name == activity) return a.status;
    }
    return "(not run)";
  }

  std::vector<push::DropHint> Hints() {
    std::lock_guard lock(mu_);
    return hints_;
  }

  std::vector<std::string> Staged() {
    std::vector<std::string> out;
    std::error_code ec;
    const auto root = world_.dir() / "staging-account";
    if (!std::filesystem::exists(root, ec)) return out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root, ec)) {
      if (e.is_regular_file()) out.push_back(e.path().string());
    }
    return out;
  }

  World world_{1, 30, 3};
  std::unique_ptr<ApiServer> api_;
  std::unique_ptr<push::EntraTokenValidator> validator_;
  std::mutex mu_;
  std::vector<push::DropHint> hints_;
  std::unique_ptr<push::NotificationServer> server_;
};

TEST_F(TemplateRun, DeliversBothDropsMetadataLastWithAcceptedManagedIdentityNotifications) {
  auto r = RunTemplatePipeline(world_.org(), Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, "Succeeded");
  for (const char* a : {"ExtractVivaInsights", "CopyPartsToPartner", "CopyMetadataToPartner",
                        "ExtractUsers", "CopyUserPartsToPartner", "CopyUserMetadataToPartner",
                        "NotifyPartnerUsers", "ExportUsers", "NotifyPartner", "DeleteStaging"}) {
    EXPECT_EQ(StatusOf(*r, a), "Succeeded") << a;
  }
  ASSERT_EQ(r->drops.size(), 2u);
  for (const DropOutcome& d : r->drops) {
    EXPECT_EQ(d.ref.run_id, r->run_id);
    EXPECT_EQ(d.ref.tenant_id, world_.tenant(0));
    EXPECT_TRUE(d.metadata_written) << d.ref.ToString();
    EXPECT_EQ(d.parts_copied, d.parts);
    EXPECT_EQ(d.notifications, 1);
    // The metadata's CopyActivityId is the copy activity's run id, and its keys are served.
    auto m = testing::ReadMetadata(world_.partner(), d.ref);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->copy_activity_id, d.copy_activity_id);
    EXPECT_EQ(m->rows_extracted, d.rows);
    auto keys = LoadRunKeys(world_.dir(), d.copy_activity_id);
    ASSERT_TRUE(keys.ok());
    auto rows = testing::DecryptRows(world_.partner(), d.ref, keys->keys);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(rows->size(), d.rows);
  }
  // vivalink's endpoint validated both managed-identity tokens and took both hints, the
  // metrics drop's first (it is announced as soon as its metadata.json is there).
  const auto hints = Hints();
  ASSERT_EQ(hints.size(), 2u);
  EXPECT_EQ(hints[0].ref.kind, "VivaInsights");
  EXPECT_EQ(hints[1].ref.kind, "AADUser");
  EXPECT_EQ(hints[0].id, r->drops[0].copy_activity_id);
  EXPECT_EQ(hints[1].id, r->drops[1].copy_activity_id);
  EXPECT_EQ(hints[0].container, "drops");
  EXPECT_TRUE(Staged().empty());
}

TEST_F(TemplateRun, ForgedTokenIsRefusedAndTheWebActivityFails) {
  TemplateRunOptions o = Options();
  o.token_flaw = TokenFlaw::kForged;
  auto r = RunTemplatePipeline(world_.org(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, "Failed");
  EXPECT_EQ(StatusOf(*r, "NotifyPartner"), "Failed");
  EXPECT_EQ(StatusOf(*r, "NotifyPartnerUsers"), "Failed");
  EXPECT_EQ(StatusOf(*r, "ExportUsers"), "Failed");
  EXPECT_EQ(StatusOf(*r, "DeleteStaging"), "Succeeded");
  EXPECT_TRUE(Hints().empty());
  EXPECT_TRUE(Staged().empty());
}

TEST_F(TemplateRun, WithoutUserExportOnlyTheMetricsDropIsDelivered) {
  TemplateRunOptions o = Options();
  o.parameters = Parameters(false);
  auto r = RunTemplatePipeline(world_.org(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, "Succeeded");
  ASSERT_EQ(r->drops.size(), 1u);
  EXPECT_EQ(r->drops[0].ref.kind, "VivaInsights");
  EXPECT_EQ(StatusOf(*r, "ExtractUsers"), "(not run)");
  EXPECT_EQ(Hints().size(), 1u);
}

TEST_F(TemplateRun, FailErrorsDeliversMetadataWithErrorsAndNoDataFile) {
  TemplateRunOptions o = Options();
  o.fail = FailMode::kErrors;
  auto r = RunTemplatePipeline(world_.org(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // The extraction fails (by injection); its metadata.json still reaches the partner and is
  // announced; the user export does not follow a failed metrics copy.
  EXPECT_EQ(r->status, "Failed");
  EXPECT_EQ(StatusOf(*r, "ExtractVivaInsights"), "Failed");
  EXPECT_EQ(StatusOf(*r, "CopyPartsToPartner"), "Skipped");
  EXPECT_EQ(StatusOf(*r, "CopyMetadataToPartner"), "Succeeded");
  EXPECT_EQ(StatusOf(*r, "NotifyPartner"), "Succeeded");
  EXPECT_EQ(StatusOf(*r, "ExportUsers"), "Skipped");
  EXPECT_EQ(StatusOf(*r, "DeleteStaging"), "Succeeded");
  for (const auto& a : r->activities) {
    if (a.status == "Failed") {
      EXPECT_TRUE(a.injected) << a.name;
    }
  }
  ASSERT_EQ(r->drops.size(), 1u);
  const DropOutcome& d = r->drops[0];
  EXPECT_EQ(d.outcome, "errors");
  EXPECT_EQ(d.parts, 0u);
  auto m = testing::ReadMetadata(world_.partner(), d.ref);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_FALSE(m->errors.empty());
  EXPECT_TRUE(World::Names(world_.partner(), d.ref.prefix() + "part-").empty());
  EXPECT_EQ(d.notifications, 1);
}

TEST_F(TemplateRun, FailPartialStopsBeforeMetadataSkipsTheNoticeAndStillCleansStaging) {
  TemplateRunOptions o = Options();
  o.fail = FailMode::kPartial;
  auto r = RunTemplatePipeline(world_.org(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, "Failed");
  EXPECT_EQ(StatusOf(*r, "CopyPartsToPartner"), "Failed");
  EXPECT_EQ(StatusOf(*r, "CopyMetadataToPartner"), "Skipped");
  EXPECT_EQ(StatusOf(*r, "NotifyPartner"), "Skipped");
  EXPECT_EQ(StatusOf(*r, "DeleteStaging"), "Succeeded");
  ASSERT_EQ(r->drops.size(), 1u);
  EXPECT_EQ(r->drops[0].outcome, "partial");
  EXPECT_FALSE(r->drops[0].metadata_written);
  EXPECT_LT(r->drops[0].parts_copied, r->drops[0].parts);
  EXPECT_TRUE(Hints().empty());
  EXPECT_TRUE(Staged().empty());
}

TEST_F(TemplateRun, MetadataEarlyPutsMetadataBeforeTheParts) {
  // With the parts copy dying half-way, an early metadata.json announces an incomplete drop:
  // the hazard the template's separate metadata copy exists for.
  TemplateRunOptions o = Options();
  o.metadata_early = true;
  o.fail = FailMode::kPartial;
  auto r = RunTemplatePipeline(world_.org(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->drops.size(), 1u);
  EXPECT_TRUE(r->drops[0].metadata_written);
  EXPECT_LT(r->drops[0].parts_copied, r->drops[0].parts);
}

TEST_F(TemplateRun, CorruptFlipsBytesOfTheFirstPart) {
  TemplateRunOptions o = Options();
  o.fail = FailMode::kCorrupt;
  o.parameters = Parameters(false);
  auto r = RunTemplatePipeline(world_.org(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->drops.size(), 1u);
  EXPECT_EQ(r->drops[0].outcome, "corrupt");
  auto keys = LoadRunKeys(world_.dir(), r->drops[0].copy_activity_id);
  ASSERT_TRUE(keys.ok());
  EXPECT_FALSE(testing::DecryptRows(world_.partner(), r->drops[0].ref, keys->keys).ok());
}

TEST_F(TemplateRun, MissingInstallParameterIsNamed) {
  TemplateRunOptions o = Options();
  o.parameters.erase("notificationUrl");
  auto r = RunTemplatePipeline(world_.org(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("notificationUrl"), std::string::npos)
      << r.status().message();
}

TEST_F(TemplateRun, AWeekOutsideTheWorldIsRefused) {
  TemplateRunOptions o = Options();
  o.week = world_.org().WeekStart(10);
  EXPECT_EQ(RunTemplatePipeline(world_.org(), o).status().code(),
            core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::sim
