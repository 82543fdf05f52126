//===- ModelFile.h - reading attn model files --------------------*- C++ -*-===//
#ifndef ATTN_DIALECT_MODELFILE_H
#define ATTN_DIALECT_MODELFILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

namespace attn {

/// Loads the dialects a model uses (attn, func, arith) and keeps
/// diagnostics to their message and location (no dump of the op).
void prepareContext(mlir::MLIRContext &ctx);

/// Reads and parses `path` into `sm` (so diagnostics show the source line).
/// A file that cannot be opened sets `error`; a parse error is reported as
/// a diagnostic; both give null.
mlir::OwningOpRef<mlir::ModuleOp> parseModelFile(const std::string &path,
                                                 llvm::SourceMgr &sm,
                                                 mlir::MLIRContext &ctx,
                                                 std::string &error);

} // namespace attn

#endif // ATTN_DIALECT_MODELFILE_H
