# Every dependency comes from a Debian package; scripts/setup installs them.
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS url)
find_package(tomlplusplus 3.3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)

include(${CMAKE_CURRENT_LIST_DIR}/TuttiCaf.cmake)
if(TUTTI_BUILD_TESTS)
  find_package(Catch2 2.13 REQUIRED)
endif()
if(TUTTI_BUILD_BENCH)
  find_package(benchmark 1.7 REQUIRED)
endif()
