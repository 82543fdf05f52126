//===- Schedule.cpp - schedules of lowered attn pipelines -----------------===//
#include "lib/Halide/Schedule.h"
#include "lib/Halide/Fusion.h"
#include "lib/Halide/ScheduleSupport.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

using namespace attn;
using namespace attn::hl;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

namespace {

/// Fuses `outer` (innermost first) into one loop and runs it in parallel,
/// `perTask` iterations per task: a task per row of a few elements would
/// cost more in the thread pool than its work. Returns the parallel loop.
/// `innermost`, if given, receives the innermost loop of the fused ones
/// (inside a task).
template <typename StageT>
Var parallelizeOuter(StageT &&s, const std::vector<Var> &outer, int perTask,
                     Var *innermost = nullptr) {
  if (outer.empty())
    return Var();
  Var fused = outer.front();
  for (size_t i = 1; i < outer.size(); ++i) {
    Var next(fused.name() + "_" + outer[i].name());
    s.fuse(fused, outer[i], next);
    fused = next;
  }
  if (perTask > 1) {
    Var task(fused.name() + "_task"), inTask(fused.name() + "_in");
    s.split(fused, task, inTask, perTask, TailStrategy::GuardWithIf);
    if (innermost)
      *innermost = inTask;
    fused = task;
  } else if (innermost) {
    *innermost = fused;
  }
  s.parallel(fused);
  return fused;
}

/// Iterations of the outer loops per task for about kTaskWork multiply-adds
/// (or elements) each, given the static work of one iteration; dynamic
/// sizes (kDyn) count as large.
int iterationsPerTask(llvm::ArrayRef<int64_t> workFactors) {
  constexpr int64_t kTaskWork = 262144;
  int64_t work = 1;
  for (int64_t f : workFactors) {
    if (f == kDyn)
      return 1;
    work *= std::max<int64_t>(f, 1);
  }
  return static_cast<int>(std::max<int64_t>(1, kTaskWork / work));
}

/// A stencil over [.., Y, X, C]: channels vectorised, the taps inside,
/// image rows in parallel.
void scheduleStencil(Halide::Func f, int width) {
  std::vector<Var> v = f.args(); // c, x, y, leading...
  f.vectorize(v[0], width, TailStrategy::GuardWithIf).parallel(v[2]);
  std::vector<VarOrRVar> order = {v[0]};
  for (const Halide::RVar &r : f.rvars(0))
    order.push_back(r);
  order.insert(order.end(), v.begin() + 1, v.end());
  f.update()
      .reorder(order)
      .vectorize(v[0], width, TailStrategy::GuardWithIf)
      .parallel(v[2]);
}

/// The loops of `outer` (innermost first) that can be fused: Halide 14
/// infers unbounded regions for a stored Func whose fused loop spans two
/// dynamic extents when a consumer reads it at clamped positions
/// ("accessed at -99"), so the innermost dynamic loops stay serial until
/// one is left.
std::vector<Var> fusable(const Stage &stage, std::vector<Var> outer) {
  size_t rank = stage.shape.size();
  auto dynamicAt = [&](const Var &v) {
    std::vector<Var> args = stage.func.args();
    for (size_t i = 0; i < args.size(); ++i)
      if (args[i].same_as(v))
        return stage.shape[rank - 1 - i] == kDyn;
    return false;
  };
  int dynamic = std::count_if(outer.begin(), outer.end(), dynamicAt);
  while (dynamic > 1 && !outer.empty()) {
    dynamic -= dynamicAt(outer.front());
    outer.erase(outer.begin());
  }
  return outer;
}

void scheduleStage(const Stage &stage, const Halide::Target &target);

/// `stage`'s update definitions (its pure one scheduled elsewhere):
/// vectorised along the innermost pure dimension, the reduction or scan
/// loop inside the other pure dimensions, those fused and in parallel;
/// products in tiles of rows.
void scheduleUpdates(const Stage &stage, const Halide::Target &target);

/// Rows of a CPU register tile of rows x 2 vectors: the accumulators, the
/// right operand's two vectors and a broadcast must fit the vector
/// registers, 32 with AVX-512 (8 rows: 16 accumulators), 16 with AVX2
/// (6 rows: 12 accumulators; 8 rows spilled).
int registerTileRows(const Halide::Target &target) {
  return target.has_feature(Halide::Target::AVX512) ? 8 : 6;
}

/// `product` computed per tile of `c` (tileInRegisters' loop "xo"): a
/// constant-size block, vectorised along its columns, its rows unrolled
/// where the tile has them all (`enoughRows`), its `reduction` outside.
void computeInCpuTile(Halide::Func c, Halide::Func product,
                      const std::vector<Halide::RVar> &reduction, int width,
                      std::optional<Halide::Expr> enoughRows) {
  product.compute_at(c, Var("xo"));
  std::vector<Var> pv = product.args();
  std::vector<VarOrRVar> order = {pv[0], pv[1]};
  order.insert(order.end(), reduction.begin(), reduction.end());
  order.insert(order.end(), pv.begin() + 2, pv.end());
  auto full = [&](Halide::Stage s) {
    return enoughRows ? s.specialize(*enoughRows) : s;
  };
  full(product).vectorize(pv[0], width).unroll(pv[1]);
  full(product.update()).reorder(order).vectorize(pv[0], width).unroll(pv[1]);
  if (enoughRows) {
    product.vectorize(pv[0], width, TailStrategy::GuardWithIf);
    product.update().reorder(order).vectorize(pv[0], width,
                                              TailStrategy::GuardWithIf);
  }
}

/// `c` (columns, rows, leading...) in register tiles of `rows` x `block`
/// columns (vectorised, rows unrolled), `product` computed per tile (a
/// constant-size block on the stack, which LLVM keeps in registers) with
/// its `reduction` loop outside the tile. Tiles shift inwards at the ends
/// (`c` is pure: a few elements are computed twice) so every tile has the
/// same size; where `enough` is given and false, the generic (guarded, not
/// unrolled) tile. `each` finishes the schedule of each version of `c`.
void tileInRegisters(Halide::Func c, Halide::Func product,
                     const std::vector<Halide::RVar> &reduction, int width,
                     int rows, int block, std::optional<Halide::Expr> enough,
                     const std::function<void(Halide::Stage)> &each) {
  std::vector<Var> v = c.args();              // columns, rows, leading...
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi"); // computeInCpuTile's "xo"
  auto tile = [&](Halide::Stage s, TailStrategy colTail, TailStrategy rowTail) {
    s.split(v[0], xo, xi, block, colTail).split(v[1], yo, yi, rows, rowTail);
    std::vector<VarOrRVar> order = {xi, yi, xo, yo};
    order.insert(order.end(), v.begin() + 2, v.end());
    s.reorder(order).vectorize(xi, width).unroll(yi);
    each(s);
  };
  if (enough)
    tile(c.specialize(*enough), TailStrategy::ShiftInwards,
         TailStrategy::ShiftInwards);
  tile(c, TailStrategy::GuardWithIf,
       enough ? TailStrategy::GuardWithIf : TailStrategy::ShiftInwards);
  computeInCpuTile(c, product, reduction, width, enough);
}

/// A product's register tiles (tileInRegisters) in `c` computed at root.
/// `parallel` is the one loop run in parallel, or undefined for the tiles
/// of rows. Returns the loop over tiles of rows.
Var tileCpuProduct(Halide::Func c, Halide::Func product,
                   const std::vector<Halide::RVar> &reduction, int width,
                   int kRows, int block, std::optional<Halide::Expr> enoughRows,
                   std::optional<Var> parallel, int perTask) {
  c.compute_root();
  Var rowTiles("yo"); // the loop over tiles of rows
  tileInRegisters(c, product, reduction, width, kRows, block, enoughRows,
                  [&](Halide::Stage s) {
                    // One loop in parallel, not fused ones: inside fused
                    // loops with dynamic extents Halide cannot see that a
                    // tile has one batch index, and sizes the product's
                    // block (then on the heap) by a range of them.
                    if (parallel)
                      s.parallel(*parallel);
                    else
                      parallelizeOuter(s, {Var("yo")}, perTask, &rowTiles);
                  });
  return rowTiles;
}

/// A producer that only a split product reads (findPrivateProducers),
/// computed per chunk of the reduction at `at`, a loop of the product's
/// chunk copy `chunks`: its values are read back from cache, not memory.
/// Sums along rows go by lanes (as scheduleRowReduction), the rest
/// vectorised along the innermost dimension.
void computePerChunk(const Stage &stage, Halide::Func chunks, VarOrRVar at,
                     int width) {
  Halide::Func f = stage.func;
  f.compute_at(Halide::LoopLevel(chunks, at));
  std::vector<Var> v = f.args();
  if (v.empty())
    return;
  if (stage.kind == StageKind::Reduction && stage.alongInnermost &&
      stage.reductionSize != kDyn && stage.reductionSize % width == 0 &&
      f.num_update_definitions() == 1 && f.rvars(0).size() == 1) {
    Halide::RVar ro("ro"), ri("ri");
    Var u("lane");
    Halide::Func lanes = splitRfactor(f, width, ro, ri, u, RfactorBy::Lane);
    lanes.compute_at(Halide::LoopLevel(chunks, at)).vectorize(u);
    std::vector<VarOrRVar> order = {u, ro};
    for (const Var &a : argsWithout(lanes, u))
      order.push_back(a);
    lanes.update().reorder(order).vectorize(u);
    return;
  }
  int64_t inner = stage.shape.empty() ? 1 : stage.shape.back();
  if (inner == kDyn || inner >= width)
    f.vectorize(v[0], width, TailStrategy::GuardWithIf);
}

/// How scheduleCpuMatmul tiles a product.
struct CpuTiling {
  int width = 0, rows = 0, block = 0; ///< vector, register tile, columns
  bool tiled = false;    ///< register-tiled (else the generic schedule)
  bool split = false;    ///< a long dynamic reduction split into chunks
  bool perChunk = false; ///< tiled in parallel over a static-rows dimension
  bool perSlice = false; ///< split, its batch and head slices in parallel
  int sliceRows = 0;     ///< rows of a perSlice register tile
};

CpuTiling cpuTiling(const Stage &stage, const Halide::Target &target) {
  constexpr int kCols = 2;
  CpuTiling t;
  size_t rank = stage.shape.size();
  t.width = target.natural_vector_size(stage.func.output_types()[0]);
  t.rows = registerTileRows(target);
  if (rank < 2)
    return t;
  int64_t cols = stage.shape[rank - 1], rows = stage.shape[rank - 2];
  t.block = (int)std::min<int64_t>(cols, kCols * t.width);
  t.tiled = cols != kDyn && cols % t.width == 0 && cols % t.block == 0 &&
            (rows == kDyn || rows >= t.rows);
  bool staticResult =
      llvm::none_of(stage.shape, [](int64_t e) { return e == kDyn; });
  t.split = t.tiled && stage.reductionSize == kDyn && staticResult;
  t.perChunk = t.tiled && !t.split && rows != kDyn && rank > 2;
  // Enough slices (batch x heads) to keep every thread busy, and whole
  // tiles: each slice's sum is accumulated in place (accumulatePerSlice),
  // in tiles of the most rows up to the register tile's that divide its
  // rows (an update cannot shift its tiles inwards).
  constexpr int64_t kMinSlices = 8;
  // (Only split products, whose shape is static, are counted: a dynamic
  // size is kDynamic, which no product may take.)
  int64_t slices = 1;
  for (size_t i = 0; t.split && i + 2 < rank; ++i)
    slices *= stage.shape[i];
  t.sliceRows = t.rows;
  while (t.split && rows % t.sliceRows != 0)
    --t.sliceRows;
  t.perSlice = t.split && slices >= kMinSlices && 2 * t.sliceRows >= t.rows;
  return t;
}

/// Whether `sum` runs in the loop nest of `product` split per slice
/// (accumulatePerSlice; sumSharesProductLoop): only with heads enough to
/// run in parallel alone (the batches then go serially).
bool sumsAlongSlices(const LoweredFunction &lf, const Stage &sum,
                     const Stage &product, const Halide::Target &target) {
  constexpr int64_t kMinHeads = 4;
  size_t rank = product.shape.size();
  return cpuTiling(product, target).perSlice && rank >= 3 &&
         product.shape[rank - 3] >= kMinHeads &&
         sumSharesProductLoop(lf, sum, product);
}

/// A split product (K^T V over the sequence) with enough batch and head
/// slices for the threads: slices in parallel, each one's reduction in
/// chunks of `chunk` positions, every register tile of a chunk (the
/// rfactor'd partial, on the stack) added into the slice's d x d sum, which
/// stays in L1. No partial products reach memory and no pass sums them
/// (their stores and sum were 13% of linear attention's profile at
/// T = 16k; it ran 5-10% faster without, from T = 1k to 64k). The
/// `producers` only this product reads are computed per chunk, the `sums`
/// of its slices (sumsAlongSlices) per chunk in the same loop nest.
void accumulatePerSlice(Halide::Func p,
                        const std::vector<const Stage *> &producers,
                        const std::vector<const Stage *> &sums,
                        const CpuTiling &tiling, int chunk) {
  Halide::RVar ko("ko"), ki("ki");
  Var u("u");
  Halide::Func partial = splitRfactor(p, chunk, ko, ki, u, RfactorBy::Chunk);
  std::vector<Var> v = p.args(); // columns, rows, batch and heads
  std::vector<Var> lead(v.begin() + 2, v.end());
  p.compute_root().vectorize(v[0], tiling.width);
  parallelizeOuter(p, lead, 1);
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi");
  Halide::Stage sum = p.update();
  sum.split(v[0], xo, xi, tiling.block, TailStrategy::GuardWithIf)
      .split(v[1], yo, yi, tiling.sliceRows, TailStrategy::GuardWithIf);
  std::vector<VarOrRVar> order = {xi, yi, xo, yo, ko};
  order.insert(order.end(), lead.begin(), lead.end());
  sum.reorder(order).vectorize(xi, tiling.width).unroll(yi);
  // Fused batch and head loops would hide from the fused sums' bounds
  // that a slice reads one head: heads in parallel, batches serial.
  if (sums.empty())
    parallelizeOuter(sum, lead, 1);
  else
    sum.parallel(lead.front());
  computeInCpuTile(p, partial, {ki}, tiling.width, std::nullopt);
  for (const Stage *s : producers)
    computePerChunk(*s, p, ko, tiling.width);
  // The sums along the sequence of the same slices (the sum of phi(K)):
  // per chunk in the same loop nest, reading the chunk's phi(K) from cache.
  for (const Stage *s : sums) {
    Halide::Func z = s->func;
    std::vector<Var> zv = z.args(); // columns, 1, batch and heads
    z.compute_root().vectorize(zv[0], tiling.width);
    Halide::Stage zu = z.update();
    zu.split(unqualified(z.rvars(0)[0]), ko, ki, chunk,
             TailStrategy::GuardWithIf);
    std::vector<VarOrRVar> zo = {zv[0], ki, zv[1], ko};
    zo.insert(zo.end(), zv.begin() + 2, zv.end());
    zu.reorder(zo).vectorize(zv[0], tiling.width);
    zu.parallel(zv[2]);
    zu.compute_with(sum, ko);
  }
}

/// The stages a product's schedule computes with it.
struct ProductParts {
  /// Stages only it reads (findPrivateProducers): per chunk where it is
  /// split, at root otherwise.
  std::vector<const Stage *> producers;
  /// Of a product tiled in its consumer (findTileCompanions): per tile of
  /// rows.
  std::vector<const Stage *> companions;
  /// Wrappers of its operands that apply a feature map (findPerChunkMaps):
  /// per chunk of rows.
  std::vector<Halide::Func> chunkMaps;
  /// Sums in its loop nest where it is split per slice (sumsAlongSlices).
  std::vector<const Stage *> sliceSums;
};

/// A product with static columns that split into blocks of kCols vectors,
/// on at least kRows rows: register-tiled (tileCpuProduct), fewer rows than
/// kRows specialised to the generic tile. A long dynamic reduction onto a
/// static result (K^T V over the sequence) is split: partial products over
/// chunks of kChunk positions, whose operands stay in L2 while every tile
/// of the chunk is computed (unsplit, each tile streamed K and V from
/// memory again: a third of linear attention's time; chunks of 256 spent
/// ~9% less than chunks of 512 in the partials and their sum, measured
/// against the result product of the same run), the chunks in
/// parallel, then summed; with enough batch and head slices, the slices in
/// parallel instead, each summing its chunks in place (accumulatePerSlice).
/// A product read by one pointwise `consumer` of its
/// shape is tiled inside that consumer (the product never reaches memory).
/// Other products: the generic schedule on the product, its copy inlined.
/// The stages computed with it (`with`, ProductParts) follow it. A scan
/// `consumer` (findScanConsumers) gets the tiles in its initial copy.
/// Returns whether `consumer` was scheduled.
bool scheduleCpuMatmul(const Stage &stage, const Halide::Target &target,
                       const Stage *consumer, const ProductParts &with = {}) {
  const std::vector<const Stage *> &producers = with.producers,
                                   &companions = with.companions;
  constexpr int kChunk = 256;
  CpuTiling tiling = cpuTiling(stage, target);
  const int kRows = tiling.rows, width = tiling.width, block = tiling.block;
  Halide::Func f = stage.func, p = stage.product;
  size_t rank = stage.shape.size();
  int64_t cols = stage.shape[rank - 1];
  bool tiled = tiling.tiled, split = tiling.split;
  Stage generic = stage;
  generic.func = p;
  generic.product = Halide::Func();
  if (!split)
    for (const Stage *s : producers)
      scheduleStage(*s, target);
  if (!tiled || split || !consumer)
    for (const Stage *s : companions)
      scheduleStage(*s, target);
  if (!tiled) {
    f.compute_inline();
    scheduleStage(generic, target);
    return false;
  }
  if (split && tiling.perSlice) {
    f.compute_inline();
    accumulatePerSlice(p, producers, with.sliceSums, tiling, kChunk);
    return false;
  }
  if (split) {
    Halide::RVar ko("ko"), ki("ki");
    Var u("u");
    Halide::Func partial = splitRfactor(p, kChunk, ko, ki, u, RfactorBy::Chunk);
    f.compute_inline();
    generic.kind = StageKind::Reduction;
    generic.reductionSize = kDyn;
    scheduleStage(generic, target);
    Halide::Func chunks = partial.in();
    tileCpuProduct(chunks, partial, {ki}, width, kRows, block, std::nullopt,
                   chunks.args().back(), 1);
    // Per chunk and batch index: the outermost loop inside the chunk's.
    std::vector<Var> cv = chunks.args();
    Var at = cv.size() > 3 ? cv[cv.size() - 2] : cv.back();
    for (const Stage *s : producers)
      computePerChunk(*s, chunks, at, width);
    return false;
  }
  Halide::Func c = consumer ? Halide::Func(consumer->func) : f;
  if (consumer)
    f.compute_inline();
  std::optional<Var> parallel;
  if (tiling.perChunk)
    parallel = c.args()[2];
  Var rowTiles = tileCpuProduct(
      c, p, p.rvars(0), width, kRows, block, stage.extents[rank - 2] >= kRows,
      parallel, iterationsPerTask({kRows, cols, stage.reductionSize}));
  // This product's operands that apply a cheap map of the inputs
  // (findPerChunkMaps), once per chunk of rows.
  for (Halide::Func m : with.chunkMaps)
    m.compute_at(c, parallel ? *parallel : rowTiles)
        .vectorize(m.args()[0], width, TailStrategy::GuardWithIf);
  for (const Stage *s : companions) {
    if (s->product.defined()) {
      Halide::Func(s->func).compute_inline();
      Halide::Func(s->product).compute_at(c, rowTiles);
      continue;
    }
    Halide::Func f = s->func;
    // The transposed right operand (a chunk's phi(K)^T) is read whole by
    // every tile of rows: once per parallel task (per tile of rows it was
    // gathered 11 times per chunk, a quarter of the chunked form's time).
    bool wholeRhs = stage.rhsIsTranspose && stage.rhs.defined() &&
                    stage.rhs.name() == f.name() && parallel;
    f.compute_at(c, wholeRhs ? *parallel : rowTiles);
    int64_t inner = s->shape.empty() ? 1 : s->shape.back();
    if (inner == kDyn || inner >= width)
      f.vectorize(f.args()[0], width, TailStrategy::GuardWithIf);
  }
  // A scan consumer (findScanConsumers): the product's tiles are its
  // initial copy; its scan is scheduled as any.
  if (consumer && consumer->kind == StageKind::Scan)
    scheduleUpdates(*consumer, target);
  return consumer != nullptr;
}

/// A sum along the innermost dimension of its input, of a static length
/// that is a multiple of the vector width (row sums, layer-norm statistics):
/// split by rfactor into `width` lane sums per row, vectorised along the
/// row, then one horizontal sum; rows in blocks of kRowBlock, the blocks in
/// parallel. Unsplit, each row was a serial chain of scalar adds (Galerkin
/// at T=64k spent 45% of its time in four such statistics).
bool scheduleRowReduction(const Stage &stage, int width) {
  constexpr int kRowBlock = 64;
  Halide::Func f = stage.func;
  size_t rank = stage.shape.size();
  if (stage.kind != StageKind::Reduction || !stage.alongInnermost || rank < 1 ||
      stage.reductionSize == kDyn || stage.reductionSize < width ||
      stage.reductionSize % width != 0 || f.num_update_definitions() != 1 ||
      f.rvars(0).size() != 1)
    return false;
  size_t rowsAt = rowsArg(stage.shape);
  std::vector<Var> v = f.args(); // [kept 1,] rows, leading...
  Halide::RVar ro("ro"), ri("ri");
  Var u("u"), rowsOuter("rows_o"), rowsInner("rows_i");
  Halide::Func lanes = splitRfactor(f, width, ro, ri, u, RfactorBy::Lane);
  f.compute_root();
  std::vector<Var> outer(v.begin() + 1, v.end());
  parallelizeOuter(f, fusable(stage, outer), iterationsPerTask({width}));
  Halide::Stage update = f.update();
  update.split(v[rowsAt], rowsOuter, rowsInner, kRowBlock,
               TailStrategy::GuardWithIf);
  std::vector<VarOrRVar> order = {unqualified(f.rvars(0)[0])};
  order.insert(order.end(), v.begin(), v.begin() + rowsAt);
  order.push_back(rowsInner);
  order.push_back(rowsOuter);
  order.insert(order.end(), v.begin() + rowsAt + 1, v.end());
  update.reorder(order);
  outer = {rowsOuter};
  outer.insert(outer.end(), v.begin() + rowsAt + 1, v.end());
  Var task = parallelizeOuter(update, fusable(stage, outer), 1);
  // The lane sums of a block of rows, rows inside the row's vectors.
  lanes.compute_at(f, task).vectorize(u);
  std::vector<Var> lv = argsWithout(lanes, u); // as v
  std::vector<VarOrRVar> laneOrder = {u};
  laneOrder.insert(laneOrder.end(), lv.begin(), lv.begin() + rowsAt + 1);
  laneOrder.push_back(ro);
  laneOrder.insert(laneOrder.end(), lv.begin() + rowsAt + 1, lv.end());
  lanes.update().reorder(laneOrder).vectorize(u);
  return true;
}

void scheduleStage(const Stage &stage, const Halide::Target &target) {
  if (stage.product.defined()) {
    scheduleCpuMatmul(stage, target, nullptr);
    return;
  }
  Halide::Func f = stage.func;
  f.compute_root();
  std::vector<Var> vars = f.args();
  if (vars.empty())
    return;
  int width = target.natural_vector_size(f.output_types()[0]);
  if (stage.kind == StageKind::Stencil)
    return scheduleStencil(f, width);
  if (scheduleRowReduction(stage, width))
    return;
  int64_t inner = stage.shape.empty() ? 1 : stage.shape.back();
  bool vectorizeInner = inner == kDyn || inner >= width;

  if (vectorizeInner)
    f.vectorize(vars[0], width, TailStrategy::GuardWithIf);
  parallelizeOuter(
      f, fusable(stage, std::vector<Var>(vars.begin() + 1, vars.end())),
      iterationsPerTask({inner}));
  scheduleUpdates(stage, target);
}

void scheduleUpdates(const Stage &stage, const Halide::Target &target) {
  Halide::Func f = stage.func;
  std::vector<Var> vars = f.args();
  int width = target.natural_vector_size(f.output_types()[0]);
  int64_t inner = stage.shape.empty() ? 1 : stage.shape.back();
  bool vectorizeInner = inner == kDyn || inner >= width;
  for (int u = 0; u < f.num_update_definitions(); ++u) {
    const std::vector<Halide::Expr> &args = f.update_args(u);
    std::vector<bool> pure(vars.size(), false);
    for (size_t i = 0; i < vars.size(); ++i)
      if (auto *v = args[i].as<Halide::Internal::Variable>())
        pure[i] = v->name == vars[i].name();
    // Innermost first: the vectorised pure dimension, the reduction (or
    // scan) loop, then the remaining pure dimensions, fused and parallel.
    // A scan keeps the dimensions inside its own (contiguous in memory)
    // inside its loop: each step reads and writes one contiguous block
    // (the chunk states' prefix: a step of 16 KiB; a scan loop inside
    // them walked memory with a 16 KiB stride, which no prefetcher
    // follows, and took 15% of causal linear attention).
    size_t inside = 1;
    if (stage.kind == StageKind::Scan)
      while (inside < vars.size() && pure[inside])
        ++inside;
    std::vector<VarOrRVar> order;
    for (size_t i = 0; i < inside; ++i)
      if (pure[i])
        order.push_back(vars[i]);
    for (const Halide::RVar &r : f.rvars(u))
      order.push_back(unqualified(r));
    std::vector<Var> outer;
    for (size_t i = inside; i < vars.size(); ++i)
      if (pure[i]) {
        order.push_back(vars[i]);
        outer.push_back(vars[i]);
      }
    Halide::Stage s = f.update(u);
    // A product: a block of kRows rows per task, so each loaded row of the
    // right operand feeds kRows accumulators held in registers.
    constexpr int kRows = 8;
    bool tileRows = stage.kind == StageKind::Matmul && vars.size() >= 2 &&
                    pure[0] && pure[1] && vectorizeInner &&
                    (stage.shape[stage.shape.size() - 2] == kDyn ||
                     stage.shape[stage.shape.size() - 2] >= kRows);
    if (tileRows) {
      // A tile of kRows x kCols vectors (products whose columns do not fit
      // scheduleCpuMatmul's tiles): 16 accumulators, in registers with
      // AVX-512; with AVX2's 16 some spill. Wider rows go in column blocks.
      constexpr int kCols = 2;
      Var rowsOuter(vars[1].name() + "_o"), rowsInner(vars[1].name() + "_i");
      Var colsOuter(vars[0].name() + "_o"), colsInner(vars[0].name() + "_i");
      s.split(vars[1], rowsOuter, rowsInner, kRows, TailStrategy::GuardWithIf);
      bool blocks = inner == kDyn || inner > kCols * width;
      if (blocks)
        s.split(vars[0], colsOuter, colsInner, kCols * width,
                TailStrategy::GuardWithIf);
      Var cols = blocks ? colsInner : vars[0];
      order.clear();
      order.push_back(cols);
      order.push_back(rowsInner);
      for (const Halide::RVar &r : f.rvars(u))
        order.push_back(unqualified(r));
      if (blocks)
        order.push_back(colsOuter);
      order.push_back(rowsOuter);
      for (size_t i = 2; i < vars.size(); ++i)
        if (pure[i])
          order.push_back(vars[i]);
      outer.front() = rowsOuter;
      s.reorder(order);
      s.vectorize(cols, width, TailStrategy::GuardWithIf);
      s.unroll(rowsInner);
      parallelizeOuter(s, outer,
                       iterationsPerTask({kRows, inner, stage.reductionSize}));
      continue;
    }
    if (order.size() > 1)
      s.reorder(order);
    if (pure[0] && vectorizeInner)
      s.vectorize(vars[0], width, TailStrategy::GuardWithIf);
    parallelizeOuter(
        s, fusable(stage, outer),
        iterationsPerTask({pure[0] ? inner : 1, stage.reductionSize}));
  }
}

/// The chunked output (findChunkedOutput): its rows in tiles of one chunk,
/// in parallel; every part computed per tile of it: products
/// register-tiled (inside their pointwise consumer where that is a part
/// too) with their companions, one-column
/// products vectorised along rows, the other parts (masks, sums, the
/// terms' additions) and the wrappers that apply a feature map to their
/// operands (`operandMaps`) stored per tile. Marks what it schedules in
/// `done`.
void scheduleCpuChunkedOutput(
    const ChunkedOutput &co, const Halide::Target &target,
    const std::map<const Stage *, const Stage *> &consumers,
    std::map<const Stage *, std::vector<const Stage *>> &companions,
    const std::vector<Halide::Func> &operandMaps, std::set<std::string> &done) {
  Halide::Func out = co.output->func;
  int width = target.natural_vector_size(out.output_types()[0]);
  std::vector<Var> v = out.args(); // columns, rows, leading...
  Var tc("tc"), ti("ti");
  std::vector<VarOrRVar> order = {v[0], ti, tc};
  order.insert(order.end(), v.begin() + 2, v.end());
  out.compute_root()
      .split(v[1], tc, ti, (int)co.chunkRows, TailStrategy::GuardWithIf)
      .reorder(order)
      .vectorize(v[0], width, TailStrategy::GuardWithIf)
      .parallel(tc);
  done.insert(out.name());
  // A tile of the output's rows is one chunk: the parts' storage holds one
  // chunk (a constant size: on the stack, not a heap block per tile).
  auto oneChunk = [&](Halide::Func f) {
    std::vector<Var> a = f.args(); // columns, rows, chunk, leading...
    if (a.size() == v.size() + 1)
      f.bound_storage(a[2], 1);
  };
  // Stored per tile, vectorised along a wide innermost dimension.
  auto perTile = [&](Halide::Func f, int64_t inner) {
    f.compute_at(out, tc);
    oneChunk(f);
    if (inner == kDyn || inner >= width)
      f.vectorize(f.args()[0], width, TailStrategy::GuardWithIf);
  };
  // A product of one column: a vector of positions at a time of each
  // row's reduction (Halide's atomic vectorisation: a vector accumulator,
  // summed across its lanes at the end).
  auto oneColumn = [&](const Stage &s) {
    Halide::Func p = s.product;
    Halide::Func(s.func).compute_inline();
    std::vector<Halide::RVar> r = p.rvars(0);
    p.compute_at(out, tc);
    oneChunk(p);
    if (r.size() == 1 && s.reductionSize != kDyn &&
        s.reductionSize % width == 0)
      p.update().atomic().vectorize(r[0], width);
  };
  std::set<const Stage *> parts(co.parts.begin(), co.parts.end()), hosts;
  for (const Stage *s : co.parts) {
    if (!s->product.defined())
      continue;
    CpuTiling tiling = cpuTiling(*s, target);
    if (!tiling.tiled) {
      oneColumn(*s);
      continue;
    }
    auto it = consumers.find(s);
    const Stage *consumer = it != consumers.end() ? it->second : nullptr;
    if (consumer && (!parts.count(consumer) || hosts.count(consumer)))
      consumer = nullptr;
    Halide::Func c = consumer ? Halide::Func(consumer->func) : s->func;
    if (consumer) {
      Halide::Func(s->func).compute_inline();
      hosts.insert(consumer);
    }
    c.compute_at(out, tc);
    oneChunk(c);
    tileInRegisters(c, s->product, s->product.rvars(0), width, tiling.rows,
                    tiling.block, std::nullopt, [](Halide::Stage) {});
    for (const Stage *comp : companions[s]) {
      if (comp->product.defined())
        oneColumn(*comp);
      else
        perTile(comp->func, comp->shape.back());
      done.insert(comp->func.name());
    }
  }
  for (const Stage *s : co.parts) {
    done.insert(s->func.name());
    if (!s->product.defined() && !hosts.count(s))
      perTile(s->func, s->shape.back());
  }
  for (Halide::Func m : operandMaps)
    perTile(m, kDyn);
}

/// Wrappers of the products' operands that apply a feature map
/// (findPerChunkMaps).
struct OperandMaps {
  /// Per product tiled on its own: its wrappers, computed per chunk of rows.
  std::map<const Stage *, std::vector<Halide::Func>> own;
  /// The chunked output's products (one-column ones too): one wrapper per
  /// operand they share, computed per tile of the output.
  std::vector<Halide::Func> shared;
};

/// Inlines the feature maps that products tiled per chunk read
/// (findPerChunkMaps; marked in `done`) and makes those products' operand
/// wrappers, which apply them per chunk: never stored whole (the chunked
/// causal form kept phi(Q) and phi(K), 2 T x d buffers, live across most of
/// its products).
OperandMaps wrapPerChunkMaps(const LoweredFunction &lf,
                             const Halide::Target &target,
                             const std::optional<ChunkedOutput> &co,
                             std::set<std::string> &done) {
  auto perChunk = [&](const Stage &s) { return cpuTiling(s, target).perChunk; };
  std::set<const Stage *> parts;
  if (co)
    parts.insert(co->parts.begin(), co->parts.end());
  OperandMaps maps;
  std::map<std::string, std::pair<Halide::Func, std::vector<Halide::Func>>>
      shared; // operand name: the operand, its readers among the parts
  for (auto &[map, products] : findPerChunkMaps(lf, perChunk)) {
    for (const Stage *r : products)
      for (Halide::Func operand : {r->lhs, r->rhs}) {
        if (!operand.defined() || operandStage(lf, operand) != map)
          continue;
        if (parts.count(r)) {
          shared[operand.name()].first = operand;
          shared[operand.name()].second.push_back(r->product);
        } else {
          maps.own[r].push_back(operand.in(r->product));
        }
      }
    Halide::Func(map->func).compute_inline();
    done.insert(map->func.name());
  }
  for (const Stage *r : parts)
    if (r->product.defined() && r->shape.back() == 1 && r->lhs.defined() &&
        shared.count(r->lhs.name()))
      shared[r->lhs.name()].second.push_back(r->product);
  for (auto &[name, operandReaders] : shared)
    maps.shared.push_back(operandReaders.first.in(operandReaders.second));
  return maps;
}

} // namespace

/// Blocks of query rows run in parallel; each computes its scores, row
/// statistics and weighted values in buffers of kRows x Tk.
void scheduleFusedAttention(const FusedAttention &g,
                            const Halide::Target &target) {
  // Register tiles of tileRows x 2 vectors, blocks of two tiles of rows
  // with AVX2 (12 rows; tiles of 4 rows in blocks of 8 ran ~11% slower),
  // one with AVX-512 (8 rows, so a block's buffers stay as large as before).
  const int tileRows = registerTileRows(target);
  const int kRows = tileRows >= 8 ? tileRows : 2 * tileRows;
  Halide::Func out = g.out;
  int width = target.natural_vector_size(out.output_types()[0]);
  std::vector<Var> v = out.args(); // e, i, batch...
  Var rowsOuter("rows_o"), rowsInner("rows_i");
  out.compute_root();
  std::vector<Var> outer = {rowsOuter};
  outer.insert(outer.end(), v.begin() + 2, v.end());
  Var fused;
  // Blocks of rows shift inwards at the end (a few rows computed twice)
  // where there are enough rows, so that a block's buffers have a constant
  // size and LLVM keeps the products' tiles in registers across the keys.
  auto blocks = [&](Halide::Stage s, TailStrategy tail) {
    s.split(v[1], rowsOuter, rowsInner, kRows, tail);
    s.vectorize(v[0], width, TailStrategy::GuardWithIf);
    fused = parallelizeOuter(s, outer, 1);
  };
  blocks(out.specialize(g.rows >= kRows), TailStrategy::ShiftInwards);
  blocks(out, TailStrategy::GuardWithIf);

  // The products of a block in register tiles of tileRows rows x 2
  // vectors. Where the block is a whole number of tiles (`enough`): a copy
  // of the product per block, tiled as products are (tileInRegisters: tiles
  // shift inwards at the ends), the product computed per tile with its
  // reduction inside, a constant-size block that LLVM keeps in registers
  // (T=4k: 540 -> 338 ms). Tiles of the block's own buffer, with the
  // reduction outside them, loaded and stored each accumulator per key: the
  // buffer's size is not constant. That is the fallback (a dynamic or narrow
  // head size).
  auto tileInBlock = [&](Halide::Func f, Halide::Expr enough) {
    Halide::Func w = f.in();
    w.compute_at(out, fused);
    tileInRegisters(w, f, f.rvars(0), width, tileRows, 2 * width, enough,
                    [](Halide::Stage) {});
  };
  auto productInBlock = [&](Halide::Func f) {
    f.compute_at(out, fused);
    std::vector<Var> fv = f.args();
    f.vectorize(fv[0], width, TailStrategy::GuardWithIf);
    Var co("co"), ci("ci"), cio("cio"), cii("cii"), ro("ro"), ri("ri");
    Halide::Stage u = f.update();
    u.split(fv[0], co, ci, 2 * width, TailStrategy::GuardWithIf)
        .split(ci, cio, cii, width)
        .split(fv[1], ro, ri, tileRows, TailStrategy::GuardWithIf);
    std::vector<VarOrRVar> order = {cii, cio, ri};
    for (const Halide::RVar &r : f.rvars(0))
      order.push_back(r);
    order.push_back(co);
    order.push_back(ro);
    order.insert(order.end(), fv.begin() + 2, fv.end());
    u.reorder(order).vectorize(cii).unroll(cio).unroll(ri);
  };
  Halide::Expr blockRows = g.rows >= kRows;
  tileInBlock(g.scores, blockRows && g.keys >= 2 * width); // j, i, batch...
  int64_t e = g.shape.back();
  if (e != kDyn && e >= 2 * width)
    tileInBlock(g.weighted, blockRows); // e, i, batch...
  else
    productInBlock(g.weighted);
  for (Halide::Func f : {g.rowMax, g.rowSum})
    f.compute_at(out, fused);
  Halide::Func probs = g.probs;
  probs.compute_at(out, fused)
      .vectorize(probs.args()[0], width, TailStrategy::GuardWithIf);
}

void attn::hl::applyRootSchedule(LoweredFunction &lf) {
  for (const Stage &stage : lf.stages) {
    Halide::Func(stage.func).compute_root();
    if (stage.product.defined())
      Halide::Func(stage.product).compute_root();
  }
  for (const FusedAttention &g : lf.attentions)
    for (Halide::Func f : g.funcs())
      f.compute_root();
}

void attn::hl::applyDefaultSchedule(LoweredFunction &lf,
                                    const Halide::Target &target) {
  if (target.has_gpu_feature())
    return applyGpuSchedule(lf);
  std::set<std::string> done;
  // Before the analyses below, which then see phi(K) as the product's alone:
  // its other readers get their own copies, but for the sums of it that
  // share the product's loop nest (accumulatePerSlice), which read the
  // chunk the product computes.
  std::map<const Stage *, std::vector<const Stage *>> sliceSums;
  for (const SharedSplitOperand &shared : findSharedSplitOperands(lf)) {
    std::vector<Halide::Func> copies;
    for (const Stage *other : shared.others) {
      if (sumsAlongSlices(lf, *other, *shared.product, target)) {
        sliceSums[shared.product].push_back(other);
        done.insert(other->func.name());
      } else {
        copies.push_back(other->func);
      }
    }
    if (!copies.empty())
      Halide::Func(shared.operand->func).clone_in(copies);
  }
  std::map<const Stage *, const Stage *> consumers = findProductConsumers(lf);
  for (auto &[product, scan] : findScanConsumers(lf))
    if (!consumers[product])
      consumers[product] = scan;
  std::optional<ChunkedOutput> co = findChunkedOutput(lf);
  OperandMaps operandMaps = wrapPerChunkMaps(lf, target, co, done);
  std::map<const Stage *, std::vector<const Stage *>> producers =
      findPrivateProducers(lf, sliceSums);
  for (auto &[product, owned] : producers)
    for (const Stage *s : owned)
      done.insert(s->func.name());
  // The chunked output's parts are its own: no other product claims one as
  // a companion.
  if (co)
    for (const Stage *s : co->parts)
      done.insert(s->func.name());
  std::map<const Stage *, std::vector<const Stage *>> companions =
      claimTileCompanions(lf, consumers, done);
  if (co)
    scheduleCpuChunkedOutput(*co, target, consumers, companions,
                             operandMaps.shared, done);
  // Sibling sums, where each is scheduled on its own (below): the later
  // ones in the first one's loop nest, from its reduction loop out, so that
  // a row of their inputs is read once (AFT-simple: 25% faster at T = 16k,
  // 64k).
  std::vector<std::vector<const Stage *>> siblings;
  for (const std::vector<const Stage *> &group : findSiblingSums(lf)) {
    std::vector<const Stage *> free;
    for (const Stage *s : group)
      if (!done.count(s->func.name()))
        free.push_back(s);
    if (free.size() > 1)
      siblings.push_back(free);
  }
  for (const Stage &stage : lf.stages) {
    if (stage.kind == StageKind::FusedAttentionOutput ||
        done.count(stage.func.name()))
      continue;
    if (!stage.product.defined()) {
      scheduleStage(stage, target);
      continue;
    }
    const Stage *consumer = consumers[&stage];
    if (consumer && done.count(consumer->func.name()))
      consumer = nullptr;
    ProductParts with{producers[&stage], companions[&stage],
                      operandMaps.own[&stage], sliceSums[&stage]};
    if (scheduleCpuMatmul(stage, target, consumer, with))
      done.insert(consumer->func.name());
  }
  for (const FusedAttention &g : lf.attentions)
    scheduleFusedAttention(g, target);
  for (const std::vector<const Stage *> &group : siblings) {
    Halide::Func first = group.front()->func;
    for (size_t i = 1; i < group.size(); ++i)
      Halide::Func(group[i]->func)
          .update()
          .compute_with(first.update(), unqualified(first.rvars(0)[0]));
  }
}
