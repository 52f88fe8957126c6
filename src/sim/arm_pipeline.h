// vivasim running the Managed Application template (DESIGN §10): `vivasim pipeline run
// --template deploy/managed-app/mainTemplate.json --parameters params.json`.
//
// The template is "deployed" (sim/arm_template.h: parameters, variables, resource names) and its
// Data Factory pipeline run once for one tenant, as its Schedule trigger would fire it for one
// week: the trigger's pipeline parameters are evaluated with trigger().scheduledTime = the
// Sunday after the week at 02:00 UTC. Activities run in dependency order with ADF's conditions
// (Succeeded, Failed, Skipped, Completed = Succeeded or Failed; an activity whose dependencies do
// not meet their conditions is Skipped), IfCondition branches included. What each activity type
// does:
//   Copy, Office365Source   vivasim's extraction: the week's rows (the table's shape: v1 for
//                           VivaInsightsDataset_PersonReport_v1, v0 for VivaInsightsDataset_v0,
//                           the user export for BasicDataSet_v0.User_v1) as encrypted parts and
//                           metadata/JobMetadata/metadata.json under the sink dataset's folder,
//                           which must be "<RunId>/<kind>/<tenant>"; CopyActivityId = the
//                           activity's run id; its keys saved to D/runs (the key API serves them).
//   Copy, BinarySource      every blob directly in the source folder matching wildcardFileName
//                           (only '*' wildcards), copied to the sink folder.
//   Delete                  every blob under the dataset's folder (recursive).
//   WebActivity             POST of the evaluated body; authentication MSI = a managed-identity
//                           token for its resource from vivasim's Entra ID (sim/entra_issuer.h),
//                           with TemplateRunOptions::token_flaw; retried per its policy.
//   IfCondition             the branch its expression chooses.
// Linked services are resolved to stores: AzureBlobStorage with sasUri (inline or an
// AzureKeyVaultSecret of the template's vault: the secret resource's value) is opened as that
// URL plus the dataset's container (a container SAS URL is used as is); with serviceEndpoint
// (the staging account, reference() of the storage account answers
// TemplateRunOptions::staging_account_url) as that URL + "/" + container. Store URLs are opened
// with OpenPipelineStore (file://, Azure/Azurite with SAS or AZURE_STORAGE_CONNECTION_STRING).
//
// Failure injection (the hard-coded pipeline's, on the VivaInsights copy, plus one):
//   kErrors   the extraction writes metadata.json with Errors set and no data file
//   kPartial  the parts copy stops after half of the parts and fails (no metadata, no notice)
//   kCorrupt  bytes of part-00000 flipped on the way to the partner
//   metadata_early  metadata.json reaches the partner before the parts (a folder copy in one
//                   activity gives no order)
// Each extracted drop is recorded in D/runs.jsonl as the hard-coded pipeline records it.
// Not thread-safe for one options.transport.
#pragma once

#include <filesystem>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "http/transport.h"
#include "sim/arm_expression.h"
#include "sim/entra_issuer.h"
#include "sim/organization.h"
#include "sim/pipeline.h"

namespace vivalink::sim {

struct TemplateRunOptions {
  std::filesystem::path dir;            // the world (vivasim init)
  std::filesystem::path template_path;  // mainTemplate.json
  arm::Value parameters;                // install parameters (ParameterValues of params.json)
  core::Date week{};                    // any day of the week to deliver
  std::string tenant;                   // the customer tenant that installed the package
  // reference() of the staging storage account: its blob endpoint (default
  // file://<dir>/staging-account; the container is a folder below it).
  std::string staging_account_url;
  FailMode fail = FailMode::kNone;
  bool metadata_early = false;
  bool duplicate_notify = false;  // the Web activity sends twice
  uint64_t part_rows = 0;         // 0 = about 4 parts
  TokenFlaw token_flaw = TokenFlaw::kNone;
  std::string authority;  // Entra ID authority of the tokens (vivasim serve's URL)
  http::HttpTransport* transport = nullptr;  // Web activity; null = a CurlTransport
  const core::Clock* clock = nullptr;        // null = core::SystemClock
};

struct ActivityRun {
  std::string name;
  std::string type;
  std::string status;  // Succeeded, Failed, Skipped
  std::string error;   // for Failed
};

struct TemplateRunResult {
  std::string run_id;
  std::string status;                   // Succeeded or Failed (some activity failed)
  std::vector<ActivityRun> activities;  // in the order they finished
  std::vector<DropOutcome> drops;       // extracted drops
};

// Deploys and runs. kInvalidArgument for a template or parameters vivasim cannot run (naming
// the resource or activity and what is missing), a week outside the world or an unknown tenant;
// store errors while opening stores. Activity failures are results, not errors.
core::Result<TemplateRunResult> RunTemplatePipeline(const Organization& org,
                                                    const TemplateRunOptions& options);

// `vivasim pipeline run --template`: loads the world of options.dir and the install parameters
// (an ARM parameters file or a plain {"name": value} object; `vivalink onboard` prints one),
// then RunTemplatePipeline. An empty options.tenant means the world's only tenant
// (kInvalidArgument when it has several). Errors as LoadOrganization, LoadJsonFile,
// ParameterValues and RunTemplatePipeline give them.
core::Result<TemplateRunResult> RunTemplateFromFiles(TemplateRunOptions options,
                                                     const std::filesystem::path& parameters_file);

}  // namespace vivalink::sim
