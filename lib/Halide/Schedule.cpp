//===- Schedule.cpp - schedules of lowered attn pipelines -----------------===//
#include "lib/Halide/Schedule.h"

using namespace attn;
using namespace attn::hl;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

namespace {
constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

/// Fuses `outer` (innermost first) into one loop and runs it in parallel.
template <typename StageT>
void parallelizeOuter(StageT &&s, const std::vector<Var> &outer) {
  if (outer.empty())
    return;
  Var fused = outer.front();
  for (size_t i = 1; i < outer.size(); ++i) {
    Var next(fused.name() + "_" + outer[i].name());
    s.fuse(fused, outer[i], next);
    fused = next;
  }
  s.parallel(fused);
}

void scheduleStage(const Stage &stage, const Halide::Target &target) {
  Halide::Func f = stage.func;
  f.compute_root();
  std::vector<Var> vars = f.args();
  if (vars.empty())
    return;
  int width = target.natural_vector_size(f.output_types()[0]);
  int64_t inner = stage.shape.empty() ? 1 : stage.shape.back();
  bool vectorizeInner = inner == kDyn || inner >= width;

  if (vectorizeInner)
    f.vectorize(vars[0], width, TailStrategy::GuardWithIf);
  parallelizeOuter(f, std::vector<Var>(vars.begin() + 1, vars.end()));

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
    if (order.size() > 1)
      s.reorder(order);
    if (pure[0] && vectorizeInner)
      s.vectorize(vars[0], width, TailStrategy::GuardWithIf);
    parallelizeOuter(s, outer);
  }
}
} // namespace

void attn::hl::applyDefaultSchedule(LoweredFunction &lf,
                                    const Halide::Target &target) {
  for (const Stage &stage : lf.stages)
    scheduleStage(stage, target);
}
