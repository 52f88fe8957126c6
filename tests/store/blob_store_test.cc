#include "store/blob_store.h"

#include <gtest/gtest.h>

#include "store/local_store.h"
#include "testutil.h"

namespace vivalink::store {
namespace {

TEST(ValidateBlobName, AcceptsRelativeNames) {
  for (std::string_view name : {"a", "a/b/c.enc", "incoming/20261127T120000Z/part-0001.enc", "x..y",
                                ".hidden", "a.b/..c", "sp ace/é"}) {
    EXPECT_TRUE(ValidateBlobName(name).ok()) << name;
  }
}

TEST(ValidateBlobName, RefusesNamesThatEscapeOrAreMalformed) {
  const std::string too_long(1025, 'a');
  for (std::string_view name :
       {std::string_view(""), std::string_view(".."), std::string_view("../x"),
        std::string_view("a/../../x"), std::string_view("a/.."), std::string_view("./a"),
        std::string_view("/etc/passwd"), std::string_view("a//b"), std::string_view("a/"),
        std::string_view("a\\b"), std::string_view("..\\x"), std::string_view("a\0b", 3),
        std::string_view(too_long)}) {
    auto s = ValidateBlobName(name);
    EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument) << "[" << name << "]";
  }
}

TEST(BlobStoreHelpers, PutStringGetAllAndListAllRoundTrip) {
  testutil::TempDir dir;
  auto store = LocalStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE(PutString(**store, "p/one", "1").ok());
  ASSERT_TRUE(PutString(**store, "p/two", "22").ok());
  ASSERT_TRUE(PutString(**store, "q/three", "333").ok());
  auto data = GetAll(**store, "p/two");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "22");
  auto all = ListAll(**store, "p/");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "p/one");
  EXPECT_EQ((*all)[1].name, "p/two");
  EXPECT_EQ((*all)[1].size, 2u);
}

TEST(BlobStoreHelpers, GetAllRefusesBlobsOverTheLimit) {
  testutil::TempDir dir;
  auto store = LocalStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(PutString(**store, "big", std::string(1000, 'x')).ok());
  auto data = GetAll(**store, "big", 999);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), core::StatusCode::kFailedPrecondition);
  auto missing = GetAll(**store, "nope");
  EXPECT_EQ(missing.status().code(), core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vivalink::store
