//===- Target.h - choosing a safe Halide target ------------------*- C++
//-*-===//
#ifndef ATTN_HALIDE_TARGET_H
#define ATTN_HALIDE_TARGET_H

#include <functional>
#include <string>
#include <vector>

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

/// The CPU features `target` asks for that the host lacks, by the names
/// /proc/cpuinfo uses ("avx512f", ...); `hostHas` answers for one of them
/// (by default, this machine's cpuid). Code JIT-compiled for a feature the
/// host lacks dies by SIGILL, so the JIT refuses such a target.
std::vector<std::string>
missingHostFeatures(const Halide::Target &target,
                    const std::function<bool(const char *)> &hostHas = {});

} // namespace attn::hl

#endif // ATTN_HALIDE_TARGET_H
