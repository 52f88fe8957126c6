# libFuzzer targets of the analysis module: the outcome-expression parser and the CSV frame loader.
vl_fuzz(comparison_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/comparison_fuzz.cc
        DEPS vivalink::analysis)
vl_fuzz(frame_csv_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/frame_csv_fuzz.cc
        DEPS vivalink::analysis)
