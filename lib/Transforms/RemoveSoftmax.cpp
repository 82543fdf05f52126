//===- RemoveSoftmax.cpp - softmax attention -> kernel attention ----------===//
#include "lib/Transforms/Builders.h"
#include "lib/Transforms/Passes.h"
#include "lib/Transforms/SizeRelations.h"
#include "lib/Transforms/RandomFeatures.h"

#include "mlir/IR/PatternMatch.h"

#include <cmath>
#include <optional>

namespace attn {
#define GEN_PASS_DEF_ATTNREMOVESOFTMAX
#include "lib/Transforms/Passes.h.inc"
} // namespace attn

using namespace attn;
using namespace mlir;

namespace {
enum class Kernel { elu_plus_one, relu, favor, galerkin, fourier };

std::optional<Kernel> parseKernel(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Kernel>>(name)
      .Case("elu_plus_one", Kernel::elu_plus_one)
      .Case("relu", Kernel::relu)
      .Case("favor", Kernel::favor)
      .Case("galerkin", Kernel::galerkin)
      .Case("fourier", Kernel::fourier)
      .Default(std::nullopt);
}

/// softmax(scale * [causal mask] (Q K^T)) as found in the graph.
struct Site {
  SoftmaxOp softmax;
  Value q, k;
  double scale = 1.0;
  bool causal = false;
  llvm::SmallVector<Operation *> chain; ///< from the softmax up to Q K^T
};

/// Walks up from a softmax; returns the reason when it is not s Q K^T.
std::optional<std::string> match(SoftmaxOp softmax, Site &site) {
  int64_t rank = shapeOf(softmax.getInput()).size();
  if (normalizeDim(softmax.getDim(), rank) != rank - 1)
    return std::string("the softmax is not over the last (key) dimension");
  site.softmax = softmax;
  Value x = softmax.getInput();
  while (true) {
    Operation *def = x.getDefiningOp();
    if (auto sc = dyn_cast_or_null<ScaleOp>(def)) {
      site.scale *= sc.getFactor().convertToDouble();
      x = sc.getInput();
    } else if (auto mask = dyn_cast_or_null<CausalMaskOp>(def)) {
      if (mask.getFill() != MaskFill::lowest)
        return std::string("a causal mask filling zero before a softmax is "
                           "not a causal softmax");
      site.causal = true;
      x = mask.getInput();
    } else if (auto mm = dyn_cast_or_null<MatmulOp>(def)) {
      if (mm.getTransposeLhs() || !mm.getTransposeRhs())
        return std::string("the scores are not Q K^T (expected a matmul "
                           "with only transpose_rhs)");
      site.q = mm.getLhs();
      site.k = mm.getRhs();
      site.chain.push_back(def);
      break;
    } else {
      return std::string("the softmax input is not s Q K^T");
    }
    site.chain.push_back(def);
  }
  if (!(site.scale > 0))
    return std::string("the scale is not positive");
  return std::nullopt;
}

struct AttnRemoveSoftmaxPass
    : public attn::impl::AttnRemoveSoftmaxBase<AttnRemoveSoftmaxPass> {
  using AttnRemoveSoftmaxBase::AttnRemoveSoftmaxBase;

  void runOnOperation() override {
    KeptSizeRelations kept(getOperation());
    rewriteFunction();
    if (failed(kept.restore()))
      signalPassFailure();
  }

  void rewriteFunction() {
    std::optional<Kernel> which = parseKernel(kernel);
    if (!which) {
      getOperation().emitError("attn-remove-softmax: kernel='")
          << kernel.getValue() << "' is not a kernel; expected one of "
          << "elu_plus_one, relu, favor, galerkin, fourier";
      return signalPassFailure();
    }
    // The projection W is a dense m x d constant in the IR: a bound keeps a
    // mistyped m from exhausting memory (features=1000000000 did).
    constexpr int64_t kMaxFeatures = 65536;
    if (features < 0 || features > kMaxFeatures) {
      getOperation().emitError("attn-remove-softmax: features = ")
          << features.getValue() << " is out of range; expected 0 < m <= "
          << kMaxFeatures << " (or 0 for m = d)";
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    // Composite softmax attentions are expanded first: their softmax is
    // then a site like any other.
    llvm::SmallVector<AttentionOp> composites;
    getOperation().walk([&](AttentionOp op) {
      if (op.getKernel() == AttentionKernel::softmax)
        composites.push_back(op);
    });
    for (AttentionOp op : composites)
      if (failed(expandAttention(op, rewriter)) && explain)
        op.emitRemark("softmax kept: the head size is dynamic and the "
                      "attention has no explicit scale");
    llvm::SmallVector<SoftmaxOp> softmaxes;
    getOperation().walk([&](SoftmaxOp op) { softmaxes.push_back(op); });
    for (SoftmaxOp op : softmaxes) {
      Site site;
      std::optional<std::string> why = match(op, site);
      if (!why)
        why = replace(site, *which, rewriter);
      if (why && explain)
        op.emitRemark("softmax kept: ") << *why;
    }
  }

  /// Rewrites one site; returns the reason when it cannot.
  std::optional<std::string> replace(Site &site, Kernel which,
                                     RewriterBase &rewriter) {
    SoftmaxOp op = site.softmax;
    size_t r = shapeOf(site.q).size();
    int64_t d = shapeOf(site.q).back(), n = shapeOf(site.k)[r - 2];
    if (which == Kernel::favor && ShapedType::isDynamic(d))
      return std::string("favor needs a static head size d for its "
                         "projection");
    MatmulOp consumer;
    if (which == Kernel::galerkin) {
      consumer = op->hasOneUse() ? dyn_cast<MatmulOp>(*op->user_begin())
                                 : MatmulOp();
      if (!consumer || consumer.getLhs() != op.getResult() ||
          consumer.getTransposeLhs() || consumer.getTransposeRhs())
        return std::string("galerkin needs the softmax's only use to be "
                           "matmul(softmax, V)");
    }

    rewriter.setInsertionPoint(op);
    AttnBuilder b(rewriter, op.getOperation());
    Value q = site.q, k = site.k, weights;
    std::string what;
    auto normalized = [&](Value fq, Value fk) {
      Value p = b.matmul(fq, fk, false, true);
      if (site.causal)
        p = b.causalMask(p, MaskFill::zero);
      Value den = b.rowSum(p);
      return b.normalize(p, den, 1e-6);
    };
    switch (which) {
    case Kernel::elu_plus_one:
    case Kernel::relu: {
      FeatureMapKind kind = which == Kernel::relu ? FeatureMapKind::relu
                                                  : FeatureMapKind::elu_plus_one;
      // Sequenced: the order ops are built in is the printed IR's, and C++
      // leaves the order of evaluating arguments to the compiler.
      Value fq = b.featureMap(kind, q);
      Value fk = b.featureMap(kind, k);
      weights = normalized(fq, fk);
      what = which == Kernel::relu ? "relu" : "elu+1";
      what += " linear attention (the softmax scale cancels)";
      break;
    }
    case Kernel::favor: {
      int64_t m = features > 0 ? int64_t(features) : d;
      Value w = b.constant({m, d}, orthogonalRandomFeatures(m, d, seed), q);
      double root = std::sqrt(site.scale);
      Value fq = b.favor(b.scale(q, root), w);
      Value fk = b.favor(b.scale(k, root), w);
      weights = normalized(fq, fk);
      what = "FAVOR+ with m = " + std::to_string(m) +
             " positive orthogonal random features (seed " +
             std::to_string(seed) + ")";
      break;
    }
    case Kernel::fourier:
    case Kernel::galerkin: {
      bool fourier = which == Kernel::fourier;
      Value lq = fourier ? b.layerNorm(q) : q;
      Value lk = b.layerNorm(k);
      Value p = b.matmul(lq, lk, false, true);
      if (site.causal)
        p = b.causalMask(p, MaskFill::zero);
      // 1/n: a constant when the key length is static.
      weights = ShapedType::isDynamic(n)
                    ? b.divideBySize(p, k, r - 2)
                    : b.scale(p, 1.0 / static_cast<double>(n));
      what = fourier ? "Fourier-type attention LN(Q) LN(K)^T / n"
                     : "Galerkin-type attention Q LN(K)^T LN(V) / n";
      break;
    }
    }
    if (!weights)
      return std::string("internal: the replacement could not be built");
    op.emitRemark("softmax attention replaced by ")
        << what << (site.causal ? ", causal" : "") << "; this changes the model";
    if (consumer) {
      rewriter.setInsertionPoint(consumer);
      AttnBuilder cb(rewriter, consumer.getOperation());
      Value out = cb.matmul(weights, cb.layerNorm(consumer.getRhs()));
      out.setType(consumer.getType());
      rewriter.replaceOp(consumer, out);
      rewriter.eraseOp(op);
    } else {
      weights.setType(op.getType());
      rewriter.replaceOp(op, weights);
    }
    for (Operation *dead : site.chain)
      if (dead->use_empty())
        rewriter.eraseOp(dead);
    return std::nullopt;
  }
};
} // namespace
