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

# vl_test(<name> SOURCES ... DEPS ... [LABELS ...] [TIMEOUT s]): a GoogleTest executable whose
# cases are registered one by one with CTest.
function(vl_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
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
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
               ENVIRONMENT "VIVALINK_SHARED_DIR=${VIVALINK_SHARED_DIR}")
endfunction()
