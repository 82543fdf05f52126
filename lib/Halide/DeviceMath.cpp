//===- DeviceMath.cpp - math functions of CUDA kernels --------------------===//
#include "lib/Halide/DeviceMath.h"

#include "Halide.h"

using namespace Halide;
using namespace Halide::Internal;

namespace {
/// Rewrites exp_f32 calls inside GPU loops (a vector one lane by lane: the
/// libdevice function is scalar).
class FastDeviceExp : public IRMutator {
  int gpuLoops = 0;

  using IRMutator::visit;

  Stmt visit(const For *op) override {
    bool gpu = op->for_type == ForType::GPUBlock ||
               op->for_type == ForType::GPUThread ||
               op->for_type == ForType::GPULane;
    gpuLoops += gpu;
    Stmt s = IRMutator::visit(op);
    gpuLoops -= gpu;
    return s;
  }

  Expr visit(const Call *op) override {
    if (!gpuLoops || op->name != "exp_f32" || op->args.size() != 1)
      return IRMutator::visit(op);
    Expr x = mutate(op->args[0]);
    auto fastExp = [](Expr e) {
      return Call::make(Float(32), "__nv_fast_expf", {std::move(e)},
                        Call::PureExtern);
    };
    if (x.type().is_scalar())
      return fastExp(x);
    std::vector<Expr> lanes;
    for (int i = 0; i < x.type().lanes(); ++i)
      lanes.push_back(fastExp(Shuffle::make_extract_element(x, i)));
    return Shuffle::make_concat(lanes);
  }
};
} // namespace

void attn::hl::useDeviceMath(Pipeline &pipeline, const Target &target) {
  if (target.has_feature(Target::CUDA))
    pipeline.add_custom_lowering_pass(new FastDeviceExp);
}
