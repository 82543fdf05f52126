//===- main.cpp - AFT-simple, -local and -conv on an image ----------------===//
//
// A side x side image of 32 channels as a sequence of T = side^2 pixels
// through AFT-simple, AFT-local (a learned bias inside a window of radius
// s, 0 outside) and AFT-conv (one translation-invariant kernel per head of
// 8 channels inside the window; as a T x T bias, and as the paper's
// depthwise convolution), each checked against the fp64 formula
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
constexpr int C = 32, kHeads = 4, kHeadC = C / kHeads;

/// w(c, i, j): the bias of channel c between pixels i and j.
template <typename Bias>
double relError(const Buffer<float> &q, const Buffer<float> &k,
                const Buffer<float> &v, Bias w, const Buffer<float> &out,
                int t) {
  double err = 0, mag = 0;
  for (int i = 0; i < t; ++i)
    for (int c = 0; c < C; ++c) {
      double num = 0, den = 0;
      for (int j = 0; j < t; ++j) {
        double e = std::exp(double(k(c, j, 0, 0)) + w(c, i, j));
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
  // Bias of pixel pair (i, j): inside the window |drow|, |dcol| < s; for
  // AFT-conv, head h's kernel at (drow, dcol).
  int ks = 2 * s - 1;
  Buffer<float> kernels(1, ks, ks, kHeads, 1); // [1, heads, KY, KX, 1]
  kernels.for_each_value([&](float &x) { x = 0.5f * uniform(rng); });
  Buffer<float> local(t, t, 1, 1), conv(t, t, kHeads, 1);
  auto window = [&](int i, int j, int &dr, int &dc) {
    dr = j / side - i / side;
    dc = j % side - i % side;
    return std::abs(dr) < s && std::abs(dc) < s;
  };
  for (int i = 0; i < t; ++i)
    for (int j = 0; j < t; ++j) {
      int dr, dc;
      bool inside = window(i, j, dr, dc);
      local(j, i, 0, 0) = inside ? 0.5f * uniform(rng) : 0.0f;
      for (int h = 0; h < kHeads; ++h)
        conv(j, i, h, 0) =
            inside ? kernels(0, dc + s - 1, dr + s - 1, h, 0) : 0.0f;
    }
  auto noBias = [](int, int, int) { return 0.0; };
  auto localBias = [&](int, int i, int j) { return double(local(j, i, 0, 0)); };
  auto convBias = [&](int c, int i, int j) {
    int dr, dc;
    return window(i, j, dr, dc)
               ? double(kernels(0, dc + s - 1, dr + s - 1, c / kHeadC, 0))
               : 0.0;
  };

  bool ok = true;
  auto report = [&](const char *name, int rc, auto bias, double ms) {
    if (rc != 0) {
      std::printf("%s failed (%d): %s\n", name, rc, attn_last_error());
      ok = false;
      return;
    }
    double err = relError(q, k, v, bias, out, t);
    double sq = 0;
    out.for_each_value([&](float x) { sq += double(x) * x; });
    std::printf("%-16s %dx%d image, %d channels: %8.3f ms, output rms %.4f, "
                "rel error vs fp64 %.2e %s\n",
                name, side, side, C, ms, std::sqrt(sq / (double(t) * C)), err,
                err <= 1e-5 ? "ok" : "FAIL");
    ok &= err <= 1e-5;
  };
  int rc = aft_simple(q, k, v, out);
  report("aft-simple", rc, noBias, medianMs([&] { aft_simple(q, k, v, out); }));
  rc = aft_weighted(q, k, v, local, out);
  report("aft-local", rc, localBias,
         medianMs([&] { aft_weighted(q, k, v, local, out); }));

  // AFT-conv as a T x T bias: a call per head with that head's bias, of
  // whose output the head's channels are kept.
  Buffer<float> headOut(C, t, 1, 1);
  auto denseConv = [&] {
    for (int h = 0; h < kHeads && rc == 0; ++h) {
      Buffer<float> bias = conv.sliced(2, h).embedded(2, 0);
      rc = aft_weighted(q, k, v, bias, headOut);
      out.cropped(0, h * kHeadC, kHeadC)
          .copy_from(headOut.cropped(0, h * kHeadC, kHeadC));
    }
  };
  rc = 0;
  denseConv();
  report("aft-conv (T x T)", rc, convBias, medianMs(denseConv));

  // AFT-conv as a depthwise convolution on [1, heads, Y, X, 8] images.
  Buffer<float> qi(kHeadC, side, side, kHeads, 1), ki(kHeadC, side, side, kHeads, 1),
      vi(kHeadC, side, side, kHeads, 1), oi(kHeadC, side, side, kHeads, 1);
  for (auto [flat, image] : {std::pair{&q, &qi}, {&k, &ki}, {&v, &vi}})
    image->for_each_element([&](int cc, int x, int y, int h, int) {
      (*image)(cc, x, y, h, 0) = (*flat)(h * kHeadC + cc, y * side + x, 0, 0);
    });
  rc = aft_conv(qi, ki, vi, kernels, oi);
  double ms = medianMs([&] { aft_conv(qi, ki, vi, kernels, oi); });
  oi.for_each_element([&](int cc, int x, int y, int h, int) {
    out(h * kHeadC + cc, y * side + x, 0, 0) = oi(cc, x, y, h, 0);
  });
  report("aft-conv", rc, convBias, ms);
  std::printf("%s\n", ok ? "all checks passed" : "CHECKS FAILED");
  return ok ? 0 : 1;
}
