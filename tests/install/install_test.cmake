# Installs the build into a scratch prefix, then acts as a CRM back-end that
# has only that prefix: builds tests/install/consumer (a C and a C++ program)
# with find_package(clv), runs both from another directory, builds the C one
# again with pkg-config alone, and runs the installed `clv`, which must find
# the installed plugins with no CLV_PLUGIN_PATH.
# -D: CLV_BUILD_DIR CLV_SOURCE_DIR CLV_WORK_DIR CLV_GENERATOR CLV_DATA
#     CLV_LIBDIR CLV_FLAGS (sanitizer flags of the build, passed on)
file(REMOVE_RECURSE ${CLV_WORK_DIR})
set(prefix ${CLV_WORK_DIR}/prefix)
set(build ${CLV_WORK_DIR}/build)
set(elsewhere ${CLV_WORK_DIR}/elsewhere)
file(MAKE_DIRECTORY ${elsewhere})

function(run)
  cmake_parse_arguments(ARG "" "CWD" "COMMAND" ${ARGN})
  if(NOT ARG_CWD)
    set(ARG_CWD ${CLV_WORK_DIR})
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=CLV_PLUGIN_PATH ${ARG_COMMAND}
                  WORKING_DIRECTORY ${ARG_CWD}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARG_COMMAND}\n${out}\n${err}")
  endif()
  message(STATUS "${ARG_COMMAND}:\n${out}")
  set(run_output "${out}" PARENT_SCOPE)
  set(run_error "${err}" PARENT_SCOPE)
endfunction()

run(COMMAND ${CMAKE_COMMAND} --install ${CLV_BUILD_DIR} --prefix ${prefix})

# The layout a consumer relies on.
set(lib ${prefix}/${CLV_LIBDIR})
foreach(f bin/clv include/clv/c_api.h include/clv/engine.hpp include/clv/version.hpp
          include/clv_sdk/clv_plugin.h ${CLV_LIBDIR}/libclv.so
          ${CLV_LIBDIR}/cmake/clv/clvConfig.cmake ${CLV_LIBDIR}/cmake/clv/clvConfigVersion.cmake
          ${CLV_LIBDIR}/cmake/clv_sdk/clv_sdkConfig.cmake ${CLV_LIBDIR}/pkgconfig/clv.pc
          ${CLV_LIBDIR}/clv/plugins/retail/manifest.json
          ${CLV_LIBDIR}/clv/plugins/retail/libclv_sector_retail.so)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${prefix}/${f}")
  endif()
endforeach()
file(GLOB sonames ${lib}/libclv.so.[0-9])
if(NOT sonames)
  message(FATAL_ERROR "libclv.so has no versioned soname link in ${lib}")
endif()
# Public headers include only <std> headers and each other.
file(GLOB headers ${prefix}/include/clv/*)
foreach(h ${headers})
  file(STRINGS ${h} includes REGEX "^#include \"")
  foreach(line ${includes})
    if(NOT line MATCHES "^#include \"clv/")
      message(FATAL_ERROR "${h} includes a header that is not installed: ${line}")
    endif()
  endforeach()
endforeach()

run(COMMAND ${CMAKE_COMMAND} -S ${CLV_SOURCE_DIR}/tests/install/consumer -B ${build}
    -G ${CLV_GENERATOR} -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix}
    "-DCMAKE_C_FLAGS=${CLV_FLAGS}" "-DCMAKE_CXX_FLAGS=${CLV_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${CLV_FLAGS}")
run(COMMAND ${CMAKE_COMMAND} --build ${build})
run(COMMAND ${build}/consumer_c ${CLV_WORK_DIR}/c.db ${CLV_DATA} CWD ${elsewhere})
file(REAL_PATH ${lib} real_lib)
run(COMMAND ${build}/consumer_cxx ${CLV_WORK_DIR}/cxx.db ${CLV_DATA} ${real_lib}/clv/plugins/
    CWD ${elsewhere})
if(NOT run_output MATCHES "from C\\+\\+ and C")
  message(FATAL_ERROR "consumer_cxx did not compare the C++ and C scores")
endif()

# pkg-config alone (no CMake), as a Makefile-based back-end would build.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${lib}/pkgconfig
                          ${PKG_CONFIG} --cflags --libs clv
                  OUTPUT_VARIABLE pc_flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT pc_flags MATCHES "-I.*/include" OR NOT pc_flags MATCHES "-lclv")
    message(FATAL_ERROR "pkg-config --cflags --libs clv: '${pc_flags}'")
  endif()
  separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
  separate_arguments(flags UNIX_COMMAND "${CLV_FLAGS}")
  run(COMMAND cc -std=c11 ${flags} ${CLV_SOURCE_DIR}/tests/install/consumer/consumer.c ${pc_flags}
              -lm -Wl,-rpath,${lib} -o ${build}/consumer_c_pkgconfig)
  run(COMMAND ${build}/consumer_c_pkgconfig ${CLV_WORK_DIR}/pc.db ${CLV_DATA} CWD ${elsewhere})
endif()

# The installed CLI finds the installed plugins from where it lives.
run(COMMAND ${prefix}/bin/clv plugins list --json CWD ${elsewhere})
if(run_error MATCHES "refused")
  message(FATAL_ERROR "the installed clv refused plugins:\n${run_error}")
endif()
string(JSON count LENGTH "${run_output}" plugins)
set(found)
foreach(i RANGE 0 ${count})
  if(i EQUAL count)
    break()
  endif()
  string(JSON id GET "${run_output}" plugins ${i} id)
  string(JSON library GET "${run_output}" plugins ${i} library)
  if(NOT library MATCHES "^${real_lib}/clv/plugins/")
    message(FATAL_ERROR "plugin ${id} loaded from ${library}, not from the prefix ${real_lib}")
  endif()
  list(APPEND found ${id})
endforeach()
if(NOT found STREQUAL "financial;healthcare;hospitality;retail;travel")
  message(FATAL_ERROR "the installed clv found plugins '${found}'")
endif()
message(STATUS "installed into ${prefix}; consumers built with find_package(clv) and pkg-config")
