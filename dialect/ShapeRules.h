//===- ShapeRules.h - result shapes of attn ops ------------------*- C++ -*-===//
//
// One place that knows how each op's result shape follows from its operand
// shapes. The verifiers use it on static types (dynamic sizes are
// ShapedType::kDynamic and match anything); the reference interpreter and
// the Halide lowering use it on the concrete shapes of a run.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_DIALECT_SHAPERULES_H
#define ATTN_DIALECT_SHAPERULES_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include <string>

namespace attn {

using Shape = llvm::SmallVector<int64_t, 4>;

/// "[1, 8, ?, 64]".
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Normalises a possibly negative dimension index against `rank`; returns -1
/// when it is out of range.
int64_t normalizeDim(int64_t dim, int64_t rank);

/// Computes the result shape of `op` (an attn op) from `operandShapes`.
/// On mismatch returns false and writes a sentence naming the bad operand and
/// the expected shape into `why`.
bool inferResultShape(mlir::Operation *op,
                      llvm::ArrayRef<Shape> operandShapes, Shape &result,
                      std::string &why);

/// True when every dimension is equal or dynamic in one of the two.
bool shapesCompatible(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

} // namespace attn

#endif // ATTN_DIALECT_SHAPERULES_H
