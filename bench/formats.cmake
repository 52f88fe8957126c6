# Benchmarks of the formats module: row reader throughput (MB/s) and the JSON-lines writer.
vl_bench(bench_formats SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/formats_bench.cc DEPS vivalink::formats)
target_compile_definitions(bench_formats PRIVATE
                           VIVALINK_BENCH_SHARED_DIR="${VIVALINK_SHARED_DIR}")
