//===- Interpreter.h - reference interpreter of attn functions ---*- C++ -*-===//
#ifndef ATTN_REFERENCE_INTERPRETER_H
#define ATTN_REFERENCE_INTERPRETER_H

#include "lib/Reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <vector>

namespace attn {

/// Executes `func` on `args` with the plain-loop kernels of Kernels.cpp.
/// Shapes are checked against the function's types and every op's shape
/// rule at run time; a mismatch is reported as an error diagnostic at the
/// offending op (or the function) and the result is failure.
///
/// Each op computes in double. With `roundEachOp`, every op's result is
/// then rounded to its element type (f32 results to float, overflow to
/// infinity), as generated code stores them: what the double reference
/// hides (an exp past 3.4e38, a lowest fill summed) then shows as the
/// infinities and NaNs the compiled f32 code produces.
mlir::FailureOr<std::vector<Tensor>> interpret(mlir::func::FuncOp func,
                                               llvm::ArrayRef<Tensor> args,
                                               bool roundEachOp = false);

/// Concrete result shapes of `func` for concrete argument shapes, using the
/// same rules as interpret() without computing values. Used to size the
/// outputs of generated kernels (its messages speak of generated code).
mlir::FailureOr<std::vector<Shape>>
inferFunctionShapes(mlir::func::FuncOp func, llvm::ArrayRef<Shape> argShapes);

/// The element kind of a tensor type (f32 or f64).
ElementKind elementKindOf(mlir::Type tensorType);

} // namespace attn

#endif // ATTN_REFERENCE_INTERPRETER_H
