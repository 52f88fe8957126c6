// Per-tenant notification keys (push/tenant_keys.h): created once, rotated, loaded by serve.
#include "push/tenant_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "testutil.h"

namespace vivalink::push {
namespace {

constexpr const char* kTenant = "0B7E5A6C-3F1D-4C2E-9A8B-7D6E5F4A3B2C";

TEST(PushTenantKeys, EnsureCreatesOncePrivatelyAndReturnsTheSameKey) {
  testutil::TempDir dir;
  auto a = EnsureTenantKey(dir.path(), kTenant);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->size(), 43u);
  auto b = EnsureTenantKey(dir.path(), kTenant);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  struct stat st {};
  ASSERT_EQ(::stat(TenantKeyPath(dir.path(), kTenant).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(PushTenantKeys, RotateReplacesTheKeyAndLoadSeesEveryTenant) {
  testutil::TempDir dir;
  auto old_key = EnsureTenantKey(dir.path(), kTenant);
  ASSERT_TRUE(old_key.ok());
  ASSERT_TRUE(EnsureTenantKey(dir.path(), "other-tenant.example").ok());
  auto new_key = RotateTenantKey(dir.path(), kTenant);
  ASSERT_TRUE(new_key.ok());
  EXPECT_NE(*old_key, *new_key);
  auto all = LoadTenantKeys(dir.path());
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at("0b7e5a6c-3f1d-4c2e-9a8b-7d6e5f4a3b2c"), *new_key);
}

TEST(PushTenantKeys, TenantIdsThatLeaveTheFolderAreRefused) {
  testutil::TempDir dir;
  for (const char* bad : {"..", "a/b", "", "x\n"}) {
    EXPECT_EQ(EnsureTenantKey(dir.path(), bad).status().code(), core::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(PushTenantKeys, ATruncatedKeyFileIsDataLossNamingIt) {
  testutil::TempDir dir;
  testutil::WriteFile(TenantKeyPath(dir.path(), kTenant), "abc\n");
  auto all = LoadTenantKeys(dir.path());
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), core::StatusCode::kDataLoss);
  EXPECT_NE(all.status().message().find("notification.key"), std::string::npos);
}

TEST(PushTenantKeys, AMissingKeystoreHasNoKeys) {
  auto all = LoadTenantKeys("/nonexistent/vivalink-keystore");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

}  // namespace
}  // namespace vivalink::push
