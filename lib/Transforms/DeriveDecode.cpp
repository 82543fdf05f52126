//===- DeriveDecode.cpp - prefill and step functions from a causal model --===//
#include "lib/Transforms/LinearUses.h"
#include "lib/Transforms/Passes.h"

namespace attn {
#define GEN_PASS_DEF_ATTNDERIVEDECODE
#include "lib/Transforms/Passes.h.inc"
} // namespace attn

using namespace attn;
using namespace mlir;

namespace {

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
    sites.masks.push_back(mask);
  });
  if (why)
    return why;
  if (sites.empty())
    return std::string("no causal softmax-free attention and no scan along "
                       "a dynamic sequence");
  return std::nullopt;
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
      AttnBuilder bld(rewriter, leaf.op->getLoc());
      auto elem = cast<RankedTensorType>(a.getType()).getElementType();
      if (auto mm = dyn_cast<MatmulOp>(leaf.op)) {
        // o_t = a_t^T (S_in + sum_{s<=t} b_s v_s^T).
        stateShape.append({shapeOf(a).back(), out.back()});
        Value in = adder.addArgument(RankedTensorType::get(stateShape, elem),
                                     leaf.op->getLoc());
        result = bld.add(bld.matmul(mask, mm.getRhs()), bld.matmul(a, in));
        stateOut = bld.add(in, bld.matmul(b, mm.getRhs(), true, false));
      } else {
        // den_t = a_t . (z_in + sum_{s<=t} b_s).
        stateShape.append({1, shapeOf(a).back()});
        Value in = adder.addArgument(RankedTensorType::get(stateShape, elem),
                                     leaf.op->getLoc());
        result = bld.add(bld.rowSum(mask, -1), bld.matmul(a, in, false, true));
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
    AttnBuilder bld(rewriter, scan.getLoc());
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
      Sites sites;
      if (auto why = collectSites(f, sites)) {
        if (explain)
          f.emitRemark("no decode functions: ") << *why;
        continue;
      }
      unsigned inputs = f.getNumArguments();
      rewriter.setInsertionPointAfter(f);
      auto prefill = cast<func::FuncOp>(rewriter.clone(*f));
      prefill.setSymName((f.getSymName() + "_prefill").str());
      if (failed(addStates(prefill, rewriter)))
        return signalPassFailure();
      rewriter.setInsertionPointAfter(prefill);
      auto step = cast<func::FuncOp>(rewriter.clone(*prefill));
      step.setSymName((f.getSymName() + "_step").str());
      if (failed(specializeToOneToken(step, inputs)))
        return signalPassFailure();
      if (explain)
        f.emitRemark("derived @")
            << prefill.getSymName() << " and @" << step.getSymName() << " with "
            << (prefill.getNumArguments() - inputs) << " state(s)";
    }
  }
};
} // namespace
