#include "http/retry.h"

#include <gtest/gtest.h>

#include "http/fake_transport.h"

namespace vivalink::http {
namespace {

using std::chrono::milliseconds;

class FixedClock final : public core::Clock {
 public:
  explicit FixedClock(core::TimePoint now) : now_(now) {}
  core::TimePoint Now() const override { return now_; }

 private:
  core::TimePoint now_;
};

Response Answer(int status, Headers headers = {}, std::string body = "") {
  Response r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

struct Harness {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  std::vector<milliseconds> sleeps;
  RetryOptions Options(int max_attempts = 5) {
    RetryOptions o;
    o.max_attempts = max_attempts;
    o.initial_delay = milliseconds(100);
    o.max_delay = milliseconds(1000);
    o.seed = 42;
    o.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    return o;
  }
};

Request Get() {
  Request r;
  r.url = "http://127.0.0.1:1/c/b?sig=secret";
  return r;
}

TEST(IsRetryableStatus, ExactlyTheTransientStatuses) {
  for (int s : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(IsRetryableStatus(s)) << s;
  for (int s : {200, 201, 304, 400, 401, 403, 404, 409, 412, 501, 505}) {
    EXPECT_FALSE(IsRetryableStatus(s)) << s;
  }
}

TEST(RetryingTransport, RetriesServerErrorsUntilSuccess) {
  Harness h;
  h.fake->Push(Answer(503));
  h.fake->Push(Answer(500));
  h.fake->Push(Answer(200, {}, "ok"));
  RetryingTransport retry(h.fake, h.Options());
  auto r = retry.Send(Get());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(r->attempt, 3);
  EXPECT_EQ(h.fake->requests().size(), 3u);
  EXPECT_EQ(h.sleeps.size(), 2u);
}

TEST(RetryingTransport, RetriesEachTransientStatus) {
  for (int status : {408, 429, 500, 502, 503, 504}) {
    Harness h;
    h.fake->Push(Answer(status));
    h.fake->Push(Answer(204));
    RetryingTransport retry(h.fake, h.Options());
    auto r = retry.Send(Get());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 204) << status;
    EXPECT_EQ(h.fake->requests().size(), 2u) << status;
  }
}

TEST(RetryingTransport, DoesNotRetryClientErrors) {
  for (int status : {400, 401, 403, 404, 409, 412}) {
    Harness h;
    h.fake->Push(Answer(status, {}, "<Error/>"));
    h.fake->Push(Answer(200));
    RetryingTransport retry(h.fake, h.Options());
    auto r = retry.Send(Get());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(r->body, "<Error/>");
    EXPECT_EQ(r->attempt, 1);
    EXPECT_EQ(h.fake->requests().size(), 1u) << status;
    EXPECT_TRUE(h.sleeps.empty()) << status;
  }
}

TEST(RetryingTransport, ReturnsLastResponseWhenAttemptsRunOut) {
  Harness h;
  h.fake->SetHandler([](const Request&) -> core::Result<Response> { return Answer(503); });
  RetryingTransport retry(h.fake, h.Options(4));
  auto r = retry.Send(Get());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->attempt, 4);
  EXPECT_EQ(h.fake->requests().size(), 4u);
  EXPECT_EQ(h.sleeps.size(), 3u);
}

TEST(RetryingTransport, RetriesNetworkErrorsAndSetsAttemptOnFinalError) {
  Harness h;
  h.fake->SetHandler([](const Request&) -> core::Result<Response> {
    return core::UnavailableError("connection refused");
  });
  RetryingTransport retry(h.fake, h.Options(3));
  auto r = retry.Send(Get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  ASSERT_TRUE(r.status().remote().has_value());
  EXPECT_EQ(r.status().remote()->attempt, 3);
  EXPECT_EQ(r.status().remote()->http_status, 0);
  EXPECT_EQ(h.fake->requests().size(), 3u);
}

TEST(RetryingTransport, DoesNotRetryNonTransientErrors) {
  Harness h;
  h.fake->PushError(core::InvalidArgumentError("bad url"));
  h.fake->Push(Answer(200));
  RetryingTransport retry(h.fake, h.Options());
  auto r = retry.Send(Get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  ASSERT_TRUE(r.status().remote().has_value());
  EXPECT_EQ(r.status().remote()->attempt, 1);
  EXPECT_EQ(h.fake->requests().size(), 1u);
}

TEST(RetryingTransport, KeepsRemoteDetailsOfTheError) {
  Harness h;
  core::RemoteDetails d;
  d.http_status = 503;
  d.request_id = "req-1";
  h.fake->SetHandler([d](const Request&) -> core::Result<Response> {
    return core::UnavailableError("busy").SetRemote(d);
  });
  RetryingTransport retry(h.fake, h.Options(2));
  auto r = retry.Send(Get());
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.status().remote().has_value());
  EXPECT_EQ(r.status().remote()->request_id, "req-1");
  EXPECT_EQ(r.status().remote()->http_status, 503);
  EXPECT_EQ(r.status().remote()->attempt, 2);
}

TEST(RetryingTransport, BackoffDelaysAreBoundedByExponentialCap) {
  Harness h;
  h.fake->SetHandler([](const Request&) -> core::Result<Response> { return Answer(500); });
  RetryOptions o = h.Options(8);
  RetryingTransport retry(h.fake, o);
  ASSERT_TRUE(retry.Send(Get()).ok());
  ASSERT_EQ(h.sleeps.size(), 7u);
  // Before attempt k+1 the wait is in [0, min(max_delay, initial * 2^(k-1))].
  for (size_t i = 0; i < h.sleeps.size(); ++i) {
    int64_t cap = std::min<int64_t>(1000, 100LL << i);
    EXPECT_GE(h.sleeps[i].count(), 0) << i;
    EXPECT_LE(h.sleeps[i].count(), cap) << i;
  }
}

TEST(RetryingTransport, JitterVariesTheDelays) {
  Harness h;
  h.fake->SetHandler([](const Request&) -> core::Result<Response> { return Answer(500); });
  RetryOptions o = h.Options(30);
  o.initial_delay = milliseconds(1000);
  o.max_delay = milliseconds(1000);
  RetryingTransport retry(h.fake, o);
  ASSERT_TRUE(retry.Send(Get()).ok());
  ASSERT_EQ(h.sleeps.size(), 29u);
  auto [lo, hi] = std::minmax_element(h.sleeps.begin(), h.sleeps.end());
  EXPECT_LT(*lo, *hi);  // full jitter, not a fixed schedule
}

TEST(RetryingTransport, HonoursRetryAfterSeconds) {
  Harness h;
  h.fake->Push(Answer(429, {{"Retry-After", "7"}}));
  h.fake->Push(Answer(200));
  RetryingTransport retry(h.fake, h.Options());
  auto r = retry.Send(Get());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(h.sleeps.size(), 1u);
  EXPECT_EQ(h.sleeps[0], milliseconds(7000));
}

TEST(RetryingTransport, HonoursRetryAfterHttpDate) {
  auto now = core::ParseRfc1123("Fri, 27 Nov 2026 13:00:07 GMT");
  ASSERT_TRUE(now.ok());
  FixedClock clock(*now);
  Harness h;
  h.fake->Push(Answer(503, {{"retry-after", "Fri, 27 Nov 2026 13:00:19 GMT"}}));
  h.fake->Push(Answer(200));
  RetryOptions o = h.Options();
  o.clock = &clock;
  RetryingTransport retry(h.fake, o);
  auto r = retry.Send(Get());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(h.sleeps.size(), 1u);
  EXPECT_EQ(h.sleeps[0], milliseconds(12000));
}

TEST(RetryingTransport, GivesUpAtOnceWhenRetryAfterExceedsLimit) {
  Harness h;
  h.fake->Push(Answer(429, {{"Retry-After", "3600"}}));
  h.fake->Push(Answer(200));
  RetryOptions o = h.Options();
  o.max_retry_after = milliseconds(60000);
  RetryingTransport retry(h.fake, o);
  auto r = retry.Send(Get());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->Header("Retry-After"), "3600");
  EXPECT_TRUE(h.sleeps.empty());
  EXPECT_EQ(h.fake->requests().size(), 1u);
}

TEST(RetryingTransport, MalformedRetryAfterFallsBackToBackoff) {
  Harness h;
  h.fake->Push(Answer(503, {{"Retry-After", "soon"}}));
  h.fake->Push(Answer(200));
  RetryingTransport retry(h.fake, h.Options());
  ASSERT_TRUE(retry.Send(Get()).ok());
  ASSERT_EQ(h.sleeps.size(), 1u);
  EXPECT_LE(h.sleeps[0], milliseconds(100));
}

TEST(ParseRetryAfter, ReadsSecondsAndDates) {
  auto now = core::ParseRfc1123("Fri, 27 Nov 2026 13:00:07 GMT");
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(ParseRetryAfter("0", *now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter(" 30 ", *now), milliseconds(30000));
  EXPECT_EQ(ParseRetryAfter("Fri, 27 Nov 2026 13:01:07 GMT", *now), milliseconds(60000));
  EXPECT_EQ(ParseRetryAfter("Fri, 27 Nov 2026 12:00:00 GMT", *now), milliseconds(0));
  EXPECT_FALSE(ParseRetryAfter("", *now).has_value());
  EXPECT_FALSE(ParseRetryAfter("-5", *now).has_value());
  EXPECT_FALSE(ParseRetryAfter("tomorrow", *now).has_value());
}

TEST(RetryingTransport, RewindsARewindableUploadBeforeEachRetry) {
  Harness h;
  h.fake->Push(Answer(500));
  h.fake->Push(Answer(201));
  RewindableMemorySource body("payload");
  Request req = Get();
  req.method = "PUT";
  req.body_source = &body;
  req.headers["Content-Length"] = "7";
  RetryingTransport retry(h.fake, h.Options());
  auto r = retry.Send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 201);
  auto seen = h.fake->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].body, "payload");
  EXPECT_EQ(seen[1].body, "payload");  // the second attempt got every byte again
}

TEST(RetryingTransport, DoesNotRetryAnUploadThatCannotRewind) {
  Harness h;
  h.fake->Push(Answer(503));
  h.fake->Push(Answer(201));
  core::MemorySource body("payload");
  Request req = Get();
  req.method = "PUT";
  req.body_source = &body;
  req.headers["Content-Length"] = "7";
  RetryingTransport retry(h.fake, h.Options());
  auto r = retry.Send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(h.fake->requests().size(), 1u);
}

TEST(RetryingTransport, DoesNotRetryAfterBodyBytesWereDelivered) {
  // The inner transport delivers part of the body, then the connection drops.
  class Dropping final : public HttpTransport {
   public:
    int calls = 0;
    core::Result<Response> Send(const Request&, const BodyCallback& on_body) override {
      ++calls;
      RETURN_IF_ERROR(on_body("first bytes"));
      return core::UnavailableError("connection reset");
    }
  };
  auto dropping = std::make_shared<Dropping>();
  std::vector<milliseconds> sleeps;
  RetryOptions o;
  o.sleep = [&](milliseconds d) { sleeps.push_back(d); };
  RetryingTransport retry(dropping, o);
  std::string got;
  auto r = retry.Send(Get(), [&](std::string_view c) {
    got.append(c);
    return core::OkStatus();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(dropping->calls, 1);
  EXPECT_EQ(got, "first bytes");
  EXPECT_TRUE(sleeps.empty());
}

TEST(RetryingTransport, RetriesAStreamingDownloadThatFailedBeforeAnyByte) {
  Harness h;
  h.fake->Push(Answer(503, {}, "busy"));
  h.fake->Push(Answer(200, {}, "the blob"));
  RetryingTransport retry(h.fake, h.Options());
  std::string got;
  auto r = retry.Send(Get(), [&](std::string_view c) {
    got.append(c);
    return core::OkStatus();
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(got, "the blob");
  EXPECT_EQ(h.fake->requests().size(), 2u);
}

TEST(RetryingTransport, HonoursRetryAfterCarriedByAnError) {
  Harness h;
  core::RemoteDetails d;
  d.http_status = 429;
  d.retry_after_seconds = 3;
  h.fake->PushError(core::UnavailableError("throttled").SetRemote(d));
  h.fake->Push(Answer(200));
  RetryingTransport retry(h.fake, h.Options());
  auto r = retry.Send(Get());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(h.sleeps.size(), 1u);
  EXPECT_EQ(h.sleeps[0], milliseconds(3000));
}

TEST(RetryingTransport, SingleAttemptMeansNoRetry) {
  Harness h;
  h.fake->Push(Answer(503));
  RetryingTransport retry(h.fake, h.Options(1));
  auto r = retry.Send(Get());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(h.sleeps.empty());
}

}  // namespace
}  // namespace vivalink::http
