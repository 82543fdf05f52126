//===- DeviceMath.h - math functions of CUDA kernels -------------*- C++ -*-===//
#ifndef ATTN_HALIDE_DEVICEMATH_H
#define ATTN_HALIDE_DEVICEMATH_H

namespace Halide {
class Pipeline;
struct Target;
} // namespace Halide

namespace attn::hl {

/// For a CUDA target: float32 exp inside the pipeline's GPU loops becomes
/// libdevice's __nv_fast_expf, x * log2(e) then the GPU's ex2.approx (two
/// instructions; at most 2 + 1.16 |x| ulp, about 3e-6 relative at x = -20).
/// Halide 14 emits its own polynomial there, about 20 instructions, which
/// cost the elu + 1 feature maps a quarter of the FMAs of the products that
/// read them and the softmax a seventh. Host code keeps Halide's exp.
/// Nothing for other targets.
void useDeviceMath(Halide::Pipeline &pipeline, const Halide::Target &target);

} // namespace attn::hl

#endif // ATTN_HALIDE_DEVICEMATH_H
