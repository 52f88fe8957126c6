# libFuzzer targets of the meetings module.
vl_fuzz(meetings_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/meetings_fuzz.cc DEPS vivalink::meetings)
