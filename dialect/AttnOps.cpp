//===- AttnOps.cpp - attn op verifiers ------------------------------------===//
//
// Every verifier goes through one function: the shape rules of ShapeRules.cpp
// compute the result shape (naming the bad operand and the expected shape),
// then the declared result type must be compatible with it, and all tensors
// must share one element type.
//
//===----------------------------------------------------------------------===//
#include "dialect/AttnDialect.h"
#include "dialect/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace attn;
using namespace mlir;

/// Float attributes (eps, scale factors, decays) must be finite: the
/// reference would compute NaN where generated code, which assumes finite
/// values, computes something else. An eps is also non-negative.
static LogicalResult verifyFloatAttributes(Operation *op) {
  for (NamedAttribute attr : op->getAttrs()) {
    auto f = dyn_cast<FloatAttr>(attr.getValue());
    if (!f)
      continue;
    double v = f.getValueAsDouble();
    if (!std::isfinite(v))
      return op->emitOpError("'")
             << attr.getName().getValue() << "' is " << v
             << "; expected a finite number";
    if (attr.getName() == "eps" && v < 0)
      return op->emitOpError("'eps' is ")
             << v << "; expected eps >= 0 (it is added to a variance or a "
             << "denominator)";
  }
  return success();
}

static LogicalResult verifyAttnOp(Operation *op) {
  if (failed(verifyFloatAttributes(op)))
    return failure();
  Type elem;
  llvm::SmallVector<Shape> shapes;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = cast<RankedTensorType>(operand.get().getType());
    if (!elem)
      elem = type.getElementType();
    else if (type.getElementType() != elem)
      return op->emitOpError("operand #")
             << operand.getOperandNumber() << " has element type "
             << type.getElementType() << "; expected " << elem
             << " like operand #0";
    shapes.emplace_back(type.getShape());
  }
  Shape inferred;
  std::string why;
  if (!inferResultShape(op, shapes, inferred, why))
    return op->emitOpError(why);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  if (resultType.getElementType() != elem)
    return op->emitOpError("result has element type ")
           << resultType.getElementType() << "; expected " << elem;
  if (!shapesCompatible(resultType.getShape(), inferred))
    return op->emitOpError("result type ")
           << resultType << " does not match the operands; expected shape "
           << formatShape(inferred);
  return success();
}

#define ATTN_VERIFY(OP)                                                        \
  LogicalResult OP::verify() { return verifyAttnOp(getOperation()); }
ATTN_VERIFY(MatmulOp)
ATTN_VERIFY(TransposeOp)
ATTN_VERIFY(ExpandDimsOp)
ATTN_VERIFY(SqueezeOp)
ATTN_VERIFY(ChunkOp)
ATTN_VERIFY(UnchunkOp)
ATTN_VERIFY(SoftmaxOp)
ATTN_VERIFY(CausalMaskOp)
ATTN_VERIFY(LayerNormOp)
ATTN_VERIFY(RmsNormOp)
ATTN_VERIFY(NormalizeOp)
ATTN_VERIFY(ScaleOp)
ATTN_VERIFY(FeatureMapOp)
ATTN_VERIFY(RowSumOp)
ATTN_VERIFY(DivideBySizeOp)
ATTN_VERIFY(CumsumOp)
ATTN_VERIFY(LastOp)
ATTN_VERIFY(DepthwiseConv2dOp)
ATTN_VERIFY(AddOp)
ATTN_VERIFY(SubOp)
ATTN_VERIFY(MulOp)
ATTN_VERIFY(DivOp)
ATTN_VERIFY(MaxOp)
ATTN_VERIFY(AttentionOp)
#undef ATTN_VERIFY

#define GET_OP_CLASSES
#include "dialect/AttnOps.cpp.inc"
