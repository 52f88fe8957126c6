// Faults of issue 10 that need a real component to misbehave, each with real processes:
//   - Azurite (blob and queue) stopped and restarted while a pass or `vivalink serve` works on it;
//   - the disk filling up while SQLite writes the database, and while LocalStore writes a blob;
//   - `vivalink serve` itself SIGKILLed at random moments while drops arrive, then restarted.
// After each: every drop imported exactly once with all its rows, nothing partial, no claim left.
//
// A drop that failed transiently waits for its backoff (15-45 s for the first failure). Where a
// test must not wait that long it sets next_attempt_at to NULL, which is what the ledger sees
// once the backoff has elapsed (ElapseBackoffs): the stand-in for a clock moved forward.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <set>
#include <thread>

#include "azure/blob_client.h"
#include "azure/credentials.h"
#include "azure/open_store.h"
#include "azure/queue_client.h"
#include "azurite.h"
#include "db/database.h"
#include "ingest_fixture.h"
#include "store/local_store.h"

namespace vivalink::ingest {
namespace {

namespace fs = std::filesystem;
namespace azurite_testing = ::vivalink::testing;
using testing::Count;
using testing::MetricRows;
using testing::World;

constexpr int kPeople = 12;

// A child process whose output goes to files; killed (SIGKILL) if still running at destruction.
class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // Starts argv[0] with argv; stdout and stderr to log (appended).
  bool Start(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const std::string log_path = log.string();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      int in = ::open("/dev/null", O_RDONLY);
      if (fd < 0 || in < 0) ::_exit(126);
      ::dup2(in, 0);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    pid_ = pid;
    return true;
  }
  // Sends sig and reaps; returns the exit code, or -signal.
  int Signal(int sig) {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, sig);
    return Wait();
  }
  int Wait() {
    if (pid_ <= 0) return exit_code_;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return exit_code_;
  }
  bool Running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      return false;
    }
    return true;
  }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

std::string Driver() { return (testutil::BuildDir() / "tests/ingest/ingest_driver").string(); }
std::string Vivalink() { return testutil::ProgramPath("vivalink"); }

std::vector<std::string> DriverArgv(const World& world, const std::string& store_url,
                                    const std::string& db_url) {
  return {Driver(), store_url, world.keystore(), world.keys_dir(), db_url, "1000"};
}

std::string RunId(int i) { return fmt::format("{:08x}-3333-4333-8333-333333333333", i + 1); }

// Writes <world root>/serve.toml: `vivalink serve` on the world's key store and `db_url`, its
// HTTP listeners off, polling `store_url` every `poll_seconds`; `push_extra` adds lines to [push].
fs::path WriteServeConfig(const World& world, const std::string& store_url,
                          const std::string& db_url, int poll_seconds,
                          const std::string& push_extra = "") {
  const fs::path config = world.root() / "serve.toml";
  testutil::WriteFile(
      config, fmt::format(R"(data_dir = "{data}"
[storage]
url = "{store}"
[keys]
keystore = "{keystore}"
keys_dir = "{keys_dir}"
api_base_url = ""
[database]
url = "{db}"
[ingest]
poll_interval_seconds = {poll}
max_attempts = 1000
[push]
listen = ""
admin_listen = ""
{push_extra})",
                          fmt::arg("data", world.root().string()), fmt::arg("store", store_url),
                          fmt::arg("keystore", world.keystore()),
                          fmt::arg("keys_dir", world.keys_dir()), fmt::arg("db", db_url),
                          fmt::arg("poll", poll_seconds), fmt::arg("push_extra", push_extra)));
  return config;
}

// Week i of the test drops: 7-day steps from 2020-01-05.
std::string Week(int i) {
  return core::FormatDate(std::chrono::sys_days(std::chrono::year(2020) / 1 / 5) +
                          std::chrono::days(7 * i));
}

// What the ledger sees once every backoff has elapsed (see the file comment).
void ElapseBackoffs(const std::string& db_url) {
  auto db = db::Database::Open(db_url, {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(
      (*db)->Execute("UPDATE drops SET next_attempt_at = NULL WHERE state = 'failed'").ok());
}

// Every one of n drops (people rows each) is done once with all its rows; no claim is left.
void ExpectEachDropOnce(const std::string& db_url, int n, int people) {
  auto opened = db::Database::Open(db_url, {});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  db::Database& db = **opened;
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM drops"), n);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM drops WHERE state = 'done'"), n);
  EXPECT_EQ(Count(db, fmt::format("SELECT COUNT(*) FROM drops WHERE rows = {}", people)), n);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM drops WHERE claim_owner IS NOT NULL"), 0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM person_week"), n * people);
  EXPECT_EQ(Count(db, fmt::format("SELECT COUNT(*) FROM (SELECT run_id FROM person_week GROUP BY "
                                  "run_id HAVING COUNT(*) <> {}) AS partial",
                                  people)),
            0);
  EXPECT_EQ(Count(db, "SELECT COUNT(DISTINCT run_id) FROM person_week"), n);
}

// Drops done so far; 0 while the database has no tables yet (a child has not migrated it).
int64_t DoneSoFar(const std::string& db_url) {
  auto db = db::Database::Open(db_url, {});
  if (!db.ok()) return 0;
  auto v = (*db)->QueryValue("SELECT COUNT(*) FROM drops WHERE state = 'done'");
  return v.ok() && v->GetInt() != nullptr ? *v->GetInt() : 0;
}

int64_t CountIn(const std::string& db_url, const std::string& sql) {
  auto db = db::Database::Open(db_url, {});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? Count(**db, sql) : -1;
}

// --- Azurite stopped and restarted ----------------------------------------------------------

std::shared_ptr<const azure::SharedKeyCredential> DevKey() {
  return *azure::SharedKeyCredential::Make(std::string(azure::kDevStoreAccount),
                                           azure::kDevStoreKey);
}

// Copies the blobs of the local store that were not copied yet into to, each drop's
// metadata.json last (as the pipeline writes it).
void CopyNewBlobs(store::BlobStore& from, store::BlobStore& to, std::set<std::string>& copied) {
  auto all = store::ListAll(from, "");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> data, metadata;
  for (const auto& b : *all) {
    if (copied.count(b.name) > 0) continue;
    (b.name.ends_with("metadata.json") ? metadata : data).push_back(b.name);
  }
  for (const auto* names : {&data, &metadata}) {
    for (const auto& name : *names) {
      auto bytes = store::GetAll(from, name);
      ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
      auto put = store::PutString(to, name, *bytes);
      ASSERT_TRUE(put.ok()) << put.status().ToString();
      copied.insert(name);
    }
  }
}

class AzuriteRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    ::testing::Test::SetUp();
    azurite_testing::AzuriteOptions options;
    options.persist_on_disk = true;
    auto started = azurite_testing::Azurite::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    azurite_ = std::move(started).value();
    // The children (ingest_driver, vivalink serve) authorise with the connection string.
    ::setenv("AZURE_STORAGE_CONNECTION_STRING", azurite_->ConnectionString().c_str(), 1);
    container_url_ = azurite_->ContainerUrl("drops");
    auto client = azure::AzureBlobClient::Make(container_url_, DevKey());
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE((*client)->CreateContainerIfNotExists().ok());
    auto store = azure::OpenBlobStore(container_url_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    remote_ = std::move(store).value();
  }
  void TearDown() override { ::unsetenv("AZURE_STORAGE_CONNECTION_STRING"); }

  void WriteDrops(int first, int count) {
    for (int i = first; i < first + count; ++i) {
      world_.Write({.run_id = RunId(i), .rows = MetricRows(kPeople, Week(i)), .part_rows = 4});
    }
    CopyNewBlobs(world_.store(), *remote_, copied_);
  }

  World world_;
  std::unique_ptr<azurite_testing::Azurite> azurite_;
  std::string container_url_;
  std::unique_ptr<store::BlobStore> remote_;
  std::set<std::string> copied_;
};

TEST_F(AzuriteRestart, PassesAcrossAnAzuriteRestartImportEachDropOnce) {
  const std::string db_url = world_.sqlite_url();
  // Azurite goes down at a different moment of each pass: while listing, while the first drops
  // download, later in the pass.
  const int delays_ms[] = {0, 150, 400};
  const int kPerCycle = 3;
  int cycle = 0;
  std::vector<int> exits;
  for (int delay : delays_ms) {
    WriteDrops(cycle * kPerCycle, kPerCycle);
    Child pass;
    ASSERT_TRUE(pass.Start(DriverArgv(world_, container_url_, db_url),
                           world_.root() / fmt::format("pass-{}.log", cycle)));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    core::Status restarted = azurite_->Restart(std::chrono::milliseconds(700));
    ASSERT_TRUE(restarted.ok()) << restarted.ToString();
    exits.push_back(pass.Wait());
    ++cycle;
  }
  const int n = cycle * kPerCycle;
  const int64_t failed = CountIn(db_url, "SELECT COUNT(*) FROM drops WHERE state = 'failed'");
  const int64_t transient =
      CountIn(db_url, "SELECT COALESCE(SUM(transient_failures), 0) FROM drops");
  // Undisturbed passes (after the backoffs) finish the rest.
  int settling = 0;
  for (; settling < 4; ++settling) {
    if (CountIn(db_url, "SELECT COUNT(*) FROM drops WHERE state = 'done'") == n) break;
    ElapseBackoffs(db_url);
    auto r = testutil::RunProgram(DriverArgv(world_, container_url_, db_url));
    EXPECT_NE(r.exit_code, 2) << r.err;
  }
  std::printf(
      "exit codes of the disturbed passes: %d %d %d; drops failed (retryable) after them: "
      "%lld, transient failures recorded: %lld; settling passes: %d\n",
      exits[0], exits[1], exits[2], static_cast<long long>(failed),
      static_cast<long long>(transient), settling);
  for (int e : exits) EXPECT_TRUE(e == 0 || e == 1 || e == 2) << e;  // never a crash
  ExpectEachDropOnce(db_url, n, kPeople);
  // Not one permanent failure: a storage outage is transient, it never counts toward quarantine.
  EXPECT_EQ(CountIn(db_url, "SELECT COALESCE(SUM(permanent_failures), 0) FROM drops"), 0);
  auto left = store::ListAll(*remote_, "");
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  EXPECT_TRUE(left->empty()) << left->size() << " blobs left in Azurite";
}

TEST_F(AzuriteRestart, ServeConsumingTheQueueAcrossAnAzuriteRestartImportsEachDropOnce) {
  const std::string db_url = world_.sqlite_url();
  const std::string queue_url = azurite_->QueueUrl("notify");
  auto queue = azure::QueueClient::Make(queue_url, DevKey());
  ASSERT_TRUE(queue.ok());
  ASSERT_TRUE((*queue)->Create().ok());
  const fs::path config = WriteServeConfig(world_, container_url_, db_url, 3600,
                                           fmt::format("queue_url = \"{}\"\n"
                                                       "queue_visibility_seconds = 2\n"
                                                       "max_dequeue_count = 1000\n",
                                                       queue_url));
  Child serve;
  ASSERT_TRUE(
      serve.Start({Vivalink(), "--config", config.string(), "serve"}, world_.root() / "serve.log"));
  // The first poll (at start) finds an empty container; from now on only the queue brings drops.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const int n = 6;
  WriteDrops(0, n);
  for (int i = 0; i < n; ++i) {
    const std::string body = fmt::format(
        R"({{"TenantId":"{t}","RunId":"{r}","Container":"drops","MetadataPath":"{r}/VivaInsights/{t}/metadata/JobMetadata/metadata.json"}})",
        fmt::arg("t", testing::kTenantA), fmt::arg("r", RunId(i)));
    ASSERT_TRUE((*queue)->Send(body).ok());
  }
  // Azurite goes away while serve is taking the messages and reading the drops.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int64_t done_before = CountIn(db_url, "SELECT COUNT(*) FROM drops WHERE state = 'done'");
  core::Status restarted = azurite_->Restart(std::chrono::milliseconds(1000));
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  // The messages come back after their visibility timeout; serve takes them again.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline && DoneSoFar(db_url) < n) {
    ASSERT_TRUE(serve.Running()) << testutil::ReadFile(world_.root() / "serve.log");
    ElapseBackoffs(db_url);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  // Let duplicates that are still on the queue arrive: they must change nothing.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(serve.Signal(SIGTERM), 0);
  std::printf("drops done before the restart: %lld of %d; transient failures recorded: %lld\n",
              static_cast<long long>(done_before), n,
              static_cast<long long>(
                  CountIn(db_url, "SELECT COALESCE(SUM(transient_failures), 0) FROM drops")));
  ExpectEachDropOnce(db_url, n, kPeople);
  EXPECT_EQ(CountIn(db_url, "SELECT COALESCE(SUM(permanent_failures), 0) FROM drops"), 0);
  auto left = store::ListAll(*remote_, "");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty()) << left->size() << " blobs left in Azurite";
  auto messages = (*queue)->Peek(32);
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  EXPECT_TRUE(messages->empty()) << messages->size() << " notifications left on the queue";
}

// --- The disk full ------------------------------------------------------------------------------

// A small filesystem: a tmpfs of a given size mounted on a folder when this process may mount
// (root in a container that allows it), else the same folder on the ordinary disk with the
// size enforced on the child processes by RLIMIT_FSIZE (a write past the limit fails with EFBIG
// instead of ENOSPC; SIGXFSZ is ignored so the write returns the error instead of killing).
// VIVALINK_TEST_NO_MOUNT=1 forces the second form.
class SmallDisk {
 public:
  SmallDisk(const fs::path& dir, size_t bytes) : dir_(dir) {
    fs::create_directories(dir_);
    if (std::getenv("VIVALINK_TEST_NO_MOUNT") == nullptr &&
        ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                fmt::format("size={},mode=0700", bytes).c_str()) == 0) {
      mounted_ = true;
    }
    limit_ = bytes;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const fs::path& dir() const { return dir_; }

  // Sets the space to bytes (a remount of the tmpfs, or the next children's file size limit).
  void Resize(size_t bytes) {
    limit_ = bytes;
    if (mounted_) {
      ASSERT_EQ(::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV,
                        fmt::format("size={},mode=0700", bytes).c_str()),
                0)
          << std::strerror(errno);
    }
  }
  // Bytes used on it (the files under it).
  size_t Used() const {
    size_t used = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      if (e.is_regular_file()) used += e.file_size();
    }
    return used;
  }
  // Largest file under it.
  size_t LargestFile() const {
    size_t largest = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      if (e.is_regular_file()) largest = std::max<size_t>(largest, e.file_size());
    }
    return largest;
  }
  // argv run under the space limit: as is on the tmpfs, else through bash with `ulimit -f`.
  std::vector<std::string> Limited(const std::vector<std::string>& argv) const {
    if (mounted_) return argv;
    std::string command = fmt::format("trap '' XFSZ; ulimit -f {}; exec", limit_ / 1024);
    for (const auto& a : argv) command += " '" + a + "'";
    return {"/bin/bash", "-c", command};
  }
  // Runs fn in a forked child under the space limit; returns what it reports (via a pipe).
  std::string RunInChild(const std::function<std::string()>& fn) const {
    int fds[2];
    if (::pipe(fds) != 0) return "pipe failed";
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      if (!mounted_) {
        ::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{limit_, limit_};
        ::setrlimit(RLIMIT_FSIZE, &limit);
      }
      const std::string said = fn();
      (void)!::write(fds[1], said.data(), said.size());
      ::_exit(0);
    }
    ::close(fds[1]);
    std::string said;
    char buf[512];
    ssize_t got = 0;
    while ((got = ::read(fds[0], buf, sizeof buf)) > 0) said.append(buf, static_cast<size_t>(got));
    ::close(fds[0]);
    ::waitpid(pid, nullptr, 0);
    return said;
  }

 private:
  fs::path dir_;
  bool mounted_ = false;
  size_t limit_ = 0;
};

// Two moments of a full disk: with 96 KiB left the claim's own COMMIT fails (this made `run` exit 0
// before: a claim the database could not record was taken for one another process held); with
// 256 KiB left the claim fits and the 8,000-row import fails.
TEST(DiskFull, ADatabaseWriteThatFillsTheDiskCommitsNothingAndTheNextRunCompletes) {
  World world;
  SmallDisk disk(world.root() / "small", 64u << 20);
  std::printf("small disk: %s\n", disk.mounted() ? "tmpfs" : "RLIMIT_FSIZE (no mount allowed)");
  const std::string db_url = "sqlite://" + (disk.dir() / "vivalink.db").string();
  const auto argv = DriverArgv(world, world.store_url(), db_url);

  // Week 0 imports with room to spare.
  world.Write({.run_id = RunId(0), .rows = MetricRows(kPeople, Week(0)), .part_rows = 5});
  auto first = testutil::RunProgram(disk.Limited(argv));
  ASSERT_EQ(first.exit_code, 0) << first.err;

  struct Case {
    size_t headroom;
    int people;
  };
  int week = 1;
  int64_t stored = kPeople;
  for (const Case& c : {Case{96u << 10, kPeople}, Case{256u << 10, 8000}}) {
    const size_t headroom = c.headroom;
    SCOPED_TRACE(fmt::format("{} KiB left", headroom >> 10));
    const std::string run = RunId(week);
    world.Write({.run_id = run, .rows = MetricRows(c.people, Week(week)), .part_rows = 2000});
    disk.Resize((disk.mounted() ? disk.Used() : disk.LargestFile()) + headroom);
    auto full = testutil::RunProgram(disk.Limited(argv));
    EXPECT_EQ(full.exit_code, 1) << "a failed drop must fail the run: " << full.err;
    const std::string error = full.err + " " + [&] {
      auto db = db::Database::Open(db_url, {});
      if (!db.ok()) return std::string();
      auto v = (*db)->QueryValue("SELECT COALESCE(last_error, '') FROM drops WHERE run_id = '" +
                                 run + "'");
      return v.ok() && v->GetText() ? *v->GetText() : std::string();
    }();
    std::printf("disk-full pass (%zu KiB left): exit %d; error: %s\n", headroom >> 10,
                full.exit_code, error.c_str());
    if (disk.mounted()) {
      EXPECT_NE(error.find("full"), std::string::npos) << error;
    }
    EXPECT_EQ(error.find("PersonId"), std::string::npos);

    // Space comes back.
    disk.Resize(64u << 20);
    // Nothing of this week was committed; the earlier weeks are intact; the file is sound.
    EXPECT_EQ(CountIn(db_url, "SELECT COUNT(*) FROM person_week WHERE run_id = '" + run + "'"), 0);
    EXPECT_EQ(CountIn(db_url, "SELECT COUNT(*) FROM person_week"), stored);
    {
      auto db = db::Database::Open(db_url, {});
      ASSERT_TRUE(db.ok());
      auto check = (*db)->QueryValue("PRAGMA integrity_check");
      ASSERT_TRUE(check.ok()) << check.status().ToString();
      EXPECT_EQ(check->GetText() ? *check->GetText() : "", "ok");
    }
    ElapseBackoffs(db_url);  // a disk-full failure is transient: it waits for its backoff
    auto next = testutil::RunProgram(disk.Limited(argv));
    EXPECT_EQ(next.exit_code, 0) << next.err;
    EXPECT_EQ(CountIn(db_url, "SELECT COUNT(*) FROM person_week WHERE run_id = '" + run + "'"),
              c.people);
    stored += c.people;
    EXPECT_EQ(CountIn(db_url, "SELECT COUNT(*) FROM drops WHERE state = 'done'"), week + 1);
    EXPECT_EQ(CountIn(db_url, "SELECT COUNT(*) FROM drops WHERE claim_owner IS NOT NULL"), 0);
    ++week;
  }
}

TEST(DiskFull, ALocalStoreWriteThatFillsTheDiskLeavesNoPartialBlobAndSucceedsOnceSpaceIsBack) {
  testutil::TempDir root;
  SmallDisk disk(root.path() / "small", 256u << 10);
  std::printf("small disk: %s\n", disk.mounted() ? "tmpfs" : "RLIMIT_FSIZE (no mount allowed)");
  const std::string name = "run-1/VivaInsights/t/data/part-00000.bin";
  std::string blob(1u << 20, '\0');
  std::mt19937 rng(7);
  for (auto& c : blob) c = static_cast<char>(rng());
  auto put = [&]() -> std::string {
    auto store = store::LocalStore::Open(disk.dir() / "drops", {});
    if (!store.ok()) return "open: " + store.status().ToString();
    auto s = store::PutString(**store, name, blob);
    return s.ok() ? "ok" : s.status().ToString();
  };
  const std::string said = disk.RunInChild(put);
  std::printf("put on the full disk: %s\n", said.c_str());
  EXPECT_NE(said, "ok");
  EXPECT_NE(said.find("part-00000.bin"), std::string::npos) << said;  // names the blob
  if (disk.mounted()) {
    EXPECT_NE(said.find("space"), std::string::npos) << said;
  }
  // No partial blob and no temporary file is left behind.
  {
    auto store = store::LocalStore::Open(disk.dir() / "drops", {});
    ASSERT_TRUE(store.ok());
    auto all = store::ListAll(**store, "");
    ASSERT_TRUE(all.ok());
    EXPECT_TRUE(all->empty());
  }
  EXPECT_EQ(disk.Used(), 0u) << "a partial or temporary file was left";
  disk.Resize(8u << 20);
  EXPECT_EQ(disk.RunInChild(put), "ok");
  auto store = store::LocalStore::Open(disk.dir() / "drops", {});
  ASSERT_TRUE(store.ok());
  auto back = store::GetAll(**store, name);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == blob);
}

// --- vivalink serve SIGKILLed mid-drop ---------------------------------------------------------

TEST(ServeKill, ServeKilledAtRandomMomentsAndRestartedImportsEachDropOnce) {
  World world;
  const std::string db_url = world.sqlite_url();
  const fs::path config = WriteServeConfig(world, world.store_url(), db_url, 1);
  const std::vector<std::string> argv = {Vivalink(), "--config", config.string(), "serve"};
  std::mt19937 rng(20261207);
  const int kCycles = 12;
  int killed = 0;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    // A drop arrives (two, every third cycle), serve starts, and is killed 0-600 ms later.
    world.Write(
        {.run_id = RunId(2 * cycle), .rows = MetricRows(kPeople, Week(2 * cycle)), .part_rows = 5});
    if (cycle % 3 == 0) {
      world.Write({.run_id = RunId(2 * cycle + 1),
                   .rows = MetricRows(kPeople, Week(2 * cycle + 1)),
                   .part_rows = 5});
    }
    Child serve;
    ASSERT_TRUE(serve.Start(argv, world.root() / "serve.log"));
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 600)(rng)));
    if (serve.Signal(SIGKILL) == -SIGKILL) ++killed;
  }
  const int n = kCycles + (kCycles + 2) / 3;
  // Restarted for good: it imports what is left and stops cleanly on SIGTERM.
  Child serve;
  ASSERT_TRUE(serve.Start(argv, world.root() / "serve.log"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline && DoneSoFar(db_url) < n) {
    ASSERT_TRUE(serve.Running()) << testutil::ReadFile(world.root() / "serve.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // one more poll: changes nothing
  EXPECT_EQ(serve.Signal(SIGTERM), 0);
  const int64_t done_early = CountIn(db_url, "SELECT COUNT(*) FROM drops");
  std::printf("%d serve processes SIGKILLed; interrupted imports taken over: %lld; drops: %lld\n",
              killed,
              static_cast<long long>(
                  CountIn(db_url, "SELECT COALESCE(SUM(permanent_failures), 0) FROM drops")),
              static_cast<long long>(done_early));
  EXPECT_EQ(killed, kCycles);
  ExpectEachDropOnce(db_url, n, kPeople);
  EXPECT_TRUE(store::ListAll(world.store(), "")->empty());
}

}  // namespace
}  // namespace vivalink::ingest
