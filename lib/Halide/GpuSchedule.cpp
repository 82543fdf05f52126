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
constexpr int kLanes = 32, kRowThreads = 8, kRowsPerThread = 8;
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

/// Fuses `loops` (innermost first) by `groups` and maps them to blocks.
void gpuBlocks(Halide::Stage s, const std::vector<Var> &loops,
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
}

/// A pointwise GPU stage of `shape` (MLIR order): threads over a 2-D tile
/// of its two innermost dimensions (a warp along the contiguous one, up to
/// kThreads in all), blocks over the tiles and the leading dimensions
/// (planBlocks). Fusing every dimension into one loop made each thread
/// divide its index by the dynamic extents. Returns false where it does
/// not apply.
bool tileGpuPointwise(Halide::Func f, const Shape &shape) {
  constexpr int kThreads = 256;
  size_t rank = shape.size();
  if (f.has_update_definition() || rank < 2)
    return false;
  int64_t inner = shape[rank - 1];
  int tx = inner == kDyn
               ? kThreads
               : (int)std::clamp<int64_t>(
                     (inner + kLanes - 1) / kLanes * kLanes, kLanes, kThreads);
  int ty = kThreads / tx;
  std::vector<bool> dynamic = dynamicInnermostFirst(shape, rank);
  std::optional<std::vector<int>> groups = planBlocks(dynamic);
  if (!groups)
    return false;
  f.compute_root();
  std::vector<Var> v = f.args();
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi");
  f.split(v[0], xo, xi, tx, TailStrategy::GuardWithIf)
      .split(v[1], yo, yi, ty, TailStrategy::GuardWithIf);
  std::vector<VarOrRVar> order = {xi, yi, xo, yo};
  order.insert(order.end(), v.begin() + 2, v.end());
  f.reorder(order);
  std::vector<Var> loops = {xo, yo};
  loops.insert(loops.end(), v.begin() + 2, v.end());
  gpuBlocks(f, loops, *groups);
  f.gpu_threads(xi, yi);
  return true;
}

/// The GPU register tile: `c` (columns, rows, leading...) computed by blocks
/// of kLanes x kRowThreads threads over kBlockRows rows and colsPerThread x
/// kLanes columns, each thread accumulating colsPerThread x kRowsPerThread
/// outputs of `product` in registers, so one loaded element of either
/// operand feeds several FMAs (the lanes of a warp read consecutive columns
/// of the right operand, coalesced, and the same row of the left one, a
/// broadcast). `c` is the product's copy or a pointwise consumer of it
/// with the same shape (then the product never reaches memory). Row blocks
/// shift inwards; fewer rows than a block (`enoughRows` false) take one row
/// per thread. Returns false (scheduling nothing) where the block loops
/// cannot be mapped (planBlocks).
bool tileGpuProduct(Halide::Func c, Halide::Func product,
                    const std::vector<Halide::RVar> &reduction,
                    int64_t reductionSize, int64_t cols, bool rowsDynamic,
                    std::optional<Halide::Expr> enoughRows,
                    const std::vector<bool> &dynamicLead) {
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
          .split(xi, xio, xii, lanes);
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
    if (colTiles)
      s.unroll(xio);
    if (fullBlocks)
      s.unroll(yii);
    std::vector<Var> loops = {xo, yo};
    loops.insert(loops.end(), v.begin() + 2, v.end());
    gpuBlocks(s, loops, *groups);
    s.gpu_threads(xii, ty);
  };
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
  // A static reduction unrolled by 4: consecutive elements of a row of the
  // left operand, which PTX can load as one vector.
  if (reductionSize != kDyn && reductionSize % 4 == 0 &&
      reduction.size() == 1) {
    Halide::RVar ko("ko4"), ki("ki4");
    update.split(reduction[0], ko, ki, 4)
        .reorder(pv[0], pv[1], ki, ko)
        .unroll(ki);
  }
  return true;
}

/// Positions of a long dynamic reduction per block of a split reduction:
/// enough blocks at T = 4k, partial results of T / kChunk x the output.
constexpr int kChunk = 512;

/// A GPU product with columns in whole warps on at least kBlockRows rows,
/// register-tiled (tileGpuProduct), into `consumer` when it is given. A
/// long dynamic reduction (K^T V over the sequence) onto a static result is
/// split: partial products over chunks of kChunk positions, one block per
/// chunk, then summed (one output per thread), so the blocks fill the GPU
/// whatever the sequence length. Returns false where the shape does not
/// fit.
bool scheduleGpuMatmul(const Stage &stage, const Stage *consumer) {
  Halide::Func f = stage.func, p = stage.product;
  size_t rank = stage.shape.size();
  if (rank < 2)
    return false;
  int64_t cols = stage.shape[rank - 1], rows = stage.shape[rank - 2];
  if (cols == kDyn || cols % kLanes != 0 || (rows != kDyn && rows < kBlockRows))
    return false;
  std::vector<bool> dynamicLead = dynamicInnermostFirst(stage.shape, rank - 2);
  if (stage.reductionSize == kDyn && rows != kDyn &&
      llvm::none_of(dynamicLead, [](bool d) { return d; })) {
    dynamicLead.push_back(true);
    if (!planBlocks(dynamicLead))
      return false;
    Halide::RVar ko("ko"), ki("ki");
    Var u("u");
    Halide::Func partial = splitRfactor(p, kChunk, ko, ki, u, RfactorBy::Chunk);
    f.compute_inline();
    scheduleGpuFunc(p);
    return tileGpuProduct(partial.in(), partial, {ki}, kDyn, cols, false,
                          std::nullopt, dynamicLead);
  }
  std::optional<Halide::Expr> enoughRows;
  if (rows == kDyn)
    enoughRows = stage.extents[rank - 2] >= kBlockRows;
  Halide::Func c = f;
  if (consumer) {
    c = consumer->func;
  }
  if (!tileGpuProduct(c, p, p.rvars(0), stage.reductionSize, cols, rows == kDyn,
                      enoughRows, dynamicLead))
    return false;
  if (consumer)
    f.compute_inline();
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
  if (!tileGpuProduct(scores, product, product.rvars(0), kDyn, kDyn, true,
                      g.rows >= kBlockRows && g.keys >= 2 * kLanes,
                      dynamicLead))
    scheduleGpuFunc(g.scores);
  int64_t e = g.shape[rank - 1];
  if (e == kDyn || e % kLanes != 0 ||
      !tileGpuProduct(g.out, weighted, weighted.rvars(0), kDyn, e, true,
                      g.rows >= kBlockRows, dynamicLead)) {
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
} // namespace

void attn::hl::applyGpuSchedule(LoweredFunction &lf) {
  std::set<std::string> done;
  std::map<const Stage *, const Stage *> consumers = findProductConsumers(lf);
  for (const Stage &stage : lf.stages) {
    if (stage.kind == StageKind::FusedAttentionOutput ||
        done.count(stage.func.name()))
      continue;
    if (stage.product.defined()) {
      const Stage *consumer = consumers[&stage];
      if (consumer && done.count(consumer->func.name()))
        consumer = nullptr;
      if (scheduleGpuMatmul(stage, consumer)) {
        if (consumer)
          done.insert(consumer->func.name());
        continue;
      }
      Halide::Func(stage.func).compute_inline();
      scheduleGpuFunc(stage.product);
    } else if (!scheduleGpuLongReduction(stage) &&
               !tileGpuPointwise(stage.func, stage.shape)) {
      scheduleGpuFunc(stage.func);
    }
  }
  for (const FusedAttention &g : lf.attentions)
    scheduleGpuAttention(g);
}
