vl_fuzz(metadata_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/metadata_fuzz.cc DEPS vivalink::drop)
