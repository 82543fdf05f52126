//===- main.cpp - linear attention app linking attn-generated kernels -----===//
//
// Runs the two kernels of model.mlir on seeded random [B, H, T, D] inputs,
// checks them against an fp64 implementation of the formulas of
// Katharopoulos et al. 2020 written here (not the attn interpreter), shows
// that a wrong buffer yields an error code and a message, and prints time
// and checksums. Exits non-zero when anything disagrees.
//
// usage: linear_attention_app [T] (default 1024)
//
//===----------------------------------------------------------------------===//
#include "linear_attention_kernels.h"

#include "HalideBuffer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using Halide::Runtime::Buffer;

namespace {
constexpr int B = 2, H = 4, D = 32;

double phi(double x) { return x > 0 ? x + 1 : std::exp(x); }

/// fp64 reference: o_t = phi(q_t)^T S_t / (phi(q_t)^T z_t + 1e-6) with
/// S_t = sum phi(k_s) v_s^T, z_t = sum phi(k_s) over all s (non-causal) or
/// s <= t (causal, as running sums).
std::vector<double> reference(const Buffer<float> &q, const Buffer<float> &k,
                              const Buffer<float> &v, int T, bool causal) {
  std::vector<double> out((size_t)B * H * T * D);
  std::vector<double> S(D * D), z(D);
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < H; ++h) {
      std::fill(S.begin(), S.end(), 0.0);
      std::fill(z.begin(), z.end(), 0.0);
      auto accumulate = [&](int s) {
        for (int i = 0; i < D; ++i) {
          double fk = phi(k(i, s, h, b));
          z[i] += fk;
          for (int j = 0; j < D; ++j)
            S[i * D + j] += fk * v(j, s, h, b);
        }
      };
      if (!causal)
        for (int s = 0; s < T; ++s)
          accumulate(s);
      for (int t = 0; t < T; ++t) {
        if (causal)
          accumulate(t);
        double den = 1e-6;
        for (int i = 0; i < D; ++i)
          den += phi(q(i, t, h, b)) * z[i];
        for (int j = 0; j < D; ++j) {
          double num = 0;
          for (int i = 0; i < D; ++i)
            num += phi(q(i, t, h, b)) * S[i * D + j];
          out[(((size_t)b * H + h) * T + t) * D + j] = num / den;
        }
      }
    }
  return out;
}

/// max |out - ref| / max |ref|.
double relError(const Buffer<float> &out, const std::vector<double> &ref) {
  double err = 0, mag = 0;
  const float *o = out.data();
  for (size_t i = 0; i < ref.size(); ++i) {
    err = std::max(err, std::fabs(o[i] - ref[i]));
    mag = std::max(mag, std::fabs(ref[i]));
  }
  return err / mag;
}

template <typename Kernel>
double medianMs(Kernel kernel, int repeats) {
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    if (kernel() != 0)
      return -1;
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - t0)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}
} // namespace

int main(int argc, char **argv) {
  int T = argc > 1 ? std::atoi(argv[1]) : 1024;
  if (T <= 0) {
    std::fprintf(stderr, "usage: %s [T > 0]\n", argv[0]);
    return 2;
  }
  Buffer<float> q(D, T, H, B), k(D, T, H, B), v(D, T, H, B);
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (Buffer<float> *b : {&q, &k, &v})
    b->for_each_value([&](float &x) { x = uniform(rng); });

  bool ok = true;
  const double tolerance = 1e-5;
  struct Case {
    const char *name;
    bool causal;
    int (*kernel)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                  halide_buffer_t *);
  } cases[] = {{"linear_attention", false, linear_attention},
               {"causal_linear_attention", true, causal_linear_attention}};
  for (const Case &c : cases) {
    Buffer<float> out(D, T, H, B);
    int rc = c.kernel(q, k, v, out);
    if (rc != 0) {
      std::printf("%s failed (%d): %s\n", c.name, rc, attn_last_error());
      return 1;
    }
    double err = relError(out, reference(q, k, v, T, c.causal));
    double ms = medianMs([&] { return c.kernel(q, k, v, out); }, 5);
    double checksum = 0;
    out.for_each_value([&](float x) { checksum += x; });
    // The linear-time algorithm's multiply-adds: phi(K)^T V and phi(Q) S.
    double gflops = 4.0 * B * H * T * D * D / (ms * 1e6);
    std::printf("%-24s B=%d H=%d T=%d D=%d  checksum %.6f  rel error vs fp64 "
                "%.2e  %s  median %.3f ms (%.1f GFLOP/s)\n",
                c.name, B, H, T, D, checksum, err,
                err <= tolerance ? "ok" : "FAIL", ms, gflops);
    ok &= err <= tolerance;
  }

  // A caller's mistake: V with a different sequence length than K.
  Buffer<float> longerV(D, T + 1, H, B), out(D, T, H, B);
  attn_clear_error();
  int rc = linear_attention(q, k, longerV, out);
  std::printf("wrong V buffer: error code %d, message: %s\n", rc,
              attn_last_error());
  ok &= rc != 0 && attn_last_error()[0] != '\0';

  std::printf("%s\n", ok ? "all checks passed" : "CHECKS FAILED");
  return ok ? 0 : 1;
}
