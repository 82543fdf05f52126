//===- Aot.h - ahead-of-time compilation of attn functions -------*- C++
//-*-===//
#ifndef ATTN_HALIDE_AOT_H
#define ATTN_HALIDE_AOT_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace attn {

struct AotOptions {
  std::string target = "cpu";       ///< see hl::resolveTarget
  std::string library;              ///< static library (.a) to write
  std::string header;               ///< C header to write
  std::vector<std::string> entries; ///< functions to compile; empty: all
  /// Prepended to every exported name, so that libraries compiled from one
  /// model (e.g. after different rewrites) link into one program.
  std::string prefix;
  /// attn's schedules per pattern (Schedule.h), or Halide's Adams2019
  /// autoscheduler, for comparison.
  enum class Scheduler { Hand, Adams2019 } scheduler = Scheduler::Hand;
  /// Adams2019's estimate of every dynamic size.
  int64_t dynamicEstimate = 4096;
};

/// Compiles each selected func.func of `module` to one exported C function
/// of the same name (Halide buffer ABI: inputs, then outputs, as
/// halide_buffer_t*), all in one static library without a Halide runtime
/// (link attn_runtime once per program). The header declares them and
/// includes attn_runtime.h. Errors are diagnostics; returns failure.
mlir::LogicalResult compileToLibrary(mlir::ModuleOp module,
                                     const AotOptions &options);

/// Writes the Halide runtime for `target` as an object file (.o) or a
/// static library (.a), with `error` set on failure.
bool compileRuntime(const std::string &path, const std::string &target,
                    std::string &error);

} // namespace attn

#endif // ATTN_HALIDE_AOT_H
