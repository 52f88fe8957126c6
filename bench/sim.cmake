# Benchmarks of the simulator (included by bench/CMakeLists.txt).
vl_bench(bench_sim SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/sim_bench.cc DEPS vivalink::sim)
