//===- Kernels.h - plain-loop reference kernels of the attn ops --*- C++ -*-===//
//
// One function per op, written as the op's definition reads: plain loops,
// double accumulation, no cleverness. The result shape is computed by the
// caller with inferResultShape.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_REFERENCE_KERNELS_H
#define ATTN_REFERENCE_KERNELS_H

#include "dialect/AttnDialect.h"
#include "lib/Reference/Tensor.h"

namespace attn::ref {

using Args = llvm::ArrayRef<const Tensor *>;

Tensor matmul(MatmulOp op, Args in, const Shape &shape);
Tensor transpose(TransposeOp op, Args in, const Shape &shape);
Tensor softmax(SoftmaxOp op, Args in, const Shape &shape);
/// expand_dims and squeeze keep the row-major data as it is.
Tensor reshapeOnly(Args in, const Shape &shape);
Tensor chunk(ChunkOp op, Args in, const Shape &shape);
Tensor unchunk(UnchunkOp op, Args in, const Shape &shape);
Tensor causalMask(CausalMaskOp op, Args in, const Shape &shape);
Tensor layerNorm(LayerNormOp op, Args in, const Shape &shape);
Tensor rmsNorm(RmsNormOp op, Args in, const Shape &shape);
Tensor normalize(NormalizeOp op, Args in, const Shape &shape);
Tensor featureMap(FeatureMapOp op, Args in, const Shape &shape);
Tensor scale(ScaleOp op, Args in, const Shape &shape);
Tensor divideBySize(DivideBySizeOp op, Args in, const Shape &shape);
Tensor rowSum(RowSumOp op, Args in, const Shape &shape);
Tensor cumsum(CumsumOp op, Args in, const Shape &shape);
Tensor last(LastOp op, Args in, const Shape &shape);
Tensor depthwiseConv2d(DepthwiseConv2dOp op, Args in, const Shape &shape);
Tensor unary(mlir::Operation *op, Args in, const Shape &shape);
Tensor binary(mlir::Operation *op, Args in, const Shape &shape);
/// `f32Scores`: the scores are rounded to float, as f32 code holds them
/// (interpret's roundEachOp reaches inside the composite op this far).
Tensor attention(AttentionOp op, Args in, const Shape &shape,
                 bool f32Scores = false);

/// elu(x) + 1, the feature map of Katharopoulos et al. 2020.
inline double eluPlusOne(double x) { return x > 0 ? x + 1.0 : std::exp(x); }

} // namespace attn::ref

#endif // ATTN_REFERENCE_KERNELS_H
