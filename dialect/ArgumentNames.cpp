//===- ArgumentNames.cpp - how messages and headers name values -----------===//
#include "dialect/ArgumentNames.h"

using namespace mlir;

std::string attn::argumentName(func::FuncOp f, unsigned i) {
  if (auto name = f.getArgAttrOfType<StringAttr>(i, "attn.name"))
    return name.getValue().str();
  return "arg" + std::to_string(i);
}

std::string attn::describeValue(Value v) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    if (auto f = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp()))
      return argumentName(f, arg.getArgNumber());
  if (Operation *op = v.getDefiningOp())
    return "the result of '" + op->getName().getStringRef().str() + "'";
  return "a value";
}
