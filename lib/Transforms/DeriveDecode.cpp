//===- DeriveDecode.cpp - prefill and step functions from a causal model --===//
#include "lib/Transforms/LinearUses.h"
#include "lib/Transforms/Passes.h"
#include "lib/Transforms/SizeRelations.h"

#include "dialect/SymbolicShapes.h"
#include "llvm/ADT/TypeSwitch.h"

namespace attn {
#define GEN_PASS_DEF_ATTNDERIVEDECODE
#include "lib/Transforms/Passes.h.inc"
} // namespace attn

using namespace attn;
using namespace mlir;

namespace {

/// Marks the functions this pass derives, with the name of their model.
constexpr llvm::StringLiteral kDecodeOf = "attn.decode_of";

/// Where the model carries state along the sequence: causal products A B^T
/// (causal linear attention) and inclusive scans along a dynamic length
/// (RetNet's retention, or models already rewritten to cumulative sums).
struct Sites {
  llvm::SmallVector<CausalMaskOp> masks;
  llvm::SmallVector<CumsumOp> scans;
  bool empty() const { return masks.empty() && scans.empty(); }
};

/// A scan that a prefill continues from a state: inclusive, over a dynamic
/// length, not already starting from a carry.
bool isSequenceScan(CumsumOp scan) {
  llvm::ArrayRef<int64_t> shape = shapeOf(scan.getResult());
  int64_t dim = normalizeDim(scan.getDim(), shape.size());
  return !scan.getExclusive() && !scan.getInit() &&
         ShapedType::isDynamic(shape[dim]);
}

/// The sites of `f`, or why it has no decode form.
std::optional<std::string> collectSites(func::FuncOp f, Sites &sites) {
  std::optional<std::string> why;
  f.walk([&](Operation *op) {
    if (auto scan = dyn_cast<CumsumOp>(op)) {
      if (isSequenceScan(scan))
        sites.scans.push_back(scan);
      return;
    }
    auto mask = dyn_cast<CausalMaskOp>(op);
    if (!mask || mask.getFill() != MaskFill::zero)
      return;
    llvm::SmallVector<Leaf> leaves;
    if (auto reason = analyseCausalSite(mask, leaves)) {
      why = *reason;
      return;
    }
    if (uniformCausalWeight(mask)) {
      why = "causal AFT-simple weights have no decode state here yet";
      return;
    }
    // A static length (e.g. a chunk's C x C scores) is no sequence to
    // continue; the check for uncarried mixing looks at it.
    if (ShapedType::isDynamic(shapeOf(mask.getResult()).drop_back().back()))
      sites.masks.push_back(mask);
  });
  if (why)
    return why;
  if (sites.empty())
    return std::string("no causal softmax-free attention and no scan along "
                       "a dynamic sequence");
  return std::nullopt;
}

/// An op that combines positions along the sequence in a way no state
/// carries, with why; prefill + steps would then differ from the whole
/// sequence (the sequence is the second-to-last dimension of the
/// arguments, wherever it is dynamic).
struct Mixing {
  Operation *op;
  std::string why;
};

std::optional<Mixing> findUncarriedMixing(func::FuncOp f, const Sites &sites) {
  SymbolicShapes shapes(f);
  llvm::SmallVector<SymbolicShapes::TermId> sequence;
  for (auto [i, arg] : llvm::enumerate(f.getArguments())) {
    auto t = cast<RankedTensorType>(arg.getType());
    if (t.getRank() >= 2 && t.isDynamicDim(t.getRank() - 2))
      sequence.push_back(shapes.argSize(i, t.getRank() - 2));
  }
  auto alongSequence = [&](Value v, int64_t dim) {
    llvm::ArrayRef<SymbolicShapes::TermId> s = shapes.sizesOf(v);
    int64_t d = normalizeDim(dim, s.size());
    if (d < 0)
      return false;
    // Also a length computed from the sequence (the chunks of a chunk).
    auto derived = [&](SymbolicShapes::TermId t, auto &self) -> bool {
      for (SymbolicShapes::TermId seq : sequence)
        if (shapes.equal(t, seq))
          return true;
      const SymbolicShapes::Term &x = shapes.term(t);
      return x.kind == SymbolicShapes::Term::CeilDiv &&
             self(SymbolicShapes::TermId(x.a), self);
    };
    return derived(s[d], derived);
  };
  // What the states carry: the causal products, their uses and row
  // scalings, and the scans along the sequence.
  llvm::SmallPtrSet<Operation *, 16> carried;
  for (CausalMaskOp mask : sites.masks) {
    carried.insert(mask);
    carried.insert(mask.getInput().getDefiningOp());
    llvm::SmallVector<Leaf> leaves;
    (void)analyseCausalSite(mask, leaves);
    for (const Leaf &leaf : leaves) {
      carried.insert(leaf.op);
      carried.insert(leaf.rows.begin(), leaf.rows.end());
    }
  }
  for (CumsumOp scan : sites.scans)
    carried.insert(scan);
  std::optional<Mixing> found;
  f.walk([&](Operation *op) {
    if (found || carried.contains(op) || !isa<AttnDialect>(op->getDialect()))
      return;
    std::optional<std::string> why =
        llvm::TypeSwitch<Operation *, std::optional<std::string>>(op)
            .Case([&](MatmulOp o) -> std::optional<std::string> {
              int64_t r = shapeOf(o.getLhs()).size();
              if (alongSequence(o.getLhs(), o.getTransposeLhs() ? r - 2 : r - 1))
                return "a matmul that sums over the sequence (non-causal "
                       "attention, or K^T V)";
              return std::nullopt;
            })
            .Case<RowSumOp, LastOp, SoftmaxOp, CumsumOp>(
                [&](auto o) -> std::optional<std::string> {
                  if (alongSequence(o.getInput(), o.getDim()))
                    return "'" + o->getName().getStringRef().str() +
                           "' along the sequence";
                  return std::nullopt;
                })
            .Case<LayerNormOp, RmsNormOp, FeatureMapOp>(
                [&](Operation *o) -> std::optional<std::string> {
                  if (alongSequence(o->getOperand(0), -1))
                    return "a normalisation or feature map over the sequence";
                  return std::nullopt;
                })
            .Case([&](CausalMaskOp o) -> std::optional<std::string> {
              if (!alongSequence(o.getInput(), -2))
                return std::nullopt;
              return std::string(o.getFill() == MaskFill::lowest
                                     ? "causal softmax attention (its decode "
                                       "needs a cache of keys and values, "
                                       "which this pass does not build)"
                                     : "a causal mask that is not causal "
                                       "linear attention");
            })
            .Case<ChunkOp, UnchunkOp>([&](Operation *o) -> std::optional<std::string> {
              int64_t dim = isa<ChunkOp>(o) ? cast<ChunkOp>(o).getDim()
                                            : cast<UnchunkOp>(o).getDim();
              Value along = isa<ChunkOp>(o) ? o->getOperand(0) : o->getOperand(1);
              if (!alongSequence(along, dim))
                return std::nullopt;
              return std::string("chunks of the sequence (the model is already "
                                 "chunked: run attn-derive-decode before "
                                 "attn-chunk or attn-linearize)");
            })
            .Case([&](DivideBySizeOp o) -> std::optional<std::string> {
              if (alongSequence(o.getRef(), o.getDim()))
                return "a division by the sequence length";
              return std::nullopt;
            })
            .Case([&](DepthwiseConv2dOp o) -> std::optional<std::string> {
              if (alongSequence(o.getInput(), -3) ||
                  alongSequence(o.getInput(), -2))
                return "a convolution along the sequence";
              return std::nullopt;
            })
            .Case([&](AttentionOp o) -> std::optional<std::string> {
              return std::string("softmax attention (its decode needs a cache "
                                 "of keys and values)");
            })
            .Default([](Operation *) { return std::nullopt; });
    if (why)
      found = Mixing{op, *why};
  });
  return found;
}

/// Adds a state argument and the updated state as a result.
struct StateAdder {
  func::FuncOp f;
  llvm::SmallVector<Value> outs;

  Value addArgument(Type type, Location loc) {
    unsigned index = f.getNumArguments();
    auto name = StringAttr::get(f.getContext(),
                                "state" + std::to_string(outs.size()));
    f.insertArgument(index, type,
                     DictionaryAttr::get(f.getContext(),
                                         {NamedAttribute(StringAttr::get(
                                                             f.getContext(), "attn.name"),
                                                         name)}),
                     loc);
    return f.getArgument(index);
  }
};

/// Rewrites `f` into the prefill form: states in, states out.
LogicalResult addStates(func::FuncOp f, RewriterBase &rewriter) {
  Sites sites;
  if (collectSites(f, sites))
    return failure();
  StateAdder adder{f, {}};
  for (CausalMaskOp mask : sites.masks) {
    llvm::SmallVector<Leaf> leaves;
    (void)analyseCausalSite(mask, leaves);
    auto s = mask.getInput().getDefiningOp<MatmulOp>();
    Value a = s.getLhs(), b = s.getRhs();
    int64_t r = shapeOf(a).size();
    for (const Leaf &leaf : leaves) {
      llvm::ArrayRef<int64_t> out = shapeOf(leaf.op->getResult(0));
      Shape stateShape(out.begin(), out.end() - 2);
      Value result, stateOut;
      rewriter.setInsertionPoint(leaf.op);
      AttnBuilder bld(rewriter, leaf.op);
      auto elem = cast<RankedTensorType>(a.getType()).getElementType();
      if (auto mm = dyn_cast<MatmulOp>(leaf.op)) {
        // o_t = a_t^T (S_in + sum_{s<=t} b_s v_s^T).
        stateShape.append({shapeOf(a).back(), out.back()});
        Value in = adder.addArgument(RankedTensorType::get(stateShape, elem),
                                     leaf.op->getLoc());
        Value masked = bld.matmul(mask, mm.getRhs());
        result = bld.add(masked, bld.matmul(a, in));
        stateOut = bld.add(in, bld.matmul(b, mm.getRhs(), true, false));
      } else {
        // den_t = a_t . (z_in + sum_{s<=t} b_s).
        stateShape.append({1, shapeOf(a).back()});
        Value in = adder.addArgument(RankedTensorType::get(stateShape, elem),
                                     leaf.op->getLoc());
        Value masked = bld.rowSum(mask, -1);
        result = bld.add(masked, bld.matmul(a, in, false, true));
        stateOut = bld.add(in, bld.rowSum(b, r - 2));
      }
      if (!stateOut || failed(replaceLeaf(rewriter, bld, leaf, result)))
        return failure();
      adder.outs.push_back(stateOut);
    }
    eraseDeadRows(rewriter, leaves);
  }
  // A scan continues from its state, y_t = g^(t+1) S_in + ..., and its last
  // element is the state after the prompt.
  for (CumsumOp scan : sites.scans) {
    Shape stateShape(shapeOf(scan.getResult()));
    int64_t dim = normalizeDim(scan.getDim(), stateShape.size());
    stateShape[dim] = 1;
    auto elem = cast<RankedTensorType>(scan.getType()).getElementType();
    Value in = adder.addArgument(RankedTensorType::get(stateShape, elem),
                                 scan.getLoc());
    rewriter.modifyOpInPlace(scan, [&] { scan->insertOperands(1, in); });
    rewriter.setInsertionPointAfter(scan);
    AttnBuilder bld(rewriter, scan.getOperation());
    Value stateOut = bld.last(scan.getResult(), dim);
    if (!stateOut)
      return failure();
    adder.outs.push_back(stateOut);
  }
  auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
  for (Value v : adder.outs) {
    f.insertResult(f.getNumResults(), v.getType(), DictionaryAttr());
    ret->insertOperands(ret->getNumOperands(), v);
  }
  return success();
}

/// Gives the sequence dimension of the first `count` arguments size 1 and
/// re-infers every op's result type.
LogicalResult specializeToOneToken(func::FuncOp f, unsigned count) {
  Block &body = f.getBody().front();
  for (unsigned i = 0; i < count; ++i) {
    auto t = cast<RankedTensorType>(body.getArgument(i).getType());
    if (t.getRank() < 2 || !t.isDynamicDim(t.getRank() - 2))
      continue;
    Shape s(t.getShape());
    s[t.getRank() - 2] = 1;
    body.getArgument(i).setType(RankedTensorType::get(s, t.getElementType()));
  }
  for (Operation &op : body) {
    if (auto check = dyn_cast<AssertSizeOp>(op)) {
      if (failed(check.verify()))
        return failure();
      continue;
    }
    if (!isa<AttnDialect>(op.getDialect()))
      continue;
    llvm::SmallVector<Shape> shapes;
    for (Value v : op.getOperands())
      shapes.emplace_back(shapeOf(v));
    Shape inferred;
    std::string why;
    if (!inferResultShape(&op, shapes, inferred, why))
      return op.emitError("attn-derive-decode: one token does not fit: ") << why;
    auto t = cast<RankedTensorType>(op.getResult(0).getType());
    op.getResult(0).setType(RankedTensorType::get(inferred, t.getElementType()));
  }
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  f.setType(FunctionType::get(f.getContext(), body.getArgumentTypes(),
                              ret.getOperandTypes()));
  return success();
}

/// A function this pass made, or one that already has its decode functions.
bool alreadyDerived(ModuleOp module, func::FuncOp f) {
  return f->hasAttr(kDecodeOf) ||
         module.lookupSymbol((f.getSymName() + "_prefill").str()) ||
         module.lookupSymbol((f.getSymName() + "_step").str());
}

struct AttnDeriveDecodePass
    : public attn::impl::AttnDeriveDecodeBase<AttnDeriveDecodePass> {
  using AttnDeriveDecodeBase::AttnDeriveDecodeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    IRRewriter rewriter(&getContext());
    for (func::FuncOp f : funcs) {
      if (f.isExternal())
        continue;
      if (alreadyDerived(module, f)) {
        if (explain)
          f.emitRemark("no decode functions: @")
              << f.getSymName() << " already has them, or is one";
        continue;
      }
      // The prefill starts as a copy whose composite attentions are
      // expanded (the softmax ones stay: they have no state to carry).
      rewriter.setInsertionPointAfter(f);
      auto prefill = cast<func::FuncOp>(rewriter.clone(*f));
      prefill.setSymName((f.getSymName() + "_prefill").str());
      llvm::SmallVector<AttentionOp> composites;
      prefill.walk([&](AttentionOp op) {
        if (op.getKernel() != AttentionKernel::softmax)
          composites.push_back(op);
      });
      for (AttentionOp op : composites)
        if (failed(expandAttention(op, rewriter)))
          return signalPassFailure();
      Sites sites;
      std::optional<std::string> why = collectSites(prefill, sites);
      std::optional<Mixing> mixing = findUncarriedMixing(prefill, sites);
      // Refused with an error where the function is causal (it has sites, or
      // is the chunked form of a causal one) but positions mix in a way no
      // state carries; without such structure there is just nothing to do.
      bool chunkedCausal = mixing && isa<ChunkOp, UnchunkOp>(mixing->op) &&
                           !prefill.getOps<CumsumOp>().empty();
      if (why && !chunkedCausal) {
        rewriter.eraseOp(prefill);
        if (explain)
          f.emitRemark("no decode functions: ") << *why;
        continue;
      }
      if (mixing) {
        mlir::emitError(mixing->op->getLoc(), "attn-derive-decode: @")
            << f.getSymName() << " has " << mixing->why
            << ", which no decode state carries: a prefill and steps would "
               "not equal the whole sequence";
        rewriter.eraseOp(prefill);
        return signalPassFailure();
      }
      KeptSizeRelations kept(f);
      unsigned inputs = f.getNumArguments();
      if (failed(addStates(prefill, rewriter)))
        return signalPassFailure();
      prefill->setAttr(kDecodeOf, f.getSymNameAttr());
      rewriter.setInsertionPointAfter(prefill);
      auto step = cast<func::FuncOp>(rewriter.clone(*prefill));
      step.setSymName((f.getSymName() + "_step").str());
      if (failed(specializeToOneToken(step, inputs)) ||
          failed(kept.restore(prefill)) || failed(kept.restore(step)))
        return signalPassFailure();
      if (explain)
        f.emitRemark("derived @")
            << prefill.getSymName() << " and @" << step.getSymName() << " with "
            << (prefill.getNumArguments() - inputs) << " state(s)";
    }
  }
};
} // namespace
