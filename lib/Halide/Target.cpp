//===- Target.cpp - choosing a safe Halide target -------------------------===//
#include "lib/Halide/Target.h"

#include "Halide.h"

using namespace attn::hl;

const char *const attn::hl::kTargetHelp =
    "cpu (best safe target for this CPU), x86-64-avx512, x86-64-avx2, "
    "x86-64 (SSE4.1), cuda (= cuda-sm80), cuda-sm80, cuda-sm86 (NVIDIA "
    "GPUs: PTX for that capability, which newer GPUs JIT-compile; host code "
    "for AVX2), or a Halide target string";

namespace {
constexpr const char *kAvx2 = "x86-64-linux-sse41-avx-avx2-fma-f16c";
constexpr const char *kAvx512 =
    "x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake";

/// Reads the CPU's features with the compiler's cpuid helpers, so the
/// decision does not depend on Halide's CPU-model tables.
std::string bestSafeCpuTarget() {
  __builtin_cpu_init();
  bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
              __builtin_cpu_supports("f16c");
  bool avx512 = avx2 && __builtin_cpu_supports("avx512f") &&
                __builtin_cpu_supports("avx512cd") &&
                __builtin_cpu_supports("avx512bw") &&
                __builtin_cpu_supports("avx512dq") &&
                __builtin_cpu_supports("avx512vl");
  if (avx512)
    return kAvx512;
  if (avx2)
    return kAvx2;
  return __builtin_cpu_supports("sse4.1") ? "x86-64-linux-sse41"
                                          : "x86-64-linux";
}
} // namespace

bool attn::hl::resolveTarget(const std::string &name, Halide::Target &out,
                             std::string &error) {
  std::string spec;
  if (name == "cpu" || name == "host")
    spec = bestSafeCpuTarget();
  else if (name == "x86-64-avx512")
    spec = kAvx512;
  else if (name == "x86-64-avx2")
    spec = kAvx2;
  else if (name == "x86-64")
    spec = "x86-64-linux-sse41";
  else if (name == "cuda" || name == "cuda-sm80")
    spec = std::string(kAvx2) + "-cuda-cuda_capability_80";
  else if (name == "cuda-sm86")
    spec = std::string(kAvx2) + "-cuda-cuda_capability_86";
  else
    spec = name;
  if (!Halide::Target::validate_target_string(spec)) {
    error = "unknown target '" + name + "'; expected " + kTargetHelp;
    return false;
  }
  out = Halide::Target(spec);
  if (out.has_feature(Halide::Target::AVX512_SapphireRapids)) {
    error = "target '" + name + "' enables avx512_sapphirerapids, which " +
            "Halide 14 miscompiles for AMD Zen; use x86-64-avx512";
    return false;
  }
  return true;
}
