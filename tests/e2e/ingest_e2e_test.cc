// End to end: ingestion against the simulator, as a partner would run it.
//
// vivasim plays Microsoft: `vivasim init` makes a small synthetic customer (2 tenants, 60 people,
// 6 weeks, fixed seed), `vivasim serve` (a child process on 127.0.0.1, stopped by PID with
// SIGTERM in every path) is the Entra ID token endpoint and the key API, and `vivasim pipeline
// run` delivers weekly drops into a file:// store. vivalink is driven through the ingest library
// (RegisterKeys, RunOnce, GetStatus, Replay) with a Config built in code, a SQLite database and a
// key store in the test's temporary folder; one test drives the `vivalink` binary instead.
//
// Every check is exact: ledger states, attempts and row counts are read back from the database
// and must equal what the pipeline reported it produced.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "core/strings.h"
#include "db/database.h"
#include "drop/keys.h"
#include "ingest/commands.h"
#include "ingest/config.h"
#include "ingest/ledger.h"
#include "testutil.h"

namespace vivalink {
namespace {

namespace fs = std::filesystem;
using testutil::RunProgram;

constexpr int kPeople = 60;
constexpr int kWeeks = 6;
constexpr char kSeed[] = "11";
// Week 0 of the world; weeks are W(0) .. W(5).
constexpr char kFirstWeek[] = "2024-01-07";
std::string W(int i) {
  static const char* weeks[kWeeks] = {"2024-01-07", "2024-01-14", "2024-01-21",
                                      "2024-01-28", "2024-02-04", "2024-02-11"};
  return weeks[i];
}

// `vivasim serve` as a background child process (see child_process.h for how it is stopped).
class SimServer {
 public:
  ::testing::AssertionResult Start(const std::string& vivasim, const fs::path& world,
                                   const fs::path& log_prefix,
                                   const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {vivasim, "serve", "--dir", world.string(), "--port", "0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (auto started = child_.Start(argv, log_prefix); !started) return started;
    // The first stdout line is {"port","baseUrl","authority","tokenUrl"}.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string out = child_.stdout_text();
      if (auto nl = out.find('\n'); nl != std::string::npos) {
        auto j = nlohmann::json::parse(out.substr(0, nl), nullptr, false);
        if (!j.is_object() || !j.contains("baseUrl") || !j.contains("authority")) {
          return ::testing::AssertionFailure() << "unexpected first line of serve: " << out;
        }
        base_url_ = j["baseUrl"].get<std::string>();
        authority_ = j["authority"].get<std::string>();
        if (!base_url_.starts_with("http://127.0.0.1:")) {
          return ::testing::AssertionFailure() << "serve is not on 127.0.0.1: " << base_url_;
        }
        return ::testing::AssertionSuccess();
      }
      if (!child_.Running()) {
        return ::testing::AssertionFailure()
               << "vivasim serve exited early (code " << child_.Stop().value_or(-1)
               << "): " << child_.stderr_text();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return ::testing::AssertionFailure() << "vivasim serve printed nothing in 60 s";
  }

  // Returns the exit code (-signal when killed), or nullopt when no server was started.
  std::optional<int> Stop() {
    auto code = child_.Stop();
    child_.Forget();
    return code;
  }

  const std::string& base_url() const { return base_url_; }
  const std::string& authority() const { return authority_; }
  std::string stderr_text() const { return child_.stderr_text(); }

 private:
  testutil::ChildProcess child_;
  std::string base_url_, authority_;
};

// One line of `vivasim pipeline run`.
struct SimDrop {
  std::string drop, run_id, tenant, kind, copy_activity_id, outcome, metadata;
  int64_t rows = 0;
  int64_t parts = 0, parts_copied = 0;
};

// A ledger row as read back from the database.
struct Row {
  std::string state, error_code, last_error, metadata_created, finished_at, cleaned_at;
  int64_t attempts = 0, rows = 0;
  bool operator==(const Row&) const = default;
};

std::string Text(const db::Value& v) { return v.GetText() != nullptr ? *v.GetText() : ""; }
int64_t Int(const db::Value& v) { return v.GetInt() != nullptr ? *v.GetInt() : -1; }

class IngestE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    vivasim_ = (testutil::BuildDir() / "src/cli/vivasim").string();
    vivalink_ = (testutil::BuildDir() / "src/cli/vivalink").string();
    ASSERT_TRUE(fs::exists(vivasim_)) << vivasim_;
    world_ = dir_ / "world";
    auto r = RunProgram({vivasim_, "init", "--dir", world_.string(), "--tenants", "2", "--people",
                         std::to_string(kPeople), "--weeks", std::to_string(kWeeks), "--seed",
                         kSeed, "--first-week", kFirstWeek});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto partner = nlohmann::json::parse(testutil::ReadFile(world_ / "partner.json"));
    client_id_ = partner.at("client_id").get<std::string>();
    client_secret_ = partner.at("client_secret").get<std::string>();
    for (const auto& t : partner.at("tenants")) tenants_.push_back(t.get<std::string>());
    ASSERT_EQ(tenants_.size(), 2u);
    fs::create_directories(dir_ / "drops");
    ASSERT_NO_FATAL_FAILURE(StartServer());
  }

  void TearDown() override {
    auto code = server_.Stop();
    if (code.has_value()) {
      EXPECT_EQ(*code, 0) << "vivasim serve did not stop cleanly on SIGTERM";
    }
  }

  void StartServer(const std::vector<std::string>& extra = {}) {
    ASSERT_TRUE(server_.Start(vivasim_, world_, dir_ / fmt::format("serve-{}", ++servers_), extra));
    config_ = MakeConfig();
  }
  void RestartServer(const std::vector<std::string>& extra = {}) {
    auto code = server_.Stop();
    ASSERT_TRUE(code.has_value());
    ASSERT_EQ(*code, 0) << server_.stderr_text();
    ASSERT_NO_FATAL_FAILURE(StartServer(extra));
  }

  std::string StoreUrl() const { return "file://" + (dir_ / "drops").string(); }
  std::string DbUrl() const { return "sqlite://" + (dir_ / "vivalink.db").string(); }

  ingest::Config MakeConfig() const {
    ingest::Config c;
    c.data_dir = (dir_ / "vivalink-data").string();
    c.store_url = StoreUrl();
    c.keystore_dir = (dir_ / "keys").string();
    c.database_url = DbUrl();
    c.keys.api_base_url = server_.base_url();
    c.keys.authority = server_.authority();
    c.keys.client_id = client_id_;
    c.keys.client_secret = client_secret_.c_str();
    c.max_attempts = 2;
    c.retention_days = 0;
    return c;
  }

  ingest::CommandOptions Quiet() const {
    ingest::CommandOptions o;
    o.progress = 0;
    return o;
  }

  void RegisterAll() {
    for (const auto& t : tenants_) {
      auto reg = ingest::RegisterKeys(config_, t, /*create_if_missing=*/true, Quiet());
      ASSERT_TRUE(reg.ok()) << reg.status().ToString();
      EXPECT_EQ(reg->partner_app_id, client_id_);
    }
  }

  // `vivasim pipeline run` for one week; appends its drops to *out.
  void Pipeline(const std::string& week, const std::vector<std::string>& extra,
                std::vector<SimDrop>* out, const std::string& store = "") {
    std::vector<std::string> argv = {vivasim_,
                                     "pipeline",
                                     "run",
                                     "--dir",
                                     world_.string(),
                                     "--store",
                                     store.empty() ? StoreUrl() : store,
                                     "--week",
                                     week};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = RunProgram(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (auto line : core::Split(r.out, '\n')) {
      if (core::Trim(line).empty()) continue;
      auto j = nlohmann::json::parse(line);
      SimDrop d;
      d.drop = j.at("drop").get<std::string>();
      d.run_id = j.at("runId").get<std::string>();
      d.tenant = j.at("tenantId").get<std::string>();
      d.kind = j.at("kind").get<std::string>();
      d.copy_activity_id = j.at("copyActivityId").get<std::string>();
      d.outcome = j.at("outcome").get<std::string>();
      d.metadata = j.at("metadata").get<std::string>();
      d.rows = j.at("rows").get<int64_t>();
      d.parts = j.at("parts").get<int64_t>();
      d.parts_copied = j.at("partsCopied").get<int64_t>();
      out->push_back(std::move(d));
    }
  }

  ingest::RunSummary Run() {
    auto s = ingest::RunOnce(config_, Quiet());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : ingest::RunSummary{};
  }

  std::unique_ptr<db::Database> Db() const {
    auto db = db::Database::Open(DbUrl(), {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  int64_t Count(const std::string& sql, std::initializer_list<db::Value> params = {}) const {
    auto db = Db();
    if (!db) return -1;
    auto v = db->QueryValue(sql, params);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? Int(*v) : -1;
  }

  // The whole ledger, keyed "{run}/{kind}/{tenant}".
  std::map<std::string, Row> Ledger() const {
    std::map<std::string, Row> out;
    auto db = Db();
    if (!db) return out;
    auto q = db->Query(
        "SELECT run_id, kind, tenant_id, state, attempts, rows, error_code, last_error, "
        "metadata_created, finished_at, cleaned_at FROM drops");
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    if (!q.ok()) return out;
    for (const auto& r : q->rows) {
      Row row{Text(r[3]), Text(r[6]),  Text(r[7]), Text(r[8]),
              Text(r[9]), Text(r[10]), Int(r[4]),  Int(r[5])};
      EXPECT_TRUE(
          out.emplace(fmt::format("{}/{}/{}", Text(r[0]), Text(r[1]), Text(r[2])), row).second)
          << "two ledger rows for one drop";
    }
    return out;
  }

  std::string Watermark(const std::string& tenant) const {
    auto db = Db();
    if (!db) return "";
    auto v = db->QueryValue("SELECT watermark FROM tenants WHERE tenant_id = ?", {tenant});
    return v.ok() ? Text(*v) : "";
  }

  int64_t PersonWeeks(const std::string& tenant, const std::string& run_id = "") const {
    if (run_id.empty()) {
      return Count("SELECT COUNT(*) FROM person_week WHERE tenant_id = ?", {tenant});
    }
    return Count("SELECT COUNT(*) FROM person_week WHERE tenant_id = ? AND run_id = ?",
                 {tenant, run_id});
  }

  // Regular files left under the store (encrypted blobs).
  int StoreFiles(const std::string& under = "") const {
    int n = 0;
    fs::path root = under.empty() ? dir_ / "drops" : dir_ / "drops" / under;
    if (!fs::exists(root)) return 0;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.is_regular_file()) ++n;
    }
    return n;
  }

  ingest::TenantStatus StatusOf(const ingest::StatusReport& report, const std::string& tenant) {
    for (const auto& t : report.tenants) {
      if (t.tenant_id == tenant) return t;
    }
    ADD_FAILURE() << "no status for tenant " << tenant;
    return {};
  }

  testutil::TempDir dir_;
  fs::path world_;
  std::string vivasim_, vivalink_, client_id_, client_secret_;
  std::vector<std::string> tenants_;
  SimServer server_;
  int servers_ = 0;
  ingest::Config config_;
};

// Scenario 1: four weeks of both tenants are imported completely, and exactly once.
TEST_F(IngestE2E, FourWeeksOfTwoTenantsAreImportedExactlyOnce) {
  ASSERT_NO_FATAL_FAILURE(RegisterAll());
  std::vector<SimDrop> sim;
  for (int w = 0; w < 4; ++w) ASSERT_NO_FATAL_FAILURE(Pipeline(W(w), {}, &sim));
  ASSERT_EQ(sim.size(), 16u);  // 4 weeks x 2 tenants x (VivaInsights + AADUser)
  int64_t total_rows = 0;
  std::map<std::string, int64_t> vi_rows, all_rows;  // by tenant
  for (const auto& d : sim) {
    ASSERT_EQ(d.outcome, "complete") << d.drop;
    ASSERT_GT(d.rows, 0) << d.drop;
    total_rows += d.rows;
    all_rows[d.tenant] += d.rows;
    if (d.kind == "VivaInsights") vi_rows[d.tenant] += d.rows;
  }
  ASSERT_EQ(vi_rows.size(), 2u);

  // Keep the blobs for a day so that the second pass lists every drop again.
  config_.retention_days = 1;
  ingest::RunSummary first = Run();
  EXPECT_EQ(first.listed, 16);
  EXPECT_EQ(first.registered, 16);
  EXPECT_EQ(first.processed, 16);
  EXPECT_EQ(first.done, 16);
  EXPECT_EQ(first.failed + first.quarantined + first.failed_upstream + first.cancelled, 0)
      << first.ToText();
  EXPECT_EQ(first.rows, total_rows);
  EXPECT_EQ(first.cleaned, 0);

  auto ledger = Ledger();
  ASSERT_EQ(ledger.size(), 16u);
  for (const auto& d : sim) {
    ASSERT_TRUE(ledger.contains(d.drop)) << d.drop;
    const Row& row = ledger[d.drop];
    EXPECT_EQ(row.state, "done") << d.drop << ": " << row.last_error;
    EXPECT_EQ(row.attempts, 1) << d.drop;
    EXPECT_EQ(row.rows, d.rows) << d.drop;
    EXPECT_EQ(row.cleaned_at, "") << d.drop;
    if (d.kind == "VivaInsights") {
      // Every row of the drop is one person-week, stored under its run.
      EXPECT_EQ(PersonWeeks(d.tenant, d.run_id), d.rows) << d.drop;
    }
  }
  for (const auto& [tenant, rows] : vi_rows) {
    EXPECT_EQ(PersonWeeks(tenant), rows) << tenant;
    // Metrics only for stored person-weeks, and some for each.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week_metric m WHERE tenant_id = ? AND NOT EXISTS "
                    "(SELECT 1 FROM person_week p WHERE p.tenant_id = m.tenant_id AND "
                    "p.person_key = m.person_key AND p.metric_date = m.metric_date)",
                    {tenant}),
              0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week p WHERE tenant_id = ? AND NOT EXISTS "
                    "(SELECT 1 FROM person_week_metric m WHERE p.tenant_id = m.tenant_id AND "
                    "p.person_key = m.person_key AND p.metric_date = m.metric_date)",
                    {tenant}),
              0);
    // The user export identifies every person that has metrics (object ids).
    EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week p WHERE tenant_id = ? AND NOT EXISTS "
                    "(SELECT 1 FROM person_identity i WHERE i.tenant_id = p.tenant_id AND "
                    "i.kind = 'object_id' AND i.person_key = p.person_key)",
                    {tenant}),
              0);
    // 4 distinct weeks.
    EXPECT_EQ(
        Count("SELECT COUNT(DISTINCT metric_date) FROM person_week WHERE tenant_id = ?", {tenant}),
        4);
  }

  auto status = ingest::GetStatus(config_, Quiet());
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  ASSERT_EQ(status->tenants.size(), 2u);
  EXPECT_TRUE(status->problems.empty());
  for (const auto& t : tenants_) {
    ingest::TenantStatus s = StatusOf(*status, t);
    EXPECT_EQ(s.done, 8);
    EXPECT_EQ(s.pending + s.processing + s.failed + s.failed_upstream + s.quarantined, 0);
    EXPECT_EQ(s.rows, all_rows[t]);
    // Watermark = the newest drop of the tenant.
    std::string newest;
    for (const auto& [name, row] : ledger) {
      if (name.ends_with(t) && row.metadata_created > newest) newest = row.metadata_created;
    }
    ASSERT_FALSE(newest.empty());
    EXPECT_EQ(Watermark(t), newest);
    EXPECT_FALSE(s.watermark.empty());
    EXPECT_EQ(s.last_error, "");
  }

  // Second pass: everything is listed again and nothing happens.
  const int64_t metrics_before = Count("SELECT COUNT(*) FROM person_week_metric");
  const int64_t identities_before = Count("SELECT COUNT(*) FROM person_identity");
  ingest::RunSummary second = Run();
  EXPECT_EQ(second.listed, 16);
  EXPECT_EQ(second.registered, 0);
  EXPECT_EQ(second.processed, 0);
  EXPECT_EQ(second.rows, 0);
  EXPECT_EQ(second.cleaned, 0);
  EXPECT_EQ(Ledger(), ledger);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week"), vi_rows[tenants_[0]] + vi_rows[tenants_[1]]);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_week_metric"), metrics_before);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM person_identity"), identities_before);

  // Retention 0: the next pass deletes the blobs of every done drop and nothing else changes.
  const int files_before = StoreFiles();
  EXPECT_GT(files_before, 32);  // at least a metadata.json and one part per drop
  config_.retention_days = 0;
  ingest::RunSummary third = Run();
  EXPECT_EQ(third.listed, 16);
  EXPECT_EQ(third.registered, 0);
  EXPECT_EQ(third.processed, 0);
  EXPECT_EQ(third.cleaned, 16);
  EXPECT_EQ(StoreFiles(), 0);
  auto after = Ledger();
  ASSERT_EQ(after.size(), 16u);
  for (auto& [name, row] : after) {
    EXPECT_NE(row.cleaned_at, "") << name;
    row.cleaned_at.clear();
    EXPECT_EQ(row, ledger[name]) << name;
  }
  ingest::RunSummary fourth = Run();
  EXPECT_EQ(fourth.listed, 0);
  EXPECT_EQ(fourth.processed, 0);
  EXPECT_EQ(fourth.cleaned, 0);

  status = ingest::GetStatus(config_, Quiet());
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  std::cout << "---- vivalink status after scenario 1 (4 weeks, 2 tenants) ----\n"
            << status->ToText() << std::flush;
}

// Scenario 2: every injected failure ends in its exact ledger state.
//   T0: W0 --fail errors   -> failed_upstream, never retried
//       W1 --fail partial  -> no metadata.json: never discovered; re-delivering W1 imports it
//       W2 --fail corrupt  -> failed, retried once, quarantined (max_attempts 2); the watermark
//                             moves on past it; its AADUser drop is done
//   T1: W3 --inline-key    -> done
//       W5, then W1 "late": a copy of W1 made before W5's run but appearing in the store only
//                           after W5 was imported (created < watermark, inside the lookback)
//                           -> imported
TEST_F(IngestE2E, InjectedFailuresEndInTheirExactLedgerStates) {
  ASSERT_NO_FATAL_FAILURE(RegisterAll());
  const std::string t0 = tenants_[0], t1 = tenants_[1];
  std::vector<SimDrop> late, errors, partial, corrupt, inline_key, newer;
  // The late copy is made first, into a side store; it is moved into the real one later.
  const fs::path side = dir_ / "side";
  ASSERT_NO_FATAL_FAILURE(Pipeline(W(1), {"--tenant", t1}, &late, "file://" + side.string()));
  ASSERT_NO_FATAL_FAILURE(Pipeline(W(0), {"--tenant", t0, "--fail", "errors"}, &errors));
  ASSERT_NO_FATAL_FAILURE(Pipeline(W(1), {"--tenant", t0, "--fail", "partial"}, &partial));
  ASSERT_NO_FATAL_FAILURE(Pipeline(W(2), {"--tenant", t0, "--fail", "corrupt"}, &corrupt));
  ASSERT_NO_FATAL_FAILURE(Pipeline(W(3), {"--tenant", t1, "--inline-key"}, &inline_key));
  ASSERT_NO_FATAL_FAILURE(Pipeline(W(5), {"--tenant", t1}, &newer));

  ASSERT_EQ(errors.size(), 1u);  // no AADUser drop follows
  EXPECT_EQ(errors[0].outcome, "errors");
  EXPECT_EQ(errors[0].kind, "VivaInsights");
  ASSERT_EQ(partial.size(), 1u);
  EXPECT_EQ(partial[0].outcome, "partial");
  EXPECT_EQ(partial[0].metadata, "");
  EXPECT_GT(partial[0].parts_copied, 0);
  EXPECT_LT(partial[0].parts_copied, partial[0].parts);
  ASSERT_EQ(corrupt.size(), 2u);
  EXPECT_EQ(corrupt[0].outcome, "corrupt");
  EXPECT_EQ(corrupt[0].kind, "VivaInsights");
  EXPECT_EQ(corrupt[1].outcome, "complete");
  EXPECT_EQ(corrupt[1].kind, "AADUser");
  for (const auto* v : {&late, &inline_key, &newer}) {
    ASSERT_EQ(v->size(), 2u);
    for (const auto& d : *v) EXPECT_EQ(d.outcome, "complete") << d.drop;
  }
  const std::string& corrupt_vi = corrupt[0].drop;

  // Pass 1.
  ingest::RunSummary p1 = Run();
  EXPECT_EQ(p1.listed, 7) << p1.ToText();  // errors 1 + corrupt 2 + inline 2 + newer 2
  EXPECT_EQ(p1.registered, 7);
  EXPECT_EQ(p1.processed, 7);
  EXPECT_EQ(p1.done, 5);
  EXPECT_EQ(p1.failed, 1);
  EXPECT_EQ(p1.failed_upstream, 1);
  EXPECT_EQ(p1.quarantined, 0);
  auto l1 = Ledger();
  ASSERT_EQ(l1.size(), 7u);
  EXPECT_EQ(l1[errors[0].drop].state, "failed_upstream");
  EXPECT_EQ(l1[errors[0].drop].error_code, "FailedUpstream");
  EXPECT_EQ(l1[errors[0].drop].attempts, 1);
  EXPECT_EQ(l1[errors[0].drop].rows, 0);
  EXPECT_EQ(l1[corrupt_vi].state, "failed");
  EXPECT_EQ(l1[corrupt_vi].attempts, 1);
  EXPECT_NE(l1[corrupt_vi].last_error, "");
  EXPECT_EQ(l1[corrupt[1].drop].state, "done");
  for (const auto* v : {&inline_key, &newer}) {
    for (const auto& d : *v) {
      EXPECT_EQ(l1[d.drop].state, "done") << d.drop << ": " << l1[d.drop].last_error;
      EXPECT_EQ(l1[d.drop].rows, d.rows) << d.drop;
    }
  }
  for (const auto& [name, row] : l1) {
    EXPECT_FALSE(name.starts_with(partial[0].run_id)) << "a partial copy was discovered";
  }
  EXPECT_EQ(PersonWeeks(t0), 0);  // the corrupt drop left nothing behind
  EXPECT_EQ(PersonWeeks(t1), inline_key[0].rows + newer[0].rows);
  // T0's watermark stays behind the failed drop: at the failed_upstream one.
  EXPECT_EQ(Watermark(t0), l1[errors[0].drop].metadata_created);
  const std::string t1_watermark = Watermark(t1);
  EXPECT_EQ(t1_watermark, l1[newer[1].drop].metadata_created);

  // The late copy of W1 for T1 shows up now (moved in as a whole: its creation times are those
  // of its copy, before T1's watermark).
  ASSERT_EQ(late[0].run_id, late[1].run_id);
  fs::rename(side / late[0].run_id, dir_ / "drops" / late[0].run_id);

  // Pass 2: the corrupt drop fails again and is quarantined; failed_upstream is not retried; the
  // late copy is imported.
  ingest::RunSummary p2 = Run();
  EXPECT_EQ(p2.listed, 4) << p2.ToText();  // errors, corrupt VI (blobs kept), late 2
  EXPECT_EQ(p2.registered, 2);
  EXPECT_EQ(p2.processed, 3);
  EXPECT_EQ(p2.done, 2);
  EXPECT_EQ(p2.failed, 0);
  EXPECT_EQ(p2.quarantined, 1);
  EXPECT_EQ(p2.failed_upstream, 0);
  auto l2 = Ledger();
  ASSERT_EQ(l2.size(), 9u);
  EXPECT_EQ(l2[corrupt_vi].state, "quarantined");
  EXPECT_EQ(l2[corrupt_vi].attempts, 2);
  EXPECT_EQ(l2[errors[0].drop], l1[errors[0].drop]);
  for (const auto& d : late) {
    EXPECT_EQ(l2[d.drop].state, "done") << d.drop << ": " << l2[d.drop].last_error;
    EXPECT_EQ(l2[d.drop].rows, d.rows);
    EXPECT_LT(l2[d.drop].metadata_created, t1_watermark) << "the late copy is not older";
  }
  EXPECT_EQ(PersonWeeks(t1, late[0].run_id), late[0].rows);
  EXPECT_EQ(PersonWeeks(t1), inline_key[0].rows + newer[0].rows + late[0].rows);
  // The watermark moved on past the quarantined drop (to T0's newest, its AADUser drop) and
  // T1's never moves backwards.
  EXPECT_EQ(Watermark(t0), l2[corrupt[1].drop].metadata_created);
  EXPECT_EQ(Watermark(t1), t1_watermark);
  EXPECT_EQ(PersonWeeks(t0), 0);

  // Nothing of the partial copy was lost: the re-delivered week is imported in full.
  std::vector<SimDrop> redo;
  ASSERT_NO_FATAL_FAILURE(Pipeline(W(1), {"--tenant", t0}, &redo));
  ASSERT_EQ(redo.size(), 2u);
  ingest::RunSummary p3 = Run();
  EXPECT_EQ(p3.listed, 4) << p3.ToText();  // errors, quarantined corrupt, redo 2
  EXPECT_EQ(p3.registered, 2);
  EXPECT_EQ(p3.processed, 2);
  EXPECT_EQ(p3.done, 2);
  EXPECT_FALSE(p3.any_failed());
  auto l3 = Ledger();
  ASSERT_EQ(l3.size(), 11u);
  for (const auto& d : redo) {
    EXPECT_EQ(l3[d.drop].state, "done") << d.drop;
    EXPECT_EQ(l3[d.drop].rows, d.rows) << d.drop;
  }
  EXPECT_EQ(PersonWeeks(t0), redo[0].rows);
  // The partial copy's parts are still where the pipeline left them, untouched.
  EXPECT_EQ(StoreFiles(partial[0].run_id), partial[0].parts_copied);

  // Pass 4: nothing left to do; failed_upstream and quarantined stay as they are.
  ingest::RunSummary p4 = Run();
  EXPECT_EQ(p4.registered, 0);
  EXPECT_EQ(p4.processed, 0);
  EXPECT_EQ(Ledger(), l3);

  auto status = ingest::GetStatus(config_, Quiet());
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  ingest::TenantStatus s0 = StatusOf(*status, t0), s1 = StatusOf(*status, t1);
  EXPECT_EQ(s0.done, 3);  // corrupt's AADUser + redo 2
  EXPECT_EQ(s0.failed_upstream, 1);
  EXPECT_EQ(s0.quarantined, 1);
  EXPECT_EQ(s0.pending + s0.processing + s0.failed, 0);
  EXPECT_EQ(s0.rows, corrupt[1].rows + redo[0].rows + redo[1].rows);
  EXPECT_EQ(s1.done, 6);
  EXPECT_EQ(s1.pending + s1.processing + s1.failed + s1.failed_upstream + s1.quarantined, 0);
  ASSERT_EQ(status->problems.size(), 1u);
  EXPECT_EQ(status->problems[0].key.ref().ToString(), corrupt_vi);
  EXPECT_EQ(status->problems[0].state, ingest::DropState::kQuarantined);
  std::cout << "---- vivalink status after scenario 2 (injected failures) ----\n"
            << status->ToText() << std::flush;
}

// Scenario 3: a key API outage (every call answers 503: `vivasim serve --fail-every 1`) is a
// transient failure (issue 10 item 7): the week's drops fail, back off per drop (next_attempt_at)
// and are never quarantined however long it lasts, and the watermark stays behind them. Once the
// API is back, `Replay(run_id)` retries them at once (no need to wait for the backoff) and the
// next pass imports them: the wrapped keys are still served for that CopyActivityId, so nothing
// needs re-delivering.
TEST_F(IngestE2E, KeyApiOutageBacksOffWithoutQuarantineThenReplayImports) {
  ASSERT_NO_FATAL_FAILURE(RegisterAll());
  const std::string t0 = tenants_[0];
  std::vector<SimDrop> sim;
  ASSERT_NO_FATAL_FAILURE(Pipeline(W(2), {"--tenant", t0}, &sim));
  ASSERT_EQ(sim.size(), 2u);
  const std::string run_id = sim[0].run_id;

  ASSERT_NO_FATAL_FAILURE(RestartServer({"--fail-every", "1"}));
  ingest::RunSummary p1 = Run();
  EXPECT_EQ(p1.processed, 2);
  EXPECT_EQ(p1.failed, 2) << p1.ToText();
  // Backing off: the next passes leave them alone; nothing is quarantined.
  ingest::RunSummary p2 = Run();
  EXPECT_EQ(p2.processed, 0) << p2.ToText();
  EXPECT_EQ(p2.quarantined, 0);
  auto l = Ledger();
  ASSERT_EQ(l.size(), 2u);
  for (const auto& d : sim) {
    EXPECT_EQ(l[d.drop].state, "failed") << d.drop;
    EXPECT_EQ(l[d.drop].attempts, 1);
    EXPECT_EQ(l[d.drop].error_code, "Unavailable") << l[d.drop].last_error;
  }
  EXPECT_EQ(PersonWeeks(t0), 0);
  // The watermark did not move past the failed drops.
  EXPECT_EQ(Watermark(t0), "");
  ingest::RunSummary p3 = Run();
  EXPECT_EQ(p3.processed, 0);

  // The API is back; replay the run.
  ASSERT_NO_FATAL_FAILURE(RestartServer());
  auto n = ingest::Replay(config_, run_id);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  for (const auto& [name, row] : Ledger()) {
    EXPECT_EQ(row.state, "pending") << name;
    EXPECT_EQ(row.attempts, 0) << name;
  }
  ingest::RunSummary p4 = Run();
  EXPECT_EQ(p4.processed, 2);
  EXPECT_EQ(p4.done, 2) << p4.ToText();
  l = Ledger();
  for (const auto& d : sim) {
    EXPECT_EQ(l[d.drop].state, "done") << d.drop << ": " << l[d.drop].last_error;
    EXPECT_EQ(l[d.drop].attempts, 1);
    EXPECT_EQ(l[d.drop].rows, d.rows);
  }
  EXPECT_EQ(PersonWeeks(t0, run_id), sim[0].rows);
  EXPECT_EQ(StoreFiles(), 0);
  // Nothing left to replay.
  auto again = ingest::Replay(config_, run_id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), core::StatusCode::kNotFound);
}

// Scenario 3b: the other everyday fixable cause: the partner forgot `vivalink keys register`
// for a tenant (the key API answers 403 for a tenant without a registration). Registering later
// fixes it: the sim wraps the keys with the registered key at request time.
TEST_F(IngestE2E, UnregisteredTenantQuarantinesThenRegisterAndReplayImports) {
  const std::string t1 = tenants_[1];
  std::vector<SimDrop> sim;
  ASSERT_NO_FATAL_FAILURE(Pipeline(W(4), {"--tenant", t1, "--no-users"}, &sim));
  ASSERT_EQ(sim.size(), 1u);
  // The key pair exists locally but was never registered.
  ASSERT_TRUE(drop::KeyStore(config_.keystore_dir).Create(t1).ok());
  EXPECT_EQ(Run().failed, 1);
  EXPECT_EQ(Run().quarantined, 1);
  auto l = Ledger();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[sim[0].drop].state, "quarantined");
  EXPECT_EQ(l[sim[0].drop].error_code, "PermissionDenied") << l[sim[0].drop].last_error;

  auto reg = ingest::RegisterKeys(config_, t1, /*create_if_missing=*/false, Quiet());
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  auto n = ingest::Replay(config_, sim[0].run_id);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  ingest::RunSummary p = Run();
  EXPECT_EQ(p.done, 1) << p.ToText();
  EXPECT_EQ(Ledger()[sim[0].drop].state, "done");
  EXPECT_EQ(PersonWeeks(t1), sim[0].rows);
}

// The same through the `vivalink` binary: keys register, run, status --json, replay.
TEST_F(IngestE2E, VivalinkCommandLine) {
  ASSERT_TRUE(fs::exists(vivalink_)) << vivalink_;
  const fs::path config_file = dir_ / "vivalink.toml";
  testutil::WriteFile(
      config_file,
      fmt::format("data_dir = \"{}\"\n[storage]\nurl = \"{}\"\n[keys]\nkeystore = \"{}\"\n"
                  "api_base_url = \"{}\"\nauthority = \"{}\"\nclient_id = \"{}\"\n"
                  "[database]\nurl = \"{}\"\n[ingest]\nmax_attempts = 2\n",
                  (dir_ / "vivalink-data").string(), StoreUrl(), (dir_ / "keys").string(),
                  server_.base_url(), server_.authority(), client_id_, DbUrl()));
  const std::vector<std::string> env = {"VIVALINK_CLIENT_SECRET=" + client_secret_};
  auto vivalink = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {vivalink_, "--config", config_file.string()});
    return RunProgram(args, env);
  };
  for (const auto& t : tenants_) {
    auto r = vivalink({"keys", "register", "--tenant", t, "--create"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::vector<SimDrop> good, failed;
  ASSERT_NO_FATAL_FAILURE(Pipeline(W(0), {}, &good));
  ASSERT_NO_FATAL_FAILURE(Pipeline(W(1), {"--tenant", tenants_[0], "--fail", "errors"}, &failed));
  ASSERT_EQ(good.size(), 4u);
  ASSERT_EQ(failed.size(), 1u);

  auto run = vivalink({"run"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;  // failed upstream is not our failure
  EXPECT_NE(run.out.find("listed 5, new 5, processed 5: 4 done, 0 failed, 0 quarantined, 1 "
                         "failed upstream"),
            std::string::npos)
      << run.out;
  for (const auto& d : good) {
    EXPECT_NE(run.out.find(fmt::format("done             {}  {} rows", d.drop, d.rows)),
              std::string::npos)
        << d.drop << "\n"
        << run.out;
  }
  auto rerun = vivalink({"run"});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.out.find("listed 1, new 0, processed 0:"), std::string::npos) << rerun.out;

  auto status = vivalink({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto j = nlohmann::json::parse(status.out);
  ASSERT_EQ(j.at("tenants").size(), 2u);
  for (const auto& t : j["tenants"]) {
    const bool first = t.at("tenantId") == tenants_[0];
    EXPECT_EQ(t.at("done").get<int>(), 2);
    EXPECT_EQ(t.at("failedUpstream").get<int>(), first ? 1 : 0);
    EXPECT_EQ(t.at("quarantined").get<int>(), 0);
    EXPECT_EQ(t.at("failed").get<int>(), 0);
    EXPECT_EQ(t.at("pending").get<int>(), 0);
    int64_t rows = 0;
    for (const auto& d : good) {
      if (d.tenant == t.at("tenantId")) rows += d.rows;
    }
    EXPECT_EQ(t.at("rows").get<int64_t>(), rows);
  }
  // A run failed upstream has nothing to replay.
  auto replay = vivalink({"replay", "--run", failed[0].run_id});
  EXPECT_EQ(replay.exit_code, 1) << replay.out;
  EXPECT_NE(replay.err.find("no quarantined or failed drop"), std::string::npos) << replay.err;
  // Secrets never show.
  for (const auto* r : {&run, &rerun, &status, &replay}) {
    EXPECT_EQ(r->out.find(client_secret_), std::string::npos);
    EXPECT_EQ(r->err.find(client_secret_), std::string::npos);
  }
}

}  // namespace
}  // namespace vivalink
