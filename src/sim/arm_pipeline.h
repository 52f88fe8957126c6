// vivasim running the Managed Application template (PROTOCOL §10). This is vivasim's only pipeline:
// `vivasim pipeline run --template F --parameters P` runs a template file, and every other
// `vivasim pipeline run` (sim/pipeline.h RunPipeline) runs the template compiled into vivasim
// (sim/shipped_template.h, deploy/managed-app/mainTemplate.json).
//
// The template is "deployed" (sim/arm_template.h: parameters, variables, resource names) and its
// Data Factory pipeline run once for one tenant, as its Schedule trigger would fire it for one
// week: the trigger's pipeline parameters are evaluated with trigger().scheduledTime = the
// Sunday after the week at 02:00 UTC. Activities run in dependency order (ready activities in
// the order the template lists them) with ADF's conditions (Succeeded, Failed, Skipped,
// Completed = Succeeded or Failed; an activity whose dependencies do not meet their conditions is
// Skipped), IfCondition branches included; an activity with "state": "Inactive" does not run and
// counts as its onInactiveMarkAs (default Succeeded). What each activity type does:
//   Copy, Office365Source   vivasim's extraction (Graph Data Connect): the week's rows of the
//                           table (VivaInsightsDataset_PersonReport_v1 = shape v1,
//                           VivaInsightsDataset_v0 = v0, BasicDataSet_v0.User_v1 = the user
//                           export, BasicDataSet_v0.CalendarView_v0 = the calendars, file-encrypted
//                           only) as encrypted parts and metadata/JobMetadata/metadata.json under
//                           the sink dataset's folder, which must be "<RunId>/<kind>/<tenant>";
//                           CopyActivityId = the activity's run id; its keys saved to D/runs (the
//                           key API serves them) before anything refers to them.
//   Copy, BinarySource      every blob directly in the source folder matching wildcardFileName
//                           (only '*' wildcards), copied to the sink folder in name order; no
//                           matching blob fails the activity.
//   Delete                  every blob under the dataset's folder (recursive).
//   WebActivity             POST of the evaluated body; authentication MSI = a managed-identity
//                           token for its resource from vivasim's Entra ID (sim/entra_issuer.h),
//                           with TemplateRunOptions::token_flaw; retried per its policy. Or, per
//                           TemplateRunOptions::web, handed to a Notifier or not run at all.
//   IfCondition             the branch its expression chooses.
// Linked services are resolved to stores: AzureBlobStorage with sasUri (inline or an
// AzureKeyVaultSecret of the template's vault: the secret resource's value) is opened as that
// URL (a container SAS URL, used as is); with serviceEndpoint (the staging account, reference()
// of the storage account answers TemplateRunOptions::staging_account_url) as that URL + "/" +
// container. A URL in TemplateRunOptions::stores is that open store; any other is opened with
// OpenPipelineStore (file://, Azure/Azurite with SAS or AZURE_STORAGE_CONNECTION_STRING).
//
// Injected failures (`vivasim pipeline run --fail ...`), on the metrics (VivaInsights) copy:
//   kErrors   the extraction writes metadata.json with Errors set and no data file, and fails;
//             the template still copies that metadata.json and notifies (no user export follows)
//   kPartial  the parts copy stops after half of the parts (at least one, never all) and fails:
//             no metadata, no notice
//   kCorrupt  bytes in the middle of part-00000 flipped on the way to the partner (the blob's
//             Content-MD5 matches the flipped bytes)
//   metadata_early  metadata.json reaches the partner before the parts (what a folder copy in one
//                   activity may do); the template's own metadata copy still runs afterwards
// An activity that failed by injection is marked ActivityRun::injected.
// Each extracted drop is recorded in D/runs.jsonl (one JSON line: runId, copyActivityId,
// tenantId, kind, week, shape, outcome, rows, parts, partsCopied, metadataWritten, inlineKey,
// notifications, store, template).
// Not thread-safe for one options.transport or options.notifier.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "http/transport.h"
#include "sim/arm_expression.h"
#include "sim/entra_issuer.h"
#include "sim/organization.h"
#include "sim/pipeline.h"
#include "store/blob_store.h"

namespace vivalink::sim {

// Where the Web activities' notifications go.
enum class WebDelivery {
  kTemplate,  // as the template says: its url, its authentication (managed identity)
  // The evaluated body {TenantId, RunId, Container, MetadataPath, CopyActivityId} is handed to
  // TemplateRunOptions::notifier once (it retries by itself): a signed POST, a Storage Queue
  // message or Event Grid events, the channels of `vivasim pipeline run --notify-*`.
  kNotifier,
  // Deactivated (ADF's activity state Inactive, marked Succeeded): nothing is sent; the partner
  // polls.
  kInactive,
};

struct TemplateRunOptions {
  std::filesystem::path dir;  // the world (vivasim init)
  // mainTemplate.json; empty = the shipped template compiled into vivasim.
  std::filesystem::path template_path;
  arm::Value parameters;  // install parameters (ParameterValues of params.json)
  core::Date week{};      // any day of the week to deliver
  std::string tenant;     // the customer tenant that installed the package
  // reference() of the staging storage account: its blob endpoint (default
  // file://<dir>/staging-account; the container is a folder below it).
  std::string staging_account_url;
  // Open stores by the URL a linked service resolves to (not owned; they must outlive the run).
  std::map<std::string, store::BlobStore*> stores;
  FailMode fail = FailMode::kNone;
  bool metadata_early = false;
  // Called in a metadata_early copy once metadata.json and then after each data part reached
  // the partner (parts_copied of parts), on the running thread: a window onto the drop while its
  // copy is still going (a test runs vivalink there).
  std::function<void(const drop::DropRef& ref, uint64_t parts_copied, uint64_t parts)>
      on_early_metadata;
  bool duplicate_notify = false;  // the Web activity sends twice
  // The File key in metadata.json (DecryptionKeyDetails), wrapped with the tenant's registered
  // partner key (D/registrations); the extraction fails with kFailedPrecondition without one.
  bool inline_key = false;
  uint64_t part_rows = 0;  // rows per part; 0 = about 4 parts of at most 50,000 rows
  WebDelivery web = WebDelivery::kTemplate;
  Notifier* notifier = nullptr;  // for WebDelivery::kNotifier; not owned
  TokenFlaw token_flaw = TokenFlaw::kNone;
  std::string authority;  // Entra ID authority of the tokens (vivasim serve's URL)
  http::HttpTransport* transport = nullptr;  // Web activity; null = a CurlTransport
  const core::Clock* clock = nullptr;        // null = core::SystemClock
};

struct ActivityRun {
  std::string name;
  std::string type;
  std::string status;     // Succeeded, Failed, Skipped, Inactive
  std::string error;      // for Failed: failure.ToString()
  core::Status failure;   // for Failed, with its code
  bool injected = false;  // failed by TemplateRunOptions::fail
};

struct TemplateRunResult {
  std::string run_id;
  std::string factory_name;             // the deployed Data Factory (DataFactoryName)
  std::string status;                   // Succeeded or Failed (some activity failed)
  std::vector<ActivityRun> activities;  // in the order they finished
  std::vector<DropOutcome> drops;       // extracted drops
};

// Deploys and runs. kInvalidArgument for a template or parameters vivasim cannot run (naming
// the resource or activity and what is missing), a week outside the world or an unknown tenant;
// errors writing D/runs.jsonl. Activity failures (a store that fails included) are results, not
// errors: TemplateRunResult::activities says which failed and why.
core::Result<TemplateRunResult> RunTemplatePipeline(const Organization& org,
                                                    const TemplateRunOptions& options);

// The same with the template already parsed (options.template_path is then only its name in
// D/runs.jsonl).
core::Result<TemplateRunResult> RunTemplatePipeline(const Organization& org,
                                                    const TemplateRunOptions& options,
                                                    const arm::Value& template_json);

// `vivasim pipeline run --template`: loads the world of options.dir and the install parameters
// (an ARM parameters file or a plain {"name": value} object; `vivalink onboard` prints one),
// then RunTemplatePipeline. An empty options.tenant means the world's only tenant
// (kInvalidArgument when it has several). Errors as LoadOrganization, LoadJsonFile,
// ParameterValues and RunTemplatePipeline give them.
core::Result<TemplateRunResult> RunTemplateFromFiles(TemplateRunOptions options,
                                                     const std::filesystem::path& parameters_file);

}  // namespace vivalink::sim
