//===- Jit.h - run an attn function through Halide's JIT ---------*- C++
//-*-===//
#ifndef ATTN_HALIDE_JIT_H
#define ATTN_HALIDE_JIT_H

#include "lib/Reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace attn {

/// Lowers `func` to Halide, schedules it for `target` (see
/// hl::resolveTarget) and runs it with the JIT on `args`. With
/// `gpuAlgorithm`, the algorithm the CUDA target compiles (the online
/// softmax, the clamped views) instead, every stage computed whole on the
/// CPU target: its numerics checked where there is no GPU. Errors of the
/// lowering or of the run (bad shapes included) are reported as error
/// diagnostics at the function and give failure; nothing throws.
mlir::FailureOr<std::vector<Tensor>> runWithHalide(mlir::func::FuncOp func,
                                                   llvm::ArrayRef<Tensor> args,
                                                   const std::string &target,
                                                   bool gpuAlgorithm = false);

} // namespace attn

#endif // ATTN_HALIDE_JIT_H
