//===- Builders.cpp - building attn ops with inferred types ---------------===//
#include "lib/Transforms/Builders.h"

#include "dialect/ShapeRules.h"

using namespace attn;
using namespace mlir;

llvm::ArrayRef<int64_t> attn::shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

Value AttnBuilder::build(llvm::StringRef name, ValueRange operands,
                         llvm::ArrayRef<NamedAttribute> attrs) {
  // A failed build upstream propagates as null.
  if (llvm::any_of(operands, [](Value v) { return !v; }))
    return nullptr;
  OperationState state(loc, name);
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(operands.front().getType()); // replaced below
  Operation *op = b.create(state);
  llvm::SmallVector<Shape> shapes;
  for (Value v : operands)
    shapes.emplace_back(shapeOf(v));
  Shape result;
  std::string why;
  if (!inferResultShape(op, shapes, result, why)) {
    op->emitError("internal: a rewrite built an invalid op: ") << why;
    op->erase();
    return nullptr;
  }
  auto elem =
      cast<RankedTensorType>(operands.front().getType()).getElementType();
  op->getResult(0).setType(RankedTensorType::get(result, elem));
  return op->getResult(0);
}

Value AttnBuilder::matmul(Value lhs, Value rhs, bool transposeLhs,
                          bool transposeRhs) {
  llvm::SmallVector<NamedAttribute> attrs;
  if (transposeLhs)
    attrs.push_back(b.getNamedAttr("transpose_lhs", b.getUnitAttr()));
  if (transposeRhs)
    attrs.push_back(b.getNamedAttr("transpose_rhs", b.getUnitAttr()));
  return build(MatmulOp::getOperationName(), {lhs, rhs}, attrs);
}

Value AttnBuilder::buildWithDim(llvm::StringRef name, ValueRange operands,
                                int64_t dim) {
  return build(name, operands,
               {b.getNamedAttr("dim", b.getI64IntegerAttr(dim))});
}

Value AttnBuilder::rowSum(Value x, int64_t dim) {
  return buildWithDim(RowSumOp::getOperationName(), {x}, dim);
}

Value AttnBuilder::scale(Value x, double factor) {
  return build(ScaleOp::getOperationName(), {x},
               {b.getNamedAttr("factor", b.getF64FloatAttr(factor))});
}

Value AttnBuilder::normalize(Value num, Value den, double eps) {
  return build(NormalizeOp::getOperationName(), {num, den},
               {b.getNamedAttr("eps", b.getF64FloatAttr(eps))});
}

Value AttnBuilder::featureMap(FeatureMapKind kind, Value x) {
  return build(
      FeatureMapOp::getOperationName(), {x},
      {b.getNamedAttr("kind", FeatureMapKindAttr::get(b.getContext(), kind))});
}

Value AttnBuilder::causalMask(Value x, MaskFill fill) {
  return build(
      CausalMaskOp::getOperationName(), {x},
      {b.getNamedAttr("fill", MaskFillAttr::get(b.getContext(), fill))});
}

Value AttnBuilder::softmax(Value x) {
  return build(SoftmaxOp::getOperationName(), {x},
               {b.getNamedAttr("dim", b.getI64IntegerAttr(-1))});
}

Value AttnBuilder::favor(Value x, Value projection) {
  return build(
      FeatureMapOp::getOperationName(), {x, projection},
      {b.getNamedAttr("kind", FeatureMapKindAttr::get(b.getContext(),
                                                      FeatureMapKind::favor))});
}

Value AttnBuilder::layerNorm(Value x, double eps) {
  return build(LayerNormOp::getOperationName(), {x},
               {b.getNamedAttr("eps", b.getF64FloatAttr(eps)),
                b.getNamedAttr("operandSegmentSizes",
                               b.getDenseI32ArrayAttr({1, 0, 0}))});
}

Value AttnBuilder::constant(llvm::ArrayRef<int64_t> shape,
                            llvm::ArrayRef<double> values, Value like) {
  auto elem = cast<RankedTensorType>(like.getType()).getElementType();
  auto type = RankedTensorType::get(shape, elem);
  llvm::SmallVector<APFloat> floats;
  for (double v : values) {
    APFloat f(v);
    bool lost;
    f.convert(cast<FloatType>(elem).getFloatSemantics(),
              APFloat::rmNearestTiesToEven, &lost);
    floats.push_back(f);
  }
  return b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, floats));
}

Value AttnBuilder::expandDims(Value x, int64_t dim) {
  return buildWithDim(ExpandDimsOp::getOperationName(), {x}, dim);
}

Value AttnBuilder::squeeze(Value x, int64_t dim) {
  return buildWithDim(SqueezeOp::getOperationName(), {x}, dim);
}

Value AttnBuilder::chunk(Value x, int64_t dim, int64_t size) {
  return build(ChunkOp::getOperationName(), {x},
               {b.getNamedAttr("dim", b.getI64IntegerAttr(dim)),
                b.getNamedAttr("size", b.getI64IntegerAttr(size))});
}

Value AttnBuilder::unchunk(Value x, Value like, int64_t dim) {
  return buildWithDim(UnchunkOp::getOperationName(), {x, like}, dim);
}

Value AttnBuilder::cumsum(Value x, int64_t dim, bool exclusive, double decay,
                          llvm::ArrayRef<double> decays, int64_t decaysDim,
                          Value init) {
  llvm::SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("dim", b.getI64IntegerAttr(dim))};
  if (exclusive)
    attrs.push_back(b.getNamedAttr("exclusive", b.getUnitAttr()));
  if (!decays.empty()) {
    attrs.push_back(b.getNamedAttr("decays", b.getDenseF64ArrayAttr(decays)));
    attrs.push_back(
        b.getNamedAttr("decays_dim", b.getI64IntegerAttr(decaysDim)));
  } else if (decay != 1.0) {
    attrs.push_back(b.getNamedAttr("decay", b.getF64FloatAttr(decay)));
  }
  if (init)
    return build(CumsumOp::getOperationName(), {x, init}, attrs);
  return build(CumsumOp::getOperationName(), {x}, attrs);
}

Value AttnBuilder::last(Value x, int64_t dim) {
  return buildWithDim(LastOp::getOperationName(), {x}, dim);
}

Value AttnBuilder::add(Value x, Value y) {
  return build(AddOp::getOperationName(), {x, y});
}

Value AttnBuilder::mul(Value x, Value y) {
  return build(MulOp::getOperationName(), {x, y});
}

Value AttnBuilder::divideBySize(Value x, Value ref, int64_t dim) {
  return buildWithDim(DivideBySizeOp::getOperationName(), {x, ref}, dim);
}

mlir::Location AttnBuilder::rewrittenFrom(mlir::Operation *op) {
  if (mlir::isa<mlir::NameLoc>(op->getLoc()))
    return op->getLoc();
  return mlir::NameLoc::get(op->getName().getIdentifier(), op->getLoc());
}
