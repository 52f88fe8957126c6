# libFuzzer targets of the meetings module.
vl_fuzz(meetings_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/meetings_fuzz.cc DEPS vivalink::meetings)
# The working-hours option ("09:00-17:00").
vl_fuzz(working_hours_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/working_hours_fuzz.cc
        DEPS vivalink::meetings)
