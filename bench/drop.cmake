# The whole drop-reading chain (included by bench/CMakeLists.txt).
vl_bench(bench_drop SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/drop_bench.cc DEPS vivalink::drop)
target_compile_definitions(bench_drop PRIVATE VIVALINK_DEFAULT_SHARED_DIR="${VIVALINK_SHARED_DIR}")
