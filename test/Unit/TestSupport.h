//===- TestSupport.h - parsing IR snippets in unit tests ---------*- C++ -*-===//
#ifndef ATTN_TEST_UNIT_TESTSUPPORT_H
#define ATTN_TEST_UNIT_TESTSUPPORT_H

#include "dialect/AttnDialect.h"
#include "dialect/ModelFile.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

namespace attn::test {

/// A context with the attn, func and arith dialects and a parsed module.
struct Parsed {
  mlir::MLIRContext ctx;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  explicit Parsed(llvm::StringRef ir) {
    prepareContext(ctx);
    module = mlir::parseSourceString<mlir::ModuleOp>(ir, &ctx);
  }
  mlir::func::FuncOp func(llvm::StringRef name = "f") {
    return module->lookupSymbol<mlir::func::FuncOp>(name);
  }
  /// The first op of @f's body.
  mlir::Operation *firstOp() { return &func().getBody().front().front(); }
};

} // namespace attn::test

#endif // ATTN_TEST_UNIT_TESTSUPPORT_H
