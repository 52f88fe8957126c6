#include <gtest/gtest.h>

#include <algorithm>

#include "store/local_store.h"
#include "store_test_util.h"
#include "testutil.h"

namespace vivalink::store {
namespace {

namespace fs = std::filesystem;
using core::StatusCode;

std::vector<std::string> Names(const ListPage& page) {
  std::vector<std::string> out;
  for (const auto& b : page.blobs) out.push_back(b.name);
  return out;
}

void PutAll(LocalStore& store, const std::vector<std::string>& names) {
  for (const auto& n : names) ASSERT_TRUE(PutString(store, n, n).ok()) << n;
}

TEST(LocalStoreList, ReturnsWholeNamesInLexicographicOrder) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  // '-' (0x2D) and '.' (0x2E) sort before '/' (0x2F): a folder's blobs must not come first.
  std::vector<std::string> names = {"a/b", "a-c", "a.b", "ab", "a/a/z", "A", "b", "a0"};
  PutAll(*store, names);
  auto page = store->List({});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(Names(*page), names);
  EXPECT_TRUE(page->prefixes.empty());
  EXPECT_TRUE(page->next_marker.empty());
  ASSERT_EQ(page->blobs.size(), names.size());
  EXPECT_EQ(page->blobs[0].size, page->blobs[0].name.size());
  EXPECT_FALSE(page->blobs[0].etag.empty());
}

TEST(LocalStoreList, FiltersByPrefix) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  PutAll(*store, {"t1/run1/a", "t1/run1/b", "t1/run10/a", "t1/run2/a", "t2/run1/a", "t1x"});
  ListOptions options;
  options.prefix = "t1/run1";
  auto page = store->List(options);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Names(*page), (std::vector<std::string>{"t1/run1/a", "t1/run1/b", "t1/run10/a"}));
  options.prefix = "t1";
  page = store->List(options);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->blobs.size(), 5u);
  options.prefix = "nothing/here";
  page = store->List(options);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->blobs.empty());
  options.prefix = "../";
  page = store->List(options);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->blobs.empty());
}

TEST(LocalStoreList, DelimiterRollsUpFolders) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  PutAll(*store, {"t1/run1/a", "t1/run1/b", "t1/run2/deep/x", "t1/top", "t2/x", "root.txt"});
  ListOptions options;
  options.delimiter = "/";
  auto page = store->List(options);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Names(*page), (std::vector<std::string>{"root.txt"}));
  EXPECT_EQ(page->prefixes, (std::vector<std::string>{"t1/", "t2/"}));

  options.prefix = "t1/";
  page = store->List(options);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Names(*page), (std::vector<std::string>{"t1/top"}));
  EXPECT_EQ(page->prefixes, (std::vector<std::string>{"t1/run1/", "t1/run2/"}));

  options.prefix = "t1/ru";
  page = store->List(options);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->blobs.empty());
  EXPECT_EQ(page->prefixes, (std::vector<std::string>{"t1/run1/", "t1/run2/"}));
}

TEST(LocalStoreList, NonSlashDelimiterRollsUpWithinNames) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  PutAll(*store, {"log-2026-01", "log-2026-02", "log", "data/x-1"});
  ListOptions options;
  options.delimiter = "-";
  auto page = store->List(options);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Names(*page), (std::vector<std::string>{"log"}));
  EXPECT_EQ(page->prefixes, (std::vector<std::string>{"data/x-", "log-"}));
}

TEST(LocalStoreList, PagesWithMarkersAcrossFolders) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path(), /*fsync=*/false);
  std::vector<std::string> names;
  for (int f = 0; f < 7; ++f) {
    for (int i = 0; i < 5; ++i) {
      names.push_back("f" + std::to_string(f) + "/b" + std::to_string(i));
    }
  }
  PutAll(*store, names);
  std::sort(names.begin(), names.end());
  ListOptions options;
  options.max_results = 3;
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    auto page = store->List(options);
    ASSERT_TRUE(page.ok());
    ++pages;
    EXPECT_LE(page->blobs.size(), 3u);
    for (auto& n : Names(*page)) seen.push_back(n);
    if (page->next_marker.empty()) break;
    options.marker = page->next_marker;
  }
  EXPECT_EQ(seen, names);
  EXPECT_EQ(pages, 12);  // 35 blobs / 3 per page
}

TEST(LocalStoreList, PagesThroughRolledUpPrefixes) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path(), /*fsync=*/false);
  PutAll(*store, {"a/1", "a/2", "b", "c/1", "d/x/y", "e"});
  ListOptions options;
  options.delimiter = "/";
  options.max_results = 2;
  std::vector<std::string> seen;
  while (true) {
    auto page = store->List(options);
    ASSERT_TRUE(page.ok());
    EXPECT_LE(page->blobs.size() + page->prefixes.size(), 2u);
    for (auto& p : page->prefixes) seen.push_back(p);
    for (auto& n : Names(*page)) seen.push_back(n);
    if (page->next_marker.empty()) break;
    options.marker = page->next_marker;
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"a/", "b", "c/", "d/", "e"}));
}

TEST(LocalStoreList, PagesOverMoreThanFiveThousandBlobs) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path(), /*fsync=*/false);
  constexpr int kBlobs = 5003;
  std::vector<std::string> names;
  for (int i = 0; i < kBlobs; ++i) {
    // Two folders and the root, so paging crosses folder boundaries.
    std::string folder = i % 3 == 0 ? "" : (i % 3 == 1 ? "x/" : "y/z/");
    names.push_back(folder + "blob-" + std::to_string(i));
  }
  PutAll(*store, names);
  std::sort(names.begin(), names.end());

  // Default page size: 5000, then the rest.
  auto first = store->List({});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->blobs.size(), 5000u);
  ASSERT_FALSE(first->next_marker.empty());
  ListOptions next;
  next.marker = first->next_marker;
  auto second = store->List(next);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->blobs.size(), 3u);
  EXPECT_TRUE(second->next_marker.empty());

  // A page size larger than the service maximum is capped.
  ListOptions huge;
  huge.max_results = 100000;
  auto capped = store->List(huge);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->blobs.size(), 5000u);

  // Odd page size, followed to the end.
  ListOptions options;
  options.max_results = 777;
  std::vector<std::string> seen;
  while (true) {
    auto page = store->List(options);
    ASSERT_TRUE(page.ok());
    for (auto& b : page->blobs) seen.push_back(std::move(b.name));
    if (page->next_marker.empty()) break;
    options.marker = page->next_marker;
  }
  EXPECT_EQ(seen, names);

  auto all = ListAll(*store, "");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), names.size());
  EXPECT_EQ(all->front().name, names.front());
  EXPECT_EQ(all->back().name, names.back());
}

TEST(LocalStoreList, NeverListsTemporaryFiles) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  PutAll(*store, {"keep", "sub/keep"});
  // Left behind by a crashed Put.
  testutil::WriteFile(dir / ".vl-tmp-0001", "partial");
  testutil::WriteFile(dir / "sub/.vl-tmp-0002", "partial");
  testutil::WriteFile(dir / "only-temp/.vl-tmp-0003", "partial");
  auto page = store->List({});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Names(*page), (std::vector<std::string>{"keep", "sub/keep"}));
  ListOptions rolled;
  rolled.delimiter = "/";
  page = store->List(rolled);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Names(*page), (std::vector<std::string>{"keep"}));
  EXPECT_EQ(page->prefixes, (std::vector<std::string>{"sub/"}));  // not "only-temp/"
}

TEST(LocalStoreList, ListedPropertiesMatchGetProperties) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  PutOptions options;
  options.content_type = "text/csv";
  options.metadata = {{"k", "v"}};
  ASSERT_TRUE(PutString(*store, "p.csv", "a,b\n", options).ok());
  auto page = store->List({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->blobs.size(), 1u);
  auto props = store->GetProperties("p.csv");
  ASSERT_TRUE(props.ok());
  const auto& listed = page->blobs[0];
  EXPECT_EQ(listed.etag, props->etag);
  EXPECT_EQ(listed.size, 4u);
  EXPECT_EQ(listed.content_md5, props->content_md5);
  EXPECT_EQ(listed.content_type, props->content_type);
  EXPECT_EQ(listed.metadata, props->metadata);
  EXPECT_EQ(listed.created, props->created);
}

TEST(LocalStoreList, RefusesNonPositivePageSize) {
  testutil::TempDir dir;
  auto store = OpenStore(dir.path());
  ListOptions options;
  options.max_results = 0;
  EXPECT_EQ(store->List(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::store
