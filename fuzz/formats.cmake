# libFuzzer targets of the formats module (row readers).
vl_fuzz(jsonl_rows_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/jsonl_rows_fuzz.cc
        DEPS vivalink::formats)
vl_fuzz(csv_rows_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/csv_rows_fuzz.cc DEPS vivalink::formats)
vl_fuzz(calendar_events_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/calendar_events_fuzz.cc
        DEPS vivalink::formats)
