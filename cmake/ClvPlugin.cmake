# clv_add_plugin(TARGET ID id SOURCES src... [MANIFEST manifest.json] [OUTPUT_DIR dir]
#                [INSTALL_DIR dir])
# Builds a sector plugin as a loadable module with hidden visibility (only
# clv_plugin_abi_version and clv_plugin_entry are exported) and places it next
# to its manifest.json, the layout the host discovers: <dir>/<id>/manifest.json.
# Used in-tree for first-party plugins and, installed with the SDK, by vendors.
function(clv_add_plugin target)
  cmake_parse_arguments(ARG "" "ID;MANIFEST;OUTPUT_DIR;INSTALL_DIR" "SOURCES" ${ARGN})
  if(NOT ARG_ID)
    message(FATAL_ERROR "clv_add_plugin(${target}): ID is required")
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR ${CMAKE_BINARY_DIR}/plugins/${ARG_ID})
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  # clv::sdk is the in-tree alias and the installed package's target alike.
  target_link_libraries(${target} PRIVATE clv::sdk)
  set_target_properties(${target} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    PREFIX "lib"
    OUTPUT_NAME ${target}
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR})
  if(ARG_MANIFEST)
    configure_file(${ARG_MANIFEST} ${ARG_OUTPUT_DIR}/manifest.json COPYONLY)
  endif()
  if(ARG_INSTALL_DIR)
    install(TARGETS ${target} LIBRARY DESTINATION ${ARG_INSTALL_DIR}/${ARG_ID})
    if(ARG_MANIFEST)
      install(FILES ${ARG_MANIFEST} DESTINATION ${ARG_INSTALL_DIR}/${ARG_ID})
    endif()
  endif()
endfunction()
