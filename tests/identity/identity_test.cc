#include "identity/identity.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "core/file.h"

namespace vivalink::identity {
namespace {

namespace fs = std::filesystem;

TEST(Normalize, EmailsAreTrimmedAndLowerCase) {
  EXPECT_EQ(NormalizeEmail("  Ann.Lee@Contoso.COM \t"), "ann.lee@contoso.com");
  EXPECT_EQ(Normalize(IdentityKind::kUpn, "ANN@contoso.onmicrosoft.com"),
            "ann@contoso.onmicrosoft.com");
}

TEST(Normalize, ProxyAddressesLoseTheirSmtpPrefixInAnyCase) {
  EXPECT_EQ(Normalize(IdentityKind::kProxyAddress, "SMTP:Ann@Contoso.com"), "ann@contoso.com");
  EXPECT_EQ(Normalize(IdentityKind::kProxyAddress, "smtp:alee@contoso.com"), "alee@contoso.com");
  // Other proxy types keep their prefix: they are not mail addresses.
  EXPECT_EQ(Normalize(IdentityKind::kProxyAddress, "X500:/o=Contoso"), "x500:/o=contoso");
  // Only a proxy address has the prefix removed.
  EXPECT_EQ(NormalizeEmail("smtp:ann@contoso.com"), "smtp:ann@contoso.com");
}

TEST(Normalize, ObjectIdsLoseBracesAndCase) {
  EXPECT_EQ(NormalizeObjectId(" {8B1F2C3D-0000-4000-8000-00000000000B} "),
            "8b1f2c3d-0000-4000-8000-00000000000b");
  EXPECT_EQ(NormalizeObjectId("8B1F2C3D-0000-4000-8000-00000000000B"),
            "8b1f2c3d-0000-4000-8000-00000000000b");
  EXPECT_EQ(NormalizeObjectId("   "), "");
}

TEST(IdentityHash, AnEmailAndItsProxyAliasHashAlike) {
  const std::string mail = IdentityHash("", IdentityKind::kMail, " Ann@Contoso.com");
  EXPECT_EQ(mail, IdentityHash("", IdentityKind::kProxyAddress, "SMTP:ann@contoso.com"));
  EXPECT_EQ(mail.size(), 64u);
  // SHA-256("ann@contoso.com"), computed with `printf %s ann@contoso.com | sha256sum`.
  EXPECT_EQ(mail, "2977e1bd2571c71c0bce3101bca37d6e958e1703195f47cd89ec2558a2bff3e0");
}

TEST(IdentityHash, APseudonymKeyChangesEveryHash) {
  EXPECT_NE(IdentityHash("", IdentityKind::kMail, "ann@contoso.com"),
            IdentityHash("k1", IdentityKind::kMail, "ann@contoso.com"));
  EXPECT_NE(IdentityHash("k1", IdentityKind::kMail, "ann@contoso.com"),
            IdentityHash("k2", IdentityKind::kMail, "ann@contoso.com"));
}

TEST(PersonKey, WithoutAKeyIsTheLowerCaseGuid) {
  EXPECT_EQ(PersonKey("", "t", "8B1F2C3D-0000-4000-8000-00000000000B"),
            "8b1f2c3d-0000-4000-8000-00000000000b");
  // Ids that are not GUIDs keep their case: person keys have always been stored that way.
  EXPECT_EQ(PersonKey("", "t", " Emp-42 "), "Emp-42");
}

TEST(PersonKey, WithAKeyDiffersBetweenTenantsAndIgnoresTenantCase) {
  const std::string id = "8b1f2c3d-0000-4000-8000-00000000000b";
  const std::string a = PersonKey("key", "TENANT-A", id);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a, PersonKey("key", "tenant-a", id));
  EXPECT_NE(a, PersonKey("key", "tenant-b", id));
  EXPECT_EQ(a, PersonKey("key", "tenant-a", "8B1F2C3D-0000-4000-8000-00000000000B"));
}

TEST(KeyType, ParsesItsSpellingsAndRefusesOthers) {
  EXPECT_EQ(*ParseKeyType(" E-Mail "), KeyType::kEmail);
  EXPECT_EQ(*ParseKeyType("ObjectId"), KeyType::kObjectId);
  EXPECT_EQ(ParseKeyType("upn").status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyTypeName(KeyType::kObjectId), "object_id");
}

class PseudonymKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vl-pseudonym-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(PseudonymKeyTest, IsCreatedOnceThenLoaded) {
  auto first = LoadOrCreatePseudonymKey(dir_, "Tenant-A");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), 64u);
  auto again = LoadOrCreatePseudonymKey(dir_, "tenant-a");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(std::string(first->begin(), first->end()), std::string(again->begin(), again->end()));
  EXPECT_TRUE(fs::exists(dir_ / "tenant-a" / "pseudonym.key"));
}

TEST_F(PseudonymKeyTest, ConcurrentCreatorsAgreeOnOneKey) {
  std::vector<std::string> keys(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < keys.size(); ++i) {
    threads.emplace_back([&, i] {
      auto k = LoadOrCreatePseudonymKey(dir_, "t");
      if (k.ok()) keys[i].assign(k->begin(), k->end());
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& k : keys) EXPECT_EQ(k, keys[0]);
  EXPECT_EQ(keys[0].size(), 64u);
}

// Regression (issue 10 item 11): the key file used to be created empty and then written, so a
// crash in between left an empty key that failed every later drop of the tenant. A truncated
// key is now refused with a message that names the file and says what to do; creation can no
// longer leave one (CreateFileExclusive links a complete file into place).
TEST_F(PseudonymKeyTest, AnEmptyKeyFileIsDataLossNamingTheFile) {
  fs::create_directories(dir_ / "t");
  std::ofstream(dir_ / "t" / "pseudonym.key").close();
  auto k = LoadOrCreatePseudonymKey(dir_, "t");
  ASSERT_EQ(k.status().code(), core::StatusCode::kDataLoss);
  EXPECT_NE(k.status().message().find("pseudonym.key"), std::string::npos);
  EXPECT_NE(k.status().message().find("backup"), std::string::npos);
}

// `vivalink partner load` reads the key ingestion made and must never create one: a new key
// would silently make every partner key miss the stored hashes.
TEST_F(PseudonymKeyTest, LoadWithoutCreateRefusesAMissingKeyAndCreatesNothing) {
  auto missing = LoadPseudonymKey(dir_, "Tenant-A");
  ASSERT_EQ(missing.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("vivalink run"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "tenant-a" / "pseudonym.key"));

  auto created = LoadOrCreatePseudonymKey(dir_, "tenant-a");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto loaded = LoadPseudonymKey(dir_, "Tenant-A");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(std::string(loaded->begin(), loaded->end()),
            std::string(created->begin(), created->end()));
}

}  // namespace
}  // namespace vivalink::identity
