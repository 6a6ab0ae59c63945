# Installs the SDK into a scratch prefix, builds sdk/template against that
# prefix alone (a vendor's situation), and loads the result with `clv`.
# Sanitizer and project flags are deliberately not passed on.
file(REMOVE_RECURSE ${CLV_WORK_DIR})
set(prefix ${CLV_WORK_DIR}/prefix)
set(build ${CLV_WORK_DIR}/build)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${CLV_BUILD_DIR} --component sdk --prefix ${prefix})
if(NOT EXISTS ${prefix}/include/clv_sdk/clv_plugin.h)
  message(FATAL_ERROR "SDK install did not place clv_plugin.h under ${prefix}")
endif()
run(${CMAKE_COMMAND} -S ${CLV_TEMPLATE_DIR} -B ${build} -G ${CLV_GENERATOR}
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_CXX_FLAGS= -DCMAKE_EXE_LINKER_FLAGS= -DCMAKE_MODULE_LINKER_FLAGS=)
run(${CMAKE_COMMAND} --build ${build})
run(${CLV_CLI} plugins info example --plugin-dir ${build}/plugins --json)
string(JSON id GET "${run_output}" id)
string(JSON model GET "${run_output}" economics default_model)
string(JSON lever GET "${run_output}" levers 0 id)
if(NOT id STREQUAL "example" OR NOT model STREQUAL "sbg" OR NOT lever STREQUAL "pause_instead_of_cancel")
  message(FATAL_ERROR "unexpected plugin info: ${run_output}")
endif()
message(STATUS "template plugin built out of tree and loaded: ${id}, model ${model}")
