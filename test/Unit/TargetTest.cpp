//===- TargetTest.cpp - target names and the Zen safety rule --------------===//
#include "lib/Halide/Target.h"

#include "Halide.h"

#include <gtest/gtest.h>

using namespace attn;

namespace {
TEST(Target, CpuNeverUsesSapphireRapidsFeatures) {
  Halide::Target t;
  std::string error;
  ASSERT_TRUE(hl::resolveTarget("cpu", t, error)) << error;
  EXPECT_FALSE(t.has_feature(Halide::Target::AVX512_SapphireRapids));
  ASSERT_TRUE(hl::resolveTarget("host", t, error)) << error;
  EXPECT_FALSE(t.has_feature(Halide::Target::AVX512_SapphireRapids));
  EXPECT_EQ(t.arch, Halide::Target::X86);
}

TEST(Target, NamedTargetsHaveTheirFeatures) {
  Halide::Target t;
  std::string error;
  ASSERT_TRUE(hl::resolveTarget("x86-64-avx2", t, error));
  EXPECT_TRUE(t.has_feature(Halide::Target::AVX2));
  EXPECT_TRUE(t.has_feature(Halide::Target::FMA));
  EXPECT_FALSE(t.has_feature(Halide::Target::AVX512));
  ASSERT_TRUE(hl::resolveTarget("x86-64-avx512", t, error));
  EXPECT_TRUE(t.has_feature(Halide::Target::AVX512_Skylake));
  ASSERT_TRUE(hl::resolveTarget("x86-64", t, error));
  EXPECT_FALSE(t.has_feature(Halide::Target::AVX));
}

TEST(Target, RefusesUnknownAndUnsafeNames) {
  Halide::Target t;
  std::string error;
  EXPECT_FALSE(hl::resolveTarget("riscv-banana", t, error));
  EXPECT_NE(error.find("unknown target 'riscv-banana'"), std::string::npos);
  EXPECT_FALSE(
      hl::resolveTarget("x86-64-linux-avx512_sapphirerapids", t, error));
  EXPECT_NE(error.find("Zen"), std::string::npos);
}
TEST(Target, NamesTheFeaturesAHostLacks) {
  Halide::Target t;
  std::string error;
  ASSERT_TRUE(hl::resolveTarget("x86-64-avx512", t, error)) << error;
  // A Zen 1 (AVX2, FMA, F16C, no AVX-512).
  auto zen1 = [](const char *f) {
    for (const char *has : {"sse4.1", "avx", "avx2", "fma", "f16c"})
      if (std::string(f) == has)
        return true;
    return false;
  };
  EXPECT_EQ(hl::missingHostFeatures(t, zen1),
            (std::vector<std::string>{"avx512f", "avx512cd", "avx512bw",
                                      "avx512dq", "avx512vl"}));
  ASSERT_TRUE(hl::resolveTarget("x86-64-avx2", t, error));
  EXPECT_TRUE(hl::missingHostFeatures(t, zen1).empty());
  // This machine always has what --target=cpu picks.
  ASSERT_TRUE(hl::resolveTarget("cpu", t, error));
  EXPECT_TRUE(hl::missingHostFeatures(t).empty());
}
} // namespace
