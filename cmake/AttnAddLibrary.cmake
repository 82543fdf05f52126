# attn_add_library(<name> SOURCE <model.mlir>
#                  [TARGET cpu|x86-64-avx512|x86-64-avx2|x86-64|cuda|cuda-sm86]
#                  [ENTRIES <func>...] [PASSES <attn-opt pass flags>...]
#                  [PREFIX <name prefix>] [FLAGS <attn-compile flags>...]
#                  [RUNTIME attn_runtime|attn_runtime_cuda])
#
# Compiles the functions of a model file at build time into lib<name>.a and
# <name>.h (in ${CMAKE_CURRENT_BINARY_DIR}/<name>) and defines the target
# <name>: link it and include "<name>.h". With PASSES, attn-opt rewrites the
# model first (keeping the model's locations, which the kernels' messages
# cite); with PREFIX, the exported functions are named <prefix><func>
# (to link several libraries compiled from one model); FLAGS go to
# attn-compile as they are (e.g. --schedule=adams2019). Every program links
# the one attn_runtime (the Halide runtime and the error handler) through it.
function(attn_add_library name)
  cmake_parse_arguments(ARG "" "SOURCE;TARGET;PREFIX;RUNTIME" "ENTRIES;PASSES;FLAGS" ${ARGN})
  if(NOT ARG_SOURCE)
    message(FATAL_ERROR "attn_add_library(${name}): SOURCE is required")
  endif()
  if(NOT ARG_TARGET)
    set(ARG_TARGET cpu)
  endif()
  get_filename_component(source ${ARG_SOURCE} ABSOLUTE)
  set(outdir ${CMAKE_CURRENT_BINARY_DIR}/${name})
  set(lib ${outdir}/lib${name}.a)
  set(header ${outdir}/${name}.h)
  set(model ${source})
  if(ARG_PASSES)
    set(model ${outdir}/${name}.rewritten.mlir)
    add_custom_command(
      OUTPUT ${model}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
      COMMAND attn-opt ${ARG_PASSES} ${source} -o ${model}
              --mlir-print-debuginfo
      DEPENDS ${source} attn-opt
      COMMENT "attn-opt ${name}")
  endif()
  set(entry_flags)
  if(ARG_PREFIX)
    list(APPEND entry_flags --prefix=${ARG_PREFIX})
  endif()
  foreach(entry ${ARG_ENTRIES})
    list(APPEND entry_flags --entry=${entry})
  endforeach()
  add_custom_command(
    OUTPUT ${lib} ${header}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
    COMMAND attn-compile ${model} -o ${lib} --header ${header}
            --target=${ARG_TARGET} ${entry_flags} ${ARG_FLAGS}
    DEPENDS ${model} attn-compile
    COMMENT "attn-compile ${name} (${ARG_TARGET})")
  add_custom_target(${name}_generate DEPENDS ${lib} ${header})
  add_library(${name} INTERFACE)
  add_dependencies(${name} ${name}_generate)
  target_include_directories(${name} INTERFACE ${outdir})
  # GPU kernels need the runtime with CUDA (it serves CPU kernels too: a
  # program with both kinds gives RUNTIME attn_runtime_cuda to all).
  set(runtime attn_runtime)
  if(ARG_TARGET MATCHES "cuda")
    set(runtime attn_runtime_cuda)
  endif()
  if(ARG_RUNTIME)
    set(runtime ${ARG_RUNTIME})
  endif()
  target_link_libraries(${name} INTERFACE ${lib} ${runtime})
endfunction()
