//===- ScheduleSupport.h - helpers shared by the schedules -------*- C++
//-*-===//
#ifndef ATTN_HALIDE_SCHEDULESUPPORT_H
#define ATTN_HALIDE_SCHEDULESUPPORT_H

#include "mlir/IR/BuiltinTypes.h"

#include "Halide.h"

#include <string>

namespace attn::hl {

constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

/// rvars() of a Func made by rfactor (or whose RVars were split) gives
/// qualified names ("k$x.ko"), which the scheduling calls reject.
inline Halide::RVar unqualified(const Halide::RVar &r) {
  std::string name = r.name();
  return Halide::RVar(name.substr(name.rfind('.') + 1));
}

} // namespace attn::hl

#endif // ATTN_HALIDE_SCHEDULESUPPORT_H
