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

std::string attn::describeLocation(Operation *op) {
  // An attn.assert_size that a rewrite added is located at the op that
  // required it, named after that op (KeptSizeRelations).
  std::string name = op->getName().getStringRef().str();
  if (auto named = dyn_cast<NameLoc>(op->getLoc()))
    if (named.getName().getValue().starts_with("attn."))
      name = named.getName().str();
  std::string text = "'" + name + "'";
  FileLineColLoc file;
  op->getLoc()->walk([&](Location loc) {
    if (!file)
      file = dyn_cast<FileLineColLoc>(loc);
    return file ? WalkResult::interrupt() : WalkResult::advance();
  });
  if (file)
    text += " at " + file.getFilename().str() + ":" +
            std::to_string(file.getLine()) + ":" +
            std::to_string(file.getColumn());
  return text;
}
