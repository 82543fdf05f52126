//===- SymbolicShapes.h - sizes of a function in terms of its arguments -*- C++ -*-===//
//
// Every size in an attn function is a constant, a size of one of its
// arguments, or computed from those (ceil(T / C) of a chunk). This analysis
// gives each value's sizes as such terms and collects the equalities its ops
// require (a matmul's contraction sizes, the lengths of keys and values, a
// declared static size), so that:
//  - a rewrite can tell which relations among the arguments' sizes the
//    function implied before and no longer does (KeptSizeRelations), and
//  - generated kernels can check every relation up front, in the user's
//    terms ("k has size 3 in dimension 2 but v has 4"), and the sizes of
//    their output buffers.
// Broadcasting follows the types: only a static size 1 broadcasts.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_DIALECT_SYMBOLICSHAPES_H
#define ATTN_DIALECT_SYMBOLICSHAPES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace attn {

class SymbolicShapes {
public:
  using TermId = unsigned;
  struct Term {
    enum Kind { Constant, ArgDim, CeilDiv, Opaque } kind;
    /// Constant: a = the value. ArgDim: a = argument, b = dimension (MLIR
    /// order). CeilDiv: a = the numerator's term, b = the divisor.
    /// Opaque: a = a unique number (a size nothing here computes).
    int64_t a = 0, b = 0;
  };

  /// A relation among the arguments' sizes: dimension `dim` of argument
  /// `arg` equals dimension `otherDim` of argument `otherArg`, or
  /// `constant` when `otherArg` is -1. `origin` is the op that requires it.
  struct Relation {
    unsigned arg = 0, dim = 0;
    int64_t otherArg = -1, otherDim = 0, constant = 0;
    mlir::Operation *origin = nullptr;
  };

  explicit SymbolicShapes(mlir::func::FuncOp func);

  /// The sizes of `v` (a value of the function's body), outermost first.
  llvm::ArrayRef<TermId> sizesOf(mlir::Value v) const;
  /// The term of dimension `dim` of argument `arg`.
  TermId argSize(unsigned arg, unsigned dim) const;
  const Term &term(TermId t) const { return terms[t]; }
  /// Whether the function's ops make `a` and `b` equal.
  bool equal(TermId a, TermId b) const;
  /// The op that first tied `t` to another size (null: none did).
  mlir::Operation *originOf(TermId t) const { return origin[t]; }
  /// The constant `t` equals, if any.
  std::optional<int64_t> constantOf(TermId t) const;
  /// The relations among dynamic argument sizes: each such size that must
  /// equal a constant or an earlier argument's size, once.
  std::vector<Relation> argumentRelations() const;
  /// Whether the function implies `r` (both sides in one class).
  bool implies(const Relation &r) const;
  /// The term as text over argument sizes: "64", "a0.2", "ceil(a0.2/64)",
  /// or "" for an opaque size (nothing to check).
  std::string describe(TermId t) const;

private:
  mutable mlir::func::FuncOp func;
  std::vector<Term> terms;
  mutable std::vector<TermId> parent;
  std::vector<mlir::Operation *> origin;
  std::map<std::tuple<int, int64_t, int64_t>, TermId> interned;
  llvm::DenseMap<mlir::Value, llvm::SmallVector<TermId, 4>> sizes;

  TermId intern(Term::Kind kind, int64_t a, int64_t b);
  TermId constant(int64_t v) { return intern(Term::Constant, v, 0); }
  TermId opaque();
  TermId ceilDiv(TermId n, int64_t d);
  TermId find(TermId t) const;
  void unify(TermId a, TermId b, mlir::Operation *op);
  /// The broadcast of dimension i of a and b (only a static 1 stretches).
  TermId broadcast(mlir::Value a, mlir::Value b, size_t ia, size_t ib,
                   mlir::Operation *op);
  void analyse(mlir::Operation *op);
  int opaqueCount = 0;
};

} // namespace attn

#endif // ATTN_DIALECT_SYMBOLICSHAPES_H
