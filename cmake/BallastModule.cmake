# ballast_module(NAME DEPS <modules…> LIBS <third-party targets…>)
#
# One static library per folder of src/ (CONVENTIONS.md). Sources are the folder's *.cpp files
# (sub-folders included) except *_test.cpp, which become the module's unit-test binary.
# DEPS names the Ballast modules this one may include; scripts/check-layering enforces it.

set(BALLAST_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
    -Wnon-virtual-dtor -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
    -Wsuggest-override -Wformat=2 -Werror
    # g++ 12 warns on every designated initializer that leaves a member to its default.
    -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND BALLAST_WARNINGS -Wduplicated-cond -Wduplicated-branches -Wlogical-op)
endif()

function(ballast_target_defaults target)
  target_compile_options(${target} PRIVATE ${BALLAST_WARNINGS})
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/src)
endfunction()

function(ballast_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;LIBS" ${ARGN})
  file(GLOB_RECURSE all_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(sources ${all_sources})
  list(FILTER sources EXCLUDE REGEX "_test\\.cpp$")
  set(tests ${all_sources})
  list(FILTER tests INCLUDE REGEX "_test\\.cpp$")

  add_library(ballast_${name} STATIC ${sources})
  ballast_target_defaults(ballast_${name})
  set(dep_targets)
  foreach(dep ${ARG_DEPS})
    list(APPEND dep_targets ballast_${dep})
  endforeach()
  target_link_libraries(ballast_${name} PUBLIC ${dep_targets} ${ARG_LIBS})

  if(tests)
    add_executable(${name}_test ${tests})
    ballast_target_defaults(${name}_test)
    target_link_libraries(${name}_test PRIVATE ballast_${name} GTest::gtest GTest::gmock
                                               GTest::gtest_main)
    gtest_discover_tests(${name}_test TEST_PREFIX "unit.${name}." DISCOVERY_MODE PRE_TEST NO_PRETTY_VALUES
                         PROPERTIES LABELS unit ENVIRONMENT
                         "BALLAST_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
  endif()
endfunction()
