// SIGKILL soak (issue 10, faults): drops keep arriving while the ingesting process is killed at
// random moments, VL_KILL_CYCLES times (20 in the default suite, 200 in the slow one). Each cycle
// writes one new drop, starts a pass (ingest_driver: one RunOnce) and SIGKILLs it after a random
// delay (0-120 ms), wherever it is: listing, claiming, decrypting, inserting, committing, cleaning
// up. A last pass runs to its end. Then every drop is in the database exactly once with all its
// rows, none is partial, lost or quarantined, and no claim is left behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "db/database.h"
#include "ingest_fixture.h"

#ifndef VL_KILL_CYCLES
#define VL_KILL_CYCLES 20
#endif

extern char** environ;

namespace vivalink::ingest {
namespace {

using testing::Count;
using testing::MetricRows;
using testing::World;

// Starts argv; returns the pid (or -1).
pid_t Spawn(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The driver's log goes nowhere: hundreds of passes would flood the test output.
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

TEST(KillSoak, DropsArrivingWhileTheIngestIsKilledAtRandomLandExactlyOnce) {
  World world;
  const int kPeople = 12;
  std::mt19937 rng(20261207);
  std::string driver = (testutil::BuildDir() / "tests/ingest/ingest_driver").string();
  std::vector<std::string> argv = {driver,           world.store_url(),  world.keystore(),
                                   world.keys_dir(), world.sqlite_url(), "1000000"};
  int killed = 0, finished = 0;
  for (int cycle = 0; cycle < VL_KILL_CYCLES; ++cycle) {
    // Weekly drops, one a cycle (one person-week each per person: 7-day steps from 2020-01-05).
    const auto week =
        std::chrono::sys_days(std::chrono::year(2020) / 1 / 5) + std::chrono::days(7 * cycle);
    world.Write({.run_id = fmt::format("{:08x}-2222-4222-8222-222222222222", cycle + 1),
                 .rows = MetricRows(kPeople, core::FormatDate(week)),
                 .part_rows = 5});
    pid_t pid = Spawn(argv);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 120)(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
      ++killed;
    } else {
      ++finished;
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "cycle " << cycle;
    }
  }
  // A last pass runs to its end.
  auto last = testutil::RunProgram(argv);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  std::printf("%d cycles: %d passes killed, %d finished before the kill\n", VL_KILL_CYCLES, killed,
              finished);
  // The kills must really interrupt passes (how many depends on the machine's speed).
  EXPECT_GT(killed, 0);

  auto db = db::Database::Open(world.sqlite_url(), {});
  ASSERT_TRUE(db.ok());
  const int n = VL_KILL_CYCLES;
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM drops"), n);
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM drops WHERE state = 'done'"), n);
  EXPECT_EQ(Count(**db, fmt::format("SELECT COUNT(*) FROM drops WHERE rows = {}", kPeople)), n);
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM drops WHERE claim_owner IS NOT NULL"), 0);
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM person_week"), n * kPeople);
  // No partial drop: every run holds all its person-weeks.
  EXPECT_EQ(Count(**db, fmt::format("SELECT COUNT(*) FROM (SELECT run_id FROM person_week GROUP "
                                    "BY run_id HAVING COUNT(*) <> {}) AS partial",
                                    kPeople)),
            0);
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM person_week_metric"), n * kPeople * 2);
  std::printf("interrupted claims taken over: %lld\n",
              static_cast<long long>(
                  Count(**db, "SELECT COALESCE(SUM(permanent_failures), 0) FROM drops")));
  EXPECT_TRUE(store::ListAll(world.store(), "")->empty());
}

}  // namespace
}  // namespace vivalink::ingest
