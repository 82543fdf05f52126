//===- Target.h - choosing a safe Halide target ------------------*- C++
//-*-===//
#ifndef ATTN_HALIDE_TARGET_H
#define ATTN_HALIDE_TARGET_H

#include <string>

namespace Halide {
struct Target;
}

namespace attn::hl {

/// Names accepted by --target, for help texts.
extern const char *const kTargetHelp;

/// Resolves a --target name to a Halide target:
///   cpu            the best safe target for this machine's CPU features
///   x86-64-avx512  AVX-512 (Skylake-server feature set)
///   x86-64-avx2    AVX2 + FMA + F16C
///   x86-64         SSE4.1
/// or a full Halide target string (e.g. x86-64-linux-avx2). Halide's own
/// `host` is never used: Halide 14 reads AMD Zen 4/5 as Sapphire Rapids and
/// emits AMX/FP16 instructions that fault there. Returns false with a
/// message for an unknown name.
bool resolveTarget(const std::string &name, Halide::Target &out,
                   std::string &error);

} // namespace attn::hl

#endif // ATTN_HALIDE_TARGET_H
