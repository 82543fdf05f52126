//===- Fusion.cpp - which stages a product can be computed inside ---------===//
#include "lib/Halide/Fusion.h"
#include "lib/Halide/ScheduleSupport.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <functional>
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
    // A copy of the callee made for f (clone_in): f reads the copy.
    const auto &copies = callee.schedule().wrappers();
    if (auto copy = copies.find(f.name()); copy != copies.end()) {
      if (readsThroughInlined(Halide::Internal::Function(copy->second), target,
                              stages, seen))
        return true;
      continue;
    }
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

/// Does `f` read a stage, directly or through inlined Funcs (not only
/// parameters)?
bool readsStages(const Halide::Internal::Function &f,
                 const std::set<std::string> &stages) {
  for (auto &[name, callee] : Halide::Internal::find_direct_calls(f))
    if (stages.count(name) || readsStages(callee, stages))
      return true;
  return false;
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
    for (Halide::Func f : g.funcs())
      if (f.name() == name || readsThroughInlined(f, name, stages))
        return nullptr;
  return found;
}

/// The names of the Funcs computed at root: stages and attention parts.
std::set<std::string> stageNames(const LoweredFunction &lf) {
  std::set<std::string> stages;
  for (const Stage &stage : lf.stages)
    stages.insert(stage.func.name());
  for (const FusedAttention &g : lf.attentions)
    for (Halide::Func f : g.funcs())
      stages.insert(f.name());
  return stages;
}

using Readers = std::map<const Stage *, std::set<const Stage *>>;

/// For each stage, the stages (and attention parts, as null) that read it.
Readers findReaders(const LoweredFunction &lf,
                    const std::set<std::string> &stages) {
  Readers readers;
  for (const Stage &s : lf.stages) {
    std::string name = s.func.name();
    for (const Stage &t : lf.stages)
      if (&t != &s && readsThroughInlined(t.func, name, stages))
        readers[&s].insert(&t);
    for (const FusedAttention &g : lf.attentions)
      for (Halide::Func f : g.funcs())
        if (readsThroughInlined(f, name, stages))
          readers[&s].insert(nullptr);
  }
  return readers;
}

/// Grows `owned` by the stages that `admit` accepts and that only owned
/// stages read (to a fixpoint); returns those added, in definition order
/// of discovery. Outputs are never owned.
std::vector<const Stage *>
ownedReaders(const LoweredFunction &lf, Readers &readers,
             std::set<const Stage *> owned,
             const std::function<bool(const Stage &)> &admit) {
  std::vector<const Stage *> found;
  for (bool grew = true; grew;) {
    grew = false;
    for (const Stage &s : lf.stages) {
      if (owned.count(&s) || !admit(s) || lf.isOutput(s.func) ||
          readers[&s].empty() ||
          !llvm::all_of(readers[&s],
                        [&](const Stage *r) { return owned.count(r); }))
        continue;
      owned.insert(&s);
      found.push_back(&s);
      grew = true;
    }
  }
  return found;
}
/// The stages that only a product `mm` tiled inside `consumer`, the
/// consumer itself, or other such stages read: products of one column on
/// the same rows and pointwise stages.
std::vector<const Stage *> findTileCompanions(const LoweredFunction &lf,
                                              const Stage &mm,
                                              const Stage &consumer) {
  Readers readers = findReaders(lf, stageNames(lf));
  size_t rank = mm.shape.size();
  return ownedReaders(lf, readers, {&mm, &consumer}, [&](const Stage &s) {
    if (s.product.defined()) // a product of one column on the same rows
      return s.shape.size() == rank && s.shape[rank - 1] == 1 &&
             s.shape[rank - 2] == mm.shape[rank - 2];
    return s.kind == StageKind::Pointwise &&
           !Halide::Func(s.func).has_update_definition();
  });
}

/// Whether `a` and `b` are equal: provably, or because the function checks
/// it on entry (a requirement a == b, as between the shapes of an op's
/// operands).
bool equalExtents(const LoweredFunction &lf, Halide::Expr a, Halide::Expr b) {
  using Halide::Internal::can_prove;
  if (can_prove(a == b))
    return true;
  return llvm::any_of(lf.requirements, [&](const auto &r) {
    return can_prove(!r.condition || a == b);
  });
}

/// Whether `f` has one update, over one reduction variable.
bool oneReductionLoop(Halide::Func f) {
  return f.num_update_definitions() == 1 && f.rvars(0).size() == 1;
}

/// Whether `a` and `b` (oneReductionLoop each) can run one reduction loop
/// (Halide's compute_with): the same variable name (Lowering names it after
/// the summed dimension) and equal extents (a fused loop runs over the
/// first one's extent only).
bool sameReductionLoop(const LoweredFunction &lf, Halide::Func a,
                       Halide::Func b) {
  auto extent = [](Halide::Func f) {
    return f.function().update(0).schedule().rvars()[0].extent;
  };
  return oneReductionLoop(a) && oneReductionLoop(b) &&
         a.rvars(0)[0].name() == b.rvars(0)[0].name() &&
         equalExtents(lf, extent(a), extent(b));
}

/// A sum along a dimension other than the innermost.
bool isOuterSum(const Stage &s) {
  return s.kind == StageKind::Reduction && !s.alongInnermost &&
         !s.product.defined();
}

} // namespace

std::map<const Stage *, std::vector<const Stage *>>
attn::hl::findPerChunkMaps(const LoweredFunction &lf,
                           const std::function<bool(const Stage &)> &perChunk) {
  std::set<std::string> stages = stageNames(lf);
  Readers readers = findReaders(lf, stages);
  std::map<const Stage *, std::vector<const Stage *>> maps;
  for (const Stage &s : lf.stages) {
    if (s.kind != StageKind::Pointwise || s.product.defined() ||
        Halide::Func(s.func).has_update_definition() || lf.isOutput(s.func) ||
        readsStages(s.func.function(), stages) || readers[&s].empty())
      continue;
    std::vector<const Stage *> chunked;
    bool ok = true;
    for (const Stage *r : readers[&s]) {
      if (!r || r->kind == StageKind::Stencil) {
        ok = false;
        break;
      }
      if (!r->product.defined())
        continue;
      const Stage *lhs = r->lhs.defined() ? operandStage(lf, r->lhs) : nullptr;
      const Stage *rhs = r->rhs.defined() ? operandStage(lf, r->rhs) : nullptr;
      if (r->shape.back() == 1 && lhs == &s && rhs != &s)
        continue;
      if (!perChunk(*r)) {
        ok = false;
        break;
      }
      chunked.push_back(r);
    }
    if (ok && !chunked.empty())
      maps[&s] = chunked;
  }
  return maps;
}

std::optional<ChunkedOutput>
attn::hl::findChunkedOutput(const LoweredFunction &lf) {
  Readers readers = findReaders(lf, stageNames(lf));
  std::map<const Stage *, const Stage *> consumers = findProductConsumers(lf);
  for (const Stage &o : lf.stages) {
    size_t rank = o.shape.size();
    if (!lf.isOutput(o.func) || o.kind != StageKind::Pointwise ||
        o.product.defined() || rank < 2 || o.shape[rank - 2] != kDyn)
      continue;
    std::vector<const Stage *> parts =
        ownedReaders(lf, readers, {&o}, [&](const Stage &s) {
          return s.shape.size() == rank + 1 && s.shape[rank - 1] != kDyn &&
                 (s.kind == StageKind::Pointwise ||
                  s.kind == StageKind::Reduction ||
                  s.kind == StageKind::Matmul) &&
                 !(s.product.defined() && s.reductionSize == kDyn) &&
                 !lf.isOutput(s.func);
        });
    // Not where the output already hosts another product's tiles (an RNN
    // state's product on the output's rows, with its companions).
    if (parts.empty() ||
        llvm::any_of(consumers,
                     [&](const auto &pc) { return pc.second == &o; }) ||
        llvm::any_of(parts,
                     [&](const Stage *s) {
                       return s->shape[rank - 1] != parts[0]->shape[rank - 1];
                     }) ||
        llvm::none_of(parts, [](const Stage *s) {
          return s->product.defined() && s->shape.back() != 1;
        }))
      continue;
    // lf.stages is a vector: address order is definition order.
    std::sort(parts.begin(), parts.end());
    return ChunkedOutput{&o, parts[0]->shape[rank - 1], parts};
  }
  return std::nullopt;
}

std::map<const Stage *, const Stage *>
attn::hl::findScanConsumers(const LoweredFunction &lf) {
  Readers readers = findReaders(lf, stageNames(lf));
  std::map<const Stage *, const Stage *> scans;
  for (const Stage &mm : lf.stages) {
    if (!mm.product.defined() || lf.isOutput(mm.func) ||
        readers[&mm].size() != 1)
      continue;
    const Stage *s = *readers[&mm].begin();
    if (s && s->kind == StageKind::Scan && s->shape == mm.shape &&
        !lf.isOutput(s->func))
      scans[&mm] = s;
  }
  return scans;
}

std::vector<SharedSplitOperand>
attn::hl::findSharedSplitOperands(const LoweredFunction &lf) {
  Readers readers = findReaders(lf, stageNames(lf));
  std::vector<SharedSplitOperand> shared;
  for (const Stage &mm : lf.stages) {
    if (!mm.product.defined() || mm.reductionSize != kDyn ||
        llvm::any_of(mm.shape, [](int64_t e) { return e == kDyn; }))
      continue;
    for (Halide::Func operand : {mm.lhs, mm.rhs}) {
      const Stage *s = operand.defined() ? operandStage(lf, operand) : nullptr;
      if (!s || s->kind != StageKind::Pointwise || s->product.defined() ||
          Halide::Func(s->func).has_update_definition() || lf.isOutput(s->func))
        continue;
      // The other readers: stages that call it directly and apply it once
      // per element (not attention parts, not products, which would apply
      // it per multiply-add).
      auto appliesOnce = [&](const Stage *r) {
        return r && !r->product.defined() && r->kind != StageKind::Stencil &&
               Halide::Internal::find_direct_calls(r->func.function())
                   .count(s->func.name());
      };
      std::vector<const Stage *> others;
      for (const Stage *r : readers[s]) {
        if (r == &mm)
          continue;
        if (!appliesOnce(r)) {
          others.clear();
          break;
        }
        others.push_back(r);
      }
      bool seen = llvm::any_of(
          shared, [&](const SharedSplitOperand &o) { return o.operand == s; });
      if (!others.empty() && !seen)
        shared.push_back({&mm, s, others});
    }
  }
  return shared;
}

std::map<const Stage *, std::vector<const Stage *>>
attn::hl::findPrivateProducers(
    const LoweredFunction &lf,
    const std::map<const Stage *, std::vector<const Stage *>> &sharers) {
  Readers readers = findReaders(lf, stageNames(lf));
  std::map<const Stage *, std::vector<const Stage *>> result;
  for (const Stage &mm : lf.stages) {
    if (!mm.product.defined() || mm.reductionSize != kDyn)
      continue;
    std::set<const Stage *> owners = {&mm};
    if (auto it = sharers.find(&mm); it != sharers.end())
      owners.insert(it->second.begin(), it->second.end());
    result[&mm] = ownedReaders(lf, readers, owners, [](const Stage &s) {
      return !s.product.defined() &&
             (s.kind == StageKind::Pointwise || s.kind == StageKind::Reduction);
    });
  }
  return result;
}

std::map<const Stage *, const Stage *>
attn::hl::findProductConsumers(const LoweredFunction &lf) {
  std::set<std::string> stages = stageNames(lf);
  std::map<const Stage *, const Stage *> consumers;
  for (const Stage &stage : lf.stages)
    if (stage.product.defined())
      consumers[&stage] = pointwiseConsumer(lf, stage, stages);
  return consumers;
}

const Stage *attn::hl::operandStage(const LoweredFunction &lf,
                                    Halide::Func operand) {
  std::set<std::string> stages = stageNames(lf);
  for (const Stage &s : lf.stages)
    if (s.func.name() == operand.name())
      return &s;
  const Stage *found = nullptr;
  for (const Stage &s : lf.stages)
    if (readsThroughInlined(operand, s.func.name(), stages)) {
      if (found)
        return nullptr; // more than one
      found = &s;
    }
  return found;
}

std::map<const Stage *, std::vector<const Stage *>>
attn::hl::claimTileCompanions(
    const LoweredFunction &lf,
    const std::map<const Stage *, const Stage *> &consumers,
    std::set<std::string> &claimed) {
  std::map<const Stage *, std::vector<const Stage *>> companions;
  for (auto &[product, consumer] : consumers) {
    if (!consumer || claimed.count(consumer->func.name()))
      continue;
    for (const Stage *s : findTileCompanions(lf, *product, *consumer))
      if (claimed.insert(s->func.name()).second)
        companions[product].push_back(s);
  }
  return companions;
}

std::vector<std::vector<const Stage *>>
attn::hl::findSiblingSums(const LoweredFunction &lf) {
  std::set<std::string> stages = stageNames(lf);
  // Their one reduction variable is named after the summed dimension
  // (Lowering's rowSum), so equal names mean the same dimension.
  std::map<std::pair<Shape, std::string>, std::vector<const Stage *>> groups;
  std::vector<std::pair<Shape, std::string>> order;
  for (const Stage &s : lf.stages) {
    Halide::Func f = s.func;
    if (!isOuterSum(s) || !oneReductionLoop(f))
      continue;
    std::pair<Shape, std::string> key{s.shape, f.rvars(0)[0].name()};
    std::vector<const Stage *> &group = groups[key];
    if (!group.empty() && !sameReductionLoop(lf, f, group[0]->func))
      continue;
    if (llvm::any_of(group, [&](const Stage *o) {
          return readsThroughInlined(s.func, o->func.name(), stages);
        }))
      continue;
    if (group.empty())
      order.push_back(key);
    group.push_back(&s);
  }
  std::vector<std::vector<const Stage *>> result;
  for (const auto &key : order)
    if (groups[key].size() > 1)
      result.push_back(groups[key]);
  return result;
}

bool attn::hl::sumSharesProductLoop(const LoweredFunction &lf, const Stage &sum,
                                    const Stage &product) {
  size_t rank = sum.shape.size();
  return isOuterSum(sum) && product.product.defined() &&
         rank == product.shape.size() && rank >= 2 &&
         sum.shape[rank - 2] == 1 &&
         std::equal(sum.shape.begin(), sum.shape.end() - 2,
                    product.shape.begin()) &&
         sameReductionLoop(lf, sum.func, product.product);
}
