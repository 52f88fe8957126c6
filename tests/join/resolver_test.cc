// Identity resolution through the Entra ID user export (MGDC User_v1).
#include "join/resolver.h"

#include <gtest/gtest.h>

#include "core/io.h"

namespace vivalink::join {
namespace {

IdentityIndex Load(const std::string& jsonl) {
  auto index = LoadIdentityIndex(core::MemorySource::Owning(jsonl));
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  return index.ok() ? std::move(index).value() : IdentityIndex();
}

constexpr char kAnn[] = "8b1f2c3d-0000-4000-8000-00000000000a";
constexpr char kBob[] = "8b1f2c3d-0000-4000-8000-00000000000b";

const char kUsers[] =
    R"({"id":"8B1F2C3D-0000-4000-8000-00000000000A","mail":"Ann.Lee@Contoso.com","userPrincipalName":"ann.lee@contoso.onmicrosoft.com","proxyAddresses":["SMTP:Ann.Lee@Contoso.com","smtp:alee@contoso.com","X500:/o=Contoso/cn=ann","smtp:team@contoso.com"],"displayName":"Ann Lee","puser":"x","datarow":0}
{"id":"8b1f2c3d-0000-4000-8000-00000000000b","mail":"bob@contoso.com","userPrincipalName":"bob@contoso.onmicrosoft.com","proxyAddresses":["SMTP:bob@contoso.com","smtp:TEAM@contoso.com","smtp:bob@contoso.com"]}
{"id":"8b1f2c3d-0000-4000-8000-00000000000c","mail":null,"userPrincipalName":"carol@contoso.onmicrosoft.com","proxyAddresses":[]}
{"mail":"noid@contoso.com"}
)";

TEST(Identity, EmailMatchesCaseInsensitively) {
  IdentityIndex index = Load(kUsers);
  Resolution r = index.Resolve("  ANN.LEE@contoso.COM ", KeyType::kEmail);
  ASSERT_EQ(r.outcome, ResolveOutcome::kResolved);
  EXPECT_EQ(r.object_id, kAnn);  // object ids come out normalised to lower case
}

TEST(Identity, AliasFromProxyAddressesResolves) {
  IdentityIndex index = Load(kUsers);
  Resolution r = index.Resolve("ALee@contoso.com", KeyType::kEmail);
  ASSERT_EQ(r.outcome, ResolveOutcome::kResolved);
  EXPECT_EQ(r.object_id, kAnn);
  // Only smtp: entries are addresses; an X500 entry is not.
  EXPECT_EQ(index.Resolve("/o=Contoso/cn=ann", KeyType::kEmail).outcome, ResolveOutcome::kUnknown);
  EXPECT_EQ(index.Resolve("X500:/o=Contoso/cn=ann", KeyType::kEmail).outcome,
            ResolveOutcome::kUnknown);
}

TEST(Identity, UserPrincipalNameResolves) {
  IdentityIndex index = Load(kUsers);
  Resolution r = index.Resolve("Carol@contoso.onmicrosoft.com", KeyType::kEmail);
  ASSERT_EQ(r.outcome, ResolveOutcome::kResolved);
  EXPECT_EQ(r.object_id, "8b1f2c3d-0000-4000-8000-00000000000c");
  EXPECT_EQ(index.Resolve("bob@contoso.onmicrosoft.com", KeyType::kEmail).object_id, kBob);
}

TEST(Identity, AddressOfTwoPersonsIsAmbiguousAndRefused) {
  IdentityIndex index = Load(kUsers);
  Resolution r = index.Resolve("team@contoso.com", KeyType::kEmail);
  EXPECT_EQ(r.outcome, ResolveOutcome::kAmbiguous);
  EXPECT_TRUE(r.object_id.empty());
  EXPECT_EQ(index.stats().ambiguous_emails, 1);
  // The other addresses of both persons still resolve.
  EXPECT_EQ(index.Resolve("bob@contoso.com", KeyType::kEmail).object_id, kBob);
  EXPECT_EQ(index.Resolve("ann.lee@contoso.com", KeyType::kEmail).object_id, kAnn);
}

TEST(Identity, SameAddressListedTwiceForOnePersonIsNotAmbiguous) {
  IdentityIndex index = Load(kUsers);  // bob lists bob@contoso.com as mail and twice as proxy
  EXPECT_EQ(index.Resolve("bob@contoso.com", KeyType::kEmail).outcome, ResolveOutcome::kResolved);
  EXPECT_EQ(index.stats().ambiguous_emails, 1);  // only team@
}

TEST(Identity, UnknownAddressIsUnknownAndRowsWithoutIdAreCounted) {
  IdentityIndex index = Load(kUsers);
  EXPECT_EQ(index.Resolve("stranger@fabrikam.com", KeyType::kEmail).outcome,
            ResolveOutcome::kUnknown);
  EXPECT_EQ(index.Resolve("", KeyType::kEmail).outcome, ResolveOutcome::kUnknown);
  // The row without an id contributes nothing: its address does not resolve.
  EXPECT_EQ(index.Resolve("noid@contoso.com", KeyType::kEmail).outcome, ResolveOutcome::kUnknown);
  IdentityIndexStats s = index.stats();
  EXPECT_EQ(s.users, 3);
  EXPECT_EQ(s.rows_without_id, 1);
}

TEST(Identity, ObjectIdKeysAreNormalisedAndNeedNoExportEntry) {
  IdentityIndex index = Load(kUsers);
  Resolution r = index.Resolve("{8B1F2C3D-0000-4000-8000-00000000000B}", KeyType::kObjectId);
  ASSERT_EQ(r.outcome, ResolveOutcome::kResolved);
  EXPECT_EQ(r.object_id, kBob);
  EXPECT_TRUE(index.ContainsObjectId("8B1F2C3D-0000-4000-8000-00000000000A"));
  Resolution other = index.Resolve("AAAA0000-0000-4000-8000-000000000001", KeyType::kObjectId);
  EXPECT_EQ(other.outcome, ResolveOutcome::kResolved);
  EXPECT_EQ(other.object_id, "aaaa0000-0000-4000-8000-000000000001");
}

TEST(Identity, MalformedProxyAddressesIsDataLoss) {
  auto index = LoadIdentityIndex(core::MemorySource::Owning(
      R"({"id":"a","mail":"a@x.com","proxyAddresses":"[\"SMTP:a@x.com\""}
)"));
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.status().code(), core::StatusCode::kDataLoss);
  EXPECT_EQ(index.status().message().find("a@x.com"), std::string::npos)
      << "errors must not carry identities";
}

TEST(Identity, ExportWithoutIdColumnIsInvalidArgument) {
  auto index = LoadIdentityIndex(core::MemorySource::Owning("{\"mail\":\"a@x.com\"}\n"));
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(Identity, ParsesKeyTypes) {
  EXPECT_EQ(*ParseKeyType("Email"), KeyType::kEmail);
  EXPECT_EQ(*ParseKeyType("object_id"), KeyType::kObjectId);
  EXPECT_EQ(ParseKeyType("upn").status().code(), core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::join
