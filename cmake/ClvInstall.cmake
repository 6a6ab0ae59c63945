# `cmake --install`: libclv.so (soname from the C API's major version), the
# public headers (clv/c_api.h, the C++ API of core/include/clv, clv/version.hpp),
# the CMake package clv (imported target clv::clv) and clv.pc. The `clv` CLI,
# the first-party plugins (<libdir>/clv/plugins) and the SDK (component sdk)
# install from their own directories.
include(CMakePackageConfigHelpers)
set(CLV_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/clv)

install(TARGETS clv_capi EXPORT clv_targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT devel
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Public headers include only the standard library and each other
# (tests/install checks each compiles alone against the installed tree).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/include/clv DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT devel FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/generated/clv/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/clv COMPONENT devel)
install(EXPORT clv_targets NAMESPACE clv:: FILE clvTargets.cmake DESTINATION ${CLV_CMAKE_DIR}
  COMPONENT devel)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/clvConfig.cmake.in
  ${PROJECT_BINARY_DIR}/clvConfig.cmake
  INSTALL_DESTINATION ${CLV_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
# 0.x: the C++ API may change between minors (the C API has its own version).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/clvConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/clvConfig.cmake ${PROJECT_BINARY_DIR}/clvConfigVersion.cmake
  DESTINATION ${CLV_CMAKE_DIR} COMPONENT devel)

# clv.pc, relocatable: paths are relative to where the file is installed, so
# `cmake --install --prefix` anywhere gives a working pkg-config file.
file(RELATIVE_PATH CLV_PC_PREFIX_FROM_PCDIR
  /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
configure_file(${PROJECT_SOURCE_DIR}/cmake/clv.pc.in ${PROJECT_BINARY_DIR}/clv.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/clv.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
  COMPONENT devel)
