//===- ArgumentNames.h - how messages and headers name values ---*- C++ -*-===//
#ifndef ATTN_DIALECT_ARGUMENTNAMES_H
#define ATTN_DIALECT_ARGUMENTNAMES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>

namespace attn {

/// The name of argument `i` of `f`: its `attn.name`, else "arg<i>" (the
/// name of the buffer in generated code and its header).
std::string argumentName(mlir::func::FuncOp f, unsigned i);

/// A value as a message names it: "q" for an argument named q, else "the
/// result of 'attn.matmul'".
std::string describeValue(mlir::Value v);

/// Where an op is, for a message: "'attn.matmul' at model.mlir:5:10" (or
/// without the position when the op has no file location).
std::string describeLocation(mlir::Operation *op);

} // namespace attn

#endif // ATTN_DIALECT_ARGUMENTNAMES_H
