//===- LinearUses.cpp - the uses of a product that are linear in it -------===//
#include "lib/Transforms/LinearUses.h"

using namespace attn;
using namespace mlir;

std::optional<std::string>
attn::collectLinearUses(Value v, llvm::SmallVectorImpl<Leaf> &leaves,
                        llvm::SmallVector<Operation *> rows) {
  int64_t rank = shapeOf(v).size();
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (isa<ScaleOp>(user) ||
        (isa<NormalizeOp>(user) && use.getOperandNumber() == 0 &&
         shapeOf(user->getOperand(1)).back() == 1)) {
      auto next = rows;
      next.push_back(user);
      if (auto why = collectLinearUses(user->getResult(0), leaves, next))
        return why;
      continue;
    }
    if (auto mm = dyn_cast<MatmulOp>(user)) {
      if (use.getOperandNumber() == 0 && !mm.getTransposeLhs() &&
          mm.getRhs() != v) {
        leaves.push_back({user, rows});
        continue;
      }
      return std::string("the product is used as the ") +
             (use.getOperandNumber() == 0 ? "transposed " : "right ") +
             "operand of a matmul";
    }
    if (auto rs = dyn_cast<RowSumOp>(user)) {
      if (normalizeDim(rs.getDim(), rank) == rank - 1) {
        leaves.push_back({user, rows});
        continue;
      }
      return std::string("the product is summed over its rows, not its "
                         "columns");
    }
    if (isa<SoftmaxOp>(user))
      return std::string("a softmax is between the product and its use "
                         "(attn-remove-softmax replaces it by a kernel)");
    if (isa<CausalMaskOp>(user))
      return std::string("a causal mask is between the product and its use "
                         "(attn-causal-to-cumsum handles masked products)");
    if (isa<func::ReturnOp>(user))
      return std::string("the product itself is returned");
    return "the product has a use by '" +
           user->getName().getStringRef().str() + "', which is not linear in it";
  }
  return std::nullopt;
}

LogicalResult attn::replaceLeaf(RewriterBase &rewriter, AttnBuilder &b,
                                const Leaf &leaf, Value result) {
  for (Operation *row : leaf.rows) {
    if (auto sc = dyn_cast<ScaleOp>(row))
      result = b.scale(result, sc.getFactor().convertToDouble());
    else if (auto nz = dyn_cast<NormalizeOp>(row))
      result = b.normalize(result, nz.getDen(), nz.getEps().convertToDouble());
  }
  if (!result)
    return failure();
  result.setType(leaf.op->getResult(0).getType());
  rewriter.replaceOp(leaf.op, result);
  return success();
}

void attn::eraseDeadRows(RewriterBase &rewriter, llvm::ArrayRef<Leaf> leaves) {
  llvm::SmallVector<Operation *> dead;
  for (const Leaf &leaf : leaves)
    for (Operation *row : llvm::reverse(leaf.rows))
      if (!llvm::is_contained(dead, row))
        dead.push_back(row);
  for (Operation *op : dead)
    if (op->use_empty())
      rewriter.eraseOp(op);
}
