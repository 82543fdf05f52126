//===- Builders.h - building attn ops with inferred types --------*- C++ -*-===//
//
// The rewrites build new ops without spelling result types: each type comes
// from the same shape rules the verifiers use.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TRANSFORMS_BUILDERS_H
#define ATTN_TRANSFORMS_BUILDERS_H

#include "dialect/AttnDialect.h"
#include "dialect/ShapeRules.h"

#include "mlir/IR/Builders.h"

namespace attn {

class AttnBuilder {
public:
  AttnBuilder(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}
  /// Builds the ops that replace `replaced`, located where it was and named
  /// after it (a NameLoc, unless its location already names the op it came
  /// from), so that messages about them cite the op the user wrote.
  AttnBuilder(mlir::OpBuilder &b, mlir::Operation *replaced)
      : b(b), loc(rewrittenFrom(replaced)) {}
  static mlir::Location rewrittenFrom(mlir::Operation *op);

  mlir::Value matmul(mlir::Value lhs, mlir::Value rhs, bool transposeLhs = false,
                     bool transposeRhs = false);
  mlir::Value rowSum(mlir::Value x, int64_t dim = -1);
  mlir::Value scale(mlir::Value x, double factor);
  mlir::Value divideBySize(mlir::Value x, mlir::Value ref, int64_t dim);
  mlir::Value normalize(mlir::Value num, mlir::Value den, double eps);
  mlir::Value featureMap(FeatureMapKind kind, mlir::Value x);
  mlir::Value causalMask(mlir::Value x, MaskFill fill);
  mlir::Value softmax(mlir::Value x);
  mlir::Value favor(mlir::Value x, mlir::Value projection);
  mlir::Value expandDims(mlir::Value x, int64_t dim);
  mlir::Value squeeze(mlir::Value x, int64_t dim);
  mlir::Value chunk(mlir::Value x, int64_t dim, int64_t size);
  mlir::Value unchunk(mlir::Value x, mlir::Value like, int64_t dim);
  /// With `decays`, one decay per index along `decaysDim`; `init`, when
  /// given, is the carry before the first element.
  mlir::Value cumsum(mlir::Value x, int64_t dim, bool exclusive = false,
                     double decay = 1.0, llvm::ArrayRef<double> decays = {},
                     int64_t decaysDim = 0, mlir::Value init = {});
  mlir::Value last(mlir::Value x, int64_t dim);
  mlir::Value add(mlir::Value a, mlir::Value b);
  mlir::Value mul(mlir::Value a, mlir::Value b);
  /// Layer norm over the last dimension, without affine parameters.
  mlir::Value layerNorm(mlir::Value x, double eps = 1e-5);
  /// A dense constant of `shape` with `values` (row-major), in `x`'s
  /// element type.
  mlir::Value constant(llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<double> values, mlir::Value like);

  /// Creates `name` with `operands` and `attrs`; the result type follows
  /// from the shape rules. Returns null (with an error at `loc`) when the
  /// operands do not fit, which a rewrite checks before building.
  mlir::Value build(llvm::StringRef name, mlir::ValueRange operands,
                    llvm::ArrayRef<mlir::NamedAttribute> attrs = {});
  /// `build` for the ops whose one attribute is `dim`.
  mlir::Value buildWithDim(llvm::StringRef name, mlir::ValueRange operands,
                           int64_t dim);

private:
  mlir::OpBuilder &b;
  mlir::Location loc;
};

/// Static shape of a ranked tensor value.
llvm::ArrayRef<int64_t> shapeOf(mlir::Value v);

} // namespace attn

#endif // ATTN_TRANSFORMS_BUILDERS_H
