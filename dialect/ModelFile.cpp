//===- ModelFile.cpp - reading attn model files ---------------------------===//
#include "dialect/ModelFile.h"
#include "dialect/AttnDialect.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

void attn::prepareContext(mlir::MLIRContext &ctx) {
  ctx.loadDialect<AttnDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  ctx.printOpOnDiagnostic(false);
}

mlir::OwningOpRef<mlir::ModuleOp>
attn::parseModelFile(const std::string &path, llvm::SourceMgr &sm,
                     mlir::MLIRContext &ctx, std::string &error) {
  auto file = mlir::openInputFile(path, &error);
  if (!file)
    return nullptr;
  sm.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return mlir::parseSourceFile<mlir::ModuleOp>(sm, &ctx);
}
