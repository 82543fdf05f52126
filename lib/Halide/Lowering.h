//===- Lowering.h - attn function -> Halide pipeline -------------*- C++
//-*-===//
//
// The algorithm only: each op becomes one or a few Halide Funcs. How they
// are computed (tiling, vectorisation, threads) is decided in Schedule.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_HALIDE_LOWERING_H
#define ATTN_HALIDE_LOWERING_H

#include "dialect/ShapeRules.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "Halide.h"

#include <string>
#include <vector>

namespace attn::hl {

/// What the scheduler needs to know about a Func that is computed at root.
enum class StageKind {
  Pointwise, ///< pure definition only
  Reduction, ///< pure init + one update over an RDom (sums, max)
  Matmul,    ///< a reduction whose update is a product over rows x columns
  FusedAttentionOutput, ///< scheduled with its FusedAttention group
  Scan,                 ///< pure init + a serial update along `scanDim`
  Stencil, ///< a reduction over taps around each position of an image
};

struct Stage {
  Halide::Func func;
  StageKind kind = StageKind::Pointwise;
  /// Static extents in MLIR order (outermost first); kDynamic when unknown.
  Shape shape;
  /// Static length of the update's reduction or scan; kDynamic if unknown.
  int64_t reductionSize = 1;
  /// Matmul: the product itself, of which `func` is a pure copy, so that
  /// the CPU schedule can accumulate it one register tile at a time.
  Halide::Func product = Halide::Func();
  /// Reduction: a sum along the innermost (contiguous) dimension of its
  /// input, which the schedule vectorises along the reduction.
  bool alongInnermost = false;
  /// Matmul: the extents of `func` (MLIR order), for specialisations.
  std::vector<Halide::Expr> extents = {};
  /// Matmul: the operands `product` reads, lhs [.., rows, K] (or [.., K,
  /// rows] when `lhsTransposed`) and rhs [.., K, cols], so that a schedule
  /// can stage their loads.
  Halide::Func lhs = Halide::Func(), rhs = Halide::Func();
  bool lhsTransposed = false;
  /// rhs is a transposed copy (a pointwise stage read only by this product)
  /// of a tensor contiguous along K.
  bool rhsIsTranspose = false;
};

/// Softmax attention computed per block of query rows: the scores of a
/// block, their row maxima and sums and the weighted values live only
/// while the block is computed, so no T x T buffer exists.
struct FusedAttention {
  Halide::Func out;                      ///< [.., Tq, e], materialised
  Halide::Func scores;                   ///< q k^T of a block of rows
  Halide::Func rowMax, rowSum, weighted; ///< per row; weighted: [.., Tq, e]
  Halide::Func probs;                    ///< exp(scores - row max) of the block
  Shape shape;                           ///< static shape of `out`
  Halide::Expr rows, keys;               ///< query rows, keys
  int64_t depth = 0; ///< static feature size of q and k (kDynamic if not)
  /// The operands of the products: scores = q kt, weighted = probs v.
  Halide::Func q, kt, v;
  /// The GPU's online form (FlashAttention's): the keys in blocks of
  /// keysPerBlock (k^T and v read through copies padded to whole blocks;
  /// q through a copy with clamped rows). After the leading dimensions:
  /// scores, probs [block, rows.., key] of a block, blockMax and blockSum
  /// [block, rows..] its row maxima and exp-sums, blockWeighted
  /// [block, rows.., e] its weighted values; `state` [rows.., group] the
  /// tuple {running max, sum, weighted sums of the group's e / kGpuLanes
  /// value features}, updated block by block (rescaled to the new max), so
  /// that no row ever holds all its scores. The rows are
  /// one dimension, or when causal two: tiles of rowsPerBlock rows from row
  /// 0 and the row in a tile, a tile skipping the blocks after its last row.
  bool online = false, causal = false;
  int keysPerBlock = 0, rowsPerBlock = 0;
  Halide::Func blockMax, blockSum, blockWeighted, state;
  /// Its Funcs, each computed at root or inside `out`.
  std::vector<Halide::Func> funcs() const {
    if (online)
      return {scores, blockMax, probs, blockSum, blockWeighted, state, out};
    return {scores, rowMax, probs, rowSum, weighted, out};
  }
};

/// One func.func lowered: its arguments, outputs and the Funcs to schedule.
struct LoweredFunction {
  std::string name;
  std::vector<Halide::ImageParam> params;
  std::vector<Shape> paramShapes; ///< MLIR order, kDynamic when unknown
  std::vector<Halide::Func> outputs;
  std::vector<Stage> stages; ///< in definition order, outputs included
  std::vector<FusedAttention> attentions;
  /// Run-time shape checks the types could not prove statically.
  struct Requirement {
    Halide::Expr condition;
    std::vector<Halide::Expr> message; ///< strings and values, concatenated
  };
  std::vector<Requirement> requirements;

  /// Whether `f` is one of the outputs.
  bool isOutput(const Halide::Func &f) const;
  /// The pipeline of the outputs for `target`, carrying the requirements
  /// and the target's rewrites of device code (addDeviceCodePasses).
  Halide::Pipeline pipeline(const Halide::Target &target) const;
  /// Arguments in the order of the C function: the inputs (outputs follow
  /// implicitly when compiling).
  std::vector<Halide::Argument> arguments() const;
};

/// The message of a Halide exception, without Halide's "Error: " prefix and
/// trailing newlines, for a diagnostic.
std::string describeHalideError(const Halide::Error &e);

/// Lowers `func`. Unsupported ops or types are reported as error
/// diagnostics at their location and give failure.
/// `forGpu`: the algorithm as the GPU schedules take it (the operands of
/// reductions they split are read through views clamped along K, so that a
/// ragged last step can be loaded whole); the same values either way.
mlir::FailureOr<LoweredFunction> lowerToHalide(mlir::func::FuncOp func,
                                               bool forGpu = false);

} // namespace attn::hl

#endif // ATTN_HALIDE_LOWERING_H
