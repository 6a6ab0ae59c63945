# CLV_ODR_CHECK=ON adds the test `odr_check` (label odr): it builds
# clv_odr_check, every source of libclv compiled with -flto and linked with
# -Wodr -Werror=odr, so a type or function defined differently in two
# translation units (a One Definition Rule violation that no ordinary build
# reports) fails it, naming both definitions. Off by default for a plain
# build (it compiles the library a second time with -flto: measured
# 2026-12-05 on the shared 2-core machine, 3m10s of CPU, 38 min wall at load
# 16; 2026-12-06 at load 5-10: 13m49s wall, 9m01s user, cold ccache, clean
# link); CI turns it on in the release configuration (scripts/test.sh), where
# ccache keeps its compiled LTO objects between runs (the link stays). By hand, in the release build tree:
# cmake -DCLV_ODR_CHECK=ON . && ctest -L odr. Included from
# core/CMakeLists.txt (the areas' third-party targets are imported there).
option(CLV_ODR_CHECK "Add the odr_check test (libclv linked with -flto -Wodr)" OFF)
if(NOT CLV_ODR_CHECK)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  message(FATAL_ERROR "CLV_ODR_CHECK needs GCC (-Wodr at link time with -flto)")
endif()
file(GLOB odr_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/core/src/*/*.cpp)
add_library(clv_odr_check SHARED EXCLUDE_FROM_ALL ${odr_sources})
target_include_directories(clv_odr_check PRIVATE ${PROJECT_SOURCE_DIR}/core/include
                           ${PROJECT_BINARY_DIR}/generated ${PROJECT_SOURCE_DIR}/core/src)
# The areas' third-party dependencies (not the areas themselves, whose code is
# already in odr_sources): usage requirements without building the areas.
get_property(areas DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTY BUILDSYSTEM_TARGETS)
foreach(area ${areas})
  get_target_property(type ${area} TYPE)
  if(type STREQUAL "STATIC_LIBRARY")
    get_target_property(deps ${area} LINK_LIBRARIES)
    foreach(dep ${deps})
      if(dep AND (NOT dep MATCHES "^clv_" OR dep STREQUAL "clv_sdk"))
        target_link_libraries(clv_odr_check PRIVATE ${dep})
      endif()
    endforeach()
  endif()
endforeach()
target_compile_definitions(clv_odr_check PRIVATE CLV_BUILDING_LIBRARY)
# The IR alone at compile time (-fno-fat-lto-objects); -Werror=odr turns the
# link-time ODR diagnostics into a failed link.
target_compile_options(clv_odr_check PRIVATE -flto=auto -fno-fat-lto-objects -Wodr)
target_link_options(clv_odr_check PRIVATE -flto=auto -Wodr -Werror=odr)
set_target_properties(clv_odr_check PROPERTIES POSITION_INDEPENDENT_CODE ON)
add_test(NAME odr_check
  COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --target clv_odr_check)
set_tests_properties(odr_check PROPERTIES LABELS odr TIMEOUT 1800)
