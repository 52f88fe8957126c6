# Benchmarks of the crypto module (included by bench/CMakeLists.txt).
vl_bench(bench_crypto SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/crypto_bench.cc DEPS vivalink::crypto)
