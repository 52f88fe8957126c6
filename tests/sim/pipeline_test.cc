// The weekly pipeline (sim/pipeline.h), which is the shipped template run by the interpreter:
// drops true to their metadata, determinism, staging cleanup, every injected failure and the web
// activity notification.
#include "sim/pipeline.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "core/strings.h"
#include "crypto/hash.h"
#include "crypto/rsa.h"
#include "drop/keys.h"
#include "http/fake_transport.h"
#include "pipeline_test_util.h"
#include "sim/metrics.h"

namespace vivalink::sim {
namespace {

using core::StatusCode;
using testing::DecryptRows;
using testing::ReadAndValidate;
using testing::ReadMetadata;
using testing::Receiver;
using testing::World;

PipelineOptions Options(const World& w, int week, size_t tenant = 0) {
  PipelineOptions o;
  o.dir = w.dir();
  o.week = w.org().WeekStart(week);
  o.tenant = w.tenant(tenant);
  o.container = "partner";
  return o;
}

PipelineResult MustRun(World& w, const PipelineOptions& o) {
  auto r = RunPipeline(w.org(), w.partner(), w.staging(), o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : PipelineResult{};
}

const DropOutcome* Find(const PipelineResult& r, std::string_view kind) {
  for (const auto& d : r.drops) {
    if (d.ref.kind == kind) return &d;
  }
  return nullptr;
}

drop::DropKeys Keys(const World& w, const std::string& copy_activity_id) {
  auto k = LoadRunKeys(w.dir(), copy_activity_id);
  EXPECT_TRUE(k.ok()) << k.status().ToString();
  return k.ok() ? std::move(k->keys) : drop::DropKeys{};
}

std::vector<std::string> Column(const std::vector<nlohmann::ordered_json>& rows, const char* name) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.contains(name) ? r[name].dump() : "<none>");
  return out;
}

// A store that fails every Put of a name containing `fail_on` (the copy dying mid-way).
class FailingStore final : public store::BlobStore {
 public:
  FailingStore(store::BlobStore& inner, std::string fail_on)
      : inner_(inner), fail_on_(std::move(fail_on)) {}
  std::string Describe() const override { return "failing:" + inner_.Describe(); }
  core::Result<store::ListPage> List(const store::ListOptions& o) override {
    return inner_.List(o);
  }
  core::Result<std::unique_ptr<core::ByteSource>> Get(std::string_view name,
                                                      const store::GetOptions& o) override {
    return inner_.Get(name, o);
  }
  core::Result<store::BlobProperties> Put(std::string_view name, core::ByteSource& data,
                                          const store::PutOptions& o) override {
    if (name.find(fail_on_) != std::string_view::npos) {
      return core::UnavailableError("injected: the connection was reset");
    }
    return inner_.Put(name, data, o);
  }
  core::Status Delete(std::string_view name, const store::DeleteOptions& options = {}) override {
    return inner_.Delete(name, options);
  }
  core::Result<store::BlobProperties> GetProperties(std::string_view name) override {
    return inner_.GetProperties(name);
  }

 private:
  store::BlobStore& inner_;
  std::string fail_on_;
};

TEST(Pipeline, SameWeekTwiceGivesTheSameRowsUnderNewRunAndCopyIds) {
  World w;
  const PipelineResult a = MustRun(w, Options(w, 1));
  const PipelineResult b = MustRun(w, Options(w, 1));
  ASSERT_EQ(a.drops.size(), 2u);
  ASSERT_EQ(b.drops.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const DropOutcome& da = a.drops[i];
    const DropOutcome& db = b.drops[i];
    EXPECT_EQ(da.ref.kind, db.ref.kind);
    EXPECT_NE(da.ref.run_id, db.ref.run_id);
    EXPECT_NE(da.copy_activity_id, db.copy_activity_id);
    const drop::DropKeys ka = Keys(w, da.copy_activity_id), kb = Keys(w, db.copy_activity_id);
    EXPECT_NE(core::AsChars({ka.file.key.data(), ka.file.key.size()}),
              core::AsChars({kb.file.key.data(), kb.file.key.size()}))
        << "every run must have fresh keys";
    auto ra = DecryptRows(w.partner(), da.ref, ka);
    auto rb = DecryptRows(w.partner(), db.ref, kb);
    ASSERT_TRUE(ra.ok()) << ra.status().ToString();
    ASSERT_TRUE(rb.ok()) << rb.status().ToString();
    ASSERT_GT(ra->size(), 0u);
    EXPECT_EQ(*ra, *rb) << da.ref.kind;
    // The ciphertext differs (fresh keys), the rows do not.
    EXPECT_NE(*store::GetAll(w.partner(), da.ref.part_path(0)),
              *store::GetAll(w.partner(), db.ref.part_path(0)));
  }
  // A different week gives different rows.
  const PipelineResult c = MustRun(w, Options(w, 2));
  auto rc = DecryptRows(w.partner(), c.drops[0].ref, Keys(w, c.drops[0].copy_activity_id));
  auto ra = DecryptRows(w.partner(), a.drops[0].ref, Keys(w, a.drops[0].copy_activity_id));
  ASSERT_TRUE(rc.ok() && ra.ok());
  EXPECT_NE(Column(*rc, "MetricDate"), Column(*ra, "MetricDate"));
}

TEST(Pipeline, MetricsMetadataIsTrueToTheData) {
  World w;
  const int week = 2;
  const PipelineResult r = MustRun(w, Options(w, week, 1));
  const DropOutcome* d = Find(r, "VivaInsights");
  ASSERT_NE(d, nullptr);
  auto m = ReadMetadata(w.partner(), d->ref);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const drop::DropKeys keys = Keys(w, d->copy_activity_id);

  // vivalink's own reader and validator accept it: row count, columns, date window.
  uint64_t validated_rows = 0;
  core::Status st = ReadAndValidate(w.partner(), d->ref, *m, keys, &validated_rows);
  EXPECT_TRUE(st.ok()) << st.ToString();

  auto rows = DecryptRows(w.partner(), d->ref, keys);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  auto expected = MetricsForWeek(w.org(), 1, week);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(m->rows_extracted, static_cast<int64_t>(expected->size()));
  EXPECT_EQ(m->rows_extracted, static_cast<int64_t>(rows->size()));
  EXPECT_EQ(validated_rows, rows->size());
  EXPECT_EQ(d->rows, rows->size());

  // ColumnsRequested names exactly the columns present (names with commas included).
  std::set<std::string> present;
  for (const auto& row : *rows) {
    for (auto it = row.begin(); it != row.end(); ++it) present.insert(it.key());
  }
  const std::vector<std::string> present_list(present.begin(), present.end());
  const auto requested = drop::MatchColumnsRequested(m->columns_requested, present_list);
  EXPECT_EQ(std::set<std::string>(requested.begin(), requested.end()), present);
  EXPECT_EQ(requested.size(), requested.size());
  EXPECT_TRUE(present.count("Small-group meeting, call, and chat hours"));
  const auto shape_columns = ColumnNames(RowShape::kV1);
  EXPECT_EQ(present, std::set<std::string>(shape_columns.begin(), shape_columns.end()));

  // The week window: Sunday to Saturday, every MetricDate inside it (the week's Sunday).
  const core::Date sunday = w.org().WeekStart(week);
  EXPECT_EQ(m->request_start, core::TimePoint(sunday));
  EXPECT_EQ(m->request_end, core::TimePoint(sunday + std::chrono::days{6}));
  for (const auto& row : *rows) {
    EXPECT_EQ(row["MetricDate"].get<std::string>(), core::FormatDate(sunday) + "T00:00:00Z");
  }
  // People: exactly the licensed people employed that week.
  std::set<std::string> ids;
  for (const auto& row : *rows) ids.insert(row["PersonId"].get<std::string>());
  std::set<std::string> expected_ids;
  for (const auto& e : *expected) expected_ids.insert(e.person->object_id);
  EXPECT_EQ(ids, expected_ids);

  EXPECT_EQ(m->copy_activity_id, d->copy_activity_id);
  EXPECT_EQ(m->tenant_id, w.tenant(1));
  EXPECT_EQ(m->errors, "");
  // DataFactoryName: the factory the shipped template deployed in the customer's subscription.
  EXPECT_EQ(m->data_factory_name, d->data_factory);
  EXPECT_EQ(d->data_factory.rfind("vivalink-adf-", 0), 0u) << d->data_factory;
  EXPECT_LE(m->job_submission_time, m->job_completion_time);
  EXPECT_GT(m->job_submission_time, core::TimePoint{});
  EXPECT_FALSE(m->inline_key.has_value());

  // Several parts, metadata written after the last of them.
  auto parts = drop::ListParts(w.partner(), d->ref);
  ASSERT_TRUE(parts.ok());
  EXPECT_GE(parts->size(), 2u);
  EXPECT_EQ(parts->size(), d->parts);
  auto meta_props = w.partner().GetProperties(d->ref.metadata_path());
  ASSERT_TRUE(meta_props.ok());
  for (const auto& p : *parts) EXPECT_LE(p.last_modified, meta_props->last_modified) << p.name;
}

TEST(Pipeline, UserExportIsItsOwnDropWithItsOwnKeysAndMetadata) {
  World w;
  const PipelineResult r = MustRun(w, Options(w, 0));
  const DropOutcome* metrics = Find(r, "VivaInsights");
  const DropOutcome* users = Find(r, "AADUser");
  ASSERT_NE(users, nullptr);
  ASSERT_NE(metrics, nullptr);
  EXPECT_EQ(users->ref.run_id, metrics->ref.run_id);
  EXPECT_NE(users->copy_activity_id, metrics->copy_activity_id);
  auto m = ReadMetadata(w.partner(), users->ref);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->copy_activity_id, users->copy_activity_id);
  const drop::DropKeys keys = Keys(w, users->copy_activity_id);
  core::Status st = ReadAndValidate(w.partner(), users->ref, *m, keys);
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto rows = DecryptRows(w.partner(), users->ref, keys);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(m->rows_extracted, static_cast<int64_t>(rows->size()));
  size_t in_directory = 0;
  for (const Person& p : w.org().tenants[0].people) in_directory += p.in_directory;
  EXPECT_EQ(rows->size(), in_directory);
  // id, mail and userPrincipalName travel column-encrypted (PROTOCOL §3).
  const Person& first = w.org().tenants[0].people[0];
  EXPECT_EQ((*rows)[0]["mail"].get<std::string>(), first.mail);
  EXPECT_EQ((*rows)[0]["id"].get<std::string>(), first.object_id);
  auto enc = store::GetAll(w.partner(), users->ref.part_path(0));
  ASSERT_TRUE(enc.ok());
  auto gz = crypto::AesCbcDecrypt(keys.file, core::AsBytes(*enc));
  ASSERT_TRUE(gz.ok());
  auto text = crypto::GzipDecompress(std::string_view(*gz));
  ASSERT_TRUE(text.ok());
  const auto wire = nlohmann::json::parse(testing::Lines(*text).at(0));
  for (const char* f : {"id", "mail", "userPrincipalName"}) {
    ASSERT_TRUE(wire.contains(f)) << f;
    EXPECT_NE(wire[f], (*rows)[0][f]) << f << " is not encrypted";
    EXPECT_TRUE(core::Base64Decode(wire[f].get<std::string>()).ok()) << f;
  }
}

TEST(Pipeline, V0ShapeDeliversObjectIdRows) {
  World w;
  PipelineOptions o = Options(w, 1);
  o.shape = RowShape::kV0;
  o.include_users = false;
  const PipelineResult r = MustRun(w, o);
  ASSERT_EQ(r.drops.size(), 1u);
  auto m = ReadMetadata(w.partner(), r.drops[0].ref);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->table_name.value_or(""), "VivaInsightsDataset_v0");
  const drop::DropKeys keys = Keys(w, r.drops[0].copy_activity_id);
  core::Status st = ReadAndValidate(w.partner(), r.drops[0].ref, *m, keys);
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto rows = DecryptRows(w.partner(), r.drops[0].ref, keys);
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE((*rows)[0].contains("ObjectId"));
  EXPECT_FALSE((*rows)[0].contains("PersonId"));
}

TEST(Pipeline, EveryTenantGetsItsOwnRunWhenNoTenantIsGiven) {
  World w;
  PipelineOptions o = Options(w, 0);
  o.tenant.clear();
  const PipelineResult r = MustRun(w, o);
  ASSERT_EQ(r.drops.size(), 4u);
  std::set<std::string> runs, tenants;
  for (const auto& d : r.drops) {
    runs.insert(d.ref.run_id);
    tenants.insert(d.ref.tenant_id);
  }
  EXPECT_EQ(runs.size(), 2u);
  EXPECT_EQ(tenants, (std::set<std::string>{w.tenant(0), w.tenant(1)}));
  auto found = drop::ListDrops(w.partner());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 4u);
}

TEST(Pipeline, StagingIsEmptyAfterASuccessfulRun) {
  World w;
  MustRun(w, Options(w, 1));
  EXPECT_TRUE(World::Names(w.staging()).empty());
  EXPECT_FALSE(World::Names(w.partner()).empty());
}

TEST(Pipeline, StagingIsEmptyAfterACopyThatFailed) {
  World w;
  FailingStore partner(w.partner(), "part-00001");
  auto r = RunPipeline(w.org(), partner, w.staging(), Options(w, 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(World::Names(w.staging()).empty());
  // The copy died before the metadata: no complete drop.
  auto found = drop::ListDrops(w.partner());
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());
  EXPECT_EQ(World::Names(w.partner()).size(), 1u);  // part-00000 only
}

TEST(Pipeline, StagingIsEmptyAfterAnInjectedFailure) {
  World w;
  for (FailMode f : {FailMode::kErrors, FailMode::kPartial, FailMode::kCorrupt}) {
    PipelineOptions o = Options(w, 1);
    o.fail = f;
    MustRun(w, o);
    EXPECT_TRUE(World::Names(w.staging()).empty()) << FailModeName(f);
  }
}

TEST(Pipeline, FailErrorsWritesMetadataWithErrorsAndNoDataFile) {
  World w;
  Receiver receiver;
  auto notifier = MakeWebActivityNotifier(receiver.url(), "s3cret");
  PipelineOptions o = Options(w, 1);
  o.fail = FailMode::kErrors;
  o.notifier = notifier.get();
  const PipelineResult r = MustRun(w, o);
  ASSERT_EQ(r.drops.size(), 1u) << "the pipeline stops: no AADUser drop after a failed copy";
  const DropOutcome& d = r.drops[0];
  EXPECT_EQ(d.ref.kind, "VivaInsights");
  EXPECT_EQ(d.outcome, "errors");
  EXPECT_EQ(World::Names(w.partner()),
            std::vector<std::string>{d.ref.metadata_path()});  // metadata only
  auto m = ReadMetadata(w.partner(), d.ref);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->failed_upstream());
  EXPECT_NE(m->errors.find("--fail errors"), std::string::npos);
  EXPECT_EQ(m->rows_extracted, 0);
  EXPECT_EQ(m->request_start, core::TimePoint(w.org().WeekStart(1)));
  auto reader = drop::DropReader::Open(w.partner(), d.ref, *m, Keys(w, d.copy_activity_id));
  EXPECT_EQ(reader.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(receiver.received().size(), 1u);
}

TEST(Pipeline, FailPartialCopiesSomePartsAndNoMetadata) {
  World w;
  Receiver receiver;
  auto notifier = MakeWebActivityNotifier(receiver.url(), "s3cret");
  PipelineOptions o = Options(w, 1);
  o.fail = FailMode::kPartial;
  o.notifier = notifier.get();
  const PipelineResult r = MustRun(w, o);
  ASSERT_EQ(r.drops.size(), 1u);
  const DropOutcome& d = r.drops[0];
  EXPECT_EQ(d.outcome, "partial");
  EXPECT_FALSE(d.metadata_written);
  EXPECT_GE(d.parts, 2u);
  EXPECT_GE(d.parts_copied, 1u);
  EXPECT_LT(d.parts_copied, d.parts);
  const auto names = World::Names(w.partner());
  EXPECT_EQ(names.size(), d.parts_copied);
  for (const auto& n : names) EXPECT_EQ(n.find("metadata"), std::string::npos) << n;
  EXPECT_EQ(names[0], d.ref.part_path(0));
  auto found = drop::ListDrops(w.partner());
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());
  EXPECT_TRUE(receiver.received().empty());
}

TEST(Pipeline, FailCorruptFlipsBytesSoTheDropIsRejectedAsDataLoss) {
  World w;
  PipelineOptions o = Options(w, 1);
  o.fail = FailMode::kCorrupt;
  const PipelineResult r = MustRun(w, o);
  const DropOutcome* d = Find(r, "VivaInsights");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->outcome, "corrupt");
  EXPECT_TRUE(d->metadata_written);
  auto m = ReadMetadata(w.partner(), d->ref);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->errors, "");
  const drop::DropKeys keys = Keys(w, d->copy_activity_id);
  core::Status st = ReadAndValidate(w.partner(), d->ref, *m, keys);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
  // The blob's Content-MD5 (if any) matches the flipped bytes: only the content checks catch it.
  auto raw = w.partner().Get(d->ref.part_path(0), {});
  ASSERT_TRUE(raw.ok());
  EXPECT_TRUE(core::ReadAll(**raw).ok());
  // The user export of the same run is intact.
  const DropOutcome* users = Find(r, "AADUser");
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->outcome, "complete");
  auto um = ReadMetadata(w.partner(), users->ref);
  ASSERT_TRUE(um.ok());
  core::Status ust =
      ReadAndValidate(w.partner(), users->ref, *um, Keys(w, users->copy_activity_id));
  EXPECT_TRUE(ust.ok()) << ust.ToString();
}

TEST(Pipeline, AnOlderWeekCanBeDeliveredAfterANewerOne) {
  World w;
  const PipelineResult newer = MustRun(w, Options(w, 3));
  const PipelineResult older = MustRun(w, Options(w, 1));
  for (const PipelineResult* r : {&newer, &older}) {
    const DropOutcome* d = Find(*r, "VivaInsights");
    ASSERT_NE(d, nullptr);
    auto m = ReadMetadata(w.partner(), d->ref);
    ASSERT_TRUE(m.ok());
    core::Status st = ReadAndValidate(w.partner(), d->ref, *m, Keys(w, d->copy_activity_id));
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  auto m_old = ReadMetadata(w.partner(), Find(older, "VivaInsights")->ref);
  ASSERT_TRUE(m_old.ok());
  EXPECT_EQ(m_old->request_start, core::TimePoint(w.org().WeekStart(1)));
  auto found = drop::ListDrops(w.partner());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 4u);
}

TEST(Pipeline, NotificationIsPostedWithAValidSignature) {
  World w;
  Receiver receiver;
  auto notifier = MakeWebActivityNotifier(receiver.url(), "s3cret");
  PipelineOptions o = Options(w, 1);
  o.notifier = notifier.get();
  const PipelineResult r = MustRun(w, o);
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);  // one per completed drop
  for (size_t i = 0; i < got.size(); ++i) {
    const DropOutcome& d = r.drops[i];
    EXPECT_EQ(d.notifications, 1);
    EXPECT_EQ(got[i].path, "/v1/notifications/drops");
    EXPECT_EQ(got[i].content_type, "application/json");
    EXPECT_EQ(got[i].signature,
              "sha256=" + core::HexEncode(crypto::HmacSha256("s3cret", got[i].body)));
    EXPECT_NE(got[i].signature,
              "sha256=" + core::HexEncode(crypto::HmacSha256("other", got[i].body)));
    const auto body = nlohmann::json::parse(got[i].body);
    EXPECT_EQ(body["TenantId"], w.tenant(0));
    EXPECT_EQ(body["RunId"], d.ref.run_id);
    EXPECT_EQ(body["Container"], "partner");
    EXPECT_EQ(body["MetadataPath"], d.ref.metadata_path());
    EXPECT_EQ(body["CopyActivityId"], d.copy_activity_id);
    // The notified drop is complete when the notification arrives.
    EXPECT_TRUE(w.partner().GetProperties(d.ref.metadata_path()).ok());
  }
}

TEST(Pipeline, DuplicateNotifySendsEachNotificationTwice) {
  World w;
  Receiver receiver;
  auto notifier = MakeWebActivityNotifier(receiver.url(), "s3cret");
  PipelineOptions o = Options(w, 1);
  o.notifier = notifier.get();
  o.duplicate_notify = true;
  o.include_users = false;
  const PipelineResult r = MustRun(w, o);
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, got[1].body);
  EXPECT_EQ(got[0].signature, got[1].signature);
  EXPECT_EQ(got[0].signature,
            "sha256=" + core::HexEncode(crypto::HmacSha256("s3cret", got[0].body)));
  EXPECT_EQ(r.drops[0].notifications, 2);
}

TEST(Pipeline, RejectedNotificationIsReportedButTheDropStays) {
  World w;
  Receiver receiver(400);  // not retried
  auto notifier = MakeWebActivityNotifier(receiver.url(), "s3cret");
  PipelineOptions o = Options(w, 1);
  o.notifier = notifier.get();
  o.include_users = false;
  const PipelineResult r = MustRun(w, o);
  EXPECT_NE(r.notify_error.find("HTTP 400"), std::string::npos) << r.notify_error;
  ASSERT_EQ(r.drops.size(), 1u);
  EXPECT_TRUE(r.drops[0].metadata_written);
  EXPECT_EQ(r.drops[0].notifications, 0);
  EXPECT_TRUE(World::Names(w.staging()).empty());
}

TEST(Pipeline, QueueNotificationIsOneBase64MessagePerDrop) {
  World w;
  auto fake = std::make_shared<http::FakeTransport>();
  fake->SetHandler([](const http::Request& req) -> core::Result<http::Response> {
    http::Response r;
    r.status = 201;
    if (req.method == "POST") {
      r.body =
          "<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessagesList><QueueMessage>"
          "<MessageId>m1</MessageId><InsertionTime>Fri, 27 Nov 2026 13:00:07 GMT</InsertionTime>"
          "<ExpirationTime>Fri, 04 Dec 2026 13:00:07 GMT</ExpirationTime><PopReceipt>p1"
          "</PopReceipt><TimeNextVisible>Fri, 27 Nov 2026 13:00:07 GMT</TimeNextVisible>"
          "</QueueMessage></QueueMessagesList>";
    }
    return r;
  });
  auto notifier = MakeQueueNotifier(
      "http://127.0.0.1:10001/devstoreaccount1/drops?sv=2025-11-05&sp=ac&sig=abc", fake);
  ASSERT_TRUE(notifier.ok()) << notifier.status().ToString();
  PipelineOptions o = Options(w, 1);
  o.notifier = notifier->get();
  o.duplicate_notify = true;
  const PipelineResult r = MustRun(w, o);
  std::vector<std::string> texts;
  for (const auto& req : fake->requests()) {
    if (req.method != "POST") continue;
    EXPECT_NE(req.url.find("/devstoreaccount1/drops/messages"), std::string::npos) << req.url;
    const size_t a = req.body.find("<MessageText>"), b = req.body.find("</MessageText>");
    ASSERT_NE(a, std::string::npos) << req.body;
    auto text = core::Base64Decode(req.body.substr(a + 13, b - a - 13));
    ASSERT_TRUE(text.ok()) << req.body;
    texts.push_back(*text);
  }
  ASSERT_EQ(texts.size(), 4u);  // two drops, each twice
  EXPECT_EQ(texts[0], texts[1]);
  const auto body = nlohmann::json::parse(texts[2]);
  EXPECT_EQ(body["MetadataPath"], r.drops[1].ref.metadata_path());
  EXPECT_EQ(body["CopyActivityId"], r.drops[1].copy_activity_id);
  EXPECT_EQ(body["TenantId"], w.tenant(0));
}

TEST(Pipeline, InlineKeyWithoutARegisteredPartnerKeyFailsClearly) {
  World w;
  PipelineOptions o = Options(w, 1);
  o.inline_key = true;
  auto r = RunPipeline(w.org(), w.partner(), w.staging(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("no registered partner key"), std::string::npos)
      << r.status().message();
  EXPECT_TRUE(World::Names(w.partner()).empty());
  EXPECT_TRUE(World::Names(w.staging()).empty());
}

TEST(Pipeline, InlineKeyIsWrappedWithTheRegisteredPartnerKey) {
  World w;
  auto priv = crypto::RsaPrivateKey::Generate(2048);
  ASSERT_TRUE(priv.ok());
  Registration reg;
  reg.tenant_id = w.tenant(0);
  reg.partner_app_id = w.org().partner_client_id;
  reg.key = priv->PublicKey().ToJwk();
  reg.created = core::SystemClock::Instance().Now();
  reg.expires = reg.created + std::chrono::days{365};
  ASSERT_TRUE(SaveRegistration(w.dir(), reg).ok());
  PipelineOptions o = Options(w, 1);
  o.inline_key = true;
  const PipelineResult r = MustRun(w, o);
  const DropOutcome* d = Find(r, "VivaInsights");
  ASSERT_NE(d, nullptr);
  auto m = ReadMetadata(w.partner(), d->ref);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->inline_key.has_value());
  EXPECT_EQ(m->inline_key->type, "File");
  auto file = drop::UnwrapKey(*m->inline_key, *priv);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  drop::DropKeys saved = Keys(w, d->copy_activity_id);
  EXPECT_TRUE(file->key == saved.file.key);
  EXPECT_TRUE(file->iv == saved.file.iv);
  // The inline File key plus the Column key (from the key API) read the drop.
  drop::DropKeys keys{std::move(*file), saved.column};
  core::Status st = ReadAndValidate(w.partner(), d->ref, *m, keys);
  EXPECT_TRUE(st.ok()) << st.ToString();
  // Another key pair does not unwrap it.
  auto other = crypto::RsaPrivateKey::Generate(2048);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(drop::UnwrapKey(*m->inline_key, *other).status().code(), StatusCode::kPermissionDenied);
}

TEST(Pipeline, RunsAreRecordedAndTheirKeysSavedPrivately) {
  World w;
  const PipelineResult r = MustRun(w, Options(w, 1));
  const auto lines = testing::Lines(testutil::ReadFile(w.dir() / "runs.jsonl"));
  ASSERT_GE(lines.size(), 2u);
  for (size_t i = 0; i < r.drops.size(); ++i) {
    const auto j = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(j["copyActivityId"], r.drops[i].copy_activity_id);
    EXPECT_EQ(j["runId"], r.drops[i].ref.run_id);
    EXPECT_EQ(j["outcome"], "complete");
    EXPECT_EQ(j["week"], core::FormatDate(w.org().WeekStart(1)));
    EXPECT_FALSE(j.contains("fileKey"));
    struct stat sb {};
    const auto keys_file = w.dir() / "runs" / (r.drops[i].copy_activity_id + ".json");
    ASSERT_EQ(::stat(keys_file.c_str(), &sb), 0);
    EXPECT_EQ(sb.st_mode & 0777, 0600u);
  }
}

TEST(Pipeline, BadWeekTenantOrShapeIsInvalidArgument) {
  World w;
  PipelineOptions o = Options(w, 0);
  o.week = w.org().WeekStart(0) - std::chrono::days{1};
  EXPECT_EQ(RunPipeline(w.org(), w.partner(), w.staging(), o).status().code(),
            StatusCode::kInvalidArgument);
  o.week = w.org().WeekStart(w.org().options.weeks);
  EXPECT_EQ(RunPipeline(w.org(), w.partner(), w.staging(), o).status().code(),
            StatusCode::kInvalidArgument);
  o = Options(w, 0);
  o.tenant = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(RunPipeline(w.org(), w.partner(), w.staging(), o).status().code(),
            StatusCode::kInvalidArgument);
  o = Options(w, 0);
  o.shape = RowShape::kPersonQuery;
  EXPECT_EQ(RunPipeline(w.org(), w.partner(), w.staging(), o).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(World::Names(w.partner()).empty());
}

TEST(Pipeline, AnyDayOfAWeekSelectsThatWeek) {
  World w;
  auto a = WeekIndex(w.org(), w.org().WeekStart(2));
  auto b = WeekIndex(w.org(), w.org().WeekStart(2) + std::chrono::days{6});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, 2);
  EXPECT_EQ(*b, 2);
}

TEST(Pipeline, MetadataEarlyReachesThePartnerBeforeThePartsAndTheDropEndsComplete) {
  World w;
  PipelineOptions o = Options(w, 1);
  o.metadata_early = true;
  o.include_users = false;
  std::vector<std::pair<uint64_t, size_t>> seen;  // (parts copied, part blobs in the partner)
  bool metadata_there = true;
  o.on_early_metadata = [&](const drop::DropRef& ref, uint64_t copied, uint64_t parts) {
    metadata_there = metadata_there && w.partner().GetProperties(ref.metadata_path()).ok();
    seen.emplace_back(copied, World::Names(w.partner(), ref.prefix() + "part-").size());
    EXPECT_GE(parts, 2u);
  };
  const PipelineResult r = MustRun(w, o);
  ASSERT_EQ(r.drops.size(), 1u);
  const DropOutcome& d = r.drops[0];
  EXPECT_TRUE(metadata_there);
  ASSERT_EQ(seen.size(), d.parts + 1);  // once with no part yet, then after every part
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].first, i);
    EXPECT_EQ(seen[i].second, i);
  }
  // The copy itself finishes: every part and the metadata, readable and valid.
  EXPECT_EQ(d.outcome, "complete");
  EXPECT_EQ(d.parts_copied, d.parts);
  auto m = ReadMetadata(w.partner(), d.ref);
  ASSERT_TRUE(m.ok());
  core::Status st = ReadAndValidate(w.partner(), d.ref, *m, Keys(w, d.copy_activity_id));
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(World::Names(w.staging()).empty());
}

TEST(Pipeline, MetadataEarlyWithAPartialCopyLeavesAMetadataThatAnnouncesMissingParts) {
  World w;
  PipelineOptions o = Options(w, 1);
  o.metadata_early = true;
  o.fail = FailMode::kPartial;
  const PipelineResult r = MustRun(w, o);
  ASSERT_EQ(r.drops.size(), 1u);
  const DropOutcome& d = r.drops[0];
  EXPECT_EQ(d.outcome, "partial");
  EXPECT_TRUE(d.metadata_written);
  EXPECT_LT(d.parts_copied, d.parts);
  auto m = ReadMetadata(w.partner(), d.ref);
  ASSERT_TRUE(m.ok());
  // What vivalink's reader and validator make of it: data loss, never a partial import.
  core::Status st = ReadAndValidate(w.partner(), d.ref, *m, Keys(w, d.copy_activity_id));
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
}

TEST(Pipeline, RecordsNameTheShapeTheStoreAndTheTemplate) {
  World w;
  PipelineOptions o = Options(w, 1);
  o.shape = RowShape::kV0;
  MustRun(w, o);
  const auto lines = testing::Lines(testutil::ReadFile(w.dir() / "runs.jsonl"));
  ASSERT_GE(lines.size(), 2u);
  const auto metrics = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(metrics["kind"], "VivaInsights");
  EXPECT_EQ(metrics["shape"], "v0");
  EXPECT_EQ(metrics["store"], w.partner().Describe());
  EXPECT_EQ(metrics["template"], "mainTemplate.json (shipped)");
  EXPECT_EQ(metrics["metadataWritten"], true);
  EXPECT_EQ(metrics["inlineKey"], false);
  EXPECT_EQ(nlohmann::json::parse(lines[1])["shape"], "");
}

TEST(Pipeline, FailModesParse) {
  EXPECT_EQ(*ParseFailMode("errors"), FailMode::kErrors);
  EXPECT_EQ(*ParseFailMode("partial"), FailMode::kPartial);
  EXPECT_EQ(*ParseFailMode("corrupt"), FailMode::kCorrupt);
  EXPECT_EQ(*ParseFailMode(""), FailMode::kNone);
  EXPECT_EQ(ParseFailMode("boom").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vivalink::sim
