//===- GpuSchedule.cpp - CUDA schedules of lowered attn pipelines ---------===//
#include "lib/Halide/Fusion.h"
#include "lib/Halide/Schedule.h"
#include "lib/Halide/ScheduleSupport.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <optional>
#include <set>

using namespace attn;
using namespace attn::hl;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

namespace {
/// A GPU stage: every definition's pure loops fused into one, in blocks of
/// kThreads threads (the innermost, contiguous dimension varies fastest
/// across a warp, so loads and stores coalesce); reductions and scans run
/// serially in each thread.
void scheduleGpuFunc(Halide::Func f) {
  constexpr int kThreads = 256;
  f.compute_root();
  auto tile = [&](auto &&stage, std::vector<Var> pure) {
    if (pure.empty())
      return;
    Var fused = pure.front();
    for (size_t i = 1; i < pure.size(); ++i) {
      Var next(fused.name() + "_" + pure[i].name());
      stage.fuse(fused, pure[i], next);
      fused = next;
    }
    Var block(fused.name() + "_b"), thread(fused.name() + "_t");
    stage.gpu_tile(fused, block, thread, kThreads, TailStrategy::GuardWithIf);
  };
  std::vector<Var> vars = f.args();
  tile(f, vars);
  for (int u = 0; u < f.num_update_definitions(); ++u) {
    const std::vector<Halide::Expr> &args = f.update_args(u);
    std::vector<Var> pure;
    for (size_t i = 0; i < vars.size(); ++i)
      if (auto *v = args[i].as<Halide::Internal::Variable>();
          v && v->name == vars[i].name())
        pure.push_back(vars[i]);
    Halide::Stage s = f.update(u);
    // The reduction (or scan) loop inside each thread.
    std::vector<VarOrRVar> order;
    for (const Halide::RVar &r : f.rvars(u))
      order.push_back(unqualified(r));
    order.insert(order.end(), pure.begin(), pure.end());
    if (order.size() > 1)
      s.reorder(order);
    tile(s, pure);
  }
}

/// The GPU register tile: `c` (columns, rows, leading...) computed by blocks
/// of kLanes x kRowThreads threads over kBlockRows rows and colsPerThread x
/// kLanes columns, each thread accumulating colsPerThread x kRowsPerThread
/// outputs of `product` in registers, so one loaded element of either
/// operand feeds several FMAs (the lanes of a warp read consecutive columns
/// of the right operand, coalesced, and the same row of the left one, a
/// broadcast). The leading dimensions must be static (they are fused into
/// one block index) except the last, `dynamicLast`; a dynamic row count is
/// never fused (fused into a block index it gave out-of-range addresses).
/// Row blocks shift inwards; fewer rows than a block (`enoughRows` false)
/// take one row per thread.
constexpr int kLanes = kGpuLanes, kRowThreads = 8, kRowsPerThread = 8;
constexpr int kBlockRows = kRowThreads * kRowsPerThread;

/// How the block loops of a GPU stage (innermost first; true where the
/// extent is dynamic) are fused into at most three block indices: adjacent
/// static loops merge, innermost first, a dynamic one never does (fused
/// into a block index, a dynamic extent gave out-of-range addresses).
/// Returns the sizes of the groups, or nothing where it cannot be done.
std::optional<std::vector<int>> planBlocks(const std::vector<bool> &dynamic) {
  std::vector<std::pair<int, bool>> groups; // size, dynamic
  for (bool d : dynamic)
    groups.push_back({1, d});
  while (groups.size() > 3) {
    size_t i = 0;
    while (i + 1 < groups.size() && (groups[i].second || groups[i + 1].second))
      ++i;
    if (i + 1 == groups.size())
      return std::nullopt;
    groups[i].first += groups[i + 1].first;
    groups.erase(groups.begin() + i + 1);
  }
  std::vector<int> sizes;
  for (auto &g : groups)
    sizes.push_back(g.first);
  return sizes;
}

/// Fuses `loops` (innermost first) by `groups` and maps them to blocks;
/// returns the innermost block loop.
Var gpuBlocks(Halide::Stage s, const std::vector<Var> &loops,
              const std::vector<int> &groups) {
  std::vector<Var> blocks;
  size_t next = 0;
  for (int size : groups) {
    Var fused = loops[next];
    for (int i = 1; i < size; ++i) {
      Var merged(fused.name() + "_" + loops[next + i].name());
      s.fuse(fused, loops[next + i], merged);
      fused = merged;
    }
    next += size;
    blocks.push_back(fused);
  }
  if (blocks.size() == 3)
    s.gpu_blocks(blocks[0], blocks[1], blocks[2]);
  else if (blocks.size() == 2)
    s.gpu_blocks(blocks[0], blocks[1]);
  else
    s.gpu_blocks(blocks[0]);
  return blocks[0];
}

/// Threads over a 2-D tile of the first two of `pure` (a stage's pure
/// loops, innermost first; a warp along the first, of static extent
/// `inner` or kDyn, up to kThreads in all), the `serial` loops inside each
/// thread (`second`: the static extent of the second or kDyn), blocks over
/// the tiles and the other pure loops (planBlocks of
/// `dynamic`, one flag per pure loop). Fusing every dimension into one loop
/// made each thread divide its index by the dynamic extents. Returns false
/// (scheduling nothing) where the blocks cannot be mapped.
bool tileGpuThreads(Halide::Stage s, const std::vector<Var> &pure,
                    const std::vector<bool> &dynamic, int64_t inner,
                    int64_t second, const std::vector<VarOrRVar> &serial = {}) {
  constexpr int kThreads = 256;
  std::optional<std::vector<int>> groups = planBlocks(dynamic);
  if (pure.size() < 2 || !groups)
    return false;
  int tx = inner == kDyn
               ? kThreads
               : (int)std::clamp<int64_t>(
                     (inner + kLanes - 1) / kLanes * kLanes, kLanes, kThreads);
  int ty = kThreads / tx;
  while (second != kDyn && ty > 1 && ty / 2 >= second)
    ty /= 2; // no idle rows of threads
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi");
  s.split(pure[0], xo, xi, tx, TailStrategy::GuardWithIf)
      .split(pure[1], yo, yi, ty, TailStrategy::GuardWithIf);
  std::vector<VarOrRVar> order = serial;
  for (Var v : {xi, yi, xo, yo})
    order.push_back(v);
  order.insert(order.end(), pure.begin() + 2, pure.end());
  s.reorder(order);
  std::vector<Var> loops = {xo, yo};
  loops.insert(loops.end(), pure.begin() + 2, pure.end());
  gpuBlocks(s, loops, *groups);
  s.gpu_threads(xi, yi);
  return true;
}

/// A pointwise GPU stage of `shape` (MLIR order) in 2-D thread tiles of its
/// two innermost dimensions (tileGpuThreads). Returns false where it does
/// not apply.
bool tileGpuPointwise(Halide::Func f, const Shape &shape) {
  size_t rank = shape.size();
  if (f.has_update_definition() || rank < 2 ||
      !planBlocks(dynamicInnermostFirst(shape, rank)))
    return false;
  f.compute_root();
  return tileGpuThreads(f, f.args(), dynamicInnermostFirst(shape, rank),
                        shape[rank - 1], shape[rank - 2]);
}

/// A transpose of the two innermost dimensions (`t`, [.., a, b] of a
/// source [.., b, a]) in tiles of kLanes x kLanes through shared memory: the
/// source tile read along its rows (coalesced), the result written along
/// its rows, each tile row padded to kLanes + 1 elements so that reading a
/// column of it hits every bank. Threads along the result's rows read the
/// source down a column, each lane in another 256-byte row (0.75 ms for
/// 512 MiB at T = 64k). Returns false where it does not apply.
bool scheduleGpuTranspose(const Stage &stage) {
  constexpr int kTileRowThreads = 8;
  Halide::Func t = stage.func;
  size_t rank = stage.shape.size();
  std::map<std::string, Halide::Internal::Function> calls =
      Halide::Internal::find_direct_calls(t.function());
  std::vector<bool> dynamic = dynamicInnermostFirst(stage.shape, rank);
  std::optional<std::vector<int>> groups = planBlocks(dynamic);
  if (rank < 2 || calls.size() != 1 || t.has_update_definition() || !groups)
    return false;
  Halide::Func source(calls.begin()->second);
  t.compute_root();
  std::vector<Var> v = t.args();
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), ty("ty"), yii("yii");
  t.split(v[0], xo, xi, kLanes, TailStrategy::GuardWithIf)
      .split(v[1], yo, yi, kLanes, TailStrategy::GuardWithIf)
      .split(yi, ty, yii, kLanes / kTileRowThreads);
  std::vector<VarOrRVar> order = {yii, xi, ty, xo, yo};
  order.insert(order.end(), v.begin() + 2, v.end());
  t.reorder(order).unroll(yii);
  std::vector<Var> loops = {xo, yo};
  loops.insert(loops.end(), v.begin() + 2, v.end());
  Var block = gpuBlocks(t, loops, *groups);
  t.gpu_threads(xi, ty);
  Halide::Func tile = source.in(t);
  std::vector<Var> a = tile.args(); // along the source's rows, its rows
  Var ao("sto"), ai("sti");
  tile.compute_at(t, block)
      .store_in(Halide::MemoryType::GPUShared)
      .align_storage(a[0], kLanes + 1)
      .split(a[1], ao, ai, kLanes / kTileRowThreads, TailStrategy::GuardWithIf)
      .reorder(ai, a[0], ao)
      .unroll(ai)
      .gpu_threads(a[0], ao);
  return true;
}

/// The pure loops of a scan's update that scheduleGpuScan tiles (with
/// whether each is dynamic), or nothing where it does not apply.
std::optional<std::pair<std::vector<Var>, std::vector<bool>>>
gpuScanLoops(const Stage &stage) {
  Halide::Func f = stage.func;
  size_t rank = stage.shape.size();
  if (stage.kind != StageKind::Scan || rank < 3 ||
      f.num_update_definitions() != 1)
    return std::nullopt;
  std::vector<Var> v = f.args();
  const std::vector<Halide::Expr> &args = f.update_args(0);
  std::vector<Var> pure;
  std::vector<bool> dynamic, all = dynamicInnermostFirst(stage.shape, rank);
  for (size_t i = 0; i < v.size(); ++i) {
    auto *var = args[i].as<Halide::Internal::Variable>();
    if (var && var->name == v[i].name()) {
      pure.push_back(v[i]);
      dynamic.push_back(all[i]);
    } else if (i < 2) {
      return std::nullopt; // along one of the two innermost dimensions
    }
  }
  // A thin tile (a row of sums) leaves too few threads per block: generic.
  int64_t inner = stage.shape[rank - 1], second = stage.shape[rank - 2];
  if (!planBlocks(all) || !planBlocks(dynamic) || inner == kDyn ||
      second == kDyn || inner * second < 256)
    return std::nullopt;
  return std::make_pair(pure, dynamic);
}

/// A scan (cumsum) along a dimension other than the two innermost (the
/// chunk states of the chunked causal form, [.., chunks, d, d]): both its
/// definitions in 2-D thread tiles of the two innermost dimensions, the scan
/// loop serial in each thread. The generic schedule fused all dimensions
/// into one index that each thread divided by the dynamic extents (0.9 ms
/// for the initial copy of 512 MiB at T = 64k). `withPure` false: the
/// initial definition is scheduled elsewhere (a product's tiles,
/// findScanConsumers).
bool scheduleGpuScan(const Stage &stage, bool withPure = true) {
  auto loops = gpuScanLoops(stage);
  if (!loops)
    return false;
  Halide::Func f = stage.func;
  size_t rank = stage.shape.size();
  int64_t inner = stage.shape[rank - 1], second = stage.shape[rank - 2];
  std::vector<Var> v = f.args();
  f.compute_root();
  std::vector<VarOrRVar> scan;
  for (const Halide::RVar &r : f.rvars(0))
    scan.push_back(unqualified(r));
  return (!withPure ||
          tileGpuThreads(f, v, dynamicInnermostFirst(stage.shape, rank), inner,
                         second)) &&
         tileGpuThreads(f.update(), loops->first, loops->second, inner, second,
                        scan);
}

/// The operands a GPU product reads: lhs [.., rows, K] (or [.., K, rows]
/// when `lhsTransposed`) and rhs [.., K, cols] (see Stage).
struct Operands {
  Halide::Func lhs, rhs;
  bool lhsTransposed = false;
};

/// Stages `operand`'s loads for one step of `product`'s reduction in
/// registers (a wrapper computed at `step`): its contiguous dimension, of
/// constant extent in the tile, as vector loads (PTX ld.v4), the other
/// unrolled. Only under `when` (the condition of full tiles) if given.
void stageOperand(Halide::Func operand, Halide::Func product,
                  const Halide::RVar &step, std::optional<Halide::Expr> when) {
  Halide::Func w = operand.in(product);
  w.compute_at(product, step);
  std::vector<Var> a = w.args();
  auto tile = [&](Halide::Stage s) { s.vectorize(a[0]).unroll(a[1]); };
  if (when)
    tile(w.specialize(*when));
  else
    tile(w);
}

/// The GPU register tile: `c` (columns, rows, leading...) computed by blocks
/// of lanes x kRowThreads threads over kBlockRows rows and colsPerThread x
/// lanes columns, each thread accumulating colsPerThread consecutive columns
/// x kRowsPerThread rows of `product` in registers, so one loaded element
/// of either operand feeds several FMAs. With `ops`, the operands of each
/// reduction step are loaded as vectors (stageOperand): 4 columns of rhs
/// per thread (a warp reads a contiguous segment of the row) and 4
/// positions of a lhs row (the same for the lanes of a half-warp: a
/// broadcast) or 8 rows of a transposed lhs; 12 vector loads for 128 FMAs
/// instead of 48 scalar ones. `c` is the product's copy or a pointwise
/// consumer of it with the same shape (then the product never reaches
/// memory). Row blocks shift inwards; fewer rows than a block (`enoughRows`
/// false) take one row per thread. Dynamic columns shift inwards too, which
/// keeps vector loads aligned only where `alignedCols` (their count a
/// multiple of 4) holds: a specialisation of its own. `tileLoops`, if given,
/// receives the innermost block loop and the thread loop that computes the
/// product. Returns false (scheduling nothing) where the block loops cannot
/// be mapped (planBlocks).
struct TileLoops {
  Var block, thread;
};
bool tileGpuProduct(Halide::Func c, Halide::Func product,
                    const std::vector<Halide::RVar> &reduction,
                    int64_t reductionSize, int64_t cols, bool rowsDynamic,
                    std::optional<Halide::Expr> enoughRows,
                    const std::vector<bool> &dynamicLead,
                    const Operands *ops = nullptr,
                    std::optional<Halide::Expr> alignedCols = std::nullopt,
                    TileLoops *tileLoops = nullptr) {
  bool colsDynamic = cols == kDyn;
  std::vector<bool> dynamic = {colsDynamic, rowsDynamic};
  dynamic.insert(dynamic.end(), dynamicLead.begin(), dynamicLead.end());
  std::optional<std::vector<int>> groups = planBlocks(dynamic);
  if (!groups)
    return false;
  // 64 columns (and dynamic ones): 16 lanes x 4 columns, so that a k step
  // loads 8 + 4 operands for 32 FMAs; otherwise warps across 32 columns.
  bool wide = colsDynamic || cols % 64 == 0;
  int lanes = wide ? 16 : kLanes, colsPerThread = wide ? 4 : 1;
  c.compute_root();
  std::vector<Var> v = c.args(); // columns, rows, leading...
  Var xo("xo"), xi("xi"), xio("xio"), xii("xii"), yo("yo"), yi("yi"), ty("ty"),
      yii("yii");
  auto tile = [&](Halide::Stage s, bool fullBlocks) {
    bool colTiles = fullBlocks || !colsDynamic;
    if (colTiles)
      s.split(v[0], xo, xi, colsPerThread * lanes,
              colsDynamic ? TailStrategy::ShiftInwards : TailStrategy::Auto)
          .split(xi, xii, xio, colsPerThread);
    else
      s.split(v[0], xo, xii, lanes, TailStrategy::GuardWithIf);
    if (fullBlocks)
      s.split(v[1], yo, yi, kBlockRows, TailStrategy::ShiftInwards)
          .split(yi, ty, yii, kRowsPerThread);
    else
      s.split(v[1], yo, ty, kRowThreads, TailStrategy::GuardWithIf);
    std::vector<VarOrRVar> order;
    if (colTiles)
      order.push_back(xio);
    if (fullBlocks)
      order.push_back(yii);
    for (Var w : {xii, ty, xo, yo})
      order.push_back(w);
    order.insert(order.end(), v.begin() + 2, v.end());
    s.reorder(order);
    // Consecutive columns of a thread: one vector store.
    if (colTiles && colsPerThread > 1)
      s.vectorize(xio);
    else if (colTiles)
      s.unroll(xio);
    if (fullBlocks)
      s.unroll(yii);
    std::vector<Var> loops = {xo, yo};
    loops.insert(loops.end(), v.begin() + 2, v.end());
    Var innermost = gpuBlocks(s, loops, *groups);
    if (tileLoops)
      *tileLoops = {innermost, xii};
    s.gpu_threads(xii, ty);
  };
  if (enoughRows && alignedCols)
    tile(c.specialize(*enoughRows && *alignedCols), true);
  if (enoughRows)
    tile(c.specialize(*enoughRows), true);
  tile(c, !enoughRows);
  // The product per thread, its outputs unrolled (registers), the
  // reduction loop outside them.
  product.compute_at(c, xii);
  std::vector<Var> pv = product.args();
  std::vector<VarOrRVar> order = {pv[0], pv[1]};
  order.insert(order.end(), reduction.begin(), reduction.end());
  order.insert(order.end(), pv.begin() + 2, pv.end());
  product.unroll(pv[0]).unroll(pv[1]);
  Halide::Stage update = product.update();
  update.reorder(order).unroll(pv[0]).unroll(pv[1]);
  if (reduction.size() != 1)
    return true;
  // A static reduction unrolled by 4: consecutive elements of a row of the
  // left operand, loaded as one vector.
  bool unrolled = reductionSize != kDyn && reductionSize % 4 == 0;
  Halide::RVar step = reduction[0];
  if (unrolled) {
    Halide::RVar ko("ko4"), ki("ki4");
    update.split(reduction[0], ko, ki, 4)
        .reorder(pv[0], pv[1], ki, ko)
        .unroll(ki);
    step = ko;
  }
  // (One wrapper per operand Func: a product of a tensor with itself is
  // left unstaged.)
  if (!ops || !ops->lhs.defined() || !ops->rhs.defined() || !wide ||
      ops->lhs.name() == ops->rhs.name())
    return true;
  // Vector loads need the tile's constant extents: full tiles only.
  std::optional<Halide::Expr> full = enoughRows;
  if (colsDynamic && !enoughRows)
    return true;
  if (ops->lhsTransposed || unrolled)
    stageOperand(ops->lhs, product, step, full);
  stageOperand(ops->rhs, product, step, full);
  return true;
}

void scheduleGpuAlone(const Stage &stage);

/// Positions of a long dynamic reduction per block of a split reduction:
/// enough blocks at T = 4k, partial results of T / kChunk x the output.
constexpr int kChunk = 512;

/// tileGpuBlockProduct's tile: warps x rows a lane, lanes x columns a lane;
/// reductions of whole steps of kStep positions.
constexpr int kTileWarps = 4, kTileRowsPerLane = 16, kTileColsPerLane = 2,
              kStep = 32;

/// Whether tileGpuBlockProduct applies to `stage`: static tiles of 64 x 64,
/// whole steps (or a split reduction), two different operands (one wrapper
/// each).
bool blockTiles(const Stage &stage) {
  size_t rank = stage.shape.size();
  return rank >= 2 && stage.lhs.defined() && stage.rhs.defined() &&
         stage.lhs.name() != stage.rhs.name() &&
         stage.shape[rank - 1] != kDyn &&
         stage.shape[rank - 1] % (kLanes * kTileColsPerLane) == 0 &&
         stage.shape[rank - 2] != kDyn &&
         stage.shape[rank - 2] % (kTileWarps * kTileRowsPerLane) == 0 &&
         (stage.reductionSize == kDyn || stage.reductionSize % kStep == 0);
}

/// Fills `tile`, one step of an operand in shared memory whose memory runs
/// along its dimension `k` (`step` positions), by a lane per position and
/// a warp per `extent / warps` of its other dimension `other` (coalesced
/// reads), stored `other`-innermost so that a thread reads `width`
/// consecutive elements of it as a vector; each position's row is padded by
/// `width` elements, which keeps those vectors aligned and spreads a warp's
/// stores over the banks.
void fillAlongK(Halide::Func tile, Var k, Var other, int step, int extent,
                int width, int warps) {
  Var pos("sp"), lane("sl"), wo("sw"), wi("swi");
  tile.bound_extent(k, step)
      .reorder_storage(other, k)
      .align_storage(other, extent + width)
      .split(k, pos, lane, kLanes)
      .split(other, wo, wi, extent / warps)
      .reorder(wi, pos, lane, wo)
      .unroll(wi)
      .unroll(pos)
      .gpu_threads(wo)
      .gpu_lanes(lane);
}

/// A product onto static tiles of 64 x 64 (K^T V: the partials of a split
/// reduction over the sequence, `partial` as columns x rows x chunk u x
/// leading; the chunked causal form's products of one chunk), computed per
/// block of one tile with its operands staged through shared memory: the
/// accumulators stay in registers (Halide's register storage at the block
/// level: 32 lanes x 2 consecutive columns, 4 warps x 16 rows) while the
/// reduction `ki` is read in steps of 2 kStep positions (kStep where that
/// does not divide a static reduction), each step's rows of
/// both operands loaded once by all the block's threads into shared memory
/// (a feature map of an operand applied there, once per element), then read
/// as vectors: 4 + 1 shared loads for 32 FMAs. A ragged last step of a split
/// reduction loads whole (Lowering clamps the positions for GPU targets).
/// `c` is the product's copy or its pointwise consumer. Returns false
/// (scheduling nothing) where it does not apply.
bool tileGpuBlockProduct(Halide::Func c, Halide::Func partial,
                         const Halide::RVar &ki, const Stage &stage,
                         const std::vector<bool> &dynamicLead) {
  constexpr int kWarps = kTileWarps, kRowsPerLane = kTileRowsPerLane,
                kColsPerLane = kTileColsPerLane;
  std::vector<bool> dynamic = {false, false};
  dynamic.insert(dynamic.end(), dynamicLead.begin(), dynamicLead.end());
  std::optional<std::vector<int>> groups = planBlocks(dynamic);
  if (!groups || !blockTiles(stage))
    return false;
  c.compute_root();
  std::vector<Var> v = c.args(); // columns, rows, u, leading...
  Var xo("xo"), xi("xi"), xl("xl"), xv("xv"), yo("yo"), yi("yi"), ty("ty"),
      yr("yr");
  c.split(v[0], xo, xi, kLanes * kColsPerLane)
      .split(xi, xl, xv, kColsPerLane)
      .split(v[1], yo, yi, kWarps * kRowsPerLane)
      .split(yi, ty, yr, kRowsPerLane);
  std::vector<VarOrRVar> order = {xv, yr, xl, ty, xo, yo};
  order.insert(order.end(), v.begin() + 2, v.end());
  c.reorder(order).vectorize(xv).unroll(yr);
  std::vector<Var> loops = {xo, yo};
  loops.insert(loops.end(), v.begin() + 2, v.end());
  Var block = gpuBlocks(c, loops, *groups);
  c.gpu_threads(ty).gpu_lanes(xl);
  // The accumulators: per block, in registers.
  // Steps of 2 kStep where they divide the reduction (a split one's chunk
  // too): half the fills and barriers.
  int step =
      stage.reductionSize == kDyn || stage.reductionSize % (2 * kStep) == 0
          ? 2 * kStep
          : kStep;
  std::vector<Var> pv = partial.args();
  Var px("pxl"), pxv("pxv"), py("pty"), pyr("pyr");
  partial.store_in(Halide::MemoryType::Register).compute_at(c, block);
  Halide::RVar ro("ro"), rii("rii");
  for (Halide::Stage s : {Halide::Stage(partial), partial.update()}) {
    s.split(pv[0], px, pxv, kColsPerLane).split(pv[1], py, pyr, kRowsPerLane);
    if (s.name() == Halide::Stage(partial).name())
      s.reorder(pxv, pyr, px, py);
    else
      s.split(ki, ro, rii, step).reorder(pxv, pyr, rii, px, py, ro);
    s.unroll(pxv).unroll(pyr).gpu_threads(py).gpu_lanes(px);
  }
  // One step of both operands in shared memory: [positions, 64 columns]
  // each, a row of 64 per lane pair of a warp (coalesced), the warps over
  // the positions; an operand whose memory runs along K (a left one not
  // transposed, a transposed right one read in place) by fillAlongK.
  for (Halide::Func operand : {stage.lhs, stage.rhs}) {
    bool isLhs = operand.name() == stage.lhs.name();
    Halide::Func tile = operand.in(partial);
    std::vector<Var> a = tile.args(); // along the row, positions, ...
    tile.compute_at(partial, ro);
    if (isLhs && !stage.lhsTransposed) // 16 rows read as vectors of 4
      fillAlongK(tile, a[0], a[1], step, kWarps * kRowsPerLane, 4, kWarps);
    else if (!isLhs && stage.rhsIsTranspose) // pairs of columns
      fillAlongK(tile, a[1], a[0], step, kLanes * kColsPerLane, kColsPerLane,
                 kWarps);
    else {
      Var lane("sl"), vec("sv"), wo("sw"), wi("swi");
      tile.bound_extent(a[1], step)
          .split(a[0], lane, vec, kColsPerLane, TailStrategy::RoundUp)
          .split(a[1], wo, wi, step / kWarps)
          .reorder(vec, wi, lane, wo)
          .vectorize(vec)
          .unroll(wi)
          .gpu_threads(wo)
          .gpu_lanes(lane);
    }
  }
  return true;
}

/// Whether scheduleGpuMatmul splits `stage`'s reduction: a long dynamic
/// one (over the sequence) onto a static result of whole warps of columns.
bool splitsReduction(const Stage &stage) {
  size_t rank = stage.shape.size();
  return stage.product.defined() && stage.reductionSize == kDyn && rank >= 2 &&
         stage.shape[rank - 1] % kLanes == 0 &&
         stage.shape[rank - 2] >= kBlockRows &&
         llvm::none_of(stage.shape, [](int64_t e) { return e == kDyn; });
}

/// A GPU product with columns in whole warps on at least kBlockRows rows,
/// register-tiled (tileGpuProduct), into `consumer` when it is given. A
/// long dynamic reduction (K^T V over the sequence) onto a static result is
/// split: partial products over chunks of kChunk positions, one block per
/// chunk, then summed (one output per thread), so the blocks fill the GPU
/// whatever the sequence length. Returns false where the shape does not
/// fit.
bool scheduleGpuMatmul(const Stage &stage, const Stage *consumer,
                       const std::vector<const Stage *> &companions) {
  Halide::Func f = stage.func, p = stage.product;
  size_t rank = stage.shape.size();
  if (rank < 2)
    return false;
  int64_t cols = stage.shape[rank - 1], rows = stage.shape[rank - 2];
  if (cols == kDyn || cols % kLanes != 0 || (rows != kDyn && rows < kBlockRows))
    return false;
  std::vector<bool> dynamicLead = dynamicInnermostFirst(stage.shape, rank - 2);
  Operands ops{stage.lhs, stage.rhs, stage.lhsTransposed};
  if (splitsReduction(stage)) {
    dynamicLead.push_back(true);
    if (!planBlocks(dynamicLead))
      return false;
    for (const Stage *s : companions)
      scheduleGpuAlone(*s);
    Halide::RVar ko("ko"), ki("ki");
    Var u("u");
    Halide::Func partial = splitRfactor(p, kChunk, ko, ki, u, RfactorBy::Chunk);
    f.compute_inline();
    scheduleGpuFunc(p);
    Halide::Func c = partial.in();
    return tileGpuBlockProduct(c, partial, ki, stage, dynamicLead) ||
           tileGpuProduct(c, partial, {ki}, kDyn, cols, false, std::nullopt,
                          dynamicLead);
  }
  bool scan = consumer && consumer->kind == StageKind::Scan;
  Halide::Func c = consumer ? Halide::Func(consumer->func) : f;
  if (blockTiles(stage) &&
      tileGpuBlockProduct(c, p, p.rvars(0)[0], stage, dynamicLead)) {
    if (consumer)
      f.compute_inline();
    // A scan consumer (findScanConsumers): the tiles are its initial copy.
    if (scan)
      scheduleGpuScan(*consumer, /*withPure=*/false);
    for (const Stage *s : companions)
      scheduleGpuAlone(*s);
    return true;
  }
  if (scan) { // not block-tiled after all: the scan on its own
    scheduleGpuAlone(*consumer);
    consumer = nullptr;
    c = f;
  }
  std::optional<Halide::Expr> enoughRows;
  if (rows == kDyn)
    enoughRows = stage.extents[rank - 2] >= kBlockRows;
  // A companion feature map of the left operand is computed once per block
  // into shared memory (a block covers whole rows of the operand); the
  // product and the companion one-column products (the denominator) read it
  // there. Stored, it cost a write and a read of T x d.
  const Stage *lhsMap = nullptr;
  std::vector<const Stage *> rowDots;
  std::vector<const Stage *> others;
  for (const Stage *s : companions) {
    if (s->product.defined() && s->lhs.defined() &&
        s->lhs.name() == stage.lhs.name() && !s->lhsTransposed)
      rowDots.push_back(s);
    else if (s->func.name() == stage.lhs.name())
      lhsMap = s;
    else
      others.push_back(s);
  }
  bool shared = lhsMap && !stage.lhsTransposed && stage.reductionSize != kDyn &&
                stage.reductionSize % 4 == 0;
  Halide::Func tile;
  if (shared) {
    std::vector<Halide::Func> readers = {p};
    for (const Stage *s : rowDots)
      readers.push_back(s->product);
    tile = Halide::Func(stage.lhs).in(readers);
    ops.lhs = tile;
  }
  TileLoops loops;
  if (!tileGpuProduct(c, p, p.rvars(0), stage.reductionSize, cols, rows == kDyn,
                      enoughRows, dynamicLead, &ops, std::nullopt, &loops))
    return false;
  if (consumer)
    f.compute_inline();
  if (!shared) {
    for (const Stage *s : companions)
      scheduleGpuAlone(*s);
    return true;
  }
  Halide::Func(lhsMap->func).compute_inline();
  // Threads as the product's block (kLanes / 2 x kRowThreads): 4
  // consecutive positions (one vector) x kRowsPerThread rows each. Rows
  // padded by 4 elements: a thread a row reading the same position of 8
  // rows (the denominators below) hits 8 different 4-bank groups, and the
  // product's vector loads stay aligned.
  std::vector<Var> a = tile.args(); // K, rows, leading...
  Var ko("sk"), ki("ski"), ro("sr"), ri("sri");
  tile.compute_at(c, loops.block)
      .store_in(Halide::MemoryType::GPUShared)
      .align_storage(a[0], (int)stage.reductionSize + 4)
      .split(a[0], ko, ki, 4)
      .split(a[1], ro, ri, kRowsPerThread, TailStrategy::GuardWithIf)
      .reorder(ki, ri, ko, ro)
      .vectorize(ki)
      .unroll(ri)
      .gpu_threads(ko, ro);
  for (const Stage *s : others)
    scheduleGpuAlone(*s);
  // The denominators of the block's rows, once each: a thread a row (lanes
  // / 2 x 4 threads over the block's rows), 4 positions of the row a step
  // (one vector load), into shared memory where the threads of the product
  // read their rows'. Per thread of the product, they cost as many FMAs as
  // a quarter of the product, and the loads on top.
  for (const Stage *s : rowDots) {
    Halide::Func(s->func).compute_inline();
    Halide::Func d = s->product;
    std::vector<Var> dv = d.args(); // 1 column, rows, leading...
    Var dro("dro"), dri("dri");
    d.compute_at(c, loops.block).store_in(Halide::MemoryType::GPUShared);
    Halide::RVar k = d.rvars(0)[0], dko("dko"), dki("dki");
    for (Halide::Stage st : {Halide::Stage(d), d.update()}) {
      st.split(dv[1], dro, dri, kLanes / 2, TailStrategy::GuardWithIf);
      if (st.name() != Halide::Stage(d).name())
        st.split(k, dko, dki, 4).reorder(dki, dv[0], dko, dri, dro).unroll(dki);
      st.gpu_threads(dri, dro);
    }
    stageOperand(tile, d, dko, std::nullopt);
  }
  return true;
}

/// A reduction over a long dynamic extent onto a static result (a sum over
/// the sequence): split like scheduleGpuMatmul's, partial sums per chunk
/// of kChunk positions in parallel, then their sum.
bool scheduleGpuLongReduction(const Stage &stage) {
  Halide::Func f = stage.func;
  if (stage.kind != StageKind::Reduction || stage.reductionSize != kDyn ||
      llvm::any_of(stage.shape, [](int64_t e) { return e == kDyn; }) ||
      f.num_update_definitions() != 1 || f.rvars(0).size() != 1)
    return false;
  Halide::RVar ko("ko"), ki("ki");
  Var u("u");
  Halide::Func partial = splitRfactor(f, kChunk, ko, ki, u, RfactorBy::Chunk);
  scheduleGpuFunc(f);
  scheduleGpuFunc(partial);
  return true;
}

/// A reduction along whole rows (f(row, ..) over one RVar): the lanes of a
/// warp read consecutive elements of a row (kLanes partial results per
/// row, by rfactor), then one thread per row combines them. One thread per
/// row read a column of the row-major matrix across a warp, uncoalesced.
/// Not where the RDom has a predicate (causal rows: it depends on the row).
bool scheduleGpuRowReduction(Halide::Func f,
                             const std::vector<bool> &dynamicLead) {
  if (f.num_update_definitions() != 1 || f.rvars(0).size() != 1 ||
      !f.function().update(0).split_predicate().empty())
    return false;
  std::vector<bool> dynamic = {true};
  dynamic.insert(dynamic.end(), dynamicLead.begin(), dynamicLead.end());
  std::optional<std::vector<int>> groups = planBlocks(dynamic);
  if (!groups)
    return false;
  Halide::RVar ro("ro"), ri("ri");
  Var u("u");
  Halide::Func lanes = splitRfactor(f, kLanes, ro, ri, u, RfactorBy::Lane);
  scheduleGpuFunc(f);
  lanes.compute_root();
  std::vector<Var> lv = argsWithout(lanes, u); // rows, leading...
  Var block("rows_b"), row("rows_t");
  for (Halide::Stage s : {Halide::Stage(lanes), lanes.update()}) {
    std::vector<VarOrRVar> order;
    if (s.name() != Halide::Stage(lanes).name())
      order.push_back(ro);
    order.push_back(u);
    order.insert(order.end(), lv.begin(), lv.end());
    s.reorder(order);
    s.split(lv[0], block, row, kRowThreads, TailStrategy::GuardWithIf);
    std::vector<Var> loops = {block};
    loops.insert(loops.end(), lv.begin() + 1, lv.end());
    gpuBlocks(s, loops, *groups);
    s.gpu_threads(u, row);
  }
  return true;
}

/// A sum along rows of a static length, a multiple of 4, into one column
/// (f: [.., rows, 1] or [.., rows]): a row sum along the contiguous
/// dimension (layer-norm statistics too), or a
/// product of one column (linear attention's denominator phi(q) . z). One
/// thread per row reads its row as vectors of 4 (partial sums per vector
/// lane in registers, by rfactor); one scalar load of its row per thread
/// made each warp instruction touch 32 cache lines (the L1 pipe saturated
/// at 2% of FMA throughput). Returns false where it does not apply.
bool scheduleGpuRowDot(Halide::Func f, const Shape &shape,
                       int64_t reductionSize) {
  constexpr int kThreads = 256;
  size_t rank = shape.size();
  if (rank < 1 || reductionSize == kDyn || reductionSize % 4 != 0 ||
      f.num_update_definitions() != 1 || f.rvars(0).size() != 1)
    return false;
  std::vector<bool> dynamic = dynamicInnermostFirst(shape, rank);
  std::optional<std::vector<int>> groups = planBlocks(dynamic);
  if (!groups)
    return false;
  Halide::RVar ro("ro"), ri("ri");
  Var u("u");
  Halide::Func lanes = splitRfactor(f, 4, ro, ri, u, RfactorBy::Lane);
  f.compute_root();
  std::vector<Var> v = f.args();
  size_t rowArg = rowsArg(shape);
  Var rowBlock("rows_b"), row("rows_t");
  for (Halide::Stage s : {Halide::Stage(f), f.update()}) {
    s.split(v[rowArg], rowBlock, row, kThreads, TailStrategy::GuardWithIf);
    std::vector<VarOrRVar> order;
    if (s.name() != Halide::Stage(f).name())
      order.push_back(ri);
    order.push_back(row);
    std::vector<Var> loops(v.begin(), v.begin() + rowArg);
    loops.push_back(rowBlock);
    loops.insert(loops.end(), v.begin() + rowArg + 1, v.end());
    order.insert(order.end(), loops.begin(), loops.end());
    s.reorder(order);
    gpuBlocks(s, loops, *groups);
    s.gpu_threads(row);
  }
  lanes.compute_at(f, row).vectorize(u);
  lanes.update().reorder(u, ro).vectorize(u);
  return true;
}

/// Softmax attention on the GPU: its parts stored whole (T x T scores), not
/// per block of rows as on the CPU; the scores (q k^T, stored through a
/// copy that the row maxima and the exponentials read) and the weighted
/// values (computed inside the output's division by the row sums) as
/// register-tiled products.
void scheduleGpuAttention(const FusedAttention &g) {
  size_t rank = g.shape.size();
  std::vector<bool> dynamicLead = dynamicInnermostFirst(g.shape, rank - 2);
  Halide::Func product = g.scores, weighted = g.weighted;
  Halide::Func scores = product.in();
  // Rows of k^T padded to a multiple of 4 keys: aligned vector loads.
  // (from key 0: a computed start hides the alignment).
  Halide::Func(g.kt)
      .bound(g.kt.args()[0], 0, g.keys)
      .align_storage(g.kt.args()[0], 4);
  Operands scoreOps{g.q, g.kt}, weightedOps{g.probs, g.v};
  if (!tileGpuProduct(scores, product, product.rvars(0), g.depth, kDyn, true,
                      g.rows >= kBlockRows && g.keys >= 2 * kLanes, dynamicLead,
                      &scoreOps, g.keys % 4 == 0))
    scheduleGpuFunc(g.scores);
  int64_t e = g.shape[rank - 1];
  if (e == kDyn || e % kLanes != 0 ||
      !tileGpuProduct(g.out, weighted, weighted.rvars(0), kDyn, e, true,
                      g.rows >= kBlockRows, dynamicLead, &weightedOps)) {
    scheduleGpuFunc(g.weighted);
    scheduleGpuFunc(g.out);
  }
  Shape scoresShape = g.shape;
  scoresShape.back() = kDyn; // keys
  if (!tileGpuPointwise(g.probs, scoresShape))
    scheduleGpuFunc(g.probs);
  for (Halide::Func f : {g.rowMax, g.rowSum})
    if (!scheduleGpuRowReduction(f, dynamicLead))
      scheduleGpuFunc(f);
}
/// Softmax attention in its online form (FusedAttention::online), one warp
/// per block of kRows query rows: its lanes hold the state of those rows in
/// registers (a lane per group of e / 32 value features, the state's tuple
/// holding the group's values and the row's max and sum once: Halide
/// stripes a block-level register allocation over the 32 lanes of a warp,
/// not over more threads or fewer lanes, which went to local memory), and
/// for each block of keys the warp computes the block's scores (a register
/// tile of 2 keys x kRows rows per lane), row maxima, exponentials and sums
/// in shared memory, then the weighted values in registers and the
/// rescaled state. Scores are
/// stored with rows padded to an odd length and the exponentials
/// transposed, so that the lanes reading a row each (the maxima and sums)
/// or a column of all rows (the weighted values) hit distinct banks or one
/// broadcast. 128 registers a thread (the runtime's cap) spill a little;
/// more ran slower (fewer warps), and so did 72 to 112. Returns false
/// (scheduling nothing) where the blocks cannot be mapped.
bool scheduleGpuOnlineAttention(const FusedAttention &g) {
  const int kRows = g.rowsPerBlock, keys = g.keysPerBlock;
  std::vector<bool> dynamic = {true}; // row blocks, then leading dimensions
  for (bool d : dynamicInnermostFirst(g.shape, g.shape.size() - 2))
    dynamic.push_back(d);
  std::optional<std::vector<int>> groups = planBlocks(dynamic);
  if (!groups)
    return false;
  Halide::Func out = g.out, state = g.state;
  const int perLane = (int)(g.shape.back() / kLanes); // value features
  // The copies of q, k^T and v (stages of their own) computed over whole
  // tiles of rows and blocks of keys from 0: their rows start 16-byte
  // aligned (vector loads; without the bounds, T = 4k ran 9.3 ms, not 6.7).
  auto whole = [](Halide::Func f, int arg, Halide::Expr n, int block) {
    f.bound(f.args()[arg], 0, (n + block - 1) / block * block);
  };
  whole(g.q, 1, g.rows, kRows);
  whole(g.kt, 0, g.keys, keys);
  whole(g.v, 1, g.keys, keys);
  Var rowBlock("row_block"), row("row"), lane("lane"), pair("pair");
  std::vector<Var> v = out.args(); // e, i, leading...
  out.compute_root();
  Var innermostBlock;
  auto tileOut = [&](Halide::Stage s, TailStrategy tail) {
    s.split(v[1], rowBlock, row, kRows, tail).split(v[0], lane, pair, perLane);
    std::vector<VarOrRVar> order = {pair, row, lane, rowBlock};
    order.insert(order.end(), v.begin() + 2, v.end());
    s.reorder(order);
    std::vector<Var> loops = {rowBlock};
    loops.insert(loops.end(), v.begin() + 2, v.end());
    innermostBlock = gpuBlocks(s, loops, *groups);
    s.gpu_lanes(lane).vectorize(pair).unroll(row);
  };
  // Blocks of kRows output rows: the state's tiles when causal (a last one
  // computes rows past the end, reading the last row of q, stored by no
  // one), else shifted inwards at the end where there are enough rows.
  if (!g.causal)
    tileOut(out.specialize(g.rows >= kRows), TailStrategy::ShiftInwards);
  tileOut(out, TailStrategy::GuardWithIf);
  // The state: registers of the warp, a lane per group of value features
  // (its tuple holds the group's), the blocks of keys outside its lanes;
  // always kRows rows, so that every loop of the block has a constant
  // extent (unrolled into registers, or the lanes).
  std::vector<Var> sv = state.args(); // group, row, (tile,) leading...
  state.compute_at(out, innermostBlock)
      .store_in(Halide::MemoryType::Register)
      .bound_extent(sv[1], kRows);
  Halide::RVar block = unqualified(state.rvars(0)[0]);
  auto tileState = [&](Halide::Stage s, std::vector<VarOrRVar> order) {
    s.reorder(order).gpu_lanes(sv[0]).unroll(sv[1]);
  };
  tileState(state, {sv[1], sv[0]});
  tileState(state.update(), {sv[1], sv[0], block});
  // Weighted values of a block per lane, in registers.
  Halide::Func weighted = g.blockWeighted;
  std::vector<Var> wv = weighted.args(); // e, i, block, leading...
  weighted.compute_at(state, sv[0]).unroll(wv[0]).unroll(wv[1]);
  weighted.update()
      .reorder(wv[0], wv[1], unqualified(weighted.rvars(0)[0]))
      .unroll(wv[0])
      .unroll(wv[1]);
  {
    Halide::Func values = Halide::Func(g.v).in(weighted);
    values.compute_at(weighted, unqualified(weighted.rvars(0)[0]))
        .vectorize(values.args()[0]);
  }
  // Scores: a copy in shared memory, each lane computing 2 keys x kRows
  // rows of it in registers, 4 steps of the depth at a time.
  // Blocks in shared memory have a constant size (a causal tile skips
  // blocks: their regions are empty, and Halide's maximum over them on the
  // host multiplied two negative extents).
  auto constantStorage = [&](Halide::Func f, std::vector<int> extents) {
    if (!g.causal)
      return;
    std::vector<Var> a = f.args();
    for (size_t i = 0; i < a.size(); ++i)
      f.bound_storage(a[i], i < extents.size() ? extents[i] : 1);
  };
  Halide::Func product = g.scores, scores = product.in();
  std::vector<Var> cv = scores.args(); // key, row, block, tile, leading...
  constantStorage(scores, {keys + 1, kRows});
  scores.compute_at(state, block)
      .align_storage(cv[0], keys + 1)
      .split(cv[0], lane, pair, keys / kLanes)
      .reorder(pair, cv[1], lane)
      .gpu_lanes(lane)
      .unroll(pair)
      .unroll(cv[1]);
  std::vector<Var> pv = product.args();
  product.compute_at(scores, lane).unroll(pv[0]).unroll(pv[1]);
  Halide::RVar ko("ko4"), ki("ki4");
  product.update()
      .split(unqualified(product.rvars(0)[0]), ko, ki, 4)
      .reorder(ki, pv[0], pv[1], ko)
      .unroll(ki)
      .unroll(pv[0])
      .unroll(pv[1]);
  // The rows of q a block of scores reads: copied into shared memory once
  // per block of keys, a lane per depth pair (coalesced), which the score
  // steps then read as broadcasts. Read from global memory by every lane,
  // they were two thirds of the kernel's loads. (Once per tile of rows
  // would do, but Halide 14 sizes shared memory by liveness along the
  // kernel's statements, not its loops: an allocation outside the loop over
  // key blocks, used early in its body, was shared with the block's row
  // maxima, computed later in the body.)
  bool qShared = g.depth % kLanes == 0;
  for (Halide::Func operand : {g.q, g.kt}) {
    Halide::Func w = operand.in(product);
    if (qShared && operand.name() == g.q.name()) {
      std::vector<Var> qv = w.args(); // depth, row, (tile,) leading...
      w.compute_at(state, block)
          .split(qv[0], lane, pair, (int)(g.depth / kLanes))
          .reorder(pair, lane, qv[1])
          .gpu_lanes(lane)
          .vectorize(pair)
          .unroll(qv[1]);
      w = w.in(product);
    }
    w.compute_at(product, ko).vectorize(w.args()[0]).unroll(w.args()[1]);
  }
  // Exponentials, stored rows innermost (the weighted values read a key of
  // all rows), a lane per row and part of the keys.
  Halide::Func probs = g.probs;
  std::vector<Var> bv = probs.args(); // key, i, block, leading...
  std::vector<Var> storage = {bv[1], bv[0]};
  storage.insert(storage.end(), bv.begin() + 2, bv.end());
  Var part("part");
  constantStorage(probs, {keys, kRows});
  probs.compute_at(state, block)
      .reorder_storage(storage)
      .split(bv[0], part, pair, keys * kRows / kLanes)
      .fuse(bv[1], part, lane)
      .reorder(pair, lane)
      .gpu_lanes(lane);
  // Row maxima and sums: a lane per row, accumulated in a register.
  for (Halide::Func f : {g.blockMax, g.blockSum}) {
    Halide::Func w = f.in();
    constantStorage(w, {kRows});
    w.compute_at(state, block).gpu_lanes(w.args()[0]);
    f.compute_at(w, w.args()[0]);
  }
  return true;
}

/// The products load rows of their operands as vectors (ld.v4), which needs
/// 16-byte alignment that Halide can prove: a buffer whose rows are a static
/// multiple of 4 elements is required dense (row-major strides) and 16-byte
/// aligned. Halide checks both on entry: another buffer is an error with
/// the constraint that failed, never a misaligned load.
void requireDenseAlignedRows(Halide::OutputImageParam p, const Shape &shape) {
  size_t rank = shape.size();
  if (rank < 2 || shape.back() == kDyn || shape.back() % 4 != 0)
    return;
  p.set_host_alignment(16);
  Halide::Expr stride;
  for (size_t i = 1; i < rank; ++i) {
    int64_t inner = shape[rank - i];
    Halide::Expr extent =
        inner == kDyn ? p.dim(i - 1).extent() : Halide::Expr((int)inner);
    stride = stride.defined() ? stride * extent : extent;
    p.dim(i).set_stride(stride);
  }
}
/// A stage on its own (not a product tiled with its consumer): one-column
/// products and row sums by rows (scheduleGpuRowDot), long sums split,
/// pointwise stages in 2-D thread tiles, the rest generic.
void scheduleGpuAlone(const Stage &stage) {
  if (stage.product.defined()) {
    Halide::Func(stage.func).compute_inline();
    if (!scheduleGpuRowDot(stage.product, stage.shape, stage.reductionSize))
      scheduleGpuFunc(stage.product);
    return;
  }
  if (stage.kind == StageKind::Reduction && stage.alongInnermost &&
      scheduleGpuRowDot(stage.func, stage.shape, stage.reductionSize))
    return;
  if (!scheduleGpuLongReduction(stage) && !scheduleGpuScan(stage) &&
      !tileGpuPointwise(stage.func, stage.shape))
    scheduleGpuFunc(stage.func);
}
} // namespace

std::optional<int> attn::hl::gpuOnlineAttentionRows(int64_t e, int64_t depth) {
  // A lane holds e / 32 value features of the state (Halide stripes it over
  // exactly the 32 lanes) and each row's max and sum, (2 + e / 32) x rows
  // registers: 16 rows up to 64 features, 8 for 128 (at 64 features, 32
  // rows ran 20% slower; 24 do not map onto the lanes). The score steps
  // load 4 depth positions as vectors.
  if ((e != 32 && e != 64 && e != 128) || depth == kDyn || depth % 4 != 0 ||
      depth > 128)
    return std::nullopt;
  return e == 128 ? 8 : 16;
}

void attn::hl::applyGpuSchedule(LoweredFunction &lf) {
  for (size_t i = 0; i < lf.params.size(); ++i)
    requireDenseAlignedRows(lf.params[i], lf.paramShapes[i]);
  for (const Stage &stage : lf.stages)
    if (lf.isOutput(stage.func))
      requireDenseAlignedRows(Halide::Func(stage.func).output_buffer(),
                              stage.shape);
  std::set<std::string> done;
  // The transposed copies of products' right operands: read in place by
  // a block-tiled product (its shared tile is filled along K), stored
  // through shared memory for the others.
  for (const Stage &stage : lf.stages) {
    const Stage *t = stage.product.defined() && stage.rhsIsTranspose
                         ? operandStage(lf, stage.rhs)
                         : nullptr;
    if (!t || done.count(t->func.name()))
      continue;
    if (blockTiles(stage))
      Halide::Func(t->func).compute_inline();
    else if (!scheduleGpuTranspose(*t))
      continue;
    done.insert(t->func.name());
  }
  // The feature map a block-tiled product stages in shared memory as its left
  // operand (phi(K)) is applied there, once per element, and by its other
  // readers (the sum of phi(K)) per element: stored, it cost a write and a
  // read of T x d.
  for (const Stage &stage : lf.stages)
    if (blockTiles(stage))
      if (const Stage *s = operandStage(lf, stage.lhs);
          s && s->kind == StageKind::Pointwise &&
          !Halide::Func(s->func).has_update_definition() &&
          done.insert(s->func.name()).second)
        Halide::Func(s->func).compute_inline();
  std::map<const Stage *, const Stage *> consumers = findProductConsumers(lf);
  // A block-tiled product read only by a scan (the chunk states and their
  // prefix): computed as the scan's initial copy, not stored.
  for (auto &[product, scan] : findScanConsumers(lf))
    if (!consumers[product] && blockTiles(*product) && gpuScanLoops(*scan) &&
        !done.count(scan->func.name()))
      consumers[product] = scan;
  std::map<const Stage *, std::vector<const Stage *>> companions =
      claimTileCompanions(lf, consumers, done);
  for (const Stage &stage : lf.stages) {
    if (stage.kind == StageKind::FusedAttentionOutput ||
        done.count(stage.func.name()))
      continue;
    if (stage.product.defined()) {
      const Stage *consumer = consumers[&stage];
      if (consumer && done.count(consumer->func.name()))
        consumer = nullptr;
      if (scheduleGpuMatmul(stage, consumer, companions[&stage])) {
        if (consumer)
          done.insert(consumer->func.name());
        continue;
      }
      for (const Stage *s : companions[&stage])
        scheduleGpuAlone(*s);
    }
    scheduleGpuAlone(stage);
  }
  for (const FusedAttention &g : lf.attentions)
    if (!g.online)
      scheduleGpuAttention(g);
    else if (!scheduleGpuOnlineAttention(g))
      for (Halide::Func f : g.funcs())
        scheduleGpuFunc(f);
}
