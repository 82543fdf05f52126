//===- main.cpp - CUDA kernels against the same kernels on the CPU --------===//
//
// Every function of ops.mlir, compiled for CUDA and for the CPU, heads of
// 32 and of 64 (the softmax ones also of 128: softmax128.mlir), on the
// same seeded inputs for several T (an empty sequence, one token, odd,
// not a multiple of 4, past a split chunk of 512), with host input buffers
// (copied in) and device-resident ones (a second call). Prints one line per
// function, head size and T; exits 1 on a disagreement beyond 1e-5
// relative, 2 if no GPU could be used.
//
// --bad-buffers: buffers a CUDA kernel rejects (rows not dense, a
// misaligned host pointer, an output that is an input), with the error
// each gets.
//
//===----------------------------------------------------------------------===//
#include "gpu_check_cpu.h"
#include "gpu_check_cpu128.h"
#include "gpu_check_cpu64.h"
#include "gpu_check_cuda.h"
#include "gpu_check_cuda128.h"
#include "gpu_check_cuda64.h"

#include "HalideBuffer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

using Halide::Runtime::Buffer;

namespace {
using Kernel = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                       halide_buffer_t *);
/// One function of ops.mlir, compiled for heads of 32 and of 64 (and 128),
/// each for CUDA and for the CPU; a size without kernels is skipped.
struct Pattern {
  const char *name;
  struct {
    int dim;
    Kernel gpu, cpu;
  } sizes[3];
};
// clang-format off
#define PATTERN(f) {#f, {{32, gpu_##f, cpu_##f}, {64, gpu64_##f, cpu64_##f}, \
                         {0, nullptr, nullptr}}}
#define PATTERN128(f) {#f, {{32, gpu_##f, cpu_##f}, {64, gpu64_##f, cpu64_##f}, \
                            {128, gpu128_##f, cpu128_##f}}}
// clang-format on

/// A CUDA kernel handed buffers it must reject: an error code and Halide's
/// message (the CUDA runtime starts first: without a GPU the answer is that
/// no CUDA library was found).
int badBuffers() {
  int t = 37;
  Buffer<float> k(64, t, 4, 2), v(64, t, 4, 2), o(64, t, 4, 2);
  for (Buffer<float> *b : {&k, &v})
    b->fill(0.5f);
  // Rows of 64 inside rows of 68: not dense.
  Buffer<float> wide(68, t, 4, 2);
  wide.fill(0.5f);
  Buffer<float> strided = wide.cropped(0, 0, 64);
  int rc = gpu64_linear(strided, k, v, o);
  std::printf("strided rows: rc=%d msg=%s\n", rc, rc ? attn_last_error() : "");
  // A host pointer 4 bytes past a 16-byte boundary.
  std::vector<float> raw(64 * t * 4 * 2 + 4, 0.5f);
  float *base = raw.data();
  while (reinterpret_cast<uintptr_t>(base) % 16 != 4)
    ++base;
  Buffer<float> misaligned(base, 64, t, 4, 2);
  rc = gpu64_linear(misaligned, k, v, o);
  std::printf("misaligned: rc=%d msg=%s\n", rc, rc ? attn_last_error() : "");
  // The output is the keys: refused before anything runs.
  rc = gpu64_linear(k, k, v, k);
  std::printf("aliased: rc=%d msg=%s\n", rc, rc ? attn_last_error() : "");
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "--bad-buffers") == 0)
    return badBuffers();
  const Pattern patterns[] = {PATTERN128(softmax), PATTERN128(softmax_causal),
                              PATTERN(linear),     PATTERN(linear_causal),
                              PATTERN(galerkin),   PATTERN(retnet),
                              PATTERN(aft_simple)};
  int failures = 0;
  for (int t : {0, 1, 37, 300, 1030}) {
    for (const Pattern &pattern : patterns)
      for (const auto &p : pattern.sizes) {
        if (!p.gpu)
          continue;
        const char *name = pattern.name;
        int d = p.dim;
        std::mt19937 rng(t);
        std::uniform_real_distribution<float> uniform(-1, 1);
        Buffer<float> q(d, t, 4, 2), k(d, t, 4, 2), v(d, t, 4, 2);
        for (Buffer<float> *b : {&q, &k, &v}) {
          b->for_each_value([&](float &x) { x = uniform(rng); });
          b->set_host_dirty(); // Halide copies host data marked dirty
        }
        Buffer<float> want(d, t, 4, 2), got(d, t, 4, 2);
        if (p.cpu(q, k, v, want) != 0) {
          std::printf("%s d=%d T=%d: CPU kernel failed: %s\n", name, d, t,
                      attn_last_error());
          return 1;
        }
        // Twice: inputs copied from the host, then already on the device.
        for (int call = 0; call < 2; ++call) {
          int rc = p.gpu(q, k, v, got);
          rc = rc ? rc : got.copy_to_host();
          if (rc != 0) {
            std::printf("%s d=%d T=%d: GPU kernel failed (%d): %s\n", name, d,
                        t, rc, attn_last_error());
            return 2;
          }
        }
        double err = 0, mag = 0;
        for (size_t i = 0; i < want.number_of_elements(); ++i) {
          err =
              std::max(err, (double)std::fabs(got.data()[i] - want.data()[i]));
          mag = std::max(mag, (double)std::fabs(want.data()[i]));
        }
        double rel = err / std::max(mag, 1e-30);
        bool ok = rel <= 1e-5;
        failures += !ok;
        std::printf("%-15s d=%d T=%-4d cuda vs cpu: rel error %.2e %s\n", name,
                    d, t, rel, ok ? "ok" : "FAIL");
      }
  }
  std::printf("%d failures\n", failures);
  return failures ? 1 : 0;
}
