// Parse throughput of the row readers (and the JSON-lines writer) over ~200 MB inputs built in
// memory from the Microsoft samples in shared/data. Target: >= 400 MB/s per core for v1 JSON lines
// in a Release build.
//
//   ninja -C build-release bench_formats && build-release/bench/bench_formats
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/io.h"
#include "formats/reader.h"
#include "formats/writer.h"

namespace {

using vivalink::formats::OpenRowReader;
using vivalink::formats::RowBatch;

constexpr size_t kTargetBytes = 200u << 20;

std::filesystem::path SharedData(const std::string& name) {
  const char* dir = std::getenv("VIVALINK_SHARED_DIR");
  std::filesystem::path shared = dir != nullptr ? dir : VIVALINK_BENCH_SHARED_DIR;
  return shared / "data" / name;
}

std::string ReadFile(const std::string& name) {
  std::ifstream in(SharedData(name), std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s (set VIVALINK_SHARED_DIR)\n", SharedData(name).c_str());
    std::exit(1);
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Repeats the sample's lines until kTargetBytes, giving each copy of a row a different person
// (the first 8 hex digits of the first UUID on the line) so that no two rows are the same.
std::string Grow(const std::vector<std::string>& lines, const std::string& header) {
  std::string out = header.empty() ? "" : header + "\n";
  out.reserve(kTargetBytes + (1 << 20));
  char hex[9];
  for (uint32_t copy = 0; out.size() < kTargetBytes; ++copy) {
    std::snprintf(hex, sizeof(hex), "%08x", copy);
    for (const std::string& line : lines) {
      size_t at = out.size();
      out += line;
      out += '\n';
      size_t dash = out.find('-', at);
      if (dash != std::string::npos && dash >= at + 8 && dash < at + 200) {
        out.replace(dash - 8, 8, hex);
      }
    }
  }
  return out;
}

const std::string& V1Json() {
  static const std::string data = Grow(Lines(ReadFile("VivaInsightsDataset_v1.jsonl")), "");
  return data;
}
const std::string& V0Json() {
  static const std::string data = Grow(Lines(ReadFile("VivaInsightsDataset_v0.jsonl")), "");
  return data;
}
const std::string& PqCsv() {
  static const std::string data = [] {
    std::vector<std::string> lines = Lines(ReadFile("pq_data.csv"));
    std::string header = lines.front();
    lines.erase(lines.begin());
    return Grow(lines, header);
  }();
  return data;
}

void ReadAll(benchmark::State& state, const std::string& data,
             std::vector<std::string> columns = {}) {
  uint64_t rows = 0;
  for (auto _ : state) {
    vivalink::formats::ReaderOptions options;
    options.columns = columns;
    auto reader = OpenRowReader(std::make_unique<vivalink::core::MemorySource>(data), options);
    if (!reader.ok()) {
      state.SkipWithError(reader.status().ToString().c_str());
      return;
    }
    RowBatch batch;
    while (true) {
      auto more = (*reader)->Next(batch);
      if (!more.ok()) {
        state.SkipWithError(more.status().ToString().c_str());
        return;
      }
      if (!*more) break;
      benchmark::DoNotOptimize(batch.column(0).size());
    }
    rows = (*reader)->rows_read();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["MB"] = static_cast<double>(data.size()) / 1e6;
}

void BM_JsonLinesV1(benchmark::State& state) { ReadAll(state, V1Json()); }
void BM_JsonLinesV0(benchmark::State& state) { ReadAll(state, V0Json()); }
void BM_CsvPersonQuery(benchmark::State& state) { ReadAll(state, PqCsv()); }
// What `vivalink analyze groups` asks of the person query (projection: the rest is only split).
void BM_CsvPersonQueryFiveColumns(benchmark::State& state) {
  ReadAll(state, PqCsv(),
          {"PersonId", "MetricDate", "Organization", "Collaboration_hours",
           "After_hours_collaboration_hours"});
}

void BM_JsonLinesWriteV1(benchmark::State& state) {
  // Parse 20 MB once, then time writing it back out.
  std::string input = V1Json().substr(0, V1Json().find('\n', 20u << 20) + 1);
  auto reader = OpenRowReader(std::make_unique<vivalink::core::MemorySource>(input));
  std::vector<RowBatch> batches;
  while (true) {
    RowBatch batch;
    auto more = (*reader)->Next(batch);
    if (!more.ok() || !*more) break;
    batches.push_back(std::move(batch));
  }
  size_t bytes = 0;
  for (auto _ : state) {
    vivalink::core::StringSink sink;
    vivalink::formats::JsonLinesWriter writer(sink);
    for (const auto& b : batches) benchmark::DoNotOptimize(writer.Write(b).ok());
    benchmark::DoNotOptimize(writer.Flush().ok());
    bytes = sink.data().size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

BENCHMARK(BM_JsonLinesV1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonLinesV0)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CsvPersonQuery)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CsvPersonQueryFiveColumns)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonLinesWriteV1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
