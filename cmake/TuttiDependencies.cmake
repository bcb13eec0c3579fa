# Every dependency comes from a Debian package; scripts/setup installs them.
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED)
find_package(tomlplusplus 3.3 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(OpenSSL REQUIRED)
# RE2 for the `matches` of conditions: linear time and no recursion, whatever the pattern and
# the text (std::regex backtracks without bound and recurses once per character).
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# yaml-cpp for llm-orc's ensemble and profile files (libs/llm_orc, fuzzed too).
find_package(yaml-cpp REQUIRED)

if(TUTTI_FUZZ)
  return()
endif()
find_package(CLI11 REQUIRED)
find_package(SQLiteCpp 3.2 REQUIRED)
# jemalloc is the allocator of the executables (tutti, the benchmarks): with thousands of
# agents, glibc's malloc spends its time in arena locks and heap growth across the actor
# threads (scenario 8, 10,000 agents: 34 µs per agent with glibc, 14 with jemalloc). The
# sanitizers bring allocators of their own. Embedding programs choose their own.
if(NOT TUTTI_SANITIZE AND NOT TUTTI_TSAN)
  find_library(TUTTI_JEMALLOC jemalloc REQUIRED)
endif()
include(${CMAKE_CURRENT_LIST_DIR}/TuttiCaf.cmake)
if(TUTTI_BUILD_TESTS)
  find_package(Catch2 2.13 REQUIRED)
endif()
if(TUTTI_BUILD_BENCH)
  find_package(benchmark 1.7 REQUIRED)
endif()
