# Imports Debian's Halide 14 as the target attn::Halide.
#
# find_package(Halide) is not used on purpose: Debian's HalideConfig.cmake runs
# find_dependency(LLVM 14.0.6), which overwrites the LLVM 19 variables that
# MLIR's configuration set and breaks the build. libHalide14.so links its own
# LLVM 14 with versioned symbols, so both coexist in one process.
find_library(HALIDE14_LIBRARY NAMES Halide14 Halide
             PATHS /usr/lib/x86_64-linux-gnu REQUIRED)
find_path(HALIDE14_INCLUDE_DIR Halide.h PATH_SUFFIXES halide14 REQUIRED)
find_path(HALIDE14_AUTOSCHEDULER_DIR libautoschedule_adams2019.so
          PATHS /usr/lib/x86_64-linux-gnu/halide14)

add_library(attn::Halide SHARED IMPORTED GLOBAL)
set_target_properties(attn::Halide PROPERTIES
  IMPORTED_LOCATION "${HALIDE14_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${HALIDE14_INCLUDE_DIR}"
  # libHalide14 is built with exceptions and RTTI; code that includes Halide.h
  # must agree, and catches Halide::Error instead of letting Halide abort.
  INTERFACE_COMPILE_DEFINITIONS "HALIDE_WITH_EXCEPTIONS;HALIDE_ENABLE_RTTI"
  INTERFACE_COMPILE_OPTIONS "-fexceptions")

# Runtime headers only (HalideBuffer.h, HalideRuntime.h), for code that links
# generated kernels but not the compiler.
add_library(attn::HalideRuntimeHeaders INTERFACE IMPORTED GLOBAL)
set_target_properties(attn::HalideRuntimeHeaders PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${HALIDE14_INCLUDE_DIR}")
message(STATUS "Halide 14: ${HALIDE14_LIBRARY} (${HALIDE14_INCLUDE_DIR})")
