//===- main.cpp - CUDA kernels against the same kernels on the CPU --------===//
//
// Every function of ops.mlir, compiled for CUDA and for the CPU, on the
// same seeded inputs for several T (odd, one token, longer than a chunk),
// with host input buffers (copied in) and device-resident ones (a second
// call). Prints one line per function and T; exits 1 on a disagreement
// beyond 1e-5 relative, 2 if no GPU could be used.
//
//===----------------------------------------------------------------------===//
#include "gpu_check_cpu.h"
#include "gpu_check_cuda.h"

#include "HalideBuffer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

using Halide::Runtime::Buffer;

namespace {
using Kernel = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                       halide_buffer_t *);
struct Pair {
  const char *name;
  Kernel gpu, cpu;
};
} // namespace

int main() {
  const Pair pairs[] = {
      {"softmax", gpu_softmax, cpu_softmax},
      {"softmax_causal", gpu_softmax_causal, cpu_softmax_causal},
      {"linear", gpu_linear, cpu_linear},
      {"linear_causal", gpu_linear_causal, cpu_linear_causal},
      {"galerkin", gpu_galerkin, cpu_galerkin},
      {"retnet", gpu_retnet, cpu_retnet},
      {"aft_simple", gpu_aft_simple, cpu_aft_simple}};
  int failures = 0;
  for (int t : {1, 37, 300}) {
    std::mt19937 rng(t);
    std::uniform_real_distribution<float> uniform(-1, 1);
    Buffer<float> q(32, t, 4, 2), k(32, t, 4, 2), v(32, t, 4, 2);
    for (Buffer<float> *b : {&q, &k, &v}) {
      b->for_each_value([&](float &x) { x = uniform(rng); });
      b->set_host_dirty(); // Halide copies host data marked dirty
    }
    for (const Pair &p : pairs) {
      Buffer<float> want(32, t, 4, 2), got(32, t, 4, 2);
      if (p.cpu(q, k, v, want) != 0) {
        std::printf("%s T=%d: CPU kernel failed: %s\n", p.name, t,
                    attn_last_error());
        return 1;
      }
      // Twice: inputs copied from the host, then already on the device.
      for (int call = 0; call < 2; ++call) {
        int rc = p.gpu(q, k, v, got);
        rc = rc ? rc : got.copy_to_host();
        if (rc != 0) {
          std::printf("%s T=%d: GPU kernel failed (%d): %s\n", p.name, t, rc,
                      attn_last_error());
          return 2;
        }
      }
      double err = 0, mag = 0;
      for (size_t i = 0; i < want.number_of_elements(); ++i) {
        err = std::max(err, (double)std::fabs(got.data()[i] - want.data()[i]));
        mag = std::max(mag, (double)std::fabs(want.data()[i]));
      }
      double rel = err / std::max(mag, 1e-30);
      bool ok = rel <= 1e-5;
      failures += !ok;
      std::printf("%-15s T=%-4d cuda vs cpu: rel error %.2e %s\n", p.name, t,
                  rel, ok ? "ok" : "FAIL");
    }
  }
  std::printf("%d failures\n", failures);
  return failures ? 1 : 0;
}
