//===- Schedule.cpp - schedules of lowered attn pipelines -----------------===//
#include "lib/Halide/Schedule.h"

#include <algorithm>

using namespace attn;
using namespace attn::hl;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

namespace {
constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

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
  f.update().reorder(order).vectorize(v[0], width, TailStrategy::GuardWithIf)
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

/// A product with static columns that split into blocks of kCols vectors,
/// on at least kRows rows: its copy in tiles of kRows x (kCols vectors), the
/// product computed per tile (a constant-size block on the stack, which
/// LLVM keeps in registers) with the reduction loop outside the unrolled
/// rows and vectorised columns. Row tiles shift inwards at the end (the
/// copy is pure: a few rows are computed twice) so every tile has the same
/// size; fewer rows than kRows take the generic schedule (specialised).
/// Other products: the generic schedule on the product, its copy inlined.
void scheduleCpuMatmul(const Stage &stage, const Halide::Target &target) {
  constexpr int kRows = 8, kCols = 2;
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
  f.compute_root();
  std::vector<Var> v = f.args(); // columns, rows, batch...
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
    if (rows == kDyn || v.size() == 2)
      parallelizeOuter(s, {yo},
                       iterationsPerTask({kRows, cols, stage.reductionSize}));
    else
      s.parallel(v[2]);
  };
  Halide::Expr enoughRows = stage.extents[rank - 2] >= kRows;
  tile(f.specialize(enoughRows), TailStrategy::ShiftInwards);
  tile(f, TailStrategy::GuardWithIf);
  p.compute_at(f, xo);
  std::vector<Var> pv = p.args();
  std::vector<VarOrRVar> order = {pv[0], pv[1]};
  for (const Halide::RVar &r : p.rvars(0))
    order.push_back(r);
  order.insert(order.end(), pv.begin() + 2, pv.end());
  // Unrolled only where the tile has its full kRows rows.
  p.specialize(enoughRows).vectorize(pv[0], width).unroll(pv[1]);
  p.vectorize(pv[0], width, TailStrategy::GuardWithIf);
  p.update().specialize(enoughRows).reorder(order).vectorize(pv[0], width)
      .unroll(pv[1]);
  p.update().reorder(order).vectorize(pv[0], width, TailStrategy::GuardWithIf);
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
  parallelizeOuter(f,
                   fusable(stage, std::vector<Var>(vars.begin() + 1, vars.end())),
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
      order.push_back(r);
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
        order.push_back(r);
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
    parallelizeOuter(s, fusable(stage, outer),
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
  probs.compute_at(out, fused).vectorize(probs.args()[0], width,
                                         TailStrategy::GuardWithIf);
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
      order.push_back(r);
    order.insert(order.end(), pure.begin(), pure.end());
    if (order.size() > 1)
      s.reorder(order);
    tile(s, pure);
  }
}

void applyGpuSchedule(LoweredFunction &lf) {
  for (const Stage &stage : lf.stages) {
    if (stage.kind == StageKind::FusedAttentionOutput)
      continue;
    if (stage.product.defined()) {
      Halide::Func(stage.func).compute_inline();
      scheduleGpuFunc(stage.product);
    } else {
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
