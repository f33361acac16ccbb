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

# One precompiled header shared by every target: the standard library, fmt and nlohmann/json
# that nearly every file includes. Parsing them was about 40 % of a typical file's compile time;
# CI builds everything twice (dev and asan), so this is most of what keeps it well under its
# budget. It is compiled once, with the flags and definitions of ballast_core's users (fmt and
# spdlog add definitions), and reused by every target. Each file still includes what it uses:
# BALLAST_PCH=OFF builds without it, to check that a file still compiles on its own.
option(BALLAST_PCH "Share one precompiled header between all targets" ON)
if(BALLAST_PCH)
  # Through a precompiled header, g++ 12 no longer treats libstdc++'s inlined std::string code
  # as a system header's and reports its known false positives in our files: -Warray-bounds,
  # -Wstringop-overflow, -Wstringop-overread, -Wrestrict (GCC bugs 105651, 105329). The asan
  # build still catches a real out-of-bounds access; BALLAST_PCH=OFF keeps the warnings.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    list(APPEND BALLAST_WARNINGS -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread
         -Wno-restrict)
  endif()
  add_library(ballast_pch OBJECT ${CMAKE_SOURCE_DIR}/cmake/pch.cpp)
  target_compile_options(ballast_pch PRIVATE ${BALLAST_WARNINGS})
  target_link_libraries(ballast_pch PRIVATE fmt::fmt spdlog::spdlog nlohmann_json::nlohmann_json)
  target_precompile_headers(ballast_pch PRIVATE
    <algorithm> <array> <chrono> <cstdint> <filesystem> <functional> <map> <memory> <mutex>
    <optional> <set> <string> <string_view> <thread> <utility> <vector>
    <fmt/format.h> <nlohmann/json.hpp>)
endif()

function(ballast_target_defaults target)
  target_compile_options(${target} PRIVATE ${BALLAST_WARNINGS})
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  if(BALLAST_PCH)
    target_precompile_headers(${target} REUSE_FROM ballast_pch)
  endif()
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
