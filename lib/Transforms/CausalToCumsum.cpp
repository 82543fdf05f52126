//===- CausalToCumsum.cpp - masked attention -> cumulative sums -----------===//
#include "lib/Transforms/LinearUses.h"
#include "lib/Transforms/Passes.h"
#include "lib/Transforms/SizeRelations.h"

#include "llvm/Support/FormatVariadic.h"

namespace attn {
#define GEN_PASS_DEF_ATTNCAUSALTOCUMSUM
#include "lib/Transforms/Passes.h.inc"
} // namespace attn

using namespace attn;
using namespace mlir;

namespace {

/// FLOPs and the largest intermediate, before and after, per batch.
std::string describeCost(CausalMaskOp mask, llvm::ArrayRef<Leaf> leaves) {
  llvm::ArrayRef<int64_t> ms = shapeOf(mask.getResult());
  int64_t r = ms.size(), t = ms[r - 1];
  bool uniform = uniformCausalWeight(mask).has_value();
  double d = uniform ? 0 : shapeOf(mask.getInput().getDefiningOp()->getOperand(0)).back();
  if (ShapedType::isDynamic(t))
    return "T is dynamic: FLOPs O(T^2 d) -> O(T d e), largest intermediate "
           "T x T -> T x d x e";
  double T = t, before = 2 * T * T * d, after = 0, largest = 0;
  for (const Leaf &leaf : leaves) {
    if (auto mm = dyn_cast<MatmulOp>(leaf.op)) {
      double e = shapeOf(mm.getResult()).back();
      before += 2 * T * T * e;
      after += uniform ? 2 * T * e : 4 * T * d * e;
      largest = std::max(largest, uniform ? T * e : T * d * e);
    } else {
      before += T * T;
      after += uniform ? T : 3 * T * d;
    }
  }
  return llvm::formatv("FLOPs {0:e2} -> {1:e2}, largest intermediate {2:e2} "
                       "-> {3:e2} elements (T={4}, d={5:F0}, per batch)",
                       before, after, T * T, largest, t, d)
      .str();
}

struct AttnCausalToCumsumPass
    : public attn::impl::AttnCausalToCumsumBase<AttnCausalToCumsumPass> {
  using AttnCausalToCumsumBase::AttnCausalToCumsumBase;

  void runOnOperation() override {
    KeptSizeRelations kept(getOperation());
    rewriteFunction();
    if (failed(kept.restore()))
      signalPassFailure();
  }

  void rewriteFunction() {
    llvm::SmallVector<CausalMaskOp> masks;
    getOperation().walk([&](CausalMaskOp op) { masks.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (CausalMaskOp mask : masks) {
      llvm::SmallVector<Leaf> leaves;
      if (auto why = analyseCausalSite(mask, leaves)) {
        if (explain)
          mask.emitRemark("not rewritten to cumulative sums: ") << *why;
        continue;
      }
      std::string cost = describeCost(mask, leaves);
      if (failed(rewrite(mask, leaves, rewriter)))
        return signalPassFailure();
      if (explain)
        mask.emitRemark("rewritten to cumulative sums over ")
            << leaves.size() << " use(s); no T x T product remains: " << cost;
      eraseDeadRows(rewriter, leaves);
      Operation *weights = mask.getInput().getDefiningOp();
      rewriter.eraseOp(mask);
      if (weights && weights->use_empty())
        rewriter.eraseOp(weights);
    }
  }

  LogicalResult rewrite(CausalMaskOp mask, llvm::SmallVectorImpl<Leaf> &leaves,
                        RewriterBase &rewriter) {
    std::optional<double> uniform = uniformCausalWeight(mask);
    auto s = mask.getInput().getDefiningOp<MatmulOp>();
    llvm::ArrayRef<int64_t> ms = shapeOf(mask.getResult());
    int64_t r = ms.size();
    for (const Leaf &leaf : leaves) {
      rewriter.setInsertionPoint(leaf.op);
      AttnBuilder bld(rewriter, leaf.op);
      Value result;
      auto mm = dyn_cast<MatmulOp>(leaf.op);
      if (uniform && mm) {
        // sum_{s<=t} c v_s = c cumsum(V)_t.
        result = bld.scale(bld.cumsum(mm.getRhs(), r - 2), *uniform);
      } else if (uniform) {
        // sum_{s<=t} c = c (t + 1), a constant column.
        Shape shape(ms.begin(), ms.end());
        shape.back() = 1;
        int64_t t = ms[r - 2], copies = 1;
        for (int64_t i = 0; i + 2 < r; ++i)
          copies *= ms[i];
        std::vector<double> values;
        for (int64_t i = 0; i < copies; ++i)
          for (int64_t j = 0; j < t; ++j)
            values.push_back(*uniform * (j + 1));
        result = bld.constant(shape, values, mask.getResult());
      } else if (mm) {
        // S_t = sum_{s<=t} b_s v_s^T  [.., T, d, e];  o_t = a_t^T S_t.
        Value a = s.getLhs(), b = s.getRhs();
        Value outer = bld.matmul(bld.expandDims(b, r),
                                 bld.expandDims(mm.getRhs(), r - 1));
        Value state = bld.cumsum(outer, r - 2);
        result =
            bld.squeeze(bld.matmul(bld.expandDims(a, r - 1), state), r - 1);
      } else {
        // z_t = sum_{s<=t} b_s  [.., T, d];  den_t = a_t . z_t.
        result = bld.rowSum(bld.mul(s.getLhs(), bld.cumsum(s.getRhs(), r - 2)),
                            -1);
      }
      if (failed(replaceLeaf(rewriter, bld, leaf, result)))
        return failure();
    }
    return success();
  }
};
} // namespace
