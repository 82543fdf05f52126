//===- Reassociate.cpp - (A B^T) C -> A (B^T C) where cheaper -------------===//
//
// A site is a product S = op(A) op(B) (op: optional transpose of the two
// trailing dimensions). Its uses are followed through row scalings (scale,
// normalize by a [.., M, 1] denominator) to leaves, each linear in S:
//   matmul(S', C)  ->  matmul(A, matmul(B, C))         (S' = rows(S))
//   row_sum(S')    ->  matmul(A, row_sum(B))
// with the row scalings re-applied to each new result. Any other use (a
// softmax, a mask, a return, S on the right of a matmul) keeps S alive, so
// the site is declined. So is a site whose cost is higher afterwards or
// depends on a dynamic size that assume-seq-len does not give.
//
//===----------------------------------------------------------------------===//
#include "lib/Transforms/Builders.h"
#include "lib/Transforms/LinearUses.h"
#include "lib/Transforms/Passes.h"
#include "lib/Transforms/SizeRelations.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <optional>

namespace attn {
#define GEN_PASS_DEF_ATTNREASSOCIATE
#include "lib/Transforms/Passes.h.inc"
} // namespace attn

using namespace attn;
using namespace mlir;

namespace {

/// Sizes of the site, with dynamic ones replaced by assume-seq-len.
struct Sizes {
  double batch = 1, m = 0, k1 = 0, k2 = 0;
  llvm::SmallVector<double> n; ///< per leaf; 0 for a row_sum
};

class Site {
public:
  Site(MatmulOp s, int64_t assume) : s(s), assume(assume) {}

  /// Decides; on decline returns the reason.
  std::optional<std::string> analyse() {
    if (auto why = collectLinearUses(s.getResult(), leaves))
      return why;
    if (leaves.empty())
      return std::string("the product has no use");
    llvm::ArrayRef<int64_t> a = shapeOf(s.getLhs()), sh = shapeOf(s.getResult());
    size_t r = sh.size();
    std::string missing;
    auto size = [&](int64_t d, const char *what) -> double {
      if (!ShapedType::isDynamic(d))
        return static_cast<double>(d);
      if (assume > 0)
        return static_cast<double>(assume);
      if (missing.empty())
        missing = what;
      return 0;
    };
    for (size_t i = 0; i + 2 < r; ++i)
      sizes.batch *= size(sh[i], "a batch size");
    sizes.m = size(sh[r - 2], "M (rows of the product)");
    sizes.k2 = size(sh[r - 1], "the product's columns");
    sizes.k1 = size(s.getTransposeLhs() ? a[r - 2] : a[r - 1],
                    "the contraction size");
    for (Leaf &leaf : leaves) {
      double n = 0;
      if (auto mm = dyn_cast<MatmulOp>(leaf.op))
        n = size(shapeOf(mm.getResult()).back(), "a use's columns");
      sizes.n.push_back(n);
    }
    if (!missing.empty())
      return "the cost depends on a dynamic size (" + missing +
             "); set assume-seq-len=N to decide";
    costs();
    if (after.first > before.first ||
        (after.first == before.first && after.second >= before.second))
      return "the rewrite costs more: " + describeCosts();
    return std::nullopt;
  }

  std::string describeCosts() const {
    return llvm::formatv("FLOPs {0:e2} -> {1:e2}, intermediate {2:e2} -> "
                         "{3:e2} elements (M={4:F0}, K={5:F0}, S={6:F0}, "
                         "batch={7:F0})",
                         before.first, after.first, before.second,
                         after.second, sizes.m, sizes.k1, sizes.k2,
                         sizes.batch)
        .str();
  }

  /// Fails only if a rewrite would build an invalid op (reported there),
  /// which the analysis is meant to rule out.
  LogicalResult rewrite(RewriterBase &rewriter) {
    bool ta = s.getTransposeLhs(), tb = s.getTransposeRhs();
    size_t r = shapeOf(s.getResult()).size();
    for (Leaf &leaf : leaves) {
      rewriter.setInsertionPoint(leaf.op);
      AttnBuilder b(rewriter, leaf.op);
      Value result;
      if (auto mm = dyn_cast<MatmulOp>(leaf.op)) {
        Value inner = b.matmul(s.getRhs(), mm.getRhs(), tb, mm.getTransposeRhs());
        result = b.matmul(s.getLhs(), inner, ta, false);
      } else {
        // row_sum(op(A) op(B)) = op(A) (op(B) 1).
        Value ones = b.rowSum(s.getRhs(), tb ? r - 2 : r - 1);
        result = b.matmul(s.getLhs(), ones, ta, tb);
      }
      if (failed(replaceLeaf(rewriter, b, leaf, result)))
        return failure();
    }
    eraseDeadRows(rewriter, leaves);
    rewriter.eraseOp(s);
    return success();
  }

private:
  void costs() {
    const Sizes &z = sizes;
    double flopsBefore = 2 * z.m * z.k1 * z.k2, flopsAfter = 0,
           bytesAfter = 0;
    for (size_t i = 0; i < leaves.size(); ++i) {
      double n = z.n[i];
      double rowOps = static_cast<double>(leaves[i].rows.size());
      if (isa<MatmulOp>(leaves[i].op)) {
        flopsBefore += 2 * z.m * z.k2 * n + rowOps * z.m * z.k2;
        flopsAfter += 2 * z.k1 * z.k2 * n + 2 * z.m * z.k1 * n +
                      rowOps * z.m * n;
        bytesAfter += z.k1 * n;
      } else {
        flopsBefore += z.m * z.k2 + rowOps * z.m * z.k2;
        flopsAfter += z.k1 * z.k2 + 2 * z.m * z.k1 + rowOps * z.m;
        bytesAfter += z.k1;
      }
    }
    before = {z.batch * flopsBefore, z.batch * z.m * z.k2};
    after = {z.batch * flopsAfter, z.batch * bytesAfter};
  }

  MatmulOp s;
  int64_t assume;
  llvm::SmallVector<Leaf> leaves;
  Sizes sizes;
  std::pair<double, double> before, after; ///< FLOPs, intermediate elements
};

/// One site, rewritten where the cost model says cheaper. The greedy
/// driver's worklist revisits only the products a rewrite creates or
/// touches, so a chain of n sites costs O(n) analyses, not O(n^2).
struct ReassociateSite : public OpRewritePattern<MatmulOp> {
  ReassociateSite(MLIRContext *ctx, int64_t assume, bool explain, bool &failed)
      : OpRewritePattern(ctx), assume(assume), explain(explain),
        failed(failed) {}

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    Site site(op, assume);
    if (site.analyse())
      return failure();
    if (explain)
      op.emitRemark("reassociated (A B) C -> A (B C): ")
          << site.describeCosts();
    // A failed rewrite has reported an error; the IR may be changed, so
    // the pattern reports success and the pass fails afterwards.
    if (mlir::failed(site.rewrite(rewriter)))
      failed = true;
    return success();
  }

  int64_t assume;
  bool explain;
  bool &failed;
};

struct AttnReassociatePass
    : public attn::impl::AttnReassociateBase<AttnReassociatePass> {
  using AttnReassociateBase::AttnReassociateBase;

  void runOnOperation() override {
    KeptSizeRelations kept(getOperation());
    rewriteFunction();
    if (failed(kept.restore()))
      signalPassFailure();
  }

  void rewriteFunction() {
    if (assumeSeqLen < 0) {
      getOperation().emitError("attn-reassociate: assume-seq-len = ")
          << assumeSeqLen.getValue() << " is negative; expected 0 (decline "
          << "dynamic sites) or a sequence length > 0";
      return signalPassFailure();
    }
    // A rewrite creates new products (B^T C), which may be sites in turn.
    bool rewriteFailed = false;
    RewritePatternSet patterns(&getContext());
    patterns.add<ReassociateSite>(&getContext(), assumeSeqLen, explain,
                                  rewriteFailed);
    GreedyRewriteConfig config;
    config.useTopDownTraversal = true;
    config.maxIterations = GreedyRewriteConfig::kNoLimit;
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns),
                                            config)) ||
        rewriteFailed)
      return signalPassFailure();
    // Once, for the sites that remain, why they were declined.
    if (explain)
      getOperation().walk([&](MatmulOp op) {
        if (auto why = Site(op, assumeSeqLen).analyse())
          op.emitRemark("not reassociated: ") << *why;
      });
  }
};
} // namespace
