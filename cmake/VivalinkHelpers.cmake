# Helpers shared by every module's CMakeLists.txt.

# vl_library(<name> SOURCES ... DEPS ...): static library vivalink_<name>, include root = src/.
function(vl_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(vivalink_${name} STATIC ${ARG_SOURCES})
  target_include_directories(vivalink_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(vivalink_${name} PUBLIC ${ARG_DEPS})
  target_compile_options(vivalink_${name} PRIVATE ${VIVALINK_WARNINGS})
  add_library(vivalink::${name} ALIAS vivalink_${name})
endfunction()

# vl_test(<name> SOURCES ... DEPS ... [LABELS ...] [TIMEOUT s] [SUITES s1 s2 ...]): a GoogleTest
# executable. Its cases are registered one by one with CTest, or, with SUITES, one CTest test per
# suite ("<name>.<suite>"), for suites whose fixture starts an expensive server once per process.
function(vl_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS;SUITES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} vivalink_testutil GTest::gtest GTest::gmock
                                        GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${VIVALINK_WARNINGS})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(ARG_SUITES)
    foreach(suite ${ARG_SUITES})
      add_test(NAME ${name}.${suite} COMMAND ${name} --gtest_filter=${suite}.*:${suite}/*)
      set_tests_properties(${name}.${suite} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
                           ENVIRONMENT "VIVALINK_SHARED_DIR=${VIVALINK_SHARED_DIR}")
    endforeach()
    return()
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
               ENVIRONMENT "VIVALINK_SHARED_DIR=${VIVALINK_SHARED_DIR}")
endfunction()
