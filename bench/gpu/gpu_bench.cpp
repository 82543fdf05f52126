//===- gpu_bench.cpp - attn's CUDA kernels, timed, outputs kept
//------------===//
//
// For B x 8 heads x T x 64 fp32 inputs (seeded, in [-1, 1)): runs the
// CUDA-compiled kernels of bench/models.mlir, times them (inputs already on
// the device, mean of repeated calls after a warm-up that includes the host
// to device copy and the PTX JIT), and writes inputs and outputs as raw
// float32 files in WORKDIR for bench/gpu/torch_gpu.py, which times PyTorch
// on the same inputs and measures every output against fp64.
//
// usage: attn_gpu_bench WORKDIR [B = 4] [max T = 65536]
//
//===----------------------------------------------------------------------===//
#include "gpu_kernels.h"

#include "HalideBuffer.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

using Halide::Runtime::Buffer;

namespace {
constexpr int kHeads = 8, kDim = 64;

using Kernel = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                       halide_buffer_t *);

bool save(const std::string &path, Buffer<float> &b) {
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return false;
  size_t n = std::fwrite(b.data(), sizeof(float), b.number_of_elements(), f);
  std::fclose(f);
  return n == b.number_of_elements();
}
} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s WORKDIR [B = 4] [max T = 65536] [kernels = all, "
                 "comma-separated] [min T = 4096]\n",
                 argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  int batch = argc > 2 ? std::atoi(argv[2]) : 4;
  int maxT = argc > 3 ? std::atoi(argv[3]) : 65536;
  // A subset, for a profiler: "linear,softmax".
  std::string only = argc > 4 ? "," + std::string(argv[4]) + "," : "";
  int minT = argc > 5 ? std::atoi(argv[5]) : 4096;
  struct {
    const char *name;
    Kernel f;
    int maxT;
  } kernels[] = {{"linear", gpu_linear, 1 << 30},
                 {"linear_causal", gpu_linear_causal, 1 << 30},
                 // Quadratic time: up to 16k (0.1 s a call).
                 {"softmax", gpu_softmax, 16384},
                 {"softmax_causal", gpu_softmax_causal, 16384}};
  std::printf("kernel,B,T,ms\n");
  for (int t = minT; t <= maxT; t *= 4) {
    std::mt19937 rng(t);
    std::uniform_real_distribution<float> uniform(-1, 1);
    Buffer<float> q(kDim, t, kHeads, batch), k(kDim, t, kHeads, batch),
        v(kDim, t, kHeads, batch);
    // Host data a GPU kernel must copy: Halide copies a buffer to the
    // device only when it is marked host-dirty.
    for (Buffer<float> *b : {&q, &k, &v}) {
      b->for_each_value([&](float &x) { x = uniform(rng); });
      b->set_host_dirty();
    }
    std::string stem = dir + "/T" + std::to_string(t) + "_";
    if (!save(stem + "q.bin", q) || !save(stem + "k.bin", k) ||
        !save(stem + "v.bin", v)) {
      std::fprintf(stderr, "cannot write inputs in %s\n", dir.c_str());
      return 1;
    }
    for (auto &kernel : kernels) {
      if (t > kernel.maxT ||
          (!only.empty() &&
           only.find("," + std::string(kernel.name) + ",") == only.npos))
        continue;
      Buffer<float> o(kDim, t, kHeads, batch);
      int rc = kernel.f(q, k, v, o); // copies q, k, v to the device; JIT
      rc = rc ? rc : o.device_sync();
      if (rc != 0) {
        std::fprintf(stderr, "%s T=%d failed (%d): %s\n", kernel.name, t, rc,
                     attn_last_error());
        return 1;
      }
      int repeats = 0;
      auto t0 = std::chrono::steady_clock::now();
      double ms = 0;
      while (repeats < 3 || (repeats < 50 && ms < 1000)) {
        rc |= kernel.f(q, k, v, o);
        rc |= o.device_sync();
        ++repeats;
        ms = std::chrono::duration<double, std::milli>(
                 std::chrono::steady_clock::now() - t0)
                 .count();
      }
      rc |= o.copy_to_host();
      if (rc != 0 || !save(stem + kernel.name + "_attn.bin", o)) {
        std::fprintf(stderr, "%s T=%d failed: %s\n", kernel.name, t,
                     attn_last_error());
        return 1;
      }
      std::printf("%s,%d,%d,%.4f\n", kernel.name, batch, t, ms / repeats);
      std::fflush(stdout);
    }
  }
  return 0;
}
