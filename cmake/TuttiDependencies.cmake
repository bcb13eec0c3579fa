# Every dependency comes from a Debian package; scripts/setup installs them.
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS url)
find_package(tomlplusplus 3.3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)

# Debian ships no CMake package for CAF 0.17: define its targets here.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
add_library(CAF::core SHARED IMPORTED)
set_target_properties(CAF::core PROPERTIES IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}" INTERFACE_LINK_LIBRARIES Threads::Threads)
if(TUTTI_BUILD_TESTS)
  find_package(Catch2 2.13 REQUIRED)
endif()
if(TUTTI_BUILD_BENCH)
  find_package(benchmark 1.7 REQUIRED)
endif()
