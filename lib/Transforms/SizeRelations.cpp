//===- SizeRelations.cpp - keeping a function's size relations ------------===//
#include "lib/Transforms/SizeRelations.h"
#include "dialect/AttnDialect.h"
#include "lib/Transforms/Builders.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

using namespace attn;
using namespace mlir;

namespace {
/// Where a kept relation's assert points: the requiring op's location,
/// named after the op ("attn.attention"), so that messages can say which op
/// required it even after the rewrite erased that op.
Location originLocation(Operation *origin, func::FuncOp f) {
  if (!origin)
    return f.getLoc();
  return AttnBuilder::rewrittenFrom(origin);
}
} // namespace

KeptSizeRelations::KeptSizeRelations(func::FuncOp f)
    : func(f), symName(f.getSymName().str()) {
  if (f.isExternal())
    return;
  SymbolicShapes shapes(f);
  for (const SymbolicShapes::Relation &r : shapes.argumentRelations())
    relations.emplace_back(r, originLocation(r.origin, f));
}

LogicalResult KeptSizeRelations::restore(func::FuncOp target) {
  if (!target)
    target = func;
  if (relations.empty() || target.isExternal())
    return success();
  SymbolicShapes after(target);
  OpBuilder b(target.getContext());
  b.setInsertionPointToStart(&target.getBody().front());
  Builder &attrs = b;
  for (auto &[r, loc] : relations) {
    if (after.implies(r))
      continue;
    Value lhs = target.getArgument(r.arg);
    int64_t lhsSize = cast<RankedTensorType>(lhs.getType()).getDimSize(r.dim);
    if (r.otherArg < 0) {
      if (!ShapedType::isDynamic(lhsSize) && lhsSize != r.constant)
        return emitError(loc) << "@" << target.getSymName() << " gives "
                              << "dimension " << r.dim << " of argument #"
                              << r.arg << " size " << lhsSize
                              << ", but the function requires " << r.constant;
      b.create<AssertSizeOp>(loc, lhs, attrs.getI64IntegerAttr(r.dim), Value(),
                             IntegerAttr(), attrs.getI64IntegerAttr(r.constant));
      continue;
    }
    Value rhs = target.getArgument(r.otherArg);
    int64_t rhsSize =
        cast<RankedTensorType>(rhs.getType()).getDimSize(r.otherDim);
    if (!ShapedType::isDynamic(lhsSize) && !ShapedType::isDynamic(rhsSize) &&
        lhsSize != rhsSize)
      return emitError(loc) << "@" << target.getSymName() << " gives "
                            << "dimension " << r.dim << " of argument #"
                            << r.arg << " size " << lhsSize << " and dimension "
                            << r.otherDim << " of argument #" << r.otherArg
                            << " size " << rhsSize
                            << ", but the function requires them equal";
    b.create<AssertSizeOp>(loc, lhs, attrs.getI64IntegerAttr(r.dim), rhs,
                           attrs.getI64IntegerAttr(r.otherDim), IntegerAttr());
  }
  return success();
}

namespace {
/// The functions a pass running on `op` may rewrite.
llvm::SmallVector<func::FuncOp> functionsUnder(Operation *op) {
  llvm::SmallVector<func::FuncOp> funcs;
  if (auto f = dyn_cast<func::FuncOp>(op))
    funcs.push_back(f);
  else if (auto m = dyn_cast<ModuleOp>(op))
    for (auto f : m.getOps<func::FuncOp>())
      funcs.push_back(f);
  return funcs;
}
} // namespace

void SizeRelationsInstrumentation::runBeforePass(Pass *pass, Operation *op) {
  std::vector<std::unique_ptr<KeptSizeRelations>> kept;
  for (func::FuncOp f : functionsUnder(op))
    kept.push_back(std::make_unique<KeptSizeRelations>(f));
  std::lock_guard<std::mutex> lock(mutex);
  running[{pass, op}] = std::move(kept);
}

void SizeRelationsInstrumentation::runAfterPass(Pass *pass, Operation *op) {
  std::vector<std::unique_ptr<KeptSizeRelations>> kept;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = running.find({pass, op});
    if (it == running.end())
      return;
    kept = std::move(it->second);
    running.erase(it);
  }
  // A function the pass erased has nothing to keep; the others are looked
  // up again by name (a module pass may have replaced them).
  auto module = dyn_cast<ModuleOp>(op);
  for (auto &k : kept) {
    func::FuncOp target = k->function();
    if (module) {
      target = module.lookupSymbol<func::FuncOp>(k->name());
      if (!target)
        continue;
    }
    (void)k->restore(target);
  }
}

void SizeRelationsInstrumentation::runAfterPassFailed(Pass *pass,
                                                      Operation *op) {
  std::lock_guard<std::mutex> lock(mutex);
  running.erase({pass, op});
}

void attn::keepSizeRelations(PassManager &pm) {
  pm.addInstrumentation(std::make_unique<SizeRelationsInstrumentation>());
}
