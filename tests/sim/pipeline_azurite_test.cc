// The weekly pipeline against Azurite: the partner container reached through a create+write-only
// container SAS (what a partner hands to the customer's Data Factory), staging in another
// container, notifications on a Storage Queue.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "azure/blob_client.h"
#include "azure/credentials.h"
#include "azure/open_store.h"
#include "azure/queue_client.h"
#include "azure/sas.h"
#include "azurite.h"
#include "pipeline_test_util.h"
#include "sim/pipeline.h"

namespace vivalink::sim {
namespace {

using nlohmann::json;
using vivalink::testing::AzuriteEnvironment;

::testing::Environment* const kAzurite =
    ::testing::AddGlobalTestEnvironment(new AzuriteEnvironment);

std::shared_ptr<const azure::SharedKeyCredential> DevKey() {
  return *azure::SharedKeyCredential::Make(std::string(azure::kDevStoreAccount),
                                           azure::kDevStoreKey);
}

std::string ContainerSasUrl(const std::string& container, std::string_view permissions) {
  auto& az = AzuriteEnvironment::Get();
  auto client = azure::AzureBlobClient::Make(az.ContainerUrl(container), DevKey());
  EXPECT_TRUE(client.ok());
  EXPECT_TRUE((*client)->CreateContainerIfNotExists().ok());
  auto sas =
      azure::MakeContainerSas(azure::kDevStoreAccount, azure::kDevStoreKey, container, permissions,
                              core::SystemClock::Instance().Now() + std::chrono::hours(1));
  EXPECT_TRUE(sas.ok()) << sas.status().ToString();
  return azure::AppendSas(az.ContainerUrl(container), *sas);
}

TEST(PipelineAzurite, DeliversThroughAWriteOnlySasAndNotifiesOnAQueue) {
  testing::World w(1, 30, 3);
  auto& az = AzuriteEnvironment::Get();
  const std::string partner_url = ContainerSasUrl("partner-drops", "cw");
  const std::string staging_url = ContainerSasUrl("staging", "racwdl");
  ::setenv("AZURE_STORAGE_CONNECTION_STRING", az.ConnectionString().c_str(), 1);

  auto partner = OpenPipelineStore(partner_url);
  ASSERT_TRUE(partner.ok()) << partner.status().ToString();
  auto staging = OpenPipelineStore(staging_url);
  ASSERT_TRUE(staging.ok()) << staging.status().ToString();
  auto notifier = MakeQueueNotifier(az.QueueUrl("vivalink-drops"));
  ASSERT_TRUE(notifier.ok()) << notifier.status().ToString();

  PipelineOptions o;
  o.dir = w.dir();
  o.week = w.org().WeekStart(1);
  o.container = azure::ContainerNameFromUrl(partner_url);
  o.notifier = notifier->get();
  auto r = RunPipeline(w.org(), **partner, **staging, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->drops.size(), 2u);
  EXPECT_EQ(o.container, "partner-drops");

  // Staging is empty again.
  auto staged = store::ListAll(**staging, "");
  ASSERT_TRUE(staged.ok());
  EXPECT_TRUE(staged->empty());

  // The partner reads and validates the drop with its own (Shared Key) access.
  auto reader_store = azure::OpenBlobStore(az.ContainerUrl("partner-drops"));
  ASSERT_TRUE(reader_store.ok()) << reader_store.status().ToString();
  for (const DropOutcome& d : r->drops) {
    auto m = testing::ReadMetadata(**reader_store, d.ref);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    auto keys = LoadRunKeys(w.dir(), d.copy_activity_id);
    ASSERT_TRUE(keys.ok());
    core::Status st = testing::ReadAndValidate(**reader_store, d.ref, *m, keys->keys);
    EXPECT_TRUE(st.ok()) << d.ref.ToString() << ": " << st.ToString();
  }

  // One queue message per drop, the web activity's body in base64.
  auto queue = azure::QueueClient::Make(az.QueueUrl("vivalink-drops"), DevKey());
  ASSERT_TRUE(queue.ok());
  azure::ReceiveMessagesOptions ro;
  ro.max_messages = 32;
  auto messages = (*queue)->Receive(ro);
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  ASSERT_EQ(messages->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE((*messages)[i].decoded);
    const json body = json::parse((*messages)[i].text);
    EXPECT_EQ(body["Container"], "partner-drops");
    EXPECT_EQ(body["MetadataPath"], r->drops[i].ref.metadata_path());
    EXPECT_EQ(body["CopyActivityId"], r->drops[i].copy_activity_id);
  }
  ::unsetenv("AZURE_STORAGE_CONNECTION_STRING");
}

}  // namespace
}  // namespace vivalink::sim
