//===- Schedule.cpp - schedules of lowered attn pipelines -----------------===//
#include "lib/Halide/Schedule.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

using namespace attn;
using namespace attn::hl;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

namespace {
constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

/// rvars() of a Func made by rfactor (or whose RVars were split) gives
/// qualified names ("k$x.ko"), which the scheduling calls reject.
Halide::RVar unqualified(const Halide::RVar &r) {
  std::string name = r.name();
  return Halide::RVar(name.substr(name.rfind('.') + 1));
}

/// Fuses `outer` (innermost first) into one loop and runs it in parallel,
/// `perTask` iterations per task: a task per row of a few elements would
/// cost more in the thread pool than its work. Returns the parallel loop.
template <typename StageT>
Var parallelizeOuter(StageT &&s, const std::vector<Var> &outer, int perTask) {
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
    fused = task;
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

/// Rows of a CPU register tile of rows x 2 vectors: the accumulators, the
/// right operand's two vectors and a broadcast must fit the vector
/// registers, 32 with AVX-512 (8 rows: 16 accumulators), 16 with AVX2
/// (6 rows: 12 accumulators; 8 rows spilled).
int registerTileRows(const Halide::Target &target) {
  return target.has_feature(Halide::Target::AVX512) ? 8 : 6;
}

/// The CPU register tile: `c` (columns, rows, leading...) in tiles of
/// kRows x `block` columns (vectorised, rows unrolled), `product` computed
/// per tile (a constant-size block on the stack, which LLVM keeps in
/// registers) with its `reduction` loop outside the tile. Row tiles shift
/// inwards at the end (`c` is pure: a few rows are computed twice) so every
/// tile has the same size; where `enoughRows` is given and false, the
/// generic (guarded, not unrolled) tile. `parallel` is the one loop run in
/// parallel, or undefined for the row tiles.
void tileCpuProduct(Halide::Func c, Halide::Func product,
                    const std::vector<Halide::RVar> &reduction, int width,
                    int kRows, int block,
                    std::optional<Halide::Expr> enoughRows,
                    std::optional<Var> parallel, int perTask) {
  c.compute_root();
  std::vector<Var> v = c.args(); // columns, rows, leading...
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi");
  auto tile = [&](Halide::Stage s, TailStrategy rowTail) {
    s.split(v[0], xo, xi, block, TailStrategy::GuardWithIf)
        .split(v[1], yo, yi, kRows, rowTail);
    std::vector<VarOrRVar> order = {xi, yi, xo, yo};
    order.insert(order.end(), v.begin() + 2, v.end());
    s.reorder(order).vectorize(xi, width).unroll(yi);
    // One loop in parallel, not fused ones: inside fused loops with dynamic
    // extents Halide cannot see that a tile has one batch index, and sizes
    // the product's block (then on the heap) by a range of them.
    if (parallel)
      s.parallel(*parallel);
    else
      parallelizeOuter(s, {yo}, perTask);
  };
  if (enoughRows)
    tile(c.specialize(*enoughRows), TailStrategy::ShiftInwards);
  tile(c, enoughRows ? TailStrategy::GuardWithIf : TailStrategy::ShiftInwards);
  product.compute_at(c, xo);
  std::vector<Var> pv = product.args();
  std::vector<VarOrRVar> order = {pv[0], pv[1]};
  order.insert(order.end(), reduction.begin(), reduction.end());
  order.insert(order.end(), pv.begin() + 2, pv.end());
  // Unrolled only where the tile has its full kRows rows.
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

/// A product with static columns that split into blocks of kCols vectors,
/// on at least kRows rows: register-tiled (tileCpuProduct), fewer rows than
/// kRows specialised to the generic tile. A long dynamic reduction onto a
/// static result (K^T V over the sequence) is split: partial products over
/// chunks of kChunk positions, whose operands stay in L2 while every tile
/// of the chunk is computed (unsplit, each tile streamed K and V from
/// memory again: a third of linear attention's time), the chunks in
/// parallel, then summed. Other products: the generic schedule on the
/// product, its copy inlined.
void scheduleCpuMatmul(const Stage &stage, const Halide::Target &target) {
  constexpr int kCols = 2, kChunk = 512;
  const int kRows = registerTileRows(target);
  Halide::Func f = stage.func, p = stage.product;
  size_t rank = stage.shape.size();
  int width = target.natural_vector_size(f.output_types()[0]);
  int64_t cols = stage.shape[rank - 1], rows = stage.shape[rank - 2];
  int block = (int)std::min<int64_t>(cols, kCols * width);
  bool tiled = rank >= 2 && cols != kDyn && cols % width == 0 &&
               cols % block == 0 && (rows == kDyn || rows >= kRows);
  Stage generic = stage;
  generic.func = p;
  generic.product = Halide::Func();
  if (!tiled) {
    f.compute_inline();
    return scheduleStage(generic, target);
  }
  bool staticResult =
      llvm::none_of(stage.shape, [](int64_t e) { return e == kDyn; });
  if (stage.reductionSize == kDyn && staticResult) {
    Halide::RVar ko("ko"), ki("ki");
    Var u("u");
    Halide::Func partial =
        p.update()
            .split(p.rvars(0)[0], ko, ki, kChunk, TailStrategy::GuardWithIf)
            .rfactor(ko, u);
    f.compute_inline();
    generic.kind = StageKind::Reduction;
    generic.reductionSize = kDyn;
    scheduleStage(generic, target);
    Halide::Func chunks = partial.in();
    tileCpuProduct(chunks, partial, {ki}, width, kRows, block, std::nullopt,
                   chunks.args().back(), 1);
    return;
  }
  std::optional<Var> parallel;
  if (rows != kDyn && rank > 2)
    parallel = f.args()[2];
  tileCpuProduct(f, p, p.rvars(0), width, kRows, block,
                 stage.extents[rank - 2] >= kRows, parallel,
                 iterationsPerTask({kRows, cols, stage.reductionSize}));
}

void scheduleStage(const Stage &stage, const Halide::Target &target) {
  if (stage.product.defined())
    return scheduleCpuMatmul(stage, target);
  Halide::Func f = stage.func;
  f.compute_root();
  std::vector<Var> vars = f.args();
  if (vars.empty())
    return;
  int width = target.natural_vector_size(f.output_types()[0]);
  if (stage.kind == StageKind::Stencil)
    return scheduleStencil(f, width);
  int64_t inner = stage.shape.empty() ? 1 : stage.shape.back();
  bool vectorizeInner = inner == kDyn || inner >= width;

  if (vectorizeInner)
    f.vectorize(vars[0], width, TailStrategy::GuardWithIf);
  parallelizeOuter(
      f, fusable(stage, std::vector<Var>(vars.begin() + 1, vars.end())),
      iterationsPerTask({inner}));

  for (int u = 0; u < f.num_update_definitions(); ++u) {
    const std::vector<Halide::Expr> &args = f.update_args(u);
    std::vector<bool> pure(vars.size(), false);
    for (size_t i = 0; i < vars.size(); ++i)
      if (auto *v = args[i].as<Halide::Internal::Variable>())
        pure[i] = v->name == vars[i].name();
    // Innermost first: the vectorised pure dimension, the reduction (or
    // scan) loop, then the remaining pure dimensions, fused and parallel.
    std::vector<VarOrRVar> order;
    if (pure[0])
      order.push_back(vars[0]);
    for (const Halide::RVar &r : f.rvars(u))
      order.push_back(unqualified(r));
    std::vector<Var> outer;
    for (size_t i = 1; i < vars.size(); ++i)
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
      // A register tile of kRows x kCols vectors: 16 accumulators, plus the
      // right operand's row and the broadcasts, within the 16 (AVX2) or 32
      // (AVX-512) vector registers; wider rows go in column blocks.
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
} // namespace

/// Blocks of kRows query rows run in parallel; each computes its scores,
/// row statistics and weighted values in buffers of kRows x Tk.
void scheduleFusedAttention(const FusedAttention &g,
                            const Halide::Target &target) {
  constexpr int kRows = 8;
  Halide::Func out = g.out;
  int width = target.natural_vector_size(out.output_types()[0]);
  std::vector<Var> v = out.args(); // e, i, batch...
  Var rowsOuter("rows_o"), rowsInner("rows_i");
  out.compute_root();
  out.split(v[1], rowsOuter, rowsInner, kRows, TailStrategy::GuardWithIf);
  out.vectorize(v[0], width, TailStrategy::GuardWithIf);
  std::vector<Var> outer = {rowsOuter};
  outer.insert(outer.end(), v.begin() + 2, v.end());
  Var fused = parallelizeOuter(out, outer, 1);

  // The products of a block: the innermost dimension vectorised, the
  // reduction loop just outside it.
  auto productInBlock = [&](Halide::Func f) {
    f.compute_at(out, fused);
    std::vector<Var> fv = f.args();
    f.vectorize(fv[0], width, TailStrategy::GuardWithIf);
    std::vector<VarOrRVar> order = {fv[0]};
    for (const Halide::RVar &r : f.rvars(0))
      order.push_back(r);
    for (size_t i = 1; i < fv.size(); ++i)
      order.push_back(fv[i]);
    f.update().reorder(order).vectorize(fv[0], width,
                                        TailStrategy::GuardWithIf);
  };
  productInBlock(g.scores);   // j, i, batch...
  productInBlock(g.weighted); // e, i, batch...
  for (Halide::Func f : {g.rowMax, g.rowSum})
    f.compute_at(out, fused);
  Halide::Func probs = g.probs;
  probs.compute_at(out, fused)
      .vectorize(probs.args()[0], width, TailStrategy::GuardWithIf);
}

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
                    const std::vector<Halide::RVar> &reduction, int64_t cols,
                    std::optional<Halide::Expr> enoughRows,
                    const std::vector<bool> &dynamicLead) {
  std::vector<bool> dynamic = {false, enoughRows.has_value()};
  dynamic.insert(dynamic.end(), dynamicLead.begin(), dynamicLead.end());
  std::optional<std::vector<int>> groups = planBlocks(dynamic);
  if (!groups)
    return false;
  int colsPerThread = cols % (2 * kLanes) == 0 ? 2 : 1;
  c.compute_root();
  std::vector<Var> v = c.args(); // columns, rows, leading...
  Var xo("xo"), xi("xi"), xio("xio"), xii("xii"), yo("yo"), yi("yi"), ty("ty"),
      yii("yii");
  auto tile = [&](Halide::Stage s, bool fullBlocks) {
    s.split(v[0], xo, xi, colsPerThread * kLanes).split(xi, xio, xii, kLanes);
    if (fullBlocks)
      s.split(v[1], yo, yi, kBlockRows, TailStrategy::ShiftInwards)
          .split(yi, ty, yii, kRowsPerThread);
    else
      s.split(v[1], yo, ty, kRowThreads, TailStrategy::GuardWithIf);
    std::vector<VarOrRVar> order = {xio};
    if (fullBlocks)
      order.push_back(yii);
    for (Var w : {xii, ty, xo, yo})
      order.push_back(w);
    order.insert(order.end(), v.begin() + 2, v.end());
    s.reorder(order).unroll(xio);
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
  product.update().reorder(order).unroll(pv[0]).unroll(pv[1]);
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
  std::vector<bool> dynamicLead;
  for (size_t i = rank - 2; i-- > 0;)
    dynamicLead.push_back(stage.shape[i] == kDyn);
  if (stage.reductionSize == kDyn && rows != kDyn &&
      llvm::none_of(dynamicLead, [](bool d) { return d; })) {
    dynamicLead.push_back(true);
    if (!planBlocks(dynamicLead))
      return false;
    std::vector<Halide::RVar> r = p.rvars(0);
    Halide::RVar ko("ko"), ki("ki");
    Var u("u");
    Halide::Func partial =
        p.update()
            .split(r[0], ko, ki, kChunk, TailStrategy::GuardWithIf)
            .rfactor(ko, u);
    f.compute_inline();
    scheduleGpuFunc(p);
    return tileGpuProduct(partial.in(), partial, {ki}, cols, std::nullopt,
                          dynamicLead);
  }
  std::optional<Halide::Expr> enoughRows;
  if (rows == kDyn)
    enoughRows = stage.extents[rank - 2] >= kBlockRows;
  Halide::Func c = f;
  if (consumer) {
    c = consumer->func;
  }
  if (!tileGpuProduct(c, p, p.rvars(0), cols, enoughRows, dynamicLead))
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
  Halide::Func partial =
      f.update()
          .split(f.rvars(0)[0], ko, ki, kChunk, TailStrategy::GuardWithIf)
          .rfactor(ko, u);
  scheduleGpuFunc(f);
  scheduleGpuFunc(partial);
  return true;
}

/// Halide's direct calls of `f`, followed through Funcs that are not
/// stages (inlined): does `f` read `target`? `seen` holds the Funcs
/// already followed.
bool readsThroughInlined(const Halide::Internal::Function &f,
                         const std::string &target,
                         const std::set<std::string> &stages,
                         std::set<std::string> &seen) {
  for (auto &[name, callee] : Halide::Internal::find_direct_calls(f)) {
    if (name == target)
      return true;
    if (stages.count(name) || !seen.insert(name).second)
      continue;
    if (readsThroughInlined(callee, target, stages, seen))
      return true;
  }
  return false;
}

bool readsThroughInlined(Halide::Func f, const std::string &target,
                         const std::set<std::string> &stages) {
  std::set<std::string> seen;
  return readsThroughInlined(f.function(), target, stages, seen);
}

/// Does `f` (or a Func inlined into it) choose between values? Halide
/// trims a producer's region by the condition of a select (a causal mask),
/// so a register tile computed inside such a consumer becomes a ragged,
/// dynamically indexed array in local memory (measured 200x slower).
bool selects(const Halide::Internal::Function &f,
             const std::set<std::string> &stages, std::set<std::string> &seen) {
  struct FindSelect : Halide::Internal::IRVisitor {
    bool found = false;
    using IRVisitor::visit;
    void visit(const Halide::Internal::Select *op) override { found = true; }
  } finder;
  const_cast<Halide::Internal::Function &>(f).accept(&finder);
  if (finder.found)
    return true;
  for (auto &[name, callee] : Halide::Internal::find_direct_calls(f))
    if (!stages.count(name) && seen.insert(name).second &&
        selects(callee, stages, seen))
      return true;
  return false;
}

/// The one stage that reads a product's copy, if it is pointwise with the
/// product's shape (the GPU tile then computes it from registers).
const Stage *pointwiseConsumer(const LoweredFunction &lf, const Stage &mm,
                               const std::set<std::string> &stages) {
  const Stage *found = nullptr;
  std::string name = mm.func.name();
  for (const Stage &s : lf.stages) {
    if (&s == &mm)
      continue;
    if (!readsThroughInlined(s.func, name, stages))
      continue;
    std::set<std::string> seen;
    if (found || s.kind != StageKind::Pointwise || s.product.defined() ||
        s.shape != mm.shape || Halide::Func(s.func).has_update_definition() ||
        selects(s.func.function(), stages, seen))
      return nullptr;
    found = &s;
  }
  for (const FusedAttention &g : lf.attentions)
    for (Halide::Func f :
         {g.scores, g.rowMax, g.probs, g.rowSum, g.weighted, g.out})
      if (f.name() == name || readsThroughInlined(f, name, stages))
        return nullptr;
  return found;
}

void applyGpuSchedule(LoweredFunction &lf) {
  std::set<std::string> stages, done;
  for (const Stage &stage : lf.stages)
    stages.insert(stage.func.name());
  for (const FusedAttention &g : lf.attentions)
    for (Halide::Func f :
         {g.scores, g.rowMax, g.probs, g.rowSum, g.weighted, g.out})
      stages.insert(f.name());
  // Found before any schedule: rfactor rewrites the definitions.
  std::map<const Stage *, const Stage *> consumers;
  for (const Stage &stage : lf.stages)
    if (stage.product.defined())
      consumers[&stage] = pointwiseConsumer(lf, stage, stages);
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
    } else if (!scheduleGpuLongReduction(stage)) {
      scheduleGpuFunc(stage.func);
    }
  }
  // Softmax attention on the GPU: its parts stored whole (T x T scores), not
  // per block of rows as on the CPU.
  for (const FusedAttention &g : lf.attentions)
    for (Halide::Func f :
         {g.scores, g.rowMax, g.probs, g.rowSum, g.weighted, g.out})
      scheduleGpuFunc(f);
}

void attn::hl::applyDefaultSchedule(LoweredFunction &lf,
                                    const Halide::Target &target) {
  if (target.has_gpu_feature())
    return applyGpuSchedule(lf);
  for (const Stage &stage : lf.stages)
    if (stage.kind != StageKind::FusedAttentionOutput)
      scheduleStage(stage, target);
  for (const FusedAttention &g : lf.attentions)
    scheduleFusedAttention(g, target);
}
