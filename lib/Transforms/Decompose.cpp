//===- Decompose.cpp - attn.attention -> primitive ops --------------------===//
#include "lib/Transforms/Builders.h"
#include "lib/Transforms/Passes.h"
#include "lib/Transforms/SizeRelations.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <optional>

namespace attn {
#define GEN_PASS_DEF_ATTNDECOMPOSE
#include "lib/Transforms/Passes.h.inc"
} // namespace attn

using namespace attn;
using namespace mlir;

namespace {

/// The softmax scale: the op's, else 1/sqrt(d) when d is static.
std::optional<double> softmaxScale(AttentionOp op) {
  if (op.getScale())
    return op.getScale()->convertToDouble();
  int64_t d = shapeOf(op.getQuery()).back();
  if (ShapedType::isDynamic(d))
    return std::nullopt;
  return 1.0 / std::sqrt(static_cast<double>(d));
}

struct DecomposeAttention : OpRewritePattern<AttentionOp> {
  DecomposeAttention(MLIRContext *ctx, bool explain)
      : OpRewritePattern(ctx), explain(explain) {}

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getKernel() == AttentionKernel::softmax && !softmaxScale(op))
      return rewriter.notifyMatchFailure(op, "dynamic head size, no scale");
    return expandAttention(op, rewriter, explain);
  }

  bool explain;
};

} // namespace

LogicalResult attn::expandAttention(AttentionOp op, RewriterBase &rewriter,
                                    bool remark) {
  std::optional<double> scale = softmaxScale(op);
  if (op.getKernel() == AttentionKernel::softmax && !scale)
    return failure();
  rewriter.setInsertionPoint(op);
  AttnBuilder b(rewriter, op.getOperation());
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue(), out;
  std::string what;
  if (op.getKernel() == AttentionKernel::softmax) {
    Value s = b.scale(b.matmul(q, k, false, true), *scale);
    if (op.getCausal())
      s = b.causalMask(s, MaskFill::lowest);
    out = b.matmul(b.softmax(s), v);
    what = "softmax(" + std::to_string(*scale) + " Q K^T" +
           (op.getCausal() ? ", causal mask" : "") + ") V";
  } else {
    FeatureMapKind kind = op.getKernel() == AttentionKernel::relu
                              ? FeatureMapKind::relu
                              : FeatureMapKind::elu_plus_one;
    // Sequenced: the order ops are built in is the printed IR's (and the
    // order derive-decode meets the uses in), which C++ would leave to the
    // compiler for sibling arguments.
    Value fq = b.featureMap(kind, q);
    Value fk = b.featureMap(kind, k);
    Value s = b.matmul(fq, fk, false, true);
    if (op.getCausal())
      s = b.causalMask(s, MaskFill::zero);
    Value num = b.matmul(s, v);
    Value den = b.rowSum(s);
    out = b.normalize(num, den, 1e-6);
    what = std::string("normalize(S V, row_sum(S)) with S = phi(Q) phi(K)^T") +
           (op.getCausal() ? " causally masked" : "");
  }
  if (!out)
    return failure();
  // The op's declared type may be more static than the inferred one.
  out.setType(op.getType());
  if (remark)
    op.emitRemark("expanded into ") << what;
  rewriter.replaceOp(op, out);
  return success();
}

namespace {

struct AttnDecomposePass
    : public attn::impl::AttnDecomposeBase<AttnDecomposePass> {
  using AttnDecomposeBase::AttnDecomposeBase;

  void runOnOperation() override {
    KeptSizeRelations kept(getOperation());
    rewriteFunction();
    if (failed(kept.restore()))
      signalPassFailure();
  }

  void rewriteFunction() {
    if (explain)
      getOperation().walk([](AttentionOp op) {
        if (op.getKernel() == AttentionKernel::softmax && !softmaxScale(op))
          op.emitRemark("not expanded: the head size is dynamic, so the "
                        "default scale 1/sqrt(d) is not a constant; give "
                        "`scale` explicitly");
      });
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeAttention>(&getContext(), explain);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
