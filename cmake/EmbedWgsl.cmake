# Embeds WGSL sources into the library as string constants, so the binary carries its kernels.
# seiswg_embed_wgsl(OUT_CPP <file> FILES <wgsl...> BASE <dir>): defines
#   std::string_view seiswg::wgsl::source(std::string_view relative_path)
function(seiswg_embed_wgsl)
  cmake_parse_arguments(ARG "" "OUT_CPP;BASE" "FILES" ${ARGN})
  set(script "${CMAKE_SOURCE_DIR}/cmake/embed_wgsl_run.cmake")
  list(JOIN ARG_FILES "|" files_arg)
  add_custom_command(
    OUTPUT ${ARG_OUT_CPP}
    COMMAND ${CMAKE_COMMAND} -DOUT=${ARG_OUT_CPP} -DBASE=${ARG_BASE} "-DFILES=${files_arg}" -P ${script}
    DEPENDS ${ARG_FILES} ${script}
    COMMENT "Embedding WGSL kernels"
    VERBATIM)
endfunction()
