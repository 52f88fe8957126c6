// Signing and credential parsing. The expected signatures come from tests/azure/vectors.txt,
// computed by make_vectors.sh with openssl (an independent implementation of the HMAC and of the
// string-to-sign layouts).
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "azure/credentials.h"
#include "azure/sas.h"
#include "azure/shared_key.h"
#include "core/time.h"
#include "http/transport.h"
#include "testutil.h"

namespace vivalink::azure {
namespace {

constexpr std::string_view kTestKey = "dml2YWxpbmstdGVzdC1rZXktMzItYnl0ZXMtbG9uZyE=";

std::map<std::string, std::string> LoadVectors() {
  std::ifstream in(testutil::SourceDir() / "tests/azure/vectors.txt");
  EXPECT_TRUE(in.good()) << "tests/azure/vectors.txt is missing; run tests/azure/make_vectors.sh";
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value;
    for (size_t i = eq + 1; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == 'n') {
        value += '\n';
        ++i;
      } else {
        value += line[i];
      }
    }
    out[line.substr(0, eq)] = value;
  }
  return out;
}

const std::map<std::string, std::string>& Vectors() {
  static const auto* vectors = new std::map<std::string, std::string>(LoadVectors());
  return *vectors;
}

std::shared_ptr<const SharedKeyCredential> Key(std::string account, std::string_view key) {
  auto made = SharedKeyCredential::Make(std::move(account), key);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return *made;
}

core::TimePoint At(std::string_view iso) { return *core::ParseIso8601(iso); }

std::string QueryValue(std::string_view query, std::string_view name) {
  for (const auto& [k, v] : http::ParseQuery(query)) {
    if (k == name) return v;
  }
  return "<absent>";
}

TEST(SharedKey, IpStylePutBlobMatchesIndependentVector) {
  http::Request r;
  r.method = "PUT";
  r.url =
      "http://127.0.0.1:10000/devstoreaccount1/partner-drop/incoming/20261127T120000Z/"
      "part-0001.enc";
  r.headers["Content-Length"] = "100000";
  r.headers["Content-Type"] = "application/octet-stream";
  r.headers["x-ms-blob-type"] = "BlockBlob";
  r.headers["x-ms-date"] = "Fri, 27 Nov 2026 13:00:07 GMT";
  r.headers["x-ms-meta-batchid"] = "20261127T120000Z";
  r.headers["x-ms-version"] = "2025-11-05";
  EXPECT_EQ(SharedKeyStringToSign("devstoreaccount1", r),
            Vectors().at("sharedkey_azurite_put.string_to_sign"));
  auto key = Key("devstoreaccount1", kDevStoreKey);
  SignSharedKey(*key, r);
  EXPECT_EQ(r.headers["Authorization"],
            "SharedKey devstoreaccount1:" + Vectors().at("sharedkey_azurite_put.signature"));
}

TEST(SharedKey, ProductionListSortsAndDecodesQueryParameters) {
  http::Request r;
  r.url =
      "https://myaccount.blob.core.windows.net/drops?restype=container&comp=list&prefix=run%201%2F"
      "&maxresults=10&include=metadata";
  r.headers["X-MS-Date"] = "Sat, 28 Nov 2026 08:30:00 GMT";  // names are lower-cased
  r.headers["x-ms-version"] = "2025-11-05";
  EXPECT_EQ(SharedKeyStringToSign("myaccount", r),
            Vectors().at("sharedkey_prod_list.string_to_sign"));
  SignSharedKey(*Key("myaccount", kTestKey), r);
  EXPECT_EQ(r.headers["Authorization"],
            "SharedKey myaccount:" + Vectors().at("sharedkey_prod_list.signature"));
}

TEST(SharedKey, RangedConditionalGetKeepsPathPercentEncoded) {
  http::Request r;
  r.url = "http://127.0.0.1:10000/devstoreaccount1/c/dir/a%20b.enc";
  r.headers["If-Match"] = "\"0x8DABC\"";
  r.headers["x-ms-range"] = "bytes=0-4194303";
  r.headers["x-ms-date"] = "Fri, 27 Nov 2026 13:00:07 GMT";
  r.headers["x-ms-version"] = "2025-11-05";
  EXPECT_EQ(SharedKeyStringToSign("devstoreaccount1", r),
            Vectors().at("sharedkey_range_ifmatch.string_to_sign"));
  SignSharedKey(*Key("devstoreaccount1", kDevStoreKey), r);
  EXPECT_EQ(r.headers["Authorization"],
            "SharedKey devstoreaccount1:" + Vectors().at("sharedkey_range_ifmatch.signature"));
}

TEST(SharedKey, ZeroContentLengthIsSignedAsEmpty) {
  http::Request a;
  a.method = "PUT";
  a.url = "https://acct.blob.core.windows.net/c?restype=container";
  a.headers["Content-Length"] = "0";
  http::Request b = a;
  b.headers.erase("Content-Length");
  EXPECT_EQ(SharedKeyStringToSign("acct", a), SharedKeyStringToSign("acct", b));
  EXPECT_EQ(SharedKeyStringToSign("acct", a).substr(0, 7), "PUT\n\n\n\n");
}

TEST(SharedKey, CanonicalizedResourceJoinsRepeatedParametersSorted) {
  EXPECT_EQ(CanonicalizedResource("acct", "https://acct.blob.core.windows.net/c?b=2&A=1&b=1"),
            "/acct/c\na:1\nb:1,2");
  EXPECT_EQ(CanonicalizedResource("acct", "https://acct.blob.core.windows.net"), "/acct/");
}

TEST(ServiceSas, ContainerWriteOnlyMatchesIndependentVector) {
  ServiceSasOptions o;
  o.container = "partner-drop";
  o.permissions = "wc";  // reordered to the canonical "cw"
  o.expiry = At("2026-12-31T00:00:00Z");
  auto sts = ServiceSasStringToSign("devstoreaccount1", o);
  ASSERT_TRUE(sts.ok()) << sts.status().ToString();
  EXPECT_EQ(*sts, Vectors().at("sas_container_cw.string_to_sign"));
  auto token = MakeServiceSas(*Key("devstoreaccount1", kDevStoreKey), o);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(QueryValue(*token, "sig"), Vectors().at("sas_container_cw.signature"));
  EXPECT_EQ(QueryValue(*token, "sp"), "cw");
  EXPECT_EQ(QueryValue(*token, "sr"), "c");
  EXPECT_EQ(QueryValue(*token, "sv"), "2025-11-05");
  EXPECT_EQ(QueryValue(*token, "se"), "2026-12-31T00:00:00Z");
  EXPECT_EQ(QueryValue(*token, "st"), "<absent>");
}

TEST(ServiceSas, MakeContainerSasIsTheSameToken) {
  auto token = MakeContainerSas("devstoreaccount1", kDevStoreKey, "partner-drop", "cw",
                                At("2026-12-31T00:00:00Z"));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(QueryValue(*token, "sig"), Vectors().at("sas_container_cw.signature"));
  // The signature is percent-encoded in the token ('+', '/', '=' never appear raw).
  std::string raw_sig = token->substr(token->find("sig=") + 4);
  EXPECT_EQ(raw_sig.find_first_of("+/="), std::string::npos) << raw_sig;
}

TEST(ServiceSas, BlobReadWithStartIpAndProtocolMatchesIndependentVector) {
  ServiceSasOptions o;
  o.container = "drops";
  o.blob = "run1/metadata.json";
  o.permissions = "r";
  o.start = At("2026-11-27T00:00:00Z");
  o.expiry = At("2026-11-28T00:00:00Z");
  o.ip_range = "10.0.0.1-10.0.0.9";
  o.protocol = "https";
  auto sts = ServiceSasStringToSign("myaccount", o);
  ASSERT_TRUE(sts.ok());
  EXPECT_EQ(*sts, Vectors().at("sas_blob_r.string_to_sign"));
  auto token = MakeServiceSas(*Key("myaccount", kTestKey), o);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(QueryValue(*token, "sig"), Vectors().at("sas_blob_r.signature"));
  EXPECT_EQ(QueryValue(*token, "sr"), "b");
  EXPECT_EQ(QueryValue(*token, "sip"), "10.0.0.1-10.0.0.9");
  EXPECT_EQ(QueryValue(*token, "st"), "2026-11-27T00:00:00Z");
}

TEST(AccountSas, MatchesIndependentVectorWithTrailingNewline) {
  AccountSasOptions o;
  o.services = "qb";
  o.resource_types = "sco";
  o.permissions = "rwdlacup";
  o.expiry = At("2026-12-01T12:00:00Z");
  o.protocol = "https";
  auto sts = AccountSasStringToSign("myaccount", o);
  ASSERT_TRUE(sts.ok());
  EXPECT_EQ(*sts, Vectors().at("sas_account.string_to_sign"));
  auto token = MakeAccountSas(*Key("myaccount", kTestKey), o);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(QueryValue(*token, "sig"), Vectors().at("sas_account.signature"));
  EXPECT_EQ(QueryValue(*token, "ss"), "bq");
}

TEST(ServiceSas, RefusesUnknownPermissionMissingExpiryAndOldVersion) {
  auto key = Key("acct", kTestKey);
  ServiceSasOptions o;
  o.container = "c";
  o.permissions = "rz";
  o.expiry = At("2026-12-01T00:00:00Z");
  EXPECT_EQ(MakeServiceSas(*key, o).status().code(), core::StatusCode::kInvalidArgument);
  o.permissions = "r";
  o.expiry = {};
  EXPECT_EQ(MakeServiceSas(*key, o).status().code(), core::StatusCode::kInvalidArgument);
  o.expiry = At("2026-12-01T00:00:00Z");
  o.version = "2019-12-12";
  EXPECT_EQ(MakeServiceSas(*key, o).status().code(), core::StatusCode::kInvalidArgument);
  o.version = "2025-11-05";
  o.container.clear();
  EXPECT_EQ(MakeServiceSas(*key, o).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(CanonicalPermissions, ReordersAndDropsDuplicates) {
  EXPECT_EQ(*CanonicalPermissions("wcwr", "racwd"), "rcw");
  EXPECT_EQ(CanonicalPermissions("", "racwd").status().code(), core::StatusCode::kInvalidArgument);
}

TEST(SasUrl, SplitsTokenAndRecognisesSas) {
  SasUrl s = SplitSasUrl("https://a.blob.core.windows.net/c?sv=2025-11-05&sp=r&sig=abc%2B#frag");
  EXPECT_EQ(s.url, "https://a.blob.core.windows.net/c");
  EXPECT_EQ(s.token, "sv=2025-11-05&sp=r&sig=abc%2B");
  EXPECT_TRUE(s.has_sas);
  EXPECT_FALSE(SplitSasUrl("https://a.blob.core.windows.net/c?comp=list").has_sas);
  EXPECT_FALSE(SplitSasUrl("https://a.blob.core.windows.net/c").has_sas);
  EXPECT_EQ(AppendSas("http://h/a?comp=list", "?sv=1&sig=x"), "http://h/a?comp=list&sv=1&sig=x");
  EXPECT_EQ(AppendSas("http://h/a", "sv=1&sig=x"), "http://h/a?sv=1&sig=x");
}

TEST(SharedKeyCredential, RefusesBadKeyWithoutEchoingIt) {
  auto bad = SharedKeyCredential::Make("acct", "not*base64*secret");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().find("secret"), std::string::npos);
  EXPECT_EQ(SharedKeyCredential::Make("", kTestKey).status().code(),
            core::StatusCode::kInvalidArgument);
}

TEST(ConnectionString, DevelopmentStorageGivesEmulatorDefaults) {
  auto cs = ParseConnectionString("UseDevelopmentStorage=true");
  ASSERT_TRUE(cs.ok()) << cs.status().ToString();
  EXPECT_EQ(cs->account_name, "devstoreaccount1");
  EXPECT_EQ(cs->account_key, kDevStoreKey);
  EXPECT_EQ(cs->blob_endpoint, "http://127.0.0.1:10000/devstoreaccount1");
  EXPECT_EQ(cs->queue_endpoint, "http://127.0.0.1:10001/devstoreaccount1");
  auto cred = cs->MakeCredential();
  ASSERT_TRUE(cred.ok());
  EXPECT_TRUE(std::holds_alternative<std::shared_ptr<const SharedKeyCredential>>(*cred));
}

TEST(ConnectionString, ProductionDerivesEndpointsFromSuffix) {
  auto cs = ParseConnectionString(" DefaultEndpointsProtocol=https; AccountName=acct;AccountKey=" +
                                  std::string(kTestKey) + ";EndpointSuffix=core.chinacloudapi.cn;");
  ASSERT_TRUE(cs.ok()) << cs.status().ToString();
  EXPECT_EQ(cs->blob_endpoint, "https://acct.blob.core.chinacloudapi.cn");
  EXPECT_EQ(cs->queue_endpoint, "https://acct.queue.core.chinacloudapi.cn");
  EXPECT_EQ(cs->account_key, kTestKey);  // '=' inside the value is kept
}

TEST(ConnectionString, ExplicitEndpointsAndSas) {
  auto cs = ParseConnectionString(
      "BlobEndpoint=http://127.0.0.1:1234/devstoreaccount1/;QueueEndpoint=http://127.0.0.1:1235/"
      "devstoreaccount1;SharedAccessSignature=?sv=2025-11-05&sig=abc");
  ASSERT_TRUE(cs.ok()) << cs.status().ToString();
  EXPECT_EQ(cs->blob_endpoint, "http://127.0.0.1:1234/devstoreaccount1");
  EXPECT_EQ(cs->sas, "sv=2025-11-05&sig=abc");
  auto cred = cs->MakeCredential();
  ASSERT_TRUE(cred.ok());
  ASSERT_TRUE(std::holds_alternative<SasCredential>(*cred));
  EXPECT_EQ(std::get<SasCredential>(*cred).query, "sv=2025-11-05&sig=abc");
}

TEST(ConnectionString, RefusesMissingAccountAndBadKeyWithoutEchoingSecrets) {
  auto no_account = ParseConnectionString("AccountKey=" + std::string(kTestKey));
  EXPECT_EQ(no_account.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_account.status().message().find(kTestKey), std::string::npos);
  auto bad_key = ParseConnectionString("AccountName=a;AccountKey=%%%secret%%%");
  EXPECT_EQ(bad_key.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_key.status().message().find("secret"), std::string::npos);
  auto junk = ParseConnectionString("AccountName=a;c2VjcmV0");
  EXPECT_EQ(junk.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(junk.status().message().find("c2VjcmV0"), std::string::npos);
}

TEST(StorageUrl, ProductionAndEmulatorStyles) {
  auto prod = ParseStorageUrl("https://acct.blob.core.windows.net/drops/?sv=x&sig=y");
  ASSERT_TRUE(prod.ok());
  EXPECT_FALSE(prod->path_style);
  EXPECT_EQ(prod->account, "acct");
  EXPECT_EQ(prod->resource, "drops");
  EXPECT_EQ(prod->ServiceRoot(), "https://acct.blob.core.windows.net");
  auto emu = ParseStorageUrl("http://127.0.0.1:10000/devstoreaccount1/drops");
  ASSERT_TRUE(emu.ok());
  EXPECT_TRUE(emu->path_style);
  EXPECT_EQ(emu->account, "devstoreaccount1");
  EXPECT_EQ(emu->resource, "drops");
  EXPECT_EQ(emu->ServiceRoot(), "http://127.0.0.1:10000/devstoreaccount1");
  EXPECT_TRUE(ParseStorageUrl("http://localhost:10000/devstoreaccount1/c")->path_style);
  EXPECT_EQ(ParseStorageUrl("ftp://x/y").status().code(), core::StatusCode::kInvalidArgument);
  auto no_account = ParseStorageUrl("http://127.0.0.1:10000/?sig=secret");
  EXPECT_EQ(no_account.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_account.status().message().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace vivalink::azure
