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

using namespace attn;
using namespace mlir;

static LogicalResult verifyAttnOp(Operation *op) {
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
