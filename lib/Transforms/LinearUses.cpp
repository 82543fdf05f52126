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
        (isa<DivideBySizeOp>(user) && use.getOperandNumber() == 0) ||
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
  // In the order of the function, not of the use list (which follows the
  // order the ops were built in): rewrites, and the states derive-decode
  // adds, come out the same whatever built the IR.
  if (rows.empty())
    std::stable_sort(leaves.begin(), leaves.end(),
                     [](const Leaf &x, const Leaf &y) {
                       return x.op->getBlock() == y.op->getBlock() &&
                              x.op->isBeforeInBlock(y.op);
                     });
  return std::nullopt;
}

LogicalResult attn::replaceLeaf(RewriterBase &rewriter, AttnBuilder &b,
                                const Leaf &leaf, Value result) {
  for (Operation *row : leaf.rows) {
    if (auto sc = dyn_cast<ScaleOp>(row))
      result = b.scale(result, sc.getFactor().convertToDouble());
    else if (auto dv = dyn_cast<DivideBySizeOp>(row))
      result = b.divideBySize(result, dv.getRef(), dv.getDim());
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

/// The value c of a causally masked uniform weight matrix (AFT-simple's
/// `w = 0` weights, written as a splat constant), if that is what `mask` masks.
std::optional<double> attn::uniformCausalWeight(CausalMaskOp mask) {
  auto cst = mask.getInput().getDefiningOp<arith::ConstantOp>();
  auto dense = cst ? dyn_cast<DenseElementsAttr>(cst.getValue())
                   : DenseElementsAttr();
  if (!dense || !dense.isSplat())
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToDouble();
}

/// Why `mask` cannot be rewritten, or nothing (then `leaves` are its uses).
std::optional<std::string>
attn::analyseCausalSite(CausalMaskOp mask, llvm::SmallVectorImpl<Leaf> &leaves) {
  if (mask.getFill() != MaskFill::zero)
    return std::string("the mask fills the lowest value (a softmax mask); "
                       "remove the softmax first");
  llvm::ArrayRef<int64_t> ms = shapeOf(mask.getResult());
  size_t r = ms.size();
  if (uniformCausalWeight(mask)) {
    if (ms[r - 1] != ms[r - 2])
      return std::string("the masked weight matrix is not square");
    if (auto why = collectLinearUses(mask.getResult(), leaves))
      return why;
    for (const Leaf &leaf : leaves)
      if (auto mm = dyn_cast<MatmulOp>(leaf.op)) {
        llvm::ArrayRef<int64_t> vs = shapeOf(mm.getRhs());
        if (mm.getTransposeRhs())
          return std::string("the values are transposed (matmul transpose_rhs)");
        for (size_t i = 0; i + 2 < r; ++i)
          if (ms[i] != 1 && ms[i] != vs[i])
            return std::string("the weights have batch dimensions the values "
                               "do not");
      }
    return leaves.empty() ? std::optional<std::string>("the masked product has "
                                                       "no use")
                          : std::nullopt;
  }
  auto s = mask.getInput().getDefiningOp<MatmulOp>();
  if (!s || s.getTransposeLhs() || !s.getTransposeRhs())
    return std::string("the masked scores are not a product A B^T (nor a "
                       "uniform constant, as in causal AFT-simple)");
  // Prefix sums pair query t with keys 0..t of one sequence: the mask must
  // be square (where a size is dynamic, an assert_size keeps it so).
  if (!ShapedType::isDynamic(ms[r - 1]) && !ShapedType::isDynamic(ms[r - 2]) &&
      ms[r - 1] != ms[r - 2])
    return "the mask is not square (" + std::to_string(ms[r - 2]) +
           " queries, " + std::to_string(ms[r - 1]) +
           " keys): prefix sums need one sequence of queries and keys";
  if (auto why = collectLinearUses(mask.getResult(), leaves))
    return why;
  if (leaves.empty())
    return std::string("the masked product has no use");
  for (const Leaf &leaf : leaves)
    if (auto mm = dyn_cast<MatmulOp>(leaf.op); mm && mm.getTransposeRhs())
      return std::string("the values are transposed (matmul transpose_rhs)");
  return std::nullopt;
}
