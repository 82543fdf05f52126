//===- LinearUses.h - the uses of a product that are linear in it -*- C++ -*-===//
//
// attn-reassociate and attn-causal-to-cumsum both rewrite a T x T product
// P (Q K^T, or its causal mask) through the uses that are linear in it:
// `matmul(P', V)` and `row_sum(P')`, where P' is P under row scalings
// (`scale`, `divide_by_size`, `normalize` by a [.., M, 1] denominator),
// which commute with both and are re-applied to the new results.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TRANSFORMS_LINEARUSES_H
#define ATTN_TRANSFORMS_LINEARUSES_H

#include "lib/Transforms/Builders.h"

#include "mlir/IR/PatternMatch.h"

#include <optional>
#include <string>

namespace attn {

/// A use of the product that a rewrite replaces.
struct Leaf {
  mlir::Operation *op;                       ///< a MatmulOp or a RowSumOp
  llvm::SmallVector<mlir::Operation *> rows; ///< row scalings on the way
};

/// Follows the uses of `v` through row scalings to leaves. Returns why,
/// when some use is not linear in the product.
std::optional<std::string>
collectLinearUses(mlir::Value v, llvm::SmallVectorImpl<Leaf> &leaves,
                  llvm::SmallVector<mlir::Operation *> rows = {});

/// Re-applies the leaf's row scalings to `result` and replaces the leaf.
/// Leaves can be replaced in any order: a re-applied `normalize` may still
/// divide by a row sum that is itself a leaf, and replacing that leaf later
/// rewires it.
mlir::LogicalResult replaceLeaf(mlir::RewriterBase &rewriter, AttnBuilder &b,
                                const Leaf &leaf, mlir::Value result);

/// The value c of a causally masked uniform weight matrix (causal
/// AFT-simple's w = 0, written as a splat constant), if `mask` masks one.
std::optional<double> uniformCausalWeight(CausalMaskOp mask);

/// Why the causal product `mask` (causal_mask(A B^T, zero), or of uniform
/// weights) cannot be rewritten through its linear uses, or nothing; then
/// `leaves` are those uses.
std::optional<std::string>
analyseCausalSite(CausalMaskOp mask, llvm::SmallVectorImpl<Leaf> &leaves);

/// Erases the row scalings of `leaves` that have no use left.
void eraseDeadRows(mlir::RewriterBase &rewriter, llvm::ArrayRef<Leaf> leaves);

} // namespace attn

#endif // ATTN_TRANSFORMS_LINEARUSES_H
