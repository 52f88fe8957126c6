// AzureBlobClient / AzureBlobStore against a real Azurite (started once for this binary).
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <thread>

#include "azure/azure_blob_store.h"
#include "azure/blob_client.h"
#include "azure/open_store.h"
#include "azure/sas.h"
#include "azurite.h"
#include "core/base64.h"
#include "crypto/hash.h"

#if defined(__SANITIZE_ADDRESS__)
// Exported by the ASan runtime (libasan); g++ does not ship the clang header that declares it.
extern "C" size_t __sanitizer_get_current_allocated_bytes(void);
#define VL_UNDER_ASAN 1
#endif

namespace vivalink::azure {
namespace {

using testing::AzuriteEnvironment;

::testing::Environment* const kAzurite =
    ::testing::AddGlobalTestEnvironment(new AzuriteEnvironment);

std::shared_ptr<const SharedKeyCredential> DevKey() {
  return *SharedKeyCredential::Make(std::string(kDevStoreAccount), kDevStoreKey);
}

// A fresh container per test, so tests do not see each other's blobs.
std::shared_ptr<AzureBlobClient> NewContainer(std::string_view name,
                                              BlobClientOptions options = {}) {
  auto client =
      AzureBlobClient::Make(AzuriteEnvironment::Get().ContainerUrl(name), DevKey(), options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  auto created = (*client)->CreateContainerIfNotExists();
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  return *client;
}

core::Result<std::string> ReadBlob(AzureBlobClient& client, std::string_view name,
                                   const store::GetOptions& options = {}) {
  ASSIGN_OR_RETURN(auto stream, client.OpenRead(name, options));
  return core::ReadAll(*stream);
}

core::Result<store::BlobProperties> PutText(AzureBlobClient& client, std::string_view name,
                                            std::string_view text, UploadOptions options = {}) {
  core::MemorySource source(text);
  return client.Upload(name, source, options);
}

TEST(AzuriteBlob, PutGetPropertiesAndDeleteRoundTrip) {
  auto c = NewContainer("roundtrip");
  UploadOptions up;
  up.put.metadata["RunId"] = "5c90";
  up.put.content_type = "application/json";
  auto put = PutText(*c, "dir/a b.json", "{\"x\":1}", up);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->size, 7u);
  EXPECT_FALSE(put->etag.empty());
  EXPECT_EQ(put->etag.front(), '"');

  auto props = c->GetProperties("dir/a b.json");
  ASSERT_TRUE(props.ok()) << props.status().ToString();
  EXPECT_EQ(props->size, 7u);
  EXPECT_EQ(props->etag, put->etag);
  EXPECT_EQ(props->content_type, "application/json");
  EXPECT_EQ(props->metadata["runid"], "5c90");
  EXPECT_EQ(props->content_md5, core::Base64Encode(crypto::Md5("{\"x\":1}")));
  EXPECT_NE(props->created, core::TimePoint{});
  EXPECT_NE(props->last_modified, core::TimePoint{});

  auto data = ReadBlob(*c, "dir/a b.json");
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, "{\"x\":1}");

  ASSERT_TRUE(c->DeleteBlob("dir/a b.json").ok());
  EXPECT_EQ(c->GetProperties("dir/a b.json").status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(c->DeleteBlob("dir/a b.json").code(), core::StatusCode::kNotFound);
  EXPECT_EQ(ReadBlob(*c, "dir/a b.json").status().code(), core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vivalink::azure

namespace vivalink::azure {
namespace {

// A deterministic pseudo-random stream of `size` bytes (xorshift), MD5 tracked as it goes, so a
// large blob can be uploaded without holding it in memory.
// Under AddressSanitizer RSS says nothing about our buffers (freed memory sits in ASan's
// quarantine), so the peak of live heap bytes is sampled instead, at every read of the upload
// source and of the download stream.
std::atomic<size_t> g_heap_peak{0};
void SampleHeap() {
#ifdef VL_UNDER_ASAN
  size_t now = __sanitizer_get_current_allocated_bytes();
  size_t prev = g_heap_peak.load();
  while (now > prev && !g_heap_peak.compare_exchange_weak(prev, now)) {
  }
#endif
}

class PatternSource final : public core::ByteSource {
 public:
  PatternSource(uint64_t size, uint64_t seed) : left_(size), state_(seed | 1) {}
  core::Result<size_t> Read(std::span<std::byte> out) override {
    SampleHeap();
    size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), left_));
    for (size_t i = 0; i < n;) {
      if (avail_ == 0) {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 7;
        state_ ^= state_ << 17;
        std::memcpy(word_, &state_, sizeof(word_));
        avail_ = sizeof(word_);
      }
      size_t take = std::min(n - i, avail_);
      std::memcpy(out.data() + i, word_ + (sizeof(word_) - avail_), take);
      avail_ -= take;
      i += take;
    }
    md5_.Update(core::AsChars(out.first(n)));
    left_ -= n;
    return n;
  }
  std::string Md5Base64() { return core::Base64Encode(md5_.Finish()); }

 private:
  uint64_t left_;
  uint64_t state_;
  unsigned char word_[8] = {};
  size_t avail_ = 0;
  crypto::Md5Hasher md5_;
};

std::string Pattern(uint64_t size, uint64_t seed) {
  PatternSource source(size, seed);
  return *core::ReadAll(source);
}

// Peak resident set size of this process in KiB (VmHWM).
long PeakRssKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false when not permitted.
bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return out.good();
}

TEST(AzuriteBlob, ContainerCreateTwiceIsAConflictAndDeleteRemovesIt) {
  auto client =
      *AzureBlobClient::Make(AzuriteEnvironment::Get().ContainerUrl("lifecycle"), DevKey());
  ASSERT_TRUE(client->CreateContainer().ok());
  core::Status again = client->CreateContainer();
  EXPECT_EQ(again.code(), core::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(again.remote().has_value());
  EXPECT_EQ(again.remote()->http_status, 409);
  EXPECT_EQ(again.remote()->service_code, "ContainerAlreadyExists");
  EXPECT_FALSE(again.remote()->request_id.empty());
  EXPECT_EQ(client->CreateContainerIfNotExists().value_or(true), false);
  ASSERT_TRUE(client->DeleteContainer().ok());
  EXPECT_EQ(client->ListBlobs({}).status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(PutText(*client, "x", "1").status().code(), core::StatusCode::kNotFound);
}

TEST(AzuriteBlob, ListWithPrefixDelimiterAndMetadata) {
  auto c = NewContainer("listing");
  UploadOptions up;
  up.put.metadata["batchid"] = "b1";
  for (const char* name : {"run1/VivaInsights/t1/metadata.json", "run1/VivaInsights/t1/part-0",
                           "run2/VivaInsights/t1/metadata.json", "top.txt"}) {
    ASSERT_TRUE(PutText(*c, name, name, up).ok());
  }
  store::ListOptions o;
  o.delimiter = "/";
  auto root = c->ListBlobs(o);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  ASSERT_EQ(root->blobs.size(), 1u);
  EXPECT_EQ(root->blobs[0].name, "top.txt");
  EXPECT_EQ(root->prefixes, (std::vector<std::string>{"run1/", "run2/"}));

  o.delimiter.clear();
  o.prefix = "run1/";
  auto run1 = c->ListBlobs(o);
  ASSERT_TRUE(run1.ok());
  ASSERT_EQ(run1->blobs.size(), 2u);
  const store::BlobProperties& meta = run1->blobs[0];
  EXPECT_EQ(meta.name, "run1/VivaInsights/t1/metadata.json");
  EXPECT_EQ(meta.size, std::string("run1/VivaInsights/t1/metadata.json").size());
  EXPECT_EQ(meta.metadata.at("batchid"), "b1");
  EXPECT_NE(meta.created, core::TimePoint{});
  auto head = c->GetProperties(meta.name);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(meta.etag, head->etag);  // listing and HEAD agree on the (quoted) ETag
  EXPECT_EQ(meta.content_md5, head->content_md5);
  EXPECT_TRUE(run1->next_marker.empty());
}

TEST(AzuriteBlob, ListPagesAcrossMoreThan5000Blobs) {
  auto c = NewContainer("paging");
  constexpr int kBlobs = 5040;
  constexpr int kThreads = 4;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kBlobs; i += kThreads) {
        char name[32];
        std::snprintf(name, sizeof(name), "p/%05d", i);
        if (!PutText(*c, name, "").ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);

  store::ListOptions o;
  o.prefix = "p/";
  auto first = c->ListBlobs(o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->blobs.size(), 5000u);
  EXPECT_FALSE(first->next_marker.empty());

  AzureBlobStore store(c);
  auto all = store::ListAll(store, "p/");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), static_cast<size_t>(kBlobs));
  for (int i = 0; i < kBlobs; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "p/%05d", i);
    ASSERT_EQ((*all)[static_cast<size_t>(i)].name, name);
  }

  // Small pages follow the marker too.
  o.max_results = 2000;
  int pages = 0;
  size_t seen = 0;
  do {
    auto page = c->ListBlobs(o);
    ASSERT_TRUE(page.ok());
    seen += page->blobs.size();
    o.marker = page->next_marker;
    ++pages;
  } while (!o.marker.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, static_cast<size_t>(kBlobs));
}

TEST(AzuriteBlob, RangedAndChunkedReadsReturnExactBytes) {
  BlobClientOptions options;
  options.download_chunk_bytes = 64 * 1024;
  auto c = NewContainer("ranges", options);
  const std::string data = Pattern((1 << 20) + 123, 7);
  ASSERT_TRUE(PutText(*c, "blob", data).ok());
  auto whole = ReadBlob(*c, "blob");
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_TRUE(*whole == data);

  store::GetOptions range;
  range.offset = 70000;
  range.length = 200000;
  auto part = ReadBlob(*c, "blob", range);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_TRUE(*part == data.substr(70000, 200000));

  range.offset = data.size() - 10;
  range.length.reset();
  EXPECT_EQ(*ReadBlob(*c, "blob", range), data.substr(data.size() - 10));
  range.offset = data.size();
  auto at_end = ReadBlob(*c, "blob", range);
  ASSERT_TRUE(at_end.ok()) << at_end.status().ToString();
  EXPECT_EQ(*at_end, "");
  range.offset = data.size() + 1;
  EXPECT_EQ(ReadBlob(*c, "blob", range).status().code(), core::StatusCode::kInvalidArgument);

  ASSERT_TRUE(PutText(*c, "empty", "").ok());
  auto empty = ReadBlob(*c, "empty");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(*empty, "");
}

TEST(AzuriteBlob, LargeBlobUploadsInBlocksAndStreamsBackWithBoundedMemory) {
  constexpr uint64_t kSize = 200ull << 20;
  auto c = NewContainer("large");
  AzureBlobStore store(c);
  const bool reset = ResetPeakRss();
  const long before = PeakRssKib();
#ifdef VL_UNDER_ASAN
  const size_t heap_before = __sanitizer_get_current_allocated_bytes();
  g_heap_peak = heap_before;
#endif

  PatternSource source(kSize, 42);
  auto put = store.Put("big.bin", source);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->size, kSize);
  const std::string md5 = source.Md5Base64();
  EXPECT_EQ(put->content_md5, md5);

  auto props = store.GetProperties("big.bin");
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(props->size, kSize);
  EXPECT_EQ(props->content_md5, md5);  // stored by Put Block List

  // Stream it back through a small buffer, comparing with the regenerated pattern.
  auto stream = store.Get("big.bin");
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  PatternSource expected(kSize, 42);
  std::vector<std::byte> got(256 * 1024), want(256 * 1024);
  uint64_t total = 0;
  while (true) {
    auto n = (*stream)->Read(got);
    SampleHeap();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (*n == 0) break;
    ASSERT_EQ(*expected.Read(std::span(want).first(*n)), *n);
    ASSERT_EQ(std::memcmp(got.data(), want.data(), *n), 0) << "at byte " << total;
    total += *n;
  }
  EXPECT_EQ(total, kSize);
  const long after = PeakRssKib();
  ASSERT_GT(before, 0);
  ::testing::Test::RecordProperty("peak_rss_growth_kib", std::to_string(after - before));
  ::testing::Test::RecordProperty("vmhwm_reset", reset ? "yes" : "no");
  // A sanity bound (one 8 MiB upload block, one 4 MiB download chunk, curl buffers), not a
  // benchmark: the whole blob would be 200 MiB.
#ifdef VL_UNDER_ASAN
  const size_t growth = g_heap_peak.load() - heap_before;
  EXPECT_LT(growth, size_t{64} << 20) << "peak live heap grew by " << growth << " bytes";
#else
  EXPECT_LT(after - before, 64 * 1024) << "peak RSS grew from " << before << " KiB to " << after
                                       << " KiB (VmHWM reset: " << reset << ")";
#endif
}

TEST(AzuriteBlob, ConditionalRequestsFailWithFailedPrecondition) {
  auto c = NewContainer("conditions");
  auto first = PutText(*c, "b", "one");
  ASSERT_TRUE(first.ok());
  UploadOptions only_create;
  only_create.put.if_none_match_any = true;
  core::Status exists = PutText(*c, "b", "two", only_create).status();
  EXPECT_EQ(exists.code(), core::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(exists.remote().has_value());
  EXPECT_EQ(exists.remote()->http_status, 409);
  EXPECT_EQ(exists.remote()->service_code, "BlobAlreadyExists");

  UploadOptions replace;
  replace.put.if_match = first->etag;
  auto second = PutText(*c, "b", "two", replace);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(second->etag, first->etag);
  core::Status stale = PutText(*c, "b", "three", replace).status();  // first->etag is stale now
  EXPECT_EQ(stale.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_EQ(stale.remote()->http_status, 412);
  EXPECT_EQ(stale.remote()->service_code, "ConditionNotMet");

  store::GetOptions get;
  get.if_match = first->etag;
  EXPECT_EQ(ReadBlob(*c, "b", get).status().code(), core::StatusCode::kFailedPrecondition);
  get.if_match = second->etag;
  EXPECT_EQ(*ReadBlob(*c, "b", get), "two");

  DeleteBlobOptions del;
  del.if_match = first->etag;
  EXPECT_EQ(c->DeleteBlob("b", del).code(), core::StatusCode::kFailedPrecondition);
  del.if_match = second->etag;
  EXPECT_TRUE(c->DeleteBlob("b", del).ok());
}

TEST(AzuriteBlob, BlobReplacedDuringAChunkedReadFailsTheStream) {
  BlobClientOptions options;
  options.download_chunk_bytes = 1024;
  auto c = NewContainer("replaced", options);
  ASSERT_TRUE(PutText(*c, "b", std::string(4096, 'a')).ok());
  auto stream = c->OpenRead("b");
  ASSERT_TRUE(stream.ok());
  std::vector<std::byte> buf(1024);
  ASSERT_EQ(*(*stream)->Read(buf), 1024u);
  ASSERT_TRUE(PutText(*c, "b", std::string(4096, 'b')).ok());
  auto next = (*stream)->Read(buf);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_NE(next.status().message().find("replaced"), std::string::npos) << next.status().message();
}

TEST(AzuriteBlob, LeaseLifecycleAndConflicts) {
  auto c = NewContainer("leases");
  ASSERT_TRUE(PutText(*c, "locked", "v1").ok());
  auto lease = c->AcquireLease("locked", -1);
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_FALSE(lease->id.empty());
  auto details = c->GetBlobDetails("locked");
  ASSERT_TRUE(details.ok());
  EXPECT_EQ(details->lease_state, "leased");
  EXPECT_EQ(details->blob_type, "BlockBlob");

  core::Status conflict = c->AcquireLease("locked", 30).status();
  EXPECT_EQ(conflict.code(), core::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(conflict.remote().has_value());
  EXPECT_EQ(conflict.remote()->http_status, 409);
  EXPECT_EQ(conflict.remote()->service_code, "LeaseAlreadyPresent");

  // Writes and deletes need the lease id while it is held.
  core::Status no_lease = PutText(*c, "locked", "v2").status();
  EXPECT_EQ(no_lease.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_EQ(no_lease.remote()->http_status, 412);
  EXPECT_EQ(c->DeleteBlob("locked").code(), core::StatusCode::kFailedPrecondition);
  UploadOptions with_lease;
  with_lease.lease_id = lease->id;
  EXPECT_TRUE(PutText(*c, "locked", "v2", with_lease).ok());

  auto renewed = c->RenewLease("locked", lease->id);
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_EQ(renewed->id, lease->id);
  ASSERT_TRUE(c->ReleaseLease("locked", lease->id).ok());
  EXPECT_EQ(c->GetBlobDetails("locked")->lease_state, "available");

  auto second = c->AcquireLease("locked", 15, "11111111-2222-3333-4444-555555555555");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->id, "11111111-2222-3333-4444-555555555555");
  auto broken = c->BreakLease("locked", 0);
  ASSERT_TRUE(broken.ok()) << broken.status().ToString();
  EXPECT_EQ(*broken, 0);
  EXPECT_EQ(c->GetBlobDetails("locked")->lease_state, "broken");
  EXPECT_TRUE(c->DeleteBlob("locked").ok());
  EXPECT_EQ(c->AcquireLease("locked").status().code(), core::StatusCode::kNotFound);
}

TEST(AzuriteBlob, CopiesWithinTheAccount) {
  auto c = NewContainer("copies");
  const std::string data = Pattern(300000, 3);
  ASSERT_TRUE(PutText(*c, "src", data).ok());
  ServiceSasOptions read;
  read.container = c->container();
  read.blob = "src";
  read.permissions = "r";
  read.expiry = core::SystemClock::Instance().Now() + std::chrono::hours(1);
  auto token = MakeServiceSas(*DevKey(), read);
  ASSERT_TRUE(token.ok());
  const std::string source = AppendSas(c->BlobUrl("src"), *token);

  auto started = c->StartCopy("async-copy", source);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_FALSE(started->copy_id.empty());
  EXPECT_EQ(started->copy_status, "success");  // Azurite copies synchronously
  auto details = c->GetBlobDetails("async-copy");
  ASSERT_TRUE(details.ok());
  EXPECT_EQ(details->copy_status, "success");
  EXPECT_EQ(details->copy_id, started->copy_id);
  EXPECT_TRUE(*ReadBlob(*c, "async-copy") == data);

  auto sync = c->CopyFromUrl("sync-copy", source);
  ASSERT_TRUE(sync.ok()) << sync.status().ToString();
  EXPECT_EQ(sync->copy_status, "success");
  EXPECT_TRUE(*ReadBlob(*c, "sync-copy") == data);

  core::Status missing = c->StartCopy("x", AppendSas(c->BlobUrl("missing"), *token)).status();
  // Azure answers 404 CannotVerifyCopySource here; Azurite answers 403 with the same code.
  EXPECT_EQ(missing.code(), core::StatusCode::kPermissionDenied) << missing.ToString();
  ASSERT_TRUE(missing.remote().has_value());
  EXPECT_EQ(missing.remote()->service_code, "CannotVerifyCopySource");
}

TEST(AzuriteBlob, WriteOnlySasCanCreateButNotReadOrList) {
  auto c = NewContainer("sas-drop");
  auto cw = MakeContainerSas(kDevStoreAccount, kDevStoreKey, "sas-drop", "cw",
                             core::SystemClock::Instance().Now() + std::chrono::hours(1));
  ASSERT_TRUE(cw.ok()) << cw.status().ToString();
  auto writer = OpenBlobStore(AzuriteEnvironment::Get().ContainerUrl("sas-drop") + "?" + *cw);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  EXPECT_EQ((*writer)->Describe().find("sig="), std::string::npos);
  auto put = store::PutString(**writer, "incoming/part-0001.enc", "ciphertext");
  ASSERT_TRUE(put.ok()) << put.status().ToString();

  auto read = store::GetAll(**writer, "incoming/part-0001.enc");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), core::StatusCode::kPermissionDenied);
  ASSERT_TRUE(read.status().remote().has_value());
  EXPECT_EQ(read.status().remote()->http_status, 403);
  EXPECT_EQ(read.status().message().find("sig="), std::string::npos) << read.status().message();
  EXPECT_EQ(read.status().message().find(*cw), std::string::npos);
  EXPECT_EQ((*writer)->List({}).status().code(), core::StatusCode::kPermissionDenied);
  EXPECT_EQ((*writer)->Delete("incoming/part-0001.enc").code(),
            core::StatusCode::kPermissionDenied);

  // A read+list SAS for the same container reads what the writer wrote.
  auto rl = MakeContainerSas(kDevStoreAccount, kDevStoreKey, "sas-drop", "rl",
                             core::SystemClock::Instance().Now() + std::chrono::hours(1));
  auto reader = OpenBlobStore(AzuriteEnvironment::Get().ContainerUrl("sas-drop") + "?" + *rl);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(*store::GetAll(**reader, "incoming/part-0001.enc"), "ciphertext");
  EXPECT_EQ(store::ListAll(**reader, "incoming/")->size(), 1u);
  EXPECT_EQ(store::PutString(**reader, "x", "y").status().code(),
            core::StatusCode::kPermissionDenied);

  // An expired SAS is refused.
  auto expired = MakeContainerSas(kDevStoreAccount, kDevStoreKey, "sas-drop", "rl",
                                  core::SystemClock::Instance().Now() - std::chrono::hours(1));
  auto stale = OpenBlobStore(AzuriteEnvironment::Get().ContainerUrl("sas-drop") + "?" + *expired);
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(store::GetAll(**stale, "incoming/part-0001.enc").status().code(),
            core::StatusCode::kPermissionDenied);
}

TEST(AzuriteBlob, WrongAccountKeyIsRefusedWithoutLeakingIt) {
  NewContainer("wrong-key");
  const std::string wrong = core::Base64Encode(std::string(64, 'k'));
  auto key = SharedKeyCredential::Make(std::string(kDevStoreAccount), wrong);
  auto client = AzureBlobClient::Make(AzuriteEnvironment::Get().ContainerUrl("wrong-key"), *key);
  ASSERT_TRUE(client.ok());
  core::Status s = PutText(**client, "b", "x").status();
  // Azurite answers 403 AuthorizationFailure (Azure: 403 AuthenticationFailed -> kUnauthenticated).
  EXPECT_EQ(s.code(), core::StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_EQ(s.remote()->http_status, 403);
  EXPECT_EQ(s.message().find(wrong), std::string::npos);
}

TEST(AzuriteBlob, OpenBlobStoreUsesConnectionStringAndAccountKey) {
  NewContainer("opened");
  OpenStoreOptions o;
  o.use_environment = false;
  o.connection_string = AzuriteEnvironment::Get().ConnectionString();
  auto by_cs = OpenBlobStore(AzuriteEnvironment::Get().ContainerUrl("opened"), o);
  ASSERT_TRUE(by_cs.ok()) << by_cs.status().ToString();
  ASSERT_TRUE(store::PutString(**by_cs, "a", "1").ok());

  OpenStoreOptions k;
  k.use_environment = false;
  k.account_key = std::string(kDevStoreKey);
  auto by_key = OpenBlobStore(AzuriteEnvironment::Get().ContainerUrl("opened"), k);
  ASSERT_TRUE(by_key.ok()) << by_key.status().ToString();
  EXPECT_EQ(*store::GetAll(**by_key, "a"), "1");
  EXPECT_EQ((*by_key)->Describe(), "azure:" + AzuriteEnvironment::Get().ContainerUrl("opened"));
}

}  // namespace
}  // namespace vivalink::azure
