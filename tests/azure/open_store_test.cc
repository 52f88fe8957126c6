// OpenBlobStore: URL forms and credential sources, with an injected transport.
#include "azure/open_store.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "http/fake_transport.h"
#include "store/local_store.h"
#include "testutil.h"

namespace vivalink::azure {
namespace {

OpenStoreOptions WithFake(std::shared_ptr<http::FakeTransport> fake) {
  OpenStoreOptions o;
  o.use_environment = false;
  o.blob.transport = std::move(fake);
  return o;
}

http::Response Deleted() {
  http::Response r;
  r.status = 202;
  return r;
}

TEST(OpenBlobStore, PathsAndFileUrlsGiveALocalStore) {
  testutil::TempDir dir;
  auto plain = OpenBlobStore(dir.path().string());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_NE(dynamic_cast<store::LocalStore*>(plain->get()), nullptr);
  auto file = OpenBlobStore("file://" + dir.path().string());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_NE(dynamic_cast<store::LocalStore*>(file->get()), nullptr);
  EXPECT_EQ(OpenBlobStore("s3://bucket/x").status().code(), core::StatusCode::kInvalidArgument);
}

TEST(OpenBlobStore, SasUrlIsUsedAndNeverShown) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Deleted());
  auto s = OpenBlobStore(
      "https://acct.blob.core.windows.net/drops?sv=2025-11-05&sp=d&sig=TOPSECRET", WithFake(fake));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Describe(), "azure:https://acct.blob.core.windows.net/drops");
  ASSERT_TRUE((*s)->Delete("a").ok());
  auto req = fake->requests().at(0);
  EXPECT_EQ(req.url, "https://acct.blob.core.windows.net/drops/a?sv=2025-11-05&sp=d&sig=TOPSECRET");
  EXPECT_EQ(req.headers.count("Authorization"), 0u);
}

TEST(OpenBlobStore, AccountKeyAndConnectionStringGiveSharedKey) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Deleted());
  fake->Push(Deleted());
  OpenStoreOptions o = WithFake(fake);
  o.account_key = std::string(kDevStoreKey);
  auto by_key = OpenBlobStore("http://127.0.0.1:10000/devstoreaccount1/drops", o);
  ASSERT_TRUE(by_key.ok()) << by_key.status().ToString();
  ASSERT_TRUE((*by_key)->Delete("a").ok());
  o.account_key.clear();
  o.connection_string = "UseDevelopmentStorage=true";
  auto by_cs = OpenBlobStore("http://127.0.0.1:10000/devstoreaccount1/drops", o);
  ASSERT_TRUE(by_cs.ok()) << by_cs.status().ToString();
  ASSERT_TRUE((*by_cs)->Delete("a").ok());
  for (const auto& req : fake->requests()) {
    EXPECT_TRUE(req.headers.at("Authorization").starts_with("SharedKey devstoreaccount1:"));
  }
}

TEST(OpenBlobStore, ConnectionStringForAnotherAccountIsRefused) {
  OpenStoreOptions o = WithFake(std::make_shared<http::FakeTransport>());
  o.connection_string = "UseDevelopmentStorage=true";
  auto s = OpenBlobStore("https://acct.blob.core.windows.net/drops", o);
  EXPECT_EQ(s.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(OpenBlobStore, NoCredentialIsUnauthenticatedUnlessAnonymousIsAllowed) {
  OpenStoreOptions o = WithFake(std::make_shared<http::FakeTransport>());
  auto s = OpenBlobStore("https://acct.blob.core.windows.net/drops", o);
  EXPECT_EQ(s.status().code(), core::StatusCode::kUnauthenticated);
  o.allow_anonymous = true;
  EXPECT_TRUE(OpenBlobStore("https://acct.blob.core.windows.net/drops", o).ok());
}

TEST(OpenBlobStore, EnvironmentConnectionStringIsRead) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Deleted());
  OpenStoreOptions o = WithFake(fake);
  o.use_environment = true;
  ::setenv("AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true", 1);
  auto s = OpenBlobStore("http://127.0.0.1:10000/devstoreaccount1/drops", o);
  ::unsetenv("AZURE_STORAGE_CONNECTION_STRING");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE((*s)->Delete("a").ok());
  EXPECT_EQ(fake->requests().at(0).headers.count("Authorization"), 1u);
}

TEST(ContainerNameFromUrl, ComesFromThePathOrTheUrl) {
  EXPECT_EQ(ContainerNameFromUrl("file:///tmp/x/partner-drops"), "partner-drops");
  EXPECT_EQ(ContainerNameFromUrl("/tmp/x/c1/"), "c1");
  EXPECT_EQ(ContainerNameFromUrl("https://acct.blob.core.windows.net/drops?sv=1&sig=abc"), "drops");
  EXPECT_EQ(ContainerNameFromUrl("http://127.0.0.1:10000/devstoreaccount1/drops?sig=x"), "drops");
}

TEST(OpenQueueClient, ASasUrlOrTheEnvironmentGivesTheCredential) {
  ::unsetenv("AZURE_STORAGE_CONNECTION_STRING");
  ::unsetenv("AZURE_STORAGE_KEY");
  EXPECT_TRUE(OpenQueueClient("https://acct.queue.core.windows.net/q?sv=1&sp=a&sig=abc").ok());
  auto none = OpenQueueClient("https://acct.queue.core.windows.net/q");
  EXPECT_EQ(none.status().code(), core::StatusCode::kUnauthenticated);
  ::setenv("AZURE_STORAGE_CONNECTION_STRING",
           "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;"
           "EndpointSuffix=core.windows.net",
           1);
  EXPECT_TRUE(OpenQueueClient("https://acct.queue.core.windows.net/q").ok());
  auto other = OpenQueueClient("https://other.queue.core.windows.net/q");
  EXPECT_EQ(other.status().code(), core::StatusCode::kInvalidArgument);
  ::unsetenv("AZURE_STORAGE_CONNECTION_STRING");
}

}  // namespace
}  // namespace vivalink::azure
