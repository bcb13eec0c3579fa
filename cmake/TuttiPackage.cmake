# The installed CMake package: find_package(tutti) and target_link_libraries(app tutti::tutti).
include(CMakePackageConfigHelpers)

add_library(tutti_umbrella INTERFACE)
add_library(tutti::tutti ALIAS tutti_umbrella)
set_target_properties(tutti_umbrella PROPERTIES EXPORT_NAME tutti)
target_link_libraries(tutti_umbrella INTERFACE tutti::definition tutti::resources
  tutti::providers tutti::engine tutti::store tutti::server tutti::cluster tutti::timeline tutti::llm_orc)
install(TARGETS tutti_umbrella EXPORT tuttiTargets)

set(tutti_package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/tutti)
install(EXPORT tuttiTargets NAMESPACE tutti:: DESTINATION ${tutti_package_dir})
configure_package_config_file(cmake/package/tuttiConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/tuttiConfig.cmake INSTALL_DESTINATION ${tutti_package_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/tuttiConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/tuttiConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/tuttiConfigVersion.cmake cmake/TuttiCaf.cmake
  DESTINATION ${tutti_package_dir})
