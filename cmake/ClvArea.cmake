# clv_add_area(NAME DEPS dep...) builds core/src/NAME/*.cpp into the static
# library clv_NAME. Each area owns its folder, so adding a file needs no edit
# to a shared CMakeLists.txt. An area without sources is an INTERFACE target.
# A nested area (store/postgres) becomes clv_store_postgres.
function(clv_add_area area)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  string(REPLACE "/" "_" name "${area}")
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/${area}/*.cpp)
  if(sources)
    add_library(clv_${name} STATIC ${sources})
    target_include_directories(clv_${name}
      PUBLIC ${PROJECT_SOURCE_DIR}/core/include ${PROJECT_BINARY_DIR}/generated
      PRIVATE ${PROJECT_SOURCE_DIR}/core/src)
    target_link_libraries(clv_${name} PUBLIC ${ARG_DEPS})
    target_compile_options(clv_${name} PRIVATE ${CLV_WARNINGS})
    set_target_properties(clv_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  else()
    add_library(clv_${name} INTERFACE)
    target_include_directories(clv_${name}
      INTERFACE ${PROJECT_SOURCE_DIR}/core/include ${PROJECT_BINARY_DIR}/generated
      ${PROJECT_SOURCE_DIR}/core/src)
    target_link_libraries(clv_${name} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# clv_add_test_dir(DIR LIBS...) makes one GoogleTest executable per folder
# tests/DIR/<group>/ (all *.cpp in it) named test_<group>.
function(clv_add_test_group dir group)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/${group}/*.cpp)
  if(NOT sources)
    return()
  endif()
  add_executable(test_${group} ${sources})
  target_include_directories(test_${group} PRIVATE ${PROJECT_SOURCE_DIR}/core/src
    ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(test_${group} PRIVATE ${ARG_LIBS} GTest::gtest clv_test_main)
  target_compile_options(test_${group} PRIVATE ${CLV_WARNINGS})
  target_compile_definitions(test_${group} PRIVATE
    CLV_SHARED_DATA_DIR="${CLV_SHARED_DATA_DIR}"
    CLV_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CLV_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(test_${group} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${group})
endfunction()
