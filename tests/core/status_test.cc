#include "core/status.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vivalink::core {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status Check(bool fail) {
  RETURN_IF_ERROR(fail ? DataLossError("bad") : OkStatus());
  return OkStatus();
}

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, ContextPrefixesMessageAndKeepsCode) {
  Status s = DataLossError("CRC mismatch").WithContext("blob part-00000.json.gz");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "blob part-00000.json.gz: CRC mismatch");
  EXPECT_EQ(s.ToString(), "DataLoss: blob part-00000.json.gz: CRC mismatch");
}

TEST(Status, TheSameContextTwiceIsNotRepeated) {
  Status s = DataLossError("CRC mismatch").WithContext("p.gz").WithContext("p.gz");
  EXPECT_EQ(s.message(), "p.gz: CRC mismatch");
  // Only a whole "context: " prefix counts.
  EXPECT_EQ(DataLossError("p.gzx: bad").WithContext("p.gz").message(), "p.gz: p.gzx: bad");
  EXPECT_EQ(DataLossError("p.gz").WithContext("p.gz").message(), "p.gz: p.gz");
}

TEST(Status, RemoteDetailsAppearInToString) {
  Status s = UnavailableError("throttled");
  s.SetRemote({429, "ServerBusy", "req-1", 3, 2});
  EXPECT_EQ(s.ToString(),
            "Unavailable: throttled [http 429, code ServerBusy, request req-1, attempt 3]");
  ASSERT_TRUE(s.remote().has_value());
  EXPECT_EQ(s.remote()->retry_after_seconds, 2);
}

TEST(Result, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(Result, ReturnIfErrorStopsAtFailure) {
  EXPECT_TRUE(Check(false).ok());
  EXPECT_EQ(Check(true).code(), StatusCode::kDataLoss);
}

Result<std::vector<std::string>> Names() { return std::vector<std::string>{"a", "b"}; }

// Regression: operator* on a temporary Result used to return T&&, so a range-for over it read a
// destroyed temporary (found by ASan in the key API audit test).
TEST(Result, RangeForOverATemporaryResultDoesNotDangle) {
  std::string joined;
  for (const auto& n : *Names()) joined += n;
  EXPECT_EQ(joined, "ab");
  auto&& v = Names().value();
  EXPECT_EQ(v.size(), 2u);
}

TEST(Result, ValueOrGivesFallbackOnError) {
  EXPECT_EQ(Half(3).value_or(-1), -1);
  EXPECT_EQ(Half(4).value_or(-1), 2);
}

// Issue 15: reading the value of an error Result was undefined behaviour; it must crash at once,
// naming the status, whichever accessor is used.
TEST(ResultDeathTest, ValueOfAnErrorCrashesWithTheStatus) {
  Result<int> r = DataLossError("part-00003 of run 5c90: bad padding");
  EXPECT_DEATH((void)r.value(),
               "Result accessed without a value: DataLoss: part-00003 of run 5c90: bad padding");
  EXPECT_DEATH((void)*r, "Result accessed without a value: DataLoss");
  const Result<int>& cr = r;
  EXPECT_DEATH((void)*cr, "Result accessed without a value: DataLoss");
  EXPECT_DEATH((void)*Half(3), "Result accessed without a value: InvalidArgument");
  Result<std::string> s = NotFoundError("blob x");
  EXPECT_DEATH((void)s->size(), "Result accessed without a value: NotFound: blob x");
}

}  // namespace
}  // namespace vivalink::core
