//===- SizeRelations.h - keeping a function's size relations ---*- C++ -*-===//
//
// A rewrite may compute the same values from fewer constraints: the chunked
// form of causal attention no longer compares the lengths of k and v, so
// lengths 4 and 3 that the original refused would give a result. Around
// each rewrite, KeptSizeRelations records the relations among the
// arguments' sizes that the function implies (SymbolicShapes) and, after
// it, adds an `attn.assert_size` (at the location of the op that required
// it) for each one the function no longer implies.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TRANSFORMS_SIZERELATIONS_H
#define ATTN_TRANSFORMS_SIZERELATIONS_H

#include "dialect/SymbolicShapes.h"

#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"

#include <mutex>

namespace attn {

class KeptSizeRelations {
public:
  explicit KeptSizeRelations(mlir::func::FuncOp f);
  /// Adds an assert to `target` (by default the function it was made from;
  /// a function derived from it with the same leading arguments, e.g. a
  /// prefill) for each recorded relation `target` does not imply. Fails,
  /// with an error, where `target`'s types contradict a relation.
  mlir::LogicalResult restore(mlir::func::FuncOp target = {});
  mlir::func::FuncOp function() const { return func; }
  const std::string &name() const { return symName; }

private:
  mlir::func::FuncOp func;
  std::string symName;
  /// The relation, and where its origin was (the origin op may be erased).
  std::vector<std::pair<SymbolicShapes::Relation, mlir::Location>> relations;
};

/// Keeps the size relations of every function across every pass of a pass
/// manager (canonicalize and cse too, which may erase a dead op that was the
/// only one to require a relation).
class SizeRelationsInstrumentation : public mlir::PassInstrumentation {
public:
  void runBeforePass(mlir::Pass *pass, mlir::Operation *op) override;
  void runAfterPass(mlir::Pass *pass, mlir::Operation *op) override;
  void runAfterPassFailed(mlir::Pass *pass, mlir::Operation *op) override;

private:
  std::mutex mutex;
  /// Per (pass, op) that is running: the relations of its functions.
  std::map<std::pair<mlir::Pass *, mlir::Operation *>,
           std::vector<std::unique_ptr<KeptSizeRelations>>>
      running;
};

/// Adds SizeRelationsInstrumentation to `pm` (attn-opt does; so should any
/// program that runs attn's or MLIR's passes on attn functions).
void keepSizeRelations(mlir::PassManager &pm);

} // namespace attn

#endif // ATTN_TRANSFORMS_SIZERELATIONS_H
