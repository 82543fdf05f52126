//===- main.cpp - AFT-simple, -local and -conv on an image ----------------===//
//
// A side x side image of 32 channels as a sequence of T = side^2 pixels
// through AFT-simple, AFT-local (a learned bias inside a window of radius
// s, 0 outside) and AFT-conv (one translation-invariant kernel inside the
// window), each checked against the fp64 formula
//   Y_t = sigmoid(Q_t) * sum_t' exp(K_t' + w_tt') V_t' / sum_t' exp(K_t' + w_tt')
// and timed.
//
// usage: aft_app [side = 32] [window radius s = 3]
//
//===----------------------------------------------------------------------===//
#include "aft_kernels.h"

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
constexpr int C = 32;

double relError(const Buffer<float> &q, const Buffer<float> &k,
                const Buffer<float> &v, const Buffer<float> *w,
                const Buffer<float> &out, int t) {
  double err = 0, mag = 0;
  for (int i = 0; i < t; ++i)
    for (int c = 0; c < C; ++c) {
      double num = 0, den = 0;
      for (int j = 0; j < t; ++j) {
        double e = std::exp(double(k(c, j, 0, 0)) + (w ? (*w)(j, i, 0, 0) : 0.0));
        num += e * v(c, j, 0, 0);
        den += e;
      }
      double want = num / den / (1 + std::exp(-double(q(c, i, 0, 0))));
      err = std::max(err, std::fabs(out(c, i, 0, 0) - want));
      mag = std::max(mag, std::fabs(want));
    }
  return err / mag;
}

template <typename Call> double medianMs(Call call) {
  std::vector<double> ms;
  for (int r = 0; r < 5; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    call();
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - t0)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[2];
}
} // namespace

int main(int argc, char **argv) {
  int side = argc > 1 ? std::atoi(argv[1]) : 32;
  int s = argc > 2 ? std::atoi(argv[2]) : 3;
  if (side < 2 || s < 1) {
    std::fprintf(stderr, "usage: %s [side >= 2] [window radius >= 1]\n", argv[0]);
    return 2;
  }
  int t = side * side;
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> uniform(-1, 1);
  Buffer<float> q(C, t, 1, 1), k(C, t, 1, 1), v(C, t, 1, 1), out(C, t, 1, 1);
  for (Buffer<float> *b : {&q, &k, &v})
    b->for_each_value([&](float &x) { x = uniform(rng); });
  // Bias of pixel pair (i, j): inside the window |drow|, |dcol| < s.
  std::vector<float> kernel((2 * s - 1) * (2 * s - 1));
  for (float &x : kernel)
    x = 0.5f * uniform(rng);
  Buffer<float> local(t, t, 1, 1), conv(t, t, 1, 1);
  for (int i = 0; i < t; ++i)
    for (int j = 0; j < t; ++j) {
      int dr = j / side - i / side, dc = j % side - i % side;
      bool inside = std::abs(dr) < s && std::abs(dc) < s;
      local(j, i, 0, 0) = inside ? 0.5f * uniform(rng) : 0.0f;
      conv(j, i, 0, 0) =
          inside ? kernel[(dr + s - 1) * (2 * s - 1) + dc + s - 1] : 0.0f;
    }

  bool ok = true;
  auto report = [&](const char *name, int rc, const Buffer<float> *w,
                    double ms) {
    if (rc != 0) {
      std::printf("%s failed (%d): %s\n", name, rc, attn_last_error());
      ok = false;
      return;
    }
    double err = relError(q, k, v, w, out, t);
    double sq = 0;
    out.for_each_value([&](float x) { sq += double(x) * x; });
    std::printf("%-10s %dx%d image, %d channels: %.3f ms, output rms %.4f, "
                "rel error vs fp64 %.2e %s\n",
                name, side, side, C, ms, std::sqrt(sq / (double(t) * C)), err,
                err <= 1e-5 ? "ok" : "FAIL");
    ok &= err <= 1e-5;
  };
  int rc = aft_simple(q, k, v, out);
  report("aft-simple", rc, nullptr, medianMs([&] { aft_simple(q, k, v, out); }));
  rc = aft_weighted(q, k, v, local, out);
  report("aft-local", rc, &local,
         medianMs([&] { aft_weighted(q, k, v, local, out); }));
  rc = aft_weighted(q, k, v, conv, out);
  report("aft-conv", rc, &conv,
         medianMs([&] { aft_weighted(q, k, v, conv, out); }));
  std::printf("%s\n", ok ? "all checks passed" : "CHECKS FAILED");
  return ok ? 0 : 1;
}
