//===- Target.cpp - choosing a safe Halide target -------------------------===//
#include "lib/Halide/Target.h"

#include "Halide.h"

#include "llvm/ADT/STLExtras.h"

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

std::vector<std::string> attn::hl::missingHostFeatures(
    const Halide::Target &target,
    const std::function<bool(const char *)> &hostHas) {
  auto has = [&](const char *f) {
    if (hostHas)
      return hostHas(f);
    __builtin_cpu_init();
    // __builtin_cpu_supports takes a literal: one case per name used below.
    std::string n(f);
#define ATTN_CPU(name)                                                          \
  if (n == name)                                                               \
    return bool(__builtin_cpu_supports(name));
    ATTN_CPU("sse4.1") ATTN_CPU("avx") ATTN_CPU("avx2") ATTN_CPU("fma")
    ATTN_CPU("f16c") ATTN_CPU("avx512f") ATTN_CPU("avx512cd")
    ATTN_CPU("avx512bw") ATTN_CPU("avx512dq") ATTN_CPU("avx512vl")
    ATTN_CPU("avx512ifma") ATTN_CPU("avx512vbmi") ATTN_CPU("avx512bf16")
    ATTN_CPU("avx512vnni") ATTN_CPU("avx512er") ATTN_CPU("avx512pf")
#undef ATTN_CPU
    return false;
  };
  using T = Halide::Target;
  // What each Halide feature makes LLVM emit, in cpuinfo's names.
  static const std::pair<T::Feature, std::vector<const char *>> needs[] = {
      {T::SSE41, {"sse4.1"}},
      {T::AVX, {"avx"}},
      {T::AVX2, {"avx2"}},
      {T::FMA, {"fma"}},
      {T::F16C, {"f16c"}},
      {T::AVX512, {"avx512f", "avx512cd"}},
      {T::AVX512_KNL, {"avx512er", "avx512pf"}},
      {T::AVX512_Skylake, {"avx512bw", "avx512dq", "avx512vl"}},
      {T::AVX512_Cannonlake, {"avx512ifma", "avx512vbmi"}},
      {T::AVX512_SapphireRapids, {"avx512bf16", "avx512vnni"}},
  };
  std::vector<std::string> missing;
  if (target.arch != T::X86)
    return missing;
  for (const auto &[feature, names] : needs)
    if (target.has_feature(feature))
      for (const char *name : names)
        if (!has(name) && !llvm::is_contained(missing, name))
          missing.push_back(name);
  return missing;
}
