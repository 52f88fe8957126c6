#include "core/file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vivalink::core {
namespace {

namespace fs = std::filesystem;

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vl-file-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FileTest, ReadFileReturnsTheWholeContents) {
  std::ofstream(dir_ / "a.txt") << "hello\nworld";
  auto text = ReadFile(dir_ / "a.txt");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "hello\nworld");
}

TEST_F(FileTest, AMissingFileIsNotFoundAndNamesThePath) {
  auto text = ReadFile(dir_ / "missing.txt");
  ASSERT_EQ(text.status().code(), StatusCode::kNotFound);
  EXPECT_NE(text.status().message().find("missing.txt"), std::string::npos);
}

TEST_F(FileTest, AFolderIsInvalidArgument) {
  EXPECT_EQ(ReadFile(dir_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FileTest, AFileAboveTheLimitIsRefusedWithoutQuotingIt) {
  std::ofstream(dir_ / "big.txt") << "secret-secret-secret";
  auto text = ReadFile(dir_ / "big.txt", 8);
  ASSERT_EQ(text.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(text.status().message().find("secret"), std::string::npos);
}

TEST_F(FileTest, WriteFileAtomicReplacesAndLeavesNoTemporaryFile) {
  ASSERT_TRUE(WriteFileAtomic(dir_ / "sub" / "f.json", "one", 0600).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ / "sub" / "f.json", "two", 0600).ok());
  EXPECT_EQ(*ReadFile(dir_ / "sub" / "f.json"), "two");
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "sub")) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "sub" / "f.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(FileTest, WriteFileAtomicIntoAnUnwritableFolderIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write anywhere";
  fs::create_directories(dir_ / "ro");
  fs::permissions(dir_ / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_EQ(WriteFileAtomic(dir_ / "ro" / "f", "x").code(), StatusCode::kPermissionDenied);
  fs::permissions(dir_ / "ro", fs::perms::owner_all);
}

TEST_F(FileTest, CreateFileExclusiveKeepsTheFirstWritersContents) {
  auto first = CreateFileExclusive(dir_ / "key", "first");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  auto second = CreateFileExclusive(dir_ / "key", "second");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(*second);
  EXPECT_EQ(*ReadFile(dir_ / "key"), "first");
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(FileTest, UniqueFdClosesOnceAndReportsCloseOfAnInvalidFdAsOk) {
  UniqueFd fd(::open((dir_).c_str(), O_RDONLY));
  ASSERT_TRUE(fd.valid());
  EXPECT_TRUE(fd.Close("dir").ok());
  EXPECT_FALSE(fd.valid());
  EXPECT_TRUE(fd.Close("dir").ok());
}

}  // namespace
}  // namespace vivalink::core
