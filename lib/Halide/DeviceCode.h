//===- DeviceCode.h - rewrites of CUDA kernels after lowering -*- C++ -*-===//
#ifndef ATTN_HALIDE_DEVICECODE_H
#define ATTN_HALIDE_DEVICECODE_H

namespace Halide {
class Pipeline;
struct Target;
} // namespace Halide

namespace attn::hl {

/// For a CUDA target, custom lowering passes on the code inside the
/// pipeline's GPU loops (host code is left alone; nothing for other
/// targets):
/// - float32 exp becomes libdevice's __nv_fast_expf, x * log2(e) then the
///   GPU's ex2.approx (two instructions; at most 2 + 1.16 |x| ulp, about
///   3e-6 relative at x = -20). Halide 14 emits its own polynomial there,
///   about 20 instructions, which cost the elu + 1 feature maps a quarter of
///   the FMAs of the products that read them and the softmax a seventh.
/// - accumulators in a thread's own memory start at -0.0 instead of +0.0
///   (the same sums): LLVM merged the +0.0 stores into a memset, which
///   NVPTX expands into a loop of one-byte stores (768 instructions a
///   thread for the 32 accumulators of a block-tiled product).
void addDeviceCodePasses(Halide::Pipeline &pipeline,
                         const Halide::Target &target);

} // namespace attn::hl

#endif // ATTN_HALIDE_DEVICECODE_H
