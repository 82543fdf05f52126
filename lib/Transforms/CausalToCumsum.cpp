//===- CausalToCumsum.cpp - masked attention -> cumulative sums -----------===//
#include "lib/Transforms/LinearUses.h"
#include "lib/Transforms/Passes.h"

namespace attn {
#define GEN_PASS_DEF_ATTNCAUSALTOCUMSUM
#include "lib/Transforms/Passes.h.inc"
} // namespace attn

using namespace attn;
using namespace mlir;

namespace {

/// Why `mask` cannot be rewritten, or nothing (then `leaves` are its uses).
std::optional<std::string> analyse(CausalMaskOp mask,
                                   llvm::SmallVectorImpl<Leaf> &leaves) {
  if (mask.getFill() != MaskFill::zero)
    return std::string("the mask fills the lowest value (a softmax mask); "
                       "remove the softmax first");
  auto s = mask.getInput().getDefiningOp<MatmulOp>();
  if (!s || s.getTransposeLhs() || !s.getTransposeRhs())
    return std::string("the masked scores are not a product A B^T");
  if (auto why = collectLinearUses(mask.getResult(), leaves))
    return why;
  if (leaves.empty())
    return std::string("the masked product has no use");
  for (const Leaf &leaf : leaves)
    if (auto mm = dyn_cast<MatmulOp>(leaf.op); mm && mm.getTransposeRhs())
      return std::string("the values are transposed (matmul transpose_rhs)");
  return std::nullopt;
}

struct AttnCausalToCumsumPass
    : public attn::impl::AttnCausalToCumsumBase<AttnCausalToCumsumPass> {
  using AttnCausalToCumsumBase::AttnCausalToCumsumBase;

  void runOnOperation() override {
    llvm::SmallVector<CausalMaskOp> masks;
    getOperation().walk([&](CausalMaskOp op) { masks.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (CausalMaskOp mask : masks) {
      llvm::SmallVector<Leaf> leaves;
      if (auto why = analyse(mask, leaves)) {
        if (explain)
          mask.emitRemark("not rewritten to cumulative sums: ") << *why;
        continue;
      }
      auto s = mask.getInput().getDefiningOp<MatmulOp>();
      Value a = s.getLhs(), b = s.getRhs();
      int64_t r = shapeOf(a).size();
      // Row sums first: normalize on the way to a matmul divides by them.
      llvm::stable_sort(leaves, [](const Leaf &x, const Leaf &y) {
        return isa<RowSumOp>(x.op) && !isa<RowSumOp>(y.op);
      });
      for (const Leaf &leaf : leaves) {
        rewriter.setInsertionPoint(leaf.op);
        AttnBuilder bld(rewriter, leaf.op->getLoc());
        Value result;
        if (auto mm = dyn_cast<MatmulOp>(leaf.op)) {
          // S_t = sum_{s<=t} b_s v_s^T  [.., T, d, e];  o_t = a_t^T S_t.
          Value outer = bld.matmul(bld.expandDims(b, r), bld.expandDims(mm.getRhs(), r - 1));
          Value state = bld.cumsum(outer, r - 2);
          result = bld.squeeze(bld.matmul(bld.expandDims(a, r - 1), state), r - 1);
        } else {
          // z_t = sum_{s<=t} b_s  [.., T, d];  den_t = a_t . z_t.
          result = bld.rowSum(bld.mul(a, bld.cumsum(b, r - 2)), -1);
        }
        if (failed(replaceLeaf(rewriter, bld, leaf, result)))
          return signalPassFailure();
      }
      if (explain)
        mask.emitRemark("rewritten to cumulative sums over ")
            << leaves.size() << " use(s); no T x T product remains";
      eraseDeadRows(rewriter, leaves);
      rewriter.eraseOp(mask);
      if (s->use_empty())
        rewriter.eraseOp(s);
    }
  }
};
} // namespace
