// AzureBlobClient with scripted transports: request building, error mapping, paging, resume.
#include "azure/blob_client.h"

#include <gtest/gtest.h>

#include <mutex>

#include "azure/azure_blob_store.h"
#include "core/base64.h"
#include "core/strings.h"
#include "crypto/hash.h"
#include "http/fake_transport.h"

namespace vivalink::azure {
namespace {

constexpr std::string_view kUrl = "https://acct.blob.core.windows.net/drops";

http::Response Resp(int status, std::string body = {}, http::Headers headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::shared_ptr<AzureBlobClient> SasClient(std::shared_ptr<http::HttpTransport> transport,
                                           BlobClientOptions options = {}) {
  options.transport = std::move(transport);
  auto c =
      AzureBlobClient::Make(std::string(kUrl) + "?sv=2025-11-05&sp=rl&sig=SECRET%2B", {}, options);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

std::string QueryOf(const std::string& url) {
  size_t q = url.find('?');
  return q == std::string::npos ? "" : url.substr(q + 1);
}

std::string Param(const std::string& url, std::string_view name) {
  for (const auto& [k, v] : http::ParseQuery(QueryOf(url))) {
    if (k == name) return v;
  }
  return "<absent>";
}

// An in-memory blob service for one blob: ranged GET with If-Match, HEAD, and scripted faults
// (deliver N body bytes of the k-th GET, then fail like a dropped connection).
class FakeBlobService final : public http::HttpTransport {
 public:
  explicit FakeBlobService(std::string data, std::string etag = "\"0x1\"")
      : data_(std::move(data)), etag_(std::move(etag)) {}

  void Replace(std::string data, std::string etag) {
    std::lock_guard<std::mutex> lock(mu_);
    data_ = std::move(data);
    etag_ = std::move(etag);
  }
  void FailGet(int get_index, size_t after_bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    faults_[get_index] = after_bytes;
  }
  void SetMd5(std::string md5) { md5_ = std::move(md5); }
  std::vector<http::Request> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  core::Result<http::Response> Send(const http::Request& request,
                                    const http::BodyCallback& on_body) override {
    std::unique_lock<std::mutex> lock(mu_);
    requests_.push_back(request);
    http::Response r;
    auto it = request.headers.find("If-Match");
    if (it != request.headers.end() && it->second != etag_) {
      r.status = 412;
      r.headers["x-ms-error-code"] = "ConditionNotMet";
      return r;
    }
    r.headers["ETag"] = etag_;
    r.headers["x-ms-creation-time"] = "Fri, 27 Nov 2026 13:00:07 GMT";
    if (request.method == "HEAD") {
      r.status = 200;
      r.headers["Content-Length"] = std::to_string(data_.size());
      if (!md5_.empty()) r.headers["Content-MD5"] = md5_;
      return r;
    }
    uint64_t from = 0;
    uint64_t to = data_.size() == 0 ? 0 : data_.size() - 1;
    auto range = request.headers.find("x-ms-range");
    if (range != request.headers.end()) {
      std::string spec = range->second.substr(6);
      size_t dash = spec.find('-');
      from = std::stoull(spec.substr(0, dash));
      if (dash + 1 < spec.size()) to = std::min<uint64_t>(to, std::stoull(spec.substr(dash + 1)));
      if (from >= data_.size()) {
        r.status = 416;
        r.headers["x-ms-error-code"] = "InvalidRange";
        return r;
      }
    }
    r.status = range != request.headers.end() ? 206 : 200;
    r.headers["Content-Range"] = "bytes " + std::to_string(from) + "-" + std::to_string(to) + "/" +
                                 std::to_string(data_.size());
    if (!md5_.empty()) r.headers["x-ms-blob-content-md5"] = md5_;
    std::string body = data_.substr(from, to - from + 1);
    const int index = gets_++;
    auto fault = faults_.find(index);
    lock.unlock();
    if (fault != faults_.end()) {
      RETURN_IF_ERROR(on_body(std::string_view(body).substr(0, fault->second)));
      return core::UnavailableError("connection reset by peer (scripted)");
    }
    if (on_body) {
      RETURN_IF_ERROR(on_body(body));
    } else {
      r.body = body;
    }
    return r;
  }

 private:
  mutable std::mutex mu_;
  std::string data_;
  std::string etag_;
  std::string md5_;
  int gets_ = 0;
  std::map<int, size_t> faults_;
  std::vector<http::Request> requests_;
};

std::string ReadAllOrDie(AzureBlobClient& c, std::string_view name, store::GetOptions o = {}) {
  auto s = c.OpenRead(name, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) return "<open failed>";
  auto data = core::ReadAll(**s);
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  return data.ok() ? *data : "<read failed>";
}

TEST(AzureBlobClient, RefusesUrlsWithoutExactlyOneContainer) {
  EXPECT_EQ(AzureBlobClient::Make("https://acct.blob.core.windows.net", {}).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(AzureBlobClient::Make("https://acct.blob.core.windows.net/a/b", {}).status().code(),
            core::StatusCode::kInvalidArgument);
  auto key = SharedKeyCredential::Make("other", kDevStoreKey);
  EXPECT_EQ(AzureBlobClient::Make(kUrl, *key).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(AzureBlobClient, SasIsAppendedAndNoAuthorizationHeaderIsSent) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(200, "", {{"Content-Length", "3"}, {"ETag", "\"0x8D1\""}}));
  auto c = SasClient(fake);
  EXPECT_EQ(c->container_url(), kUrl);
  auto props = c->GetProperties("run 1/metadata.json");
  ASSERT_TRUE(props.ok()) << props.status().ToString();
  auto reqs = fake->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "HEAD");
  EXPECT_EQ(reqs[0].url,
            "https://acct.blob.core.windows.net/drops/run%201/metadata.json?sv=2025-11-05&sp=rl&"
            "sig=SECRET%2B");
  EXPECT_EQ(reqs[0].headers.count("Authorization"), 0u);
  EXPECT_EQ(reqs[0].headers.at("x-ms-version"), "2025-11-05");
  EXPECT_TRUE(core::ParseRfc1123(reqs[0].headers.at("x-ms-date")).ok());
  EXPECT_EQ(props->size, 3u);
  EXPECT_EQ(props->etag, "\"0x8D1\"");
}

TEST(AzureBlobClient, SharedKeySignsEveryRequestWithConfiguredVersion) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(202));
  BlobClientOptions o;
  o.transport = fake;
  o.service_version = "2021-08-06";
  auto key = SharedKeyCredential::Make("acct", kDevStoreKey);
  auto c = AzureBlobClient::Make(kUrl, *key, o);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->DeleteBlob("a").ok());
  auto req = fake->requests().at(0);
  EXPECT_EQ(req.method, "DELETE");
  EXPECT_EQ(req.headers.at("x-ms-version"), "2021-08-06");
  EXPECT_TRUE(req.headers.at("Authorization").starts_with("SharedKey acct:"));
}

TEST(AzureBlobClient, ErrorsMapToCodesAndKeepRemoteDetailsWithoutTheSas) {
  struct Case {
    int status;
    const char* code;
    core::StatusCode want;
  };
  for (const Case& k : std::vector<Case>{
           {401, "NoAuthenticationInformation", core::StatusCode::kUnauthenticated},
           {403, "AuthenticationFailed", core::StatusCode::kUnauthenticated},
           {403, "AuthorizationPermissionMismatch", core::StatusCode::kPermissionDenied},
           {404, "BlobNotFound", core::StatusCode::kNotFound},
           {409, "LeaseAlreadyPresent", core::StatusCode::kFailedPrecondition},
           {412, "ConditionNotMet", core::StatusCode::kFailedPrecondition},
           {400, "InvalidQueryParameterValue", core::StatusCode::kInvalidArgument},
           {429, "", core::StatusCode::kUnavailable},
           {500, "InternalError", core::StatusCode::kUnavailable},
           {503, "ServerBusy", core::StatusCode::kUnavailable}}) {
    auto fake = std::make_shared<http::FakeTransport>();
    http::Response r =
        Resp(k.status,
             std::string("<?xml version=\"1.0\"?><Error><Code>") + k.code +
                 "</Code><Message>It failed.\nRequestId:1 sig=LEAK</Message></Error>",
             {{"x-ms-request-id", "req-42"}});
    if (*k.code != '\0') r.headers["x-ms-error-code"] = k.code;
    r.attempt = 3;
    fake->Push(r);
    auto c = SasClient(fake);
    core::Status s = c->DeleteBlob("b");
    EXPECT_EQ(s.code(), k.want) << k.status << " " << k.code;
    ASSERT_TRUE(s.remote().has_value());
    EXPECT_EQ(s.remote()->http_status, k.status);
    EXPECT_EQ(s.remote()->service_code, k.code);
    EXPECT_EQ(s.remote()->request_id, "req-42");
    EXPECT_EQ(s.remote()->attempt, 3);
    EXPECT_EQ(s.message().find("SECRET"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("LEAK"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("DELETE https://acct.blob.core.windows.net/drops/b"),
              std::string::npos)
        << s.message();
  }
}

TEST(AzureBlobClient, ServiceCodeFromBodyWhenHeaderIsAbsent) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(409, "<Error><Code>ContainerAlreadyExists</Code><Message>m</Message></Error>"));
  auto c = SasClient(fake);
  core::Status s = c->CreateContainer();
  EXPECT_EQ(s.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.remote()->service_code, "ContainerAlreadyExists");
  EXPECT_TRUE(fake->requests().at(0).url.starts_with("https://acct.blob.core.windows.net/drops?"));
  EXPECT_EQ(Param(fake->requests().at(0).url, "restype"), "container");
}

TEST(AzureBlobClient, NetworkFailuresAreUnavailableWithContext) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->PushError(core::UnavailableError("connection refused"));
  auto c = SasClient(fake);
  auto s = c->GetProperties("x");
  EXPECT_EQ(s.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(s.status().message().find("HEAD https://acct.blob.core.windows.net/drops/x"),
            std::string::npos);
}

TEST(AzureBlobClient, ListBuildsQueryAndParsesBlobsPrefixesAndMarker) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(200, R"(<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://acct.blob.core.windows.net/" ContainerName="drops">
  <Prefix>run/</Prefix><MaxResults>2</MaxResults><Delimiter>/</Delimiter>
  <Blobs>
    <Blob><Name>run/a.json</Name><Properties>
      <Creation-Time>Fri, 27 Nov 2026 13:00:07 GMT</Creation-Time>
      <Last-Modified>Fri, 27 Nov 2026 13:05:00 GMT</Last-Modified>
      <Etag>0x8DABCDEF</Etag><Content-Length>42</Content-Length>
      <Content-Type>application/json</Content-Type><Content-MD5>1B2M2Y8AsgTpgAEhU4iAx0==</Content-MD5>
      <BlobType>BlockBlob</BlobType></Properties>
      <Metadata><BatchId>b7</BatchId></Metadata></Blob>
    <BlobPrefix><Name>run/VivaInsights/</Name></BlobPrefix>
    <Blob><Name Encoded="true">run/%EF%BF%BE</Name><Properties><Content-Length>0</Content-Length></Properties></Blob>
  </Blobs>
  <NextMarker>2!opaque!token</NextMarker>
</EnumerationResults>)"));
  auto c = SasClient(fake);
  store::ListOptions o;
  o.prefix = "run/";
  o.delimiter = "/";
  o.marker = "1!prev";
  o.max_results = 2;
  auto page = c->ListBlobs(o);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  const std::string url = fake->requests().at(0).url;
  EXPECT_EQ(Param(url, "restype"), "container");
  EXPECT_EQ(Param(url, "comp"), "list");
  EXPECT_EQ(Param(url, "prefix"), "run/");
  EXPECT_EQ(Param(url, "delimiter"), "/");
  EXPECT_EQ(Param(url, "marker"), "1!prev");
  EXPECT_EQ(Param(url, "maxresults"), "2");
  EXPECT_EQ(Param(url, "include"), "metadata");
  ASSERT_EQ(page->blobs.size(), 2u);
  const auto& a = page->blobs[0];
  EXPECT_EQ(a.name, "run/a.json");
  EXPECT_EQ(a.size, 42u);
  EXPECT_EQ(a.etag, "\"0x8DABCDEF\"");
  EXPECT_EQ(a.content_type, "application/json");
  EXPECT_EQ(a.content_md5, "1B2M2Y8AsgTpgAEhU4iAx0==");
  EXPECT_EQ(a.metadata.at("batchid"), "b7");
  EXPECT_EQ(core::FormatIso8601(a.created), "2026-11-27T13:00:07Z");
  EXPECT_EQ(core::FormatIso8601(a.last_modified), "2026-11-27T13:05:00Z");
  EXPECT_EQ(page->blobs[1].name, "run/\xEF\xBF\xBE");
  EXPECT_EQ(page->prefixes, std::vector<std::string>{"run/VivaInsights/"});
  EXPECT_EQ(page->next_marker, "2!opaque!token");
  store::ListOptions bad;
  bad.max_results = 0;
  EXPECT_EQ(c->ListBlobs(bad).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(AzureBlobClient, ListAllFollowsMarkersAcrossPages) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(200,
                  "<EnumerationResults><Blobs><Blob><Name>a</Name></Blob></Blobs>"
                  "<NextMarker>m1</NextMarker></EnumerationResults>"));
  fake->Push(Resp(200,
                  "<EnumerationResults><Blobs><Blob><Name>b</Name></Blob></Blobs>"
                  "<NextMarker/></EnumerationResults>"));
  AzureBlobStore store(SasClient(fake));
  auto all = store::ListAll(store, "");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].name, "b");
  EXPECT_EQ(Param(fake->requests().at(1).url, "marker"), "m1");
  EXPECT_EQ(store.Describe(), "azure:https://acct.blob.core.windows.net/drops");
}

TEST(AzureBlobClient, GarbageListAnswerIsInternal) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(200, "not xml <"));
  EXPECT_EQ(SasClient(fake)->ListBlobs({}).status().code(), core::StatusCode::kInternal);
}

TEST(AzureBlobClient, DownloadFetchesBoundedChunksWithIfMatchAndChecksMd5) {
  const std::string data = "0123456789";
  auto svc = std::make_shared<FakeBlobService>(data);
  svc->SetMd5(core::Base64Encode(crypto::Md5(data)));
  BlobClientOptions o;
  o.download_chunk_bytes = 4;
  auto c = SasClient(svc, o);
  EXPECT_EQ(ReadAllOrDie(*c, "b"), data);
  auto reqs = svc->requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].headers.at("x-ms-range"), "bytes=0-3");
  EXPECT_EQ(reqs[0].headers.count("If-Match"), 0u);
  EXPECT_EQ(reqs[1].headers.at("x-ms-range"), "bytes=4-7");
  EXPECT_EQ(reqs[1].headers.at("If-Match"), "\"0x1\"");
  EXPECT_EQ(reqs[2].headers.at("x-ms-range"), "bytes=8-9");
}

TEST(AzureBlobClient, DownloadDetectsMd5MismatchAsDataLoss) {
  auto svc = std::make_shared<FakeBlobService>("tampered bytes");
  svc->SetMd5(core::Base64Encode(crypto::Md5("original bytes")));
  auto c = SasClient(svc);
  auto s = c->OpenRead("b");
  ASSERT_TRUE(s.ok());
  auto data = core::ReadAll(**s);
  EXPECT_EQ(data.status().code(), core::StatusCode::kDataLoss);
  // Range reads are not checked against the whole blob's MD5.
  store::GetOptions range;
  range.offset = 1;
  EXPECT_EQ(ReadAllOrDie(*c, "b", range), "ampered bytes");
  store::GetOptions no_verify;
  no_verify.verify_md5 = false;
  EXPECT_EQ(ReadAllOrDie(*c, "b", no_verify), "tampered bytes");
}

TEST(AzureBlobClient, DownloadResumesFromTheNextMissingByteAfterADroppedConnection) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>('a' + i % 26);
  auto svc = std::make_shared<FakeBlobService>(data);
  svc->SetMd5(core::Base64Encode(crypto::Md5(data)));
  svc->FailGet(0, 100);  // first chunk: 100 of 400 bytes, then reset (ETag not known yet)
  svc->FailGet(2, 50);   // second chunk: 50 bytes, then reset
  svc->FailGet(3, 0);    // its resumption: reset before any byte
  BlobClientOptions o;
  o.download_chunk_bytes = 400;
  o.resume_delay = std::chrono::milliseconds(0);
  auto c = SasClient(svc, o);
  EXPECT_EQ(ReadAllOrDie(*c, "b"), data);
  auto reqs = svc->requests();
  ASSERT_EQ(reqs.size(), 6u);
  // Without a response there is no ETag to pin, so the first chunk starts over.
  EXPECT_EQ(reqs[0].headers.at("x-ms-range"), "bytes=0-399");
  EXPECT_EQ(reqs[1].headers.at("x-ms-range"), "bytes=0-399");
  EXPECT_EQ(reqs[1].headers.count("If-Match"), 0u);
  EXPECT_EQ(reqs[2].headers.at("x-ms-range"), "bytes=400-799");
  EXPECT_EQ(reqs[3].headers.at("x-ms-range"), "bytes=450-799");
  EXPECT_EQ(reqs[3].headers.at("If-Match"), "\"0x1\"");
  EXPECT_EQ(reqs[4].headers.at("x-ms-range"), "bytes=450-799");
  EXPECT_EQ(reqs[5].headers.at("x-ms-range"), "bytes=800-999");
}

TEST(AzureBlobClient, DownloadStopsAfterTooManyFailuresWithoutProgress) {
  auto svc = std::make_shared<FakeBlobService>(std::string(100, 'x'));
  for (int i = 0; i < 10; ++i) svc->FailGet(i, 0);
  BlobClientOptions o;
  o.max_resume_attempts = 2;
  o.resume_delay = std::chrono::milliseconds(0);
  auto c = SasClient(svc, o);
  auto s = c->OpenRead("b");
  EXPECT_EQ(s.status().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(svc->requests().size(), 3u);  // the first try and two resumptions
}

TEST(AzureBlobClient, BlobReplacedMidReadFailsWithFailedPrecondition) {
  auto svc = std::make_shared<FakeBlobService>(std::string(8, 'a'));
  BlobClientOptions o;
  o.download_chunk_bytes = 4;
  auto c = SasClient(svc, o);
  auto s = c->OpenRead("b");
  ASSERT_TRUE(s.ok());
  std::vector<std::byte> buf(4);
  ASSERT_EQ(*(*s)->Read(buf), 4u);
  svc->Replace(std::string(8, 'b'), "\"0x2\"");
  auto next = (*s)->Read(buf);
  EXPECT_EQ(next.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*s)->Read(buf).status().code(), core::StatusCode::kFailedPrecondition);  // sticky
}

TEST(AzureBlobClient, RangesAtAndPastTheEnd) {
  auto svc = std::make_shared<FakeBlobService>("abc");
  auto c = SasClient(svc);
  store::GetOptions o;
  o.offset = 3;
  EXPECT_EQ(ReadAllOrDie(*c, "b", o), "");
  o.offset = 4;
  EXPECT_EQ(c->OpenRead("b", o).status().code(), core::StatusCode::kInvalidArgument);
  o.offset = 1;
  o.length = 1;
  EXPECT_EQ(ReadAllOrDie(*c, "b", o), "b");
  o.length = 0;
  EXPECT_EQ(ReadAllOrDie(*c, "b", o), "");
  auto empty = std::make_shared<FakeBlobService>("");
  EXPECT_EQ(ReadAllOrDie(*SasClient(empty), "b"), "");
}

TEST(AzureBlobClient, GetOfMissingBlobFailsAtOpen) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(404, "", {{"x-ms-error-code", "BlobNotFound"}}));
  auto s = SasClient(fake)->OpenRead("nope");
  EXPECT_EQ(s.status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(SasClient(fake)->OpenRead("../x").status().code(), core::StatusCode::kInvalidArgument);
}

TEST(AzureBlobClient, SmallUploadIsOnePutBlobWithMd5AndConditions) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(
      Resp(201, "", {{"ETag", "\"0x9\""}, {"Last-Modified", "Fri, 27 Nov 2026 13:00:07 GMT"}}));
  auto c = SasClient(fake);
  UploadOptions o;
  o.put.if_none_match_any = true;
  o.put.metadata["BatchId"] = "20261127T120000Z";
  core::MemorySource src("hello");
  auto p = c->Upload("dir/x.enc", src, o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto req = fake->requests().at(0);
  EXPECT_EQ(req.method, "PUT");
  EXPECT_EQ(req.body, "hello");
  EXPECT_EQ(req.headers.at("x-ms-blob-type"), "BlockBlob");
  EXPECT_EQ(req.headers.at("If-None-Match"), "*");
  EXPECT_EQ(req.headers.at("Content-MD5"), core::Base64Encode(crypto::Md5("hello")));
  EXPECT_EQ(req.headers.at("Content-Type"), "application/octet-stream");
  EXPECT_EQ(req.headers.at("x-ms-meta-batchid"), "20261127T120000Z");
  EXPECT_EQ(p->etag, "\"0x9\"");
  EXPECT_EQ(p->size, 5u);
  EXPECT_EQ(p->content_md5, core::Base64Encode(crypto::Md5("hello")));
}

TEST(AzureBlobClient, LargeUploadStagesBlocksThenCommitsTheList) {
  auto fake = std::make_shared<http::FakeTransport>();
  for (int i = 0; i < 3; ++i) fake->Push(Resp(201));
  fake->Push(Resp(201, "", {{"ETag", "\"0xA\""}}));
  BlobClientOptions o;
  o.block_bytes = 4;
  auto c = SasClient(fake, o);
  UploadOptions up;
  up.put.if_match = "\"0x7\"";
  up.lease_id = "lease-1";
  core::MemorySource src("abcdefghij");
  auto p = c->Upload("big", src, up);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto reqs = fake->requests();
  ASSERT_EQ(reqs.size(), 4u);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Param(reqs[i].url, "comp"), "block");
    ids.push_back(Param(reqs[i].url, "blockid"));
    EXPECT_EQ(ids.back().size(), ids.front().size());  // equal-length ids
  }
  EXPECT_EQ(reqs[0].body, "abcd");
  EXPECT_EQ(reqs[1].body, "efgh");
  EXPECT_EQ(reqs[2].body, "ij");
  EXPECT_NE(ids[0], ids[1]);
  const auto& commit = reqs[3];
  EXPECT_EQ(Param(commit.url, "comp"), "blocklist");
  EXPECT_EQ(commit.body, "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList><Latest>" + ids[0] +
                             "</Latest><Latest>" + ids[1] + "</Latest><Latest>" + ids[2] +
                             "</Latest></BlockList>");
  EXPECT_EQ(commit.headers.at("x-ms-blob-content-md5"),
            core::Base64Encode(crypto::Md5("abcdefghij")));
  EXPECT_EQ(commit.headers.at("If-Match"), "\"0x7\"");
  EXPECT_EQ(commit.headers.at("x-ms-lease-id"), "lease-1");
  EXPECT_EQ(p->size, 10u);
  EXPECT_EQ(p->etag, "\"0xA\"");
}

TEST(AzureBlobClient, UploadRefusesBadMetadataKeysBeforeSending) {
  auto fake = std::make_shared<http::FakeTransport>();
  auto c = SasClient(fake);
  UploadOptions o;
  o.put.metadata["bad-key"] = "v";
  core::MemorySource src("x");
  EXPECT_EQ(c->Upload("b", src, o).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_TRUE(fake->requests().empty());
}

TEST(AzureBlobClient, LeaseRequestsCarryActionAndIds) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(201, "", {{"x-ms-lease-id", "L1"}}));
  fake->Push(Resp(200, "", {{"x-ms-lease-id", "L1"}}));
  fake->Push(Resp(200));
  fake->Push(Resp(202, "", {{"x-ms-lease-time", "7"}}));
  auto c = SasClient(fake);
  auto lease = c->AcquireLease("b", 20, "L1");
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->id, "L1");
  ASSERT_TRUE(c->RenewLease("b", "L1").ok());
  ASSERT_TRUE(c->ReleaseLease("b", "L1").ok());
  EXPECT_EQ(*c->BreakLease("b", 7), 7);
  auto reqs = fake->requests();
  EXPECT_EQ(Param(reqs[0].url, "comp"), "lease");
  EXPECT_EQ(reqs[0].headers.at("x-ms-lease-action"), "acquire");
  EXPECT_EQ(reqs[0].headers.at("x-ms-lease-duration"), "20");
  EXPECT_EQ(reqs[0].headers.at("x-ms-proposed-lease-id"), "L1");
  EXPECT_EQ(reqs[1].headers.at("x-ms-lease-action"), "renew");
  EXPECT_EQ(reqs[2].headers.at("x-ms-lease-action"), "release");
  EXPECT_EQ(reqs[2].headers.at("x-ms-lease-id"), "L1");
  EXPECT_EQ(reqs[3].headers.at("x-ms-lease-action"), "break");
  EXPECT_EQ(reqs[3].headers.at("x-ms-lease-break-period"), "7");
  EXPECT_EQ(c->AcquireLease("b", 5).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(AzureBlobClient, CopyFromUrlIsSynchronousAndStartCopyIsNot) {
  auto fake = std::make_shared<http::FakeTransport>();
  fake->Push(Resp(202, "", {{"x-ms-copy-id", "c1"}, {"x-ms-copy-status", "success"}}));
  fake->Push(Resp(202, "", {{"x-ms-copy-id", "c2"}, {"x-ms-copy-status", "pending"}}));
  auto c = SasClient(fake);
  auto sync = c->CopyFromUrl("dst", "https://acct.blob.core.windows.net/drops/src?sv=1&sig=x");
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ(sync->copy_status, "success");
  auto async = c->StartCopy("dst", "https://acct.blob.core.windows.net/drops/src");
  ASSERT_TRUE(async.ok());
  EXPECT_EQ(async->copy_status, "pending");
  auto reqs = fake->requests();
  EXPECT_EQ(reqs[0].headers.at("x-ms-requires-sync"), "true");
  EXPECT_EQ(reqs[0].headers.at("x-ms-copy-source"),
            "https://acct.blob.core.windows.net/drops/src?sv=1&sig=x");
  EXPECT_EQ(reqs[1].headers.count("x-ms-requires-sync"), 0u);
}

}  // namespace
}  // namespace vivalink::azure
