//===- ScheduleSupport.h - helpers shared by the schedules -------*- C++
//-*-===//
#ifndef ATTN_HALIDE_SCHEDULESUPPORT_H
#define ATTN_HALIDE_SCHEDULESUPPORT_H

#include "dialect/ShapeRules.h"

#include "mlir/IR/BuiltinTypes.h"

#include "Halide.h"

#include <string>
#include <vector>

namespace attn::hl {

constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

/// rvars() of a Func made by rfactor (or whose RVars were split) gives
/// qualified names ("k$x.ko"), which the scheduling calls reject.
inline Halide::RVar unqualified(const Halide::RVar &r) {
  std::string name = r.name();
  return Halide::RVar(name.substr(name.rfind('.') + 1));
}

/// The pure dimensions of `f` other than `u` (an rfactor's new one).
inline std::vector<Halide::Var> argsWithout(Halide::Func f,
                                            const Halide::Var &u) {
  std::vector<Halide::Var> args;
  for (const Halide::Var &a : f.args())
    if (a.name() != u.name())
      args.push_back(a);
  return args;
}

/// Splits `f`'s one-RVar update into `outer` x `inner` (`factor` inner
/// iterations, a guarded tail) and rfactors it into a Func with the extra
/// pure dimension `u`: partial results per chunk (`u` over `outer`, each
/// reducing `inner`) or per lane (`u` over `inner`, each reducing `outer`).
/// `f` then reduces the partial results.
enum class RfactorBy { Chunk, Lane };
inline Halide::Func splitRfactor(Halide::Func f, int factor,
                                 const Halide::RVar &outer,
                                 const Halide::RVar &inner,
                                 const Halide::Var &u, RfactorBy by) {
  Halide::Func intm = f.update()
                          .split(f.rvars(0)[0], outer, inner, factor,
                                 Halide::TailStrategy::GuardWithIf)
                          .rfactor(by == RfactorBy::Chunk ? outer : inner, u);
  // rfactor appends u as the outermost dimension. Lane sums are vectorised
  // along u: stored innermost, they are vectors in memory, not a gather and
  // a scatter per vector.
  if (by == RfactorBy::Lane) {
    std::vector<Halide::Var> storage = {u};
    for (const Halide::Var &a : argsWithout(intm, u))
      storage.push_back(a);
    intm.reorder_storage(storage);
  }
  return intm;
}

/// Whether each dimension of `shape` before `end` (MLIR order) is dynamic,
/// innermost first: the order of a Func's arguments.
inline std::vector<bool> dynamicInnermostFirst(const Shape &shape, size_t end) {
  std::vector<bool> dynamic;
  for (size_t i = end; i-- > 0;)
    dynamic.push_back(shape[i] == kDyn);
  return dynamic;
}

/// The argument of the rows of a sum along rows into [.., rows, 1] (the
/// summed dimension kept as 1) or [.., rows]: 1 or 0.
inline size_t rowsArg(const Shape &shape) {
  return shape.size() >= 2 && shape.back() == 1 ? 1 : 0;
}

} // namespace attn::hl

#endif // ATTN_HALIDE_SCHEDULESUPPORT_H
