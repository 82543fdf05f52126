//===- AssertSize.cpp - attn.assert_size: syntax, verifier, folding -------===//
//
//   attn.assert_size %a[2] == %b[2] : tensor<..>, tensor<..>
//   attn.assert_size %a[1] == 64 : tensor<..>
//
//===----------------------------------------------------------------------===//
#include "dialect/AttnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"

using namespace attn;
using namespace mlir;

ParseResult AssertSizeOp::parse(OpAsmParser &parser, OperationState &result) {
  OpAsmParser::UnresolvedOperand lhs, rhs;
  int64_t lhsDim = 0, rhsDim = 0, size = 0;
  bool hasRhs = false;
  if (parser.parseOperand(lhs) || parser.parseLSquare() ||
      parser.parseInteger(lhsDim) || parser.parseRSquare() ||
      parser.parseEqual() || parser.parseEqual())
    return failure();
  OptionalParseResult operand = parser.parseOptionalOperand(rhs);
  if (operand.has_value()) {
    if (failed(*operand) || parser.parseLSquare() ||
        parser.parseInteger(rhsDim) || parser.parseRSquare())
      return failure();
    hasRhs = true;
  } else if (parser.parseInteger(size)) {
    return failure();
  }
  if (parser.parseOptionalAttrDict(result.attributes) || parser.parseColon())
    return failure();
  Type lhsType, rhsType;
  if (parser.parseType(lhsType))
    return failure();
  if (hasRhs && (parser.parseComma() || parser.parseType(rhsType)))
    return failure();
  if (parser.resolveOperand(lhs, lhsType, result.operands))
    return failure();
  if (hasRhs && parser.resolveOperand(rhs, rhsType, result.operands))
    return failure();
  Builder &b = parser.getBuilder();
  result.addAttribute(getLhsDimAttrName(result.name), b.getI64IntegerAttr(lhsDim));
  if (hasRhs)
    result.addAttribute(getRhsDimAttrName(result.name),
                        b.getI64IntegerAttr(rhsDim));
  else
    result.addAttribute(getSizeAttrName(result.name), b.getI64IntegerAttr(size));
  return success();
}

void AssertSizeOp::print(OpAsmPrinter &p) {
  p << " " << getLhs() << "[" << getLhsDim() << "] == ";
  if (getRhs())
    p << getRhs() << "[" << *getRhsDim() << "]";
  else
    p << getSize().value_or(0);
  p.printOptionalAttrDict((*this)->getAttrs(),
                          {getLhsDimAttrName(), getRhsDimAttrName(),
                           getSizeAttrName()});
  p << " : " << getLhs().getType();
  if (getRhs())
    p << ", " << getRhs().getType();
}

namespace {
/// The static size of dimension `dim` of `v`, or kDynamic.
int64_t staticSize(Value v, int64_t dim) {
  return cast<RankedTensorType>(v.getType()).getDimSize(dim);
}
} // namespace

LogicalResult AssertSizeOp::verify() {
  auto inRange = [&](Value v, int64_t dim, StringRef what) -> LogicalResult {
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    if (dim < 0 || dim >= rank)
      return emitOpError("'") << what << "' = " << dim
                              << " is out of range for " << v.getType()
                              << "; expected a value in [0, " << rank - 1
                              << "]";
    return success();
  };
  if (failed(inRange(getLhs(), getLhsDim(), "lhs_dim")))
    return failure();
  if (bool(getRhs()) == getSize().has_value() ||
      bool(getRhs()) != getRhsDim().has_value())
    return emitOpError("expected either a tensor dimension (rhs, rhs_dim) "
                       "or a constant size on the right-hand side");
  int64_t lhs = staticSize(getLhs(), getLhsDim()), rhs;
  if (getRhs()) {
    if (failed(inRange(getRhs(), *getRhsDim(), "rhs_dim")))
      return failure();
    rhs = staticSize(getRhs(), *getRhsDim());
  } else {
    rhs = *getSize();
    if (rhs < 0)
      return emitOpError("size ") << rhs << " is negative; expected >= 0";
  }
  if (!ShapedType::isDynamic(lhs) && !ShapedType::isDynamic(rhs) && lhs != rhs)
    return emitOpError("the sizes always differ (")
           << lhs << " vs " << rhs << "); the function can never run";
  return success();
}

/// An assert that the types already prove goes away.
LogicalResult AssertSizeOp::canonicalize(AssertSizeOp op,
                                         PatternRewriter &rewriter) {
  int64_t lhs = staticSize(op.getLhs(), op.getLhsDim());
  bool proven;
  if (op.getRhs())
    proven = (op.getRhs() == op.getLhs() && *op.getRhsDim() == op.getLhsDim()) ||
             (!ShapedType::isDynamic(lhs) &&
              lhs == staticSize(op.getRhs(), *op.getRhsDim()));
  else
    proven = lhs == *op.getSize();
  if (!proven)
    return failure();
  rewriter.eraseOp(op);
  return success();
}
