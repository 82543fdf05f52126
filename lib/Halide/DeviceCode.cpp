//===- DeviceCode.cpp - rewrites of CUDA kernels after lowering -----------===//
#include "lib/Halide/DeviceCode.h"

#include "Halide.h"

#include <set>

using namespace Halide;
using namespace Halide::Internal;

namespace {
/// Tracks whether the mutator is inside a GPU loop.
class InGpuLoops : public IRMutator {
protected:
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
};

/// exp_f32 calls inside GPU loops through libdevice (a vector one lane by
/// lane: the libdevice function is scalar).
class FastDeviceExp : public InGpuLoops {
  using InGpuLoops::visit;

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

/// +0.0 stores into thread-private allocations inside GPU loops store -0.0.
class NegativeZeroInit : public InGpuLoops {
  std::set<std::string> privateBuffers;

  using InGpuLoops::visit;

  Stmt visit(const Allocate *op) override {
    bool isPrivate = gpuLoops && op->memory_type != MemoryType::GPUShared &&
                     op->memory_type != MemoryType::Heap;
    if (isPrivate)
      privateBuffers.insert(op->name);
    Stmt s = IRMutator::visit(op);
    privateBuffers.erase(op->name);
    return s;
  }

  static bool isPositiveZero(const Expr &e) {
    if (const auto *b = e.as<Broadcast>())
      return isPositiveZero(b->value);
    const auto *f = e.as<FloatImm>();
    return f && f->value == 0 && !std::signbit(f->value);
  }

  Stmt visit(const Store *op) override {
    if (!privateBuffers.count(op->name) || !isPositiveZero(op->value))
      return IRMutator::visit(op);
    Expr negativeZero = make_const(op->value.type(), -0.0);
    return Store::make(op->name, negativeZero, op->index, op->param,
                       op->predicate, op->alignment);
  }
};
} // namespace

void attn::hl::addDeviceCodePasses(Pipeline &pipeline, const Target &target) {
  if (!target.has_feature(Target::CUDA))
    return;
  pipeline.add_custom_lowering_pass(new FastDeviceExp);
  pipeline.add_custom_lowering_pass(new NegativeZeroInit);
}
