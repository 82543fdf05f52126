//===- Fusion.h - which stages a product can be computed inside --*- C++
//-*-===//
//
// A product's copy read by exactly one pointwise stage of its shape (the
// normalisation of linear attention, a sum of two chunk terms) need not
// reach memory: the schedules compute the product per register tile inside
// that consumer.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_HALIDE_FUSION_H
#define ATTN_HALIDE_FUSION_H

#include "lib/Halide/Lowering.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace attn::hl {

/// For each product stage of `lf`, its one pointwise consumer of the same
/// shape, or null. Call before any schedule: rfactor rewrites definitions.
std::map<const Stage *, const Stage *>
findProductConsumers(const LoweredFunction &lf);

/// For each product stage of `lf` read only by a scan (cumsum) of its shape,
/// that scan: its initial definition copies the product (the chunk states
/// of the chunked causal form, shifted by one chunk for their exclusive
/// prefix), so the CPU schedule computes the product's tiles there instead
/// of storing it. Call before any schedule.
std::map<const Stage *, const Stage *>
findScanConsumers(const LoweredFunction &lf);

/// The pointwise operands of products with a long dynamic reduction (phi(K)
/// of K^T V) that other stages also read once per element (the sum of
/// phi(K)), each with those other readers. A schedule that gives each of
/// them its own inlined copy (Halide's clone_in; the analyses here follow
/// such copies) makes the operand the product's alone (findPrivateProducers),
/// computed per chunk with it, never stored: its elementwise work is done
/// twice, a write and a read of T x d values are saved.
struct SharedSplitOperand {
  const Stage *product = nullptr, *operand = nullptr;
  std::vector<const Stage *> others;
};
std::vector<SharedSplitOperand>
findSharedSplitOperands(const LoweredFunction &lf);

/// For each product stage of `lf` with a long dynamic reduction, the
/// stages that only it reads, directly or through other such stages (its
/// operands' producers: layer norms and their statistics), which the
/// schedule computes per chunk of the reduction with it. The `sharers` of a
/// product (stages computed in its loop nest: the sums that share it,
/// sumSharesProductLoop) count as the product: what only they and it read
/// is its too. Call before any schedule.
std::map<const Stage *, std::vector<const Stage *>> findPrivateProducers(
    const LoweredFunction &lf,
    const std::map<const Stage *, std::vector<const Stage *>> &sharers = {});

/// For each product of `consumers` (findProductConsumers) tiled inside its
/// consumer, its companions: the stages that only the product, the
/// consumer, or other companions read — products of one column on the same
/// rows (linear attention's denominator) and pointwise stages (the feature
/// map of the left operand) — which the schedules compute with the tiles,
/// so they never reach memory. Each stage goes to one product: stages in
/// `claimed` are skipped, and those returned are added to it.
std::map<const Stage *, std::vector<const Stage *>>
claimTileCompanions(const LoweredFunction &lf,
                    const std::map<const Stage *, const Stage *> &consumers,
                    std::set<std::string> &claimed);

/// The cheap maps of the inputs (pointwise stages that read parameters
/// only: the feature maps phi(Q) and phi(K) of the chunked causal form)
/// whose every reader applies them once per element (sums, copies,
/// products of one column reading them as their left operand) or is a
/// product that `perChunk` accepts (the schedule tiles it per chunk), with
/// the latter. Stored, such a map is a T x d buffer live from the first
/// product that reads it to the last; inlined, and stored per chunk by
/// each product in a wrapper of the operand, it is never stored whole.
/// Call before any schedule.
std::map<const Stage *, std::vector<const Stage *>>
findPerChunkMaps(const LoweredFunction &lf,
                 const std::function<bool(const Stage &)> &perChunk);

/// An output whose rows come from chunk-shaped stages (the chunked causal
/// form: [.., T, e] from [.., chunks, C, e] terms through an unchunking
/// view) and those stages: every stage one more dimension than the output,
/// C static, that only the output or other such stages read (products,
/// their masks and sums, one-column products, the terms' additions). The
/// schedule computes them per chunk of the output's rows, so their values
/// are read back from cache, not from T x d buffers. None where the output
/// is already the pointwise consumer of another product (findProductConsumers).
struct ChunkedOutput {
  const Stage *output = nullptr;
  int64_t chunkRows = 0;
  std::vector<const Stage *> parts; ///< in definition order
};
std::optional<ChunkedOutput> findChunkedOutput(const LoweredFunction &lf);

/// Sums along the same non-innermost dimension onto the same shape, none
/// reading another (AFT's sums over the sequence of exp(K) V and of
/// exp(K)): groups of two or more, in definition order, that the CPU
/// schedule runs in one loop nest, each row of their inputs read once.
std::vector<std::vector<const Stage *>>
findSiblingSums(const LoweredFunction &lf);

/// Whether `sum` (a sum along a dimension other than the innermost: the
/// sum of phi(K) over the sequence) can run in the loop nest of `product`
/// (K^T V over the same sequence, split per batch and head slice): one
/// reduction loop (sameReductionLoop), the same batch and heads, the
/// summed dimension kept as 1.
bool sumSharesProductLoop(const LoweredFunction &lf, const Stage &sum,
                          const Stage &product);

/// The stage that `operand` (a product's operand) is, or reads alone
/// through views (inlined index maps such as a clamp or a chunking); null
/// if there is none.
const Stage *operandStage(const LoweredFunction &lf, Halide::Func operand);

} // namespace attn::hl

#endif // ATTN_HALIDE_FUSION_H
