// Simulator throughput: a 300,000-person tenant for one week, generated in memory and written as
// v1 JSON lines (the largest shape), as the weekly pipeline of `vivasim` does it.
#include <benchmark/benchmark.h>

#include "core/io.h"
#include "sim/metrics.h"
#include "sim/organization.h"
#include "sim/writers.h"

namespace vivalink::sim {
namespace {

// Counts bytes and drops them (measures generation and formatting, not the disk).
class CountingSink final : public core::ByteSink {
 public:
  core::Status Write(std::span<const std::byte> data) override {
    bytes += data.size();
    return core::OkStatus();
  }
  core::Status Close() override { return core::OkStatus(); }
  uint64_t bytes = 0;
};

OrgOptions Options(int64_t people) {
  OrgOptions o;
  o.people = static_cast<int>(people);
  o.weeks = 1;
  o.seed = 42;
  o.partner_secret = "bench";
  return o;
}

// The headline number: Generate + MetricsForWeek + WriteRows(v1) for 300k people x 1 week.
void BM_GenerateAndWriteV1(benchmark::State& state) {
  uint64_t bytes = 0, rows = 0;
  for (auto _ : state) {
    core::Result<Organization> org = Generate(Options(state.range(0)));
    if (!org.ok()) state.SkipWithError(org.status().ToString().c_str());
    core::Result<std::vector<MetricRow>> week = MetricsForWeek(*org, 0, 0);
    CountingSink sink;
    if (!WriteRows(RowShape::kV1, *week, sink).ok()) state.SkipWithError("write failed");
    bytes += sink.bytes;
    rows += week->size();
  }
  state.counters["rows"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kAvgIterations);
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_GenerateAndWriteV1)->Arg(300000)->Iterations(1)->Unit(benchmark::kSecond);

void BM_Generate(benchmark::State& state) {
  for (auto _ : state) {
    core::Result<Organization> org = Generate(Options(state.range(0)));
    benchmark::DoNotOptimize(org.ok());
  }
}
BENCHMARK(BM_Generate)->Arg(300000)->Iterations(1)->Unit(benchmark::kSecond);

// Streaming week writer (no materialised rows) per shape, on a pre-generated organisation.
void BM_WriteWeek(benchmark::State& state) {
  static const Organization org = std::move(Generate(Options(300000))).value();
  const auto shape = static_cast<RowShape>(state.range(0));
  uint64_t bytes = 0;
  size_t rows = 0;
  for (auto _ : state) {
    CountingSink sink;
    core::Result<size_t> n = WriteWeek(org, 0, 0, shape, sink);
    if (!n.ok()) state.SkipWithError("write failed");
    rows += *n;
    bytes += sink.bytes;
  }
  state.SetLabel(std::string(RowShapeName(shape)));
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_WriteWeek)
    ->Arg(static_cast<int>(RowShape::kV1))
    ->Arg(static_cast<int>(RowShape::kV0))
    ->Arg(static_cast<int>(RowShape::kPersonQuery))
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace vivalink::sim

BENCHMARK_MAIN();
