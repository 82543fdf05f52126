//===- Fusion.cpp - which stages a product can be computed inside ---------===//
#include "lib/Halide/Fusion.h"

#include <set>

using namespace attn;
using namespace attn::hl;

namespace {
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

} // namespace

std::map<const Stage *, const Stage *>
attn::hl::findProductConsumers(const LoweredFunction &lf) {
  std::set<std::string> stages;
  for (const Stage &stage : lf.stages)
    stages.insert(stage.func.name());
  for (const FusedAttention &g : lf.attentions)
    for (Halide::Func f :
         {g.scores, g.rowMax, g.probs, g.rowSum, g.weighted, g.out})
      stages.insert(f.name());
  std::map<const Stage *, const Stage *> consumers;
  for (const Stage &stage : lf.stages)
    if (stage.product.defined())
      consumers[&stage] = pointwiseConsumer(lf, stage, stages);
  return consumers;
}
