//===- main.cpp - Galerkin-transformer attention on a 1-D grid ------------===//
//
// The Burgers setting of Cao 2021: a field u(x) on n grid points, lifted to
// d = 96 features (4 heads of 24), goes through one attention layer compiled
// three ways from one model: softmax (quadratic in n), Fourier-type and
// Galerkin-type (linear in n after attn-linearize). Prints output norms,
// the error of each against its formula in fp64 (the Fourier and Galerkin
// kernels run in their reassociated, linear form; the formulas are written
// in the papers' quadratic order), and time against n.
//
// usage: operator_app [largest n = 8192]
//
//===----------------------------------------------------------------------===//
#include "operator_fourier.h"
#include "operator_galerkin.h"
#include "operator_softmax.h"

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
constexpr int H = 4, D = 24, Features = 4;
using Kernel = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                       halide_buffer_t *);

/// q, k, v = lift(u) W_{q,k,v}: features [u, x, sin 2 pi x, cos 2 pi x].
void lift(int n, Buffer<float> &q, Buffer<float> &k, Buffer<float> &v) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0, 1.0f / std::sqrt(float(Features)));
  float w[3][Features][H * D];
  for (auto &m : w)
    for (auto &row : m)
      for (float &x : row)
        x = normal(rng);
  const double pi = 3.14159265358979323846;
  for (int i = 0; i < n; ++i) {
    double x = double(i) / n;
    double f[Features] = {std::sin(2 * pi * x) + 0.5 * std::sin(6 * pi * x), x,
                          std::sin(2 * pi * x), std::cos(2 * pi * x)};
    Buffer<float> *outs[3] = {&q, &k, &v};
    for (int o = 0; o < 3; ++o)
      for (int c = 0; c < H * D; ++c) {
        double acc = 0;
        for (int j = 0; j < Features; ++j)
          acc += f[j] * w[o][j][c];
        (*outs[o])(c % D, i, c / D, 0) = float(acc);
      }
  }
}

std::vector<double> layerNorm(const Buffer<float> &x, int n, int h) {
  std::vector<double> out(n * D);
  for (int i = 0; i < n; ++i) {
    double mean = 0, var = 0;
    for (int c = 0; c < D; ++c)
      mean += x(c, i, h, 0);
    mean /= D;
    for (int c = 0; c < D; ++c)
      var += (x(c, i, h, 0) - mean) * (x(c, i, h, 0) - mean);
    var /= D;
    for (int c = 0; c < D; ++c)
      out[i * D + c] = (x(c, i, h, 0) - mean) / std::sqrt(var + 1e-5);
  }
  return out;
}

enum class Form { softmax, fourier, galerkin };

/// The papers' formulas in fp64, in their quadratic order.
double relError(Form form, const Buffer<float> &q, const Buffer<float> &k,
                const Buffer<float> &v, const Buffer<float> &out, int n) {
  double err = 0, mag = 0;
  std::vector<double> s(n);
  for (int h = 0; h < H; ++h) {
    std::vector<double> lq = layerNorm(q, n, h), lk = layerNorm(k, n, h),
                        lv = layerNorm(v, n, h);
    for (int i = 0; i < n; ++i) {
      double mx = -1e300, sum = 0;
      for (int j = 0; j < n; ++j) {
        double dot = 0;
        for (int c = 0; c < D; ++c)
          dot += form == Form::softmax ? double(q(c, i, h, 0)) * k(c, j, h, 0)
                 : form == Form::fourier ? lq[i * D + c] * lk[j * D + c]
                                         : double(q(c, i, h, 0)) * lk[j * D + c];
        s[j] = form == Form::softmax ? dot / std::sqrt(double(D)) : dot / n;
        mx = std::max(mx, s[j]);
      }
      if (form == Form::softmax) {
        for (int j = 0; j < n; ++j)
          sum += (s[j] = std::exp(s[j] - mx));
        for (int j = 0; j < n; ++j)
          s[j] /= sum;
      }
      for (int c = 0; c < D; ++c) {
        double acc = 0;
        for (int j = 0; j < n; ++j)
          acc += s[j] * (form == Form::galerkin ? lv[j * D + c]
                                                : double(v(c, j, h, 0)));
        err = std::max(err, std::fabs(out(c, i, h, 0) - acc));
        mag = std::max(mag, std::fabs(acc));
      }
    }
  }
  return err / mag;
}

double medianMs(Kernel kernel, Buffer<float> &q, Buffer<float> &k,
                Buffer<float> &v, Buffer<float> &out) {
  std::vector<double> ms;
  for (int r = 0; r < 3; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    kernel(q, k, v, out);
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - t0)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[1];
}
} // namespace

int main(int argc, char **argv) {
  int largest = argc > 1 ? std::atoi(argv[1]) : 8192;
  if (largest < 256) {
    std::fprintf(stderr, "usage: %s [largest n >= 256]\n", argv[0]);
    return 2;
  }
  struct {
    const char *name;
    Form form;
    Kernel kernel;
  } forms[] = {{"softmax", Form::softmax, softmax_layer},
               {"fourier", Form::fourier, fourier_layer},
               {"galerkin", Form::galerkin, galerkin_layer}};
  bool ok = true;
  std::printf("%6s %12s %12s %12s   output norms (rms)\n", "n", "softmax ms",
              "fourier ms", "galerkin ms");
  double previous[3] = {0, 0, 0};
  for (int n = 256; n <= largest; n *= 2) {
    Buffer<float> q(D, n, H, 1), k(D, n, H, 1), v(D, n, H, 1);
    lift(n, q, k, v);
    double ms[3], norms[3];
    for (int f = 0; f < 3; ++f) {
      Buffer<float> out(D, n, H, 1);
      if (int rc = forms[f].kernel(q, k, v, out)) {
        std::printf("%s failed (%d): %s\n", forms[f].name, rc, attn_last_error());
        return 1;
      }
      if (n == 256) {
        double err = relError(forms[f].form, q, k, v, out, n);
        std::printf("%s at n = 256 vs its fp64 formula: rel error %.2e %s\n",
                    forms[f].name, err, err <= 1e-5 ? "ok" : "FAIL");
        ok &= err <= 1e-5;
      }
      ms[f] = medianMs(forms[f].kernel, q, k, v, out);
      double sq = 0;
      out.for_each_value([&](float x) { sq += double(x) * x; });
      norms[f] = std::sqrt(sq / (double(n) * H * D));
    }
    std::printf("%6d %12.3f %12.3f %12.3f   %.4f %.4f %.4f", n, ms[0], ms[1],
                ms[2], norms[0], norms[1], norms[2]);
    if (previous[0] > 0)
      std::printf("   x%.1f x%.1f x%.1f per doubling", ms[0] / previous[0],
                  ms[1] / previous[1], ms[2] / previous[2]);
    std::printf("\n");
    std::copy(ms, ms + 3, previous);
  }
  std::printf("%s\n", ok ? "all checks passed" : "CHECKS FAILED");
  return ok ? 0 : 1;
}
