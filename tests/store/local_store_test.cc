#include "store/local_store.h"

#include <gtest/gtest.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <regex>
#include <thread>

#include "core/time.h"
#include "store_test_util.h"
#include "testutil.h"

namespace vivalink::store {
namespace {

namespace fs = std::filesystem;
using core::StatusCode;

// A source that fails after handing out some bytes.
class FailingSource final : public core::ByteSource {
 public:
  core::Result<size_t> Read(std::span<std::byte> out) override {
    if (sent_) return core::DataLossError("source broke at byte 4");
    sent_ = true;
    std::memcpy(out.data(), "part", 4);
    return size_t{4};
  }

 private:
  bool sent_ = false;
};

bool XattrsSupported(const fs::path& dir) {
  fs::path probe = dir / "xattr-probe";
  testutil::WriteFile(probe, "x");
  bool ok = ::setxattr(probe.c_str(), "user.vivalink.probe", "1", 1, 0) == 0;
  fs::remove(probe);
  return ok;
}

TEST(LocalStoreOpen, RefusesMissingRootWithoutCreate) {
  testutil::TempDir dir;
  LocalStoreOptions options;
  options.create_root = false;
  auto store = LocalStore::Open(dir / "missing", options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound);
}

TEST(LocalStoreOpen, CreatesMissingRoot) {
  testutil::TempDir dir;
  auto store = LocalStore::Open(dir / "a" / "b");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(fs::is_directory(dir / "a" / "b"));
  EXPECT_EQ((*store)->root(), dir / "a" / "b");
}

TEST(LocalStoreOpen, RefusesRootThatIsAFile) {
  testutil::TempDir dir;
  testutil::WriteFile(dir / "file", "x");
  auto store = LocalStore::Open(dir / "file");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
}

TEST(LocalStoreOpen, OpenUrlAcceptsFileUrlsAndPaths) {
  testutil::TempDir dir;
  auto by_url = LocalStore::OpenUrl("file://" + (dir / "u").string());
  ASSERT_TRUE(by_url.ok()) << by_url.status().ToString();
  EXPECT_EQ((*by_url)->root(), dir / "u");
  EXPECT_EQ((*by_url)->Describe(), "file://" + (dir / "u").string());

  auto localhost = LocalStore::OpenUrl("file://localhost" + (dir / "l").string());
  ASSERT_TRUE(localhost.ok()) << localhost.status().ToString();
  EXPECT_EQ((*localhost)->root(), dir / "l");

  auto escaped = LocalStore::OpenUrl("file://" + dir.path().string() + "/with%20space");
  ASSERT_TRUE(escaped.ok()) << escaped.status().ToString();
  EXPECT_EQ((*escaped)->root(), dir / "with space");

  auto plain = LocalStore::OpenUrl((dir / "p").string());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ((*plain)->root(), dir / "p");
}

// Issue 15: the embedded default store, file://./vivalink-data/drops, was refused ("must be
// file:///absolute/path"), so `vivalink run` without --config failed in a fresh folder.
TEST(LocalStoreOpen, OpenUrlResolvesDotRelativeUrlsAgainstTheWorkingDirectory) {
  testutil::TempDir dir;
  std::filesystem::create_directories(dir / "work" / "sub");
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir / "work" / "sub");
  auto dot = LocalStore::OpenUrl("file://./vivalink-data/drops");
  auto dotdot = LocalStore::OpenUrl("file://../up");
  std::filesystem::current_path(previous);
  const auto work = std::filesystem::canonical(dir / "work");  // getcwd resolves symlinks
  ASSERT_TRUE(dot.ok()) << dot.status().ToString();
  EXPECT_EQ((*dot)->root(), work / "sub" / "vivalink-data" / "drops");
  EXPECT_TRUE(std::filesystem::is_directory(work / "sub" / "vivalink-data" / "drops"));
  ASSERT_TRUE(dotdot.ok()) << dotdot.status().ToString();
  EXPECT_EQ((*dotdot)->root(), work / "up");
}

TEST(LocalStoreOpen, OpenUrlRefusesOtherSchemesAndHosts) {
  for (const char* url : {"https://acct.blob.core.windows.net/c", "file://server/share",
                          "file://relative", "azurite://x"}) {
    auto store = LocalStore::OpenUrl(url);
    ASSERT_FALSE(store.ok()) << url;
    EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << url;
  }
}

TEST(LocalStore, PutThenGetRoundTripsBytesAndProperties) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  auto props = PutString(*store, "drops/run1/part-0001.enc", "hello");
  ASSERT_TRUE(props.ok()) << props.status().ToString();
  EXPECT_EQ(props->name, "drops/run1/part-0001.enc");
  EXPECT_EQ(props->size, 5u);
  EXPECT_TRUE(std::regex_match(props->etag, std::regex("\"0x[0-9A-F]+\""))) << props->etag;
  if (XattrsSupported(dir.path())) {
    EXPECT_EQ(props->content_md5, "XUFAKrxLKna5cZ2REBfFkg==");  // MD5("hello")
  }
  EXPECT_EQ(testutil::ReadFile(dir / "drops/run1/part-0001.enc"), "hello");
  auto data = GetAll(*store, "drops/run1/part-0001.enc");
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, "hello");

  auto again = store->GetProperties("drops/run1/part-0001.enc");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->etag, props->etag);
  EXPECT_EQ(again->size, 5u);
  EXPECT_EQ(again->content_md5, props->content_md5);
  EXPECT_EQ(again->content_type, "application/octet-stream");
  EXPECT_LE(again->created, again->last_modified);
  auto now = core::SystemClock::Instance().Now();
  EXPECT_LT(std::chrono::abs(now - again->last_modified), std::chrono::minutes(5));
}

TEST(LocalStore, EmptyBlobRoundTrips) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  auto props = PutString(*store, "empty", "");
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(props->size, 0u);
  auto data = GetAll(*store, "empty");
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, "");
}

TEST(LocalStore, KeepsContentTypeAndMetadataWithLowerCaseKeys) {
  testutil::TempDir dir;
  if (!XattrsSupported(dir.path())) GTEST_SKIP() << "no user xattrs on " << dir.path();
  auto store = OpenStore(dir.path());
  PutOptions options;
  options.content_type = "application/json";
  options.metadata = {{"BatchId", "20261127T120000Z"}, {"tenant", "t1"}};
  ASSERT_TRUE(PutString(*store, "m.json", "{}", options).ok());
  auto props = store->GetProperties("m.json");
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(props->content_type, "application/json");
  EXPECT_EQ(props->metadata, (std::map<std::string, std::string>{{"batchid", "20261127T120000Z"},
                                                                 {"tenant", "t1"}}));
  // A new Put replaces metadata entirely.
  ASSERT_TRUE(PutString(*store, "m.json", "{}").ok());
  auto replaced = store->GetProperties("m.json");
  ASSERT_TRUE(replaced.ok());
  EXPECT_TRUE(replaced->metadata.empty());
  EXPECT_EQ(replaced->content_type, "application/octet-stream");
}

TEST(LocalStore, MissingBlobIsNotFoundEverywhere) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  EXPECT_EQ(store->Get("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->GetProperties("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Delete("nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Get("nope/deeper").status().code(), StatusCode::kNotFound);
}

TEST(LocalStore, FolderIsNotABlob) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(PutString(*store, "dir/blob", "x").ok());
  EXPECT_EQ(store->Get("dir").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->GetProperties("dir").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Delete("dir").code(), StatusCode::kNotFound);
  EXPECT_TRUE(fs::exists(dir / "dir/blob"));
}

TEST(LocalStore, OverwriteChangesETagEvenForSameBytes) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  auto first = PutString(*store, "b", "same");
  auto second = PutString(*store, "b", "same");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->etag, second->etag);
  EXPECT_EQ(first->content_md5, second->content_md5);
  auto props = store->GetProperties("b");
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(props->etag, second->etag);
}

TEST(LocalStore, ETagIsStableAcrossStoreInstances) {
  testutil::TempDir dir;
  auto put = PutString(*OpenStore(dir.path()), "b", "data");
  ASSERT_TRUE(put.ok());
  auto props = OpenStore(dir.path())->GetProperties("b");
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(props->etag, put->etag);
}

TEST(LocalStore, IfNoneMatchAnyRefusesExistingBlob) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  PutOptions create;
  create.if_none_match_any = true;
  ASSERT_TRUE(PutString(*store, "once", "first", create).ok());
  auto again = PutString(*store, "once", "second", create);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*GetAll(*store, "once"), "first");
  EXPECT_EQ(CountTempFiles(dir.path()), 0);
}

TEST(LocalStore, IfMatchOverwritesOnlyTheExpectedVersion) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  auto v1 = PutString(*store, "ledger", "v1");
  ASSERT_TRUE(v1.ok());
  PutOptions cond;
  cond.if_match = v1->etag;
  auto v2 = PutString(*store, "ledger", "v2", cond);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  // v1's ETag is stale now.
  auto stale = PutString(*store, "ledger", "v3", cond);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*GetAll(*store, "ledger"), "v2");
  EXPECT_EQ(CountTempFiles(dir.path()), 0);
}

TEST(LocalStore, IfMatchOnMissingBlobFails) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  PutOptions cond;
  cond.if_match = "\"0x0123\"";
  auto r = PutString(*store, "absent", "x", cond);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(dir / "absent"));
}

TEST(LocalStore, GetIfMatchMismatchFails) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  auto v1 = PutString(*store, "b", "one");
  ASSERT_TRUE(v1.ok());
  ASSERT_TRUE(PutString(*store, "b", "two").ok());
  GetOptions options;
  options.if_match = v1->etag;
  EXPECT_EQ(store->Get("b", options).status().code(), StatusCode::kFailedPrecondition);
  options.if_match = store->GetProperties("b")->etag;
  EXPECT_TRUE(store->Get("b", options).ok());
}

// Issue 10 item 5: cleanup deletes carry the ETag they were read at.
TEST(LocalStore, DeleteIfMatchKeepsABlobReplacedSinceItWasRead) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  auto v1 = PutString(*store, "run/part-00000", "old");
  ASSERT_TRUE(v1.ok());
  ASSERT_TRUE(PutString(*store, "run/part-00000", "new").ok());
  DeleteOptions stale;
  stale.if_match = v1->etag;
  EXPECT_EQ(store->Delete("run/part-00000", stale).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*GetAll(*store, "run/part-00000"), "new");
  DeleteOptions current;
  current.if_match = store->GetProperties("run/part-00000")->etag;
  EXPECT_TRUE(store->Delete("run/part-00000", current).ok());
  EXPECT_EQ(store->Delete("run/part-00000", current).code(), StatusCode::kNotFound);
}

core::Result<std::string> ReadRange(LocalStore& store, std::string_view name, uint64_t offset,
                                    std::optional<uint64_t> length) {
  GetOptions options;
  options.offset = offset;
  options.length = length;
  ASSIGN_OR_RETURN(auto source, store.Get(name, options));
  return core::ReadAll(*source);
}

TEST(LocalStore, RangeReadsReturnTheRequestedBytes) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(PutString(*store, "r", "0123456789").ok());
  EXPECT_EQ(*ReadRange(*store, "r", 0, 4), "0123");
  EXPECT_EQ(*ReadRange(*store, "r", 3, 4), "3456");
  EXPECT_EQ(*ReadRange(*store, "r", 7, std::nullopt), "789");
  EXPECT_EQ(*ReadRange(*store, "r", 8, 100), "89");  // clamped to the end
  EXPECT_EQ(*ReadRange(*store, "r", 10, std::nullopt), "");
  EXPECT_EQ(*ReadRange(*store, "r", 2, 0), "");
  auto past = ReadRange(*store, "r", 11, std::nullopt);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), StatusCode::kInvalidArgument);
}

TEST(LocalStore, GetStreamsIntoSmallCallerBuffers) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  std::string data;
  for (int i = 0; i < 100000; ++i) data.push_back(static_cast<char>('a' + i % 23));
  ASSERT_TRUE(PutString(*store, "big", data).ok());
  auto source = store->Get("big");
  ASSERT_TRUE(source.ok());
  std::string got;
  std::byte buf[7];
  while (true) {
    auto n = (*source)->Read(buf);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_LE(*n, sizeof(buf));
    if (*n == 0) break;
    got.append(core::AsChars({buf, *n}));
  }
  EXPECT_TRUE(got == data);
}

// Rewrites the file's bytes in place (same inode, so the MD5 attribute stays).
void TamperInPlace(const fs::path& path, std::string_view bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.is_open());
  f.seekp(0);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(LocalStore, DetectsBytesChangedBehindTheStoresBack) {
  testutil::TempDir dir;
  if (!XattrsSupported(dir.path())) GTEST_SKIP() << "no user xattrs: no Content-MD5 to check";
  auto store = OpenStore(dir.path());
  auto props = PutString(*store, "drop/part", "original bytes");
  ASSERT_TRUE(props.ok());
  ASSERT_FALSE(props->content_md5.empty());
  TamperInPlace(dir / "drop/part", "ORIGINAL");

  auto data = GetAll(*store, "drop/part");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(data.status().message().find("drop/part"), std::string::npos);

  GetOptions no_verify;
  no_verify.verify_md5 = false;
  auto source = store->Get("drop/part", no_verify);
  ASSERT_TRUE(source.ok());
  auto raw = core::ReadAll(**source);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, "ORIGINAL bytes");
  // Range reads cannot be checked against a whole-blob MD5.
  EXPECT_EQ(*ReadRange(*store, "drop/part", 9, std::nullopt), "bytes");
}

TEST(LocalStore, BlobTruncatedWhileReadingIsDataLoss) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(PutString(*store, "t", std::string(1000, 'x')).ok());
  auto source = store->Get("t");
  ASSERT_TRUE(source.ok());
  fs::resize_file(dir / "t", 10);
  auto data = core::ReadAll(**source);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kDataLoss);
}

TEST(LocalStore, RefusesNamesThatEscapeTheRoot) {
  testutil::TempDir dir;
  auto store = OpenStore(dir / "root");
  const std::vector<std::string> names = {"../outside",
                                          "a/../../outside",
                                          "/tmp/outside",
                                          "a\\..\\outside",
                                          "a//b",
                                          "",
                                          std::string("a\0b", 3),
                                          "a/",
                                          "..",
                                          "x/.vl-tmp-abc"};
  for (const auto& name : names) {
    EXPECT_EQ(PutString(*store, name, "x").status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(store->Get(name).status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(store->GetProperties(name).status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(store->Delete(name).code(), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_FALSE(fs::exists(dir / "outside"));
  EXPECT_TRUE(fs::is_empty(dir / "root"));
}

TEST(LocalStore, DoesNotFollowSymlinksOutOfTheRoot) {
  testutil::TempDir dir;
  testutil::WriteFile(dir / "secret", "secret");
  auto store = OpenStore(dir / "root");
  fs::create_symlink(dir / "secret", dir / "root" / "link");
  EXPECT_EQ(store->Get("link").status().code(), StatusCode::kNotFound);
  auto page = store->List({});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->blobs.empty());
}

// Issue 10 item 11: only the last component was checked; a linked folder below the root led out.
TEST(LocalStore, DoesNotFollowFolderSymlinksBelowTheRoot) {
  testutil::TempDir dir;
  testutil::WriteFile(dir / "outside/secret", "secret");
  auto store = OpenStore(dir / "root");
  ASSERT_TRUE(PutString(*store, "run/real", "x").ok());
  fs::create_directory_symlink(dir / "outside", dir / "root" / "run" / "linked");
  EXPECT_EQ(store->Get("run/linked/secret").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->GetProperties("run/linked/secret").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Delete("run/linked/secret").code(), StatusCode::kNotFound);
  EXPECT_EQ(PutString(*store, "run/linked/planted", "x").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(fs::exists(dir / "outside/secret"));
  EXPECT_FALSE(fs::exists(dir / "outside/planted"));
  auto all = ListAll(*store, "");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].name, "run/real");
  EXPECT_EQ(*GetAll(*store, "run/real"), "x");
}

TEST(LocalStore, DeleteRemovesEmptyFoldersUpToTheRoot) {
  testutil::TempDir dir;
  auto store = OpenStore(dir / "root");
  ASSERT_TRUE(PutString(*store, "t1/run/data/part-1", "x").ok());
  ASSERT_TRUE(PutString(*store, "t1/run/data/part-2", "x").ok());
  ASSERT_TRUE(PutString(*store, "t1/other", "x").ok());

  ASSERT_TRUE(store->Delete("t1/run/data/part-1").ok());
  EXPECT_TRUE(fs::exists(dir / "root/t1/run/data"));  // part-2 still there
  ASSERT_TRUE(store->Delete("t1/run/data/part-2").ok());
  EXPECT_FALSE(fs::exists(dir / "root/t1/run"));
  EXPECT_TRUE(fs::exists(dir / "root/t1/other"));
  ASSERT_TRUE(store->Delete("t1/other").ok());
  EXPECT_FALSE(fs::exists(dir / "root/t1"));
  EXPECT_TRUE(fs::is_directory(dir / "root"));  // the root itself stays
  EXPECT_EQ(store->Get("t1/other").status().code(), StatusCode::kNotFound);
}

TEST(LocalStore, BlobAndFolderOfTheSameNameConflict) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(PutString(*store, "a", "file").ok());
  EXPECT_EQ(PutString(*store, "a/b", "x").status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(PutString(*store, "x/y", "file").ok());
  EXPECT_EQ(PutString(*store, "x", "x").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*GetAll(*store, "x/y"), "file");
  EXPECT_EQ(CountTempFiles(dir.path()), 0);
}

TEST(LocalStore, FailedSourceLeavesOldBlobAndNoTempFile) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(PutString(*store, "b", "old").ok());
  FailingSource broken;
  auto r = store->Put("b", broken);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(*GetAll(*store, "b"), "old");
  EXPECT_EQ(CountTempFiles(dir.path()), 0);
}

TEST(LocalStore, ConcurrentPutsToOneNameLeaveOneCompleteBlob) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  constexpr int kThreads = 8;
  constexpr size_t kSize = 300000;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        std::string data(kSize, static_cast<char>('A' + t));
        if (PutString(*store, "shared/blob", data).ok()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * 3);
  auto data = GetAll(*store, "shared/blob");  // also checks Content-MD5 matches the bytes
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  ASSERT_EQ(data->size(), kSize);
  EXPECT_EQ(data->find_first_not_of(data->front()), std::string::npos);  // one writer's bytes
  EXPECT_EQ(CountTempFiles(dir.path()), 0);
}

TEST(LocalStore, ConcurrentCreateOnlyPutsHaveOneWinner) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  std::atomic<int> won{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      PutOptions create;
      create.if_none_match_any = true;
      auto r = PutString(*store, "lease", std::to_string(t), create);
      if (r.ok()) {
        ++won;
      } else if (r.status().code() == StatusCode::kFailedPrecondition) {
        ++refused;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), 7);
}

TEST(LocalStore, ConcurrentPutsAndDeletesInOneFolderDoNotFail) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path(), /*fsync=*/false);
  std::atomic<int> put_errors{0};
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) {
      if (!PutString(*store, "deep/er/w" + std::to_string(i), "x").ok()) ++put_errors;
    }
  });
  std::thread churn([&] {
    for (int i = 0; i < 300; ++i) {
      if (PutString(*store, "deep/er/c", "x").ok()) store->Delete("deep/er/c").IgnoreError();
    }
  });
  writer.join();
  churn.join();
  EXPECT_EQ(put_errors.load(), 0);
}

TEST(LocalStore, FilesAreWrittenAtomicallyNextToTheTarget) {
  // The temporary file lives in the target's folder and disappears after the rename.
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  class Watching final : public core::ByteSource {
   public:
    explicit Watching(fs::path folder) : folder_(std::move(folder)) {}
    core::Result<size_t> Read(std::span<std::byte> out) override {
      if (done_) return size_t{0};
      done_ = true;
      for (const auto& e : fs::directory_iterator(folder_)) {
        if (e.path().filename().string().starts_with(LocalStore::kTempPrefix)) saw_temp = true;
      }
      out[0] = std::byte{'z'};
      return size_t{1};
    }
    bool saw_temp = false;

   private:
    fs::path folder_;
    bool done_ = false;
  };
  ASSERT_TRUE(PutString(*store, "f/seed", "x").ok());
  Watching source(dir / "f");
  ASSERT_TRUE(store->Put("f/blob", source).ok());
  EXPECT_TRUE(source.saw_temp);
  EXPECT_EQ(CountTempFiles(dir.path()), 0);
  EXPECT_EQ(testutil::ReadFile(dir / "f/blob"), "z");
}

}  // namespace
}  // namespace vivalink::store
