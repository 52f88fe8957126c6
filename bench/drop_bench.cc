// The whole chain of reading a drop, as vivalink does it: blob (local folder store) -> AES-256-CBC
// -> gzip inflate (ISA-L) -> JSON lines (simdjson) -> columnar batches with the PersonId column
// decrypted, plus the validator's per-row checks. Reported in bytes of plaintext JSON per second.
//
//   bench_drop                         VIVALINK_BENCH_PLAIN_MB sets the drop size (default 256)
//
// The drop is built once per process from the v1 sample rows (shared/data), each copy with its
// own PersonId and MetricDate, in a temporary folder that is removed afterwards.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/strings.h"
#include "drop/reader.h"
#include "drop/writer.h"
#include "store/local_store.h"

namespace vivalink::drop {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  fs::path dir;
  std::unique_ptr<store::LocalStore> store;
  DropRef ref{"11111111-2222-4333-8444-555555555555", "VivaInsights",
              "8c1d0e4f-2a3b-4c5d-9e8f-7a6b5c4d3e2f"};
  DropKeys keys{crypto::AesKeyIv::Random(), crypto::AesKeyIv::Random()};
  DropMetadata metadata;
  uint64_t plain_bytes = 0;

  Fixture() {
    const char* mb = std::getenv("VIVALINK_BENCH_PLAIN_MB");
    uint64_t target = static_cast<uint64_t>(mb ? std::atoll(mb) : 256) << 20;
    const char* shared = std::getenv("VIVALINK_SHARED_DIR");
    fs::path sample = fs::path(shared ? shared : VIVALINK_DEFAULT_SHARED_DIR) / "data" /
                      "VivaInsightsDataset_v1.jsonl";
    std::ifstream in(sample);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) {
      if (!core::Trim(l).empty()) lines.push_back(l);
    }
    // Copies of the sample with fresh person ids, one week later each round.
    std::string jsonl;
    for (int round = 0; jsonl.size() < target; ++round) {
      for (size_t i = 0; i < lines.size() && jsonl.size() < target; ++i) {
        std::string line = lines[i];
        size_t p = line.find("\"PersonId\"");
        size_t q = line.find('"', line.find(':', p) + 1);
        size_t e = line.find('"', q + 1);
        line.replace(q + 1, e - q - 1, fmt::format("{:08x}-0000-4000-8000-{:012x}", round, i));
        size_t d = line.find("\"MetricDate\"");
        size_t dq = line.find('"', line.find(':', d) + 1);
        line.replace(dq + 1, 10, fmt::format("{:04}-01-01", 2000 + round % 50));
        jsonl += line;
        jsonl += '\n';
      }
    }
    dir = fs::temp_directory_path() / fmt::format("vivalink-bench-{}", ::getpid());
    store = std::move(*store::LocalStore::Open(dir, {.fsync = false}));
    DropWriteOptions wo;
    wo.part_rows = 100000;
    auto r = WriteDropParts(*store, ref, jsonl, keys, wo);
    if (!r.ok()) std::abort();
    metadata.copy_activity_id = "0eab4677-84db-4aad-a4eb-ca39059acf54";
    metadata.tenant_id = ref.tenant_id;
    FillMetadataFromResult(*r, metadata);
    plain_bytes = jsonl.size();
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

Fixture& Get() {
  static Fixture f;
  return f;
}

void BM_DropReadWholeChain(benchmark::State& state) {
  Fixture& f = Get();
  uint64_t rows = 0;
  for (auto _ : state) {
    auto reader = DropReader::Open(*f.store, f.ref, f.metadata, f.keys);
    if (!reader.ok()) state.SkipWithError(reader.status().ToString().c_str());
    formats::RowBatch batch;
    while (true) {
      auto more = (*reader)->Next(batch);
      if (!more.ok()) state.SkipWithError(more.status().ToString().c_str());
      if (!more.ok() || !*more) break;
      rows += batch.num_rows();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(f.plain_bytes * state.iterations()));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DropReadWholeChain)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DropReadAndValidate(benchmark::State& state) {
  Fixture& f = Get();
  for (auto _ : state) {
    auto reader = DropReader::Open(*f.store, f.ref, f.metadata, f.keys);
    DropValidator v(f.metadata, f.ref);
    formats::RowBatch batch;
    while (true) {
      auto more = (*reader)->Next(batch);
      if (!more.ok() || !*more) break;
      if (!v.Observe(batch).ok()) state.SkipWithError("validation failed");
    }
    if (!v.Finish((*reader)->stats(), (*reader)->source_columns()).ok()) {
      state.SkipWithError("validation failed");
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(f.plain_bytes * state.iterations()));
}
BENCHMARK(BM_DropReadAndValidate)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace vivalink::drop

BENCHMARK_MAIN();
