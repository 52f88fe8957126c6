// Crash recovery (PROTOCOL §8.1): the ingest runs as a child process that SIGKILLs itself at a
// random stage (download, insert, commit, committed, cleanup, claimed) and count; a second run
// must then leave every drop in the database exactly once, with no partial rows and no drop lost.
// VL_CRASH_POINTS kill points (6 in the default suite, 20 in the slow one).
#include <gtest/gtest.h>

#include <random>

#include "db/database.h"
#include "ingest_fixture.h"

#ifndef VL_CRASH_POINTS
#define VL_CRASH_POINTS 6
#endif

namespace vivalink::ingest {
namespace {

using testing::Count;
using testing::MetricRows;
using testing::World;

TEST(CrashRecovery, EveryDropLandsExactlyOnceAfterAKillAtAnyStage) {
  const std::vector<std::pair<std::string, int>> stages = {{"claimed", 4},   {"download", 4},
                                                           {"insert", 4},    {"commit", 4},
                                                           {"committed", 4}, {"cleanup", 12}};
  std::mt19937 rng(20240107);
  std::string driver = (testutil::BuildDir() / "tests/ingest/ingest_driver").string();
  int crashed = 0;
  for (int point = 0; point < VL_CRASH_POINTS; ++point) {
    World world;
    const int kDrops = 4, kPeople = 12;
    for (int d = 0; d < kDrops; ++d) {
      // Weeks 1..4; parts of 5 rows so that several batches... one batch per part.
      world.Write({.run_id = fmt::format("{:08x}-1111-4111-8111-111111111111", d + 1),
                   .rows = MetricRows(kPeople, fmt::format("2024-01-{:02}", 7 + 7 * d)),
                   .part_rows = 5});
    }
    const auto& [stage, max_n] = stages[static_cast<size_t>(point) % stages.size()];
    int n = std::uniform_int_distribution<int>(1, max_n)(rng);
    std::string db_url = world.sqlite_url();
    std::vector<std::string> argv = {
        driver, world.store_url(), world.keystore(), world.keys_dir(), db_url, "100"};
    auto first =
        testutil::RunProgram(argv, {"VIVALINK_CRASH_AT=" + stage + ":" + std::to_string(n)});
    if (first.exit_code == -9) ++crashed;
    EXPECT_TRUE(first.exit_code == -9 || first.exit_code == 0)
        << stage << ":" << n << " exit " << first.exit_code << "\n"
        << first.err;
    auto second = testutil::RunProgram(argv);
    EXPECT_EQ(second.exit_code, 0) << stage << ":" << n << "\n" << second.err;
    auto db = db::Database::Open(db_url, {});
    ASSERT_TRUE(db.ok());
    SCOPED_TRACE(stage + ":" + std::to_string(n));
    EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM drops"), kDrops);
    EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM drops WHERE state = 'done'"), kDrops);
    EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM person_week"), kDrops * kPeople);
    EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM person_week_metric"), kDrops * kPeople * 2);
    EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM drops WHERE rows = 12"), kDrops);
    // Every drop's blobs are gone once it is done (retention 0), also after a kill in cleanup.
    EXPECT_TRUE(store::ListAll(world.store(), "")->empty());
  }
  // The kill points must really kill (a hook that never fires would make this test vacuous).
  EXPECT_EQ(crashed, VL_CRASH_POINTS);
}

}  // namespace
}  // namespace vivalink::ingest
