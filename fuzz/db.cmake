# libFuzzer targets of the db module (the packed metric vector codec).
vl_fuzz(packed_vector_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/packed_vector_fuzz.cc
        DEPS vivalink::db)
