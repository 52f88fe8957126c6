// Downloads and uploads through FaultProxy (resets mid-body, 503 bursts, slow responses) in
// front of the shared Azurite.
#include <gtest/gtest.h>

#include "azure/blob_client.h"
#include "azurite.h"
#include "fault_proxy.h"

namespace vivalink::azure {
namespace {

using testing::AzuriteEnvironment;
using testing::FaultProxy;
using testing::FaultRule;

std::shared_ptr<const SharedKeyCredential> Key() {
  return *SharedKeyCredential::Make(std::string(kDevStoreAccount), kDevStoreKey);
}

std::string Bytes(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    s[i] = static_cast<char>(seed >> 24);
  }
  return s;
}

class AzuriteFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    auto proxy = FaultProxy::Start(AzuriteEnvironment::Get().blob_port());
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    proxy_ = std::move(proxy).value();
    BlobClientOptions options;
    options.download_chunk_bytes = 1 << 20;
    options.resume_delay = std::chrono::milliseconds(1);
    options.retry.initial_delay = std::chrono::milliseconds(1);
    options.retry.max_delay = std::chrono::milliseconds(5);
    const std::string container = "faults";
    const std::string url = "http://127.0.0.1:" + std::to_string(proxy_->port()) + "/" +
                            std::string(kDevStoreAccount) + "/" + container;
    auto client = AzureBlobClient::Make(url, Key(), options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = *client;
    auto direct =
        AzureBlobClient::Make(AzuriteEnvironment::Get().ContainerUrl(container), Key(), options);
    ASSERT_TRUE(direct.ok());
    direct_ = *direct;
    ASSERT_TRUE(direct_->CreateContainerIfNotExists().ok());
  }
  void TearDown() override {
    if (proxy_) proxy_->Stop();
  }

  core::Status PutDirect(std::string_view name, const std::string& data) {
    core::MemorySource source(data);
    return direct_->Upload(name, source).status();
  }

  std::unique_ptr<FaultProxy> proxy_;
  std::shared_ptr<AzureBlobClient> client_;  // through the proxy
  std::shared_ptr<AzureBlobClient> direct_;  // straight to Azurite
};

core::Result<std::string> Read(AzureBlobClient& client, std::string_view name) {
  ASSIGN_OR_RETURN(auto stream, client.OpenRead(name));
  return core::ReadAll(*stream);
}

TEST_F(AzuriteFaults, DownloadResumesAfterConnectionResetsMidBody) {
  const std::string data = Bytes((3 << 20) + 4321, 11);
  ASSERT_TRUE(PutDirect("reset.bin", data).ok());
  // Two resets inside the first chunk, one inside the third.
  FaultRule reset;
  reset.kind = FaultRule::Kind::kReset;
  reset.method = "GET";
  reset.target_substr = "reset.bin";
  reset.reset_after_bytes = 200000;
  reset.times = 2;
  proxy_->AddRule(reset);
  auto stream = client_->OpenRead("reset.bin");
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  std::vector<std::byte> buf(1 << 20);
  std::string got;
  while (true) {
    if (got.size() == (2u << 20)) proxy_->AddRule(reset);  // arm more resets mid-stream
    auto n = (*stream)->Read(buf);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (*n == 0) break;
    got.append(core::AsChars(std::span(buf).first(*n)));
  }
  EXPECT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data) << "resumed download differs from the blob";
  EXPECT_EQ(proxy_->faults_injected(), 4);
  // 4 chunks + 4 resumed remainders at least.
  EXPECT_GE(proxy_->requests_seen(), 8);
}

TEST_F(AzuriteFaults, DownloadGivesUpAfterTooManyResetsWithoutProgress) {
  ASSERT_TRUE(PutDirect("hopeless.bin", Bytes(100000, 5)).ok());
  FaultRule reset;
  reset.kind = FaultRule::Kind::kReset;
  reset.method = "GET";
  reset.target_substr = "hopeless.bin";
  reset.reset_after_bytes = 0;  // before any body byte: the retrying transport tries too
  reset.times = 1000;
  proxy_->AddRule(reset);
  auto stream = client_->OpenRead("hopeless.bin");
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().code(), core::StatusCode::kUnavailable) << stream.status().ToString();
}

TEST_F(AzuriteFaults, ServerBusyBurstsAreRetried) {
  const std::string data = Bytes(500000, 3);
  FaultRule busy;
  busy.kind = FaultRule::Kind::k503;
  busy.method = "PUT";
  busy.times = 3;
  proxy_->AddRule(busy);
  core::MemorySource source(data);
  auto put = client_->Upload("busy.bin", source);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(proxy_->faults_injected(), 3);

  busy.method = "GET";
  proxy_->AddRule(busy);
  auto got = Read(*client_, "busy.bin");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == data);
  EXPECT_EQ(proxy_->faults_injected(), 6);

  // A burst longer than the retry budget surfaces as kUnavailable with the service's details.
  busy.method = "HEAD";
  busy.times = 100;
  proxy_->AddRule(busy);
  auto props = client_->GetProperties("busy.bin");
  ASSERT_FALSE(props.ok());
  EXPECT_EQ(props.status().code(), core::StatusCode::kUnavailable);
  ASSERT_TRUE(props.status().remote().has_value());
  EXPECT_EQ(props.status().remote()->http_status, 503);
  EXPECT_EQ(props.status().remote()->attempt, 5);
  EXPECT_EQ(props.status().remote()->request_id, "fault-proxy");
}

TEST_F(AzuriteFaults, SlowResponsesStillComplete) {
  const std::string data = Bytes(300000, 9);
  ASSERT_TRUE(PutDirect("slow.bin", data).ok());
  FaultRule slow;
  slow.kind = FaultRule::Kind::kDelay;
  slow.method = "GET";
  slow.delay_per_chunk = std::chrono::milliseconds(5);
  proxy_->AddRule(slow);
  auto got = Read(*client_, "slow.bin");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == data);
  EXPECT_EQ(proxy_->faults_injected(), 1);
}

}  // namespace
}  // namespace vivalink::azure
