//===- Inputs.h - seeded inputs and agreement metrics ------------*- C++ -*-===//
#ifndef ATTN_REFERENCE_INPUTS_H
#define ATTN_REFERENCE_INPUTS_H

#include "lib/Reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace attn {

/// Concrete shape of a tensor type: every dynamic dimension becomes
/// `dynamicSize`.
Shape concreteShape(mlir::Type tensorType, int64_t dynamicSize);

/// Uniform values in [-1, 1) from a std::mt19937_64 seeded with `seed`,
/// rounded to float for f32 arguments, one tensor per argument of `func`.
/// The same seed gives the same inputs on every machine.
std::vector<Tensor> makeRandomInputs(mlir::func::FuncOp func, uint64_t seed,
                                     int64_t dynamicSize);

/// The number of values makeRandomInputs would make.
double randomInputValues(mlir::func::FuncOp func, int64_t dynamicSize);

/// Reads one .npy file per argument. A file whose dtype differs from its
/// argument's element type is refused unless `convert` (then f64 values are
/// rounded to f32 for f32 arguments). Shape checks are the interpreter's.
/// False with a message on a bad file.
bool readInputs(mlir::func::FuncOp func, llvm::ArrayRef<std::string> paths,
                std::vector<Tensor> &inputs, std::string &error,
                bool convert = false);

/// How far `actual` is from `expected`.
struct Agreement {
  double maxAbsError = 0;     ///< max_i |actual_i - expected_i|
  double maxAbsExpected = 0;  ///< max_i |expected_i|
  /// Normwise relative error: maxAbsError / maxAbsExpected (0 when both
  /// vanish). It does not blow up at entries that happen to be near zero.
  double relError() const {
    return maxAbsExpected > 0 ? maxAbsError / maxAbsExpected : maxAbsError;
  }
  /// A NaN or infinity on one side where the other has something else.
  bool nonFinite = false;
  /// Positions where both sides hold the same non-finite value (both NaN,
  /// or the same infinity): agreement, e.g. of a kernel with the reference
  /// rounding each op to f32.
  int64_t sameNonFinite = 0;
};

/// Compares two tensors of the same shape (the caller checks shapes).
Agreement compareTensors(const Tensor &actual, const Tensor &expected);

} // namespace attn

#endif // ATTN_REFERENCE_INPUTS_H
