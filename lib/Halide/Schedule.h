//===- Schedule.h - schedules of lowered attn pipelines ----------*- C++
//-*-===//
#ifndef ATTN_HALIDE_SCHEDULE_H
#define ATTN_HALIDE_SCHEDULE_H

#include "lib/Halide/Lowering.h"

#include <optional>

namespace attn::hl {

/// The default schedule: every stage computed at root; the innermost
/// dimension vectorised at the target's natural width (with guarded tails,
/// so any extent is correct), reduction and scan loops placed between the
/// vectorised dimension and the outer ones, and the outer dimensions fused
/// and run in parallel. Pointwise Funcs not listed as stages are inlined
/// into their consumers.
void applyDefaultSchedule(LoweredFunction &lf, const Halide::Target &target);

/// The CUDA schedule (GpuSchedule.cpp): register-tiled products, split long
/// reductions, every other stage in blocks of threads over its pure loops.
void applyGpuSchedule(LoweredFunction &lf);

/// The lanes of a warp: a GPU online attention's state holds e / kGpuLanes
/// value features per lane.
constexpr int kGpuLanes = 32;

/// The tile of query rows (a warp's) of the GPU's online softmax attention
/// for heads of `e` value features and `depth` query/key features, or none
/// where its schedule does not apply (then the scores are stored).
std::optional<int> gpuOnlineAttentionRows(int64_t e, int64_t depth);

/// Every stage and attention part computed whole at root, serially: for
/// checking an algorithm on the CPU (the GPU's, where there is no GPU).
void applyRootSchedule(LoweredFunction &lf);

} // namespace attn::hl

#endif // ATTN_HALIDE_SCHEDULE_H
