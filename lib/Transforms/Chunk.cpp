//===- Chunk.cpp - cumulative-sum attention -> chunked form ---------------===//
//
// Numerator:   squeeze(matmul(expand(A), cumsum_T(matmul(expand(B), expand(V)))))
//   -> unchunk(masked(Ac Bc^T) Vc + Ac excl_cumsum_N(Bc^T Vc))
// Denominator: row_sum(mul(A, cumsum_T(B)))
//   -> unchunk(row_sum(masked(Ac Bc^T)) + Ac excl_cumsum_N(sum_C Bc)^T)
// with Xc = chunk(X) of shape [.., N, C, .]; decayed scans (RetNet) carry
// the decay powers described at Chunker; a scan's carry (init, a prefill's
// state) starts the exclusive prefix over chunks. Both are exact.
//
//===----------------------------------------------------------------------===//
#include "lib/Transforms/Builders.h"
#include "lib/Transforms/Passes.h"
#include "lib/Transforms/SizeRelations.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <functional>
#include <limits>

namespace attn {
#define GEN_PASS_DEF_ATTNCHUNK
#include "lib/Transforms/Passes.h.inc"
} // namespace attn

using namespace attn;
using namespace mlir;

namespace {

template <typename OpT> OpT defining(Value v) {
  return v ? v.getDefiningOp<OpT>() : OpT();
}

/// The operand of expand_dims(x, dim), or null.
Value expandedFrom(Value v, int64_t dim) {
  auto e = defining<ExpandDimsOp>(v);
  return e && e.getDim() == dim ? e.getInput() : Value();
}

/// Decay of a scan: one value, or one per index along `dim` (per head).
struct Decay {
  std::vector<double> values = {1.0};
  int64_t dim = -1; ///< -1: the single value applies everywhere
  bool plain() const { return dim < 0 && values[0] == 1.0; }
};

/// An inclusive scan along `dim`; its decay in `decay`.
bool inclusiveScan(CumsumOp c, int64_t dim, Decay &decay) {
  int64_t rank = shapeOf(c.getResult()).size();
  decay = Decay();
  if (auto g = c.getDecay())
    decay.values = {g->convertToDouble()};
  if (auto gs = c.getDecays()) {
    decay.values.assign(gs->begin(), gs->end());
    decay.dim = normalizeDim(*c.getDecaysDim(), rank);
  }
  return normalizeDim(c.getDim(), rank) == dim && !c.getExclusive();
}

/// The chunked form, for a scan with decay g (1: a plain prefix sum):
///   o_t = sum_{s in chunk, s <= t} g^(t-s) (a_t . b_s) v_s
///       + g^(i+1) a_t . P_n,      t = n C + i,
///   P_n = g^C P_{n-1} + sum_j g^(C-1-j) b_j v_j^T   (exclusive over chunks).
/// With g = 1 the weights are all one and are left out.
struct Chunker {
  AttnBuilder &b;
  int64_t size, r; ///< chunk length; rank of the unchunked operands
  Decay g;

  /// A constant [1, .., rows, cols] broadcasting against chunked tensors,
  /// with the heads' own values along the decay's dimension.
  Value weights(int64_t rows, int64_t cols,
                const std::function<double(double, int64_t, int64_t)> &value,
                Value like) {
    Shape shape(r - 1, 1);
    if (g.dim >= 0)
      shape[g.dim] = g.values.size();
    shape.append({rows, cols});
    std::vector<double> values;
    for (double gh : g.values)
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
          values.push_back(value(gh, i, j));
    return b.constant(shape, values, like);
  }

  /// Intra-chunk scores Ac Bc^T [.., N, C, C], weighted g^(i-j) below the
  /// diagonal and 0 above.
  Value intraScores(Value ac, Value bc) {
    Value s = b.matmul(ac, bc, false, true);
    if (g.plain())
      return b.causalMask(s, MaskFill::zero);
    return b.mul(s, weights(size, size, [&](double gh, int64_t i, int64_t j) {
                   return j <= i ? std::pow(gh, double(i - j)) : 0.0;
                 }, ac));
  }
  /// Bc with row j scaled by g^(C-1-j): its weight in the chunk's state.
  Value stateRows(Value bc) {
    if (g.plain())
      return bc;
    return b.mul(bc, weights(size, 1, [&](double gh, int64_t j, int64_t) {
                   return std::pow(gh, double(size - 1 - j));
                 }, bc));
  }
  /// Ac with row i scaled by g^(i+1): what the previous state decays by.
  Value queryRows(Value ac) {
    if (g.plain())
      return ac;
    return b.mul(ac, weights(size, 1, [&](double gh, int64_t i, int64_t) {
                   return std::pow(gh, double(i + 1));
                 }, ac));
  }
  /// P_n, starting from the scan's carry `init` (null: 0).
  Value prefix(Value states, Value init) {
    std::vector<double> perChunk;
    for (double gh : g.values)
      perChunk.push_back(std::pow(gh, double(size)));
    if (g.dim >= 0)
      return b.cumsum(states, r - 2, /*exclusive=*/true, 1.0, perChunk, g.dim,
                      init);
    return b.cumsum(states, r - 2, /*exclusive=*/true, perChunk[0], {}, 0,
                    init);
  }

  /// `init`: the scan's carry [.., 1, d, e], or null.
  Value numerator(Value a, Value bv, Value v, Value init) {
    Value ac = b.chunk(a, r - 2, size), bc = b.chunk(bv, r - 2, size),
          vc = b.chunk(v, r - 2, size);
    Value intra = b.matmul(intraScores(ac, bc), vc);
    Value states = b.matmul(stateRows(bc), vc, true, false); // [.., N, d, e]
    // Sequenced (C++ leaves sibling arguments' order to the compiler).
    Value carried = prefix(states, init);
    Value inter = b.matmul(queryRows(ac), carried);
    return b.unchunk(b.add(intra, inter), a, r - 2);
  }

  /// `init`: the scan's carry [.., 1, d], or null.
  Value denominator(Value a, Value bv, Value init) {
    Value ac = b.chunk(a, r - 2, size), bc = b.chunk(bv, r - 2, size);
    Value intra = b.rowSum(intraScores(ac, bc), -1);   // [.., N, C, 1]
    Value sums = b.rowSum(stateRows(bc), r - 1);       // [.., N, 1, d]
    if (init)
      init = b.expandDims(init, r - 1); // [.., 1, 1, d] like the sums
    Value carried = prefix(sums, init);
    Value inter = b.matmul(queryRows(ac), carried, false, true);
    return b.unchunk(b.add(intra, inter), a, r - 2);
  }
};

struct AttnChunkPass : public attn::impl::AttnChunkBase<AttnChunkPass> {
  using AttnChunkBase::AttnChunkBase;

  /// The scanned state before (T x rest) and after (ceil(T/C) x rest), and
  /// the FLOPs the intra-chunk products add, per batch.
  std::string describeCost(CumsumOp scan) {
    llvm::ArrayRef<int64_t> s = shapeOf(scan.getResult());
    int64_t dim = normalizeDim(scan.getDim(), s.size());
    // The state per position is d x e (numerator) or d (denominator); the
    // intra-chunk products cost 2 C (d + e) or 2 C d per position.
    double rest = 1, widths = 0;
    for (size_t i = dim + 1; i < s.size(); ++i) {
      double n = ShapedType::isDynamic(s[i]) ? 0 : s[i];
      rest *= n;
      widths += n;
    }
    if (ShapedType::isDynamic(s[dim]))
      return llvm::formatv("running state T x {0:F0} -> ceil(T/{1}) x {0:F0} "
                           "elements (T dynamic)",
                           rest, size.getValue())
          .str();
    double t = s[dim], chunks = std::ceil(t / size);
    return llvm::formatv("running state {0:e2} -> {1:e2} elements, plus "
                         "{2:e2} FLOPs of masked {3}x{3} products (T={4})",
                         t * rest, chunks * rest, 2 * t * size * widths,
                         size.getValue(), s[dim])
        .str();
  }

  void runOnOperation() override {
    KeptSizeRelations kept(getOperation());
    rewriteFunction();
    if (failed(kept.restore()))
      signalPassFailure();
  }

  void rewriteFunction() {
    if (size <= 0 || size > std::numeric_limits<int32_t>::max()) {
      getOperation().emitError("attn-chunk: size = ")
          << size.getValue() << " is not a chunk length; expected 0 < size "
          << "<= 2147483647 (kernels index with 32-bit integers)";
      return signalPassFailure();
    }
    llvm::SmallVector<CumsumOp> scans;
    getOperation().walk([&](CumsumOp op) { scans.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (CumsumOp scan : scans) {
      int64_t rank = shapeOf(scan.getResult()).size();
      // One position (a decode step): the scan is a single add already.
      if (shapeOf(scan.getResult())[normalizeDim(scan.getDim(), rank)] == 1) {
        if (explain)
          scan.emitRemark("not chunked: the scan has one position");
        continue;
      }
      bool changed = false;
      std::string cost = describeCost(scan);
      // Numerator: scan over T of a rank r+1 outer product.
      Decay g;
      if (auto outer = defining<MatmulOp>(scan.getInput());
          outer && inclusiveScan(scan, rank - 3, g) &&
          !outer.getTransposeLhs() && !outer.getTransposeRhs()) {
        int64_t r = rank - 1;
        Value bv = expandedFrom(outer.getLhs(), r), v = expandedFrom(outer.getRhs(), r - 1);
        for (Operation *user : llvm::make_early_inc_range(scan->getUsers())) {
          auto mm = dyn_cast<MatmulOp>(user);
          Value a = mm ? expandedFrom(mm.getLhs(), r - 1) : Value();
          auto sq = mm && mm->hasOneUse() ? dyn_cast<SqueezeOp>(*mm->user_begin())
                                          : SqueezeOp();
          if (!bv || !v || !a || mm.getRhs() != scan.getResult() ||
              mm.getTransposeLhs() || mm.getTransposeRhs() || !sq ||
              sq.getDim() != r - 1)
            continue;
          rewriter.setInsertionPoint(sq);
          AttnBuilder b(rewriter, sq.getOperation());
          Value out = Chunker{b, size, r, g}.numerator(a, bv, v,
                                                        scan.getInit());
          if (!out)
            return signalPassFailure();
          out.setType(sq.getType());
          rewriter.replaceOp(sq, out);
          rewriter.eraseOp(mm);
          changed = true;
        }
      }
      // Denominator: scan over T of B itself, used as row_sum(A * scan).
      if (inclusiveScan(scan, rank - 2, g)) {
        int64_t r = rank;
        for (Operation *user : llvm::make_early_inc_range(scan->getUsers())) {
          auto mul = dyn_cast<MulOp>(user);
          auto rs = mul && mul->hasOneUse() ? dyn_cast<RowSumOp>(*mul->user_begin())
                                            : RowSumOp();
          if (!rs || normalizeDim(rs.getDim(), r) != r - 1)
            continue;
          Value a = mul.getLhs() == scan.getResult() ? mul.getRhs() : mul.getLhs();
          if (shapeOf(a) != shapeOf(scan.getInput()))
            continue;
          rewriter.setInsertionPoint(rs);
          AttnBuilder b(rewriter, rs.getOperation());
          Value out = Chunker{b, size, r, g}.denominator(
              a, scan.getInput(), scan.getInit());
          if (!out)
            return signalPassFailure();
          out.setType(rs.getType());
          rewriter.replaceOp(rs, out);
          rewriter.eraseOp(mul);
          changed = true;
        }
      }
      if (explain)
        scan.emitRemark(changed ? "chunked with size " + std::to_string(size) +
                                      ": " + cost
                                : std::string("not chunked: not a cumulative "
                                              "sum of attention (see "
                                              "attn-causal-to-cumsum)"));
      if (changed && scan->use_empty()) {
        Operation *outer = scan.getInput().getDefiningOp();
        rewriter.eraseOp(scan);
        // The outer product and its expand_dims, now unused.
        llvm::SmallVector<Operation *> worklist = {outer};
        while (!worklist.empty()) {
          Operation *op = worklist.pop_back_val();
          if (!op || !op->use_empty() || !isa<AttnDialect>(op->getDialect()))
            continue;
          for (Value operand : op->getOperands())
            worklist.push_back(operand.getDefiningOp());
          rewriter.eraseOp(op);
        }
      }
    }
  }
};
} // namespace
