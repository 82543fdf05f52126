//===- main.cpp - tokens as particles under self-attention dynamics -------===//
//
// n tokens on the unit sphere of R^d move by x_i <- normalize(x_i + h a_i),
// a_i the attention output over all tokens (Geshkovski et al. 2023), with
// the compiled kernel in the loop. Prints, for a few inverse temperatures
// beta and for a linear kernel, how the tokens cluster over time: the
// number of clusters (tokens within cos > 0.999 of a cluster's first
// token) and the histogram of pairwise inner products. Exits non-zero when
// the kernel disagrees with an fp64 implementation of the formula.
//
// usage: particles_app [n tokens = 128] [d = 3] [steps = 300]
//
//===----------------------------------------------------------------------===//
#include "particles_kernels.h"

#include "HalideBuffer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using Halide::Runtime::Buffer;

namespace {
using Kernel = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *);

/// fp64 attention of the formula: softmax over beta <x_i, x_j>, or the
/// elu+1 linear kernel normalised with eps = 1e-6.
std::vector<double> reference(const Buffer<float> &q, const Buffer<float> &x,
                              int n, int d, bool softmax) {
  auto phi = [](double v) { return v > 0 ? v + 1 : std::exp(v); };
  std::vector<double> out(n * d), w(n);
  for (int i = 0; i < n; ++i) {
    double mx = -1e300, sum = 0;
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int c = 0; c < d; ++c)
        s += softmax ? double(q(c, i, 0, 0)) * x(c, j, 0, 0)
                     : phi(q(c, i, 0, 0)) * phi(x(c, j, 0, 0));
      w[j] = s;
      mx = std::max(mx, s);
    }
    for (int j = 0; j < n; ++j) {
      if (softmax)
        w[j] = std::exp(w[j] - mx);
      sum += w[j];
    }
    double den = softmax ? sum : sum + 1e-6;
    for (int c = 0; c < d; ++c) {
      double acc = 0;
      for (int j = 0; j < n; ++j)
        acc += w[j] * x(c, j, 0, 0);
      out[i * d + c] = acc / den;
    }
  }
  return out;
}

int clusters(const Buffer<float> &x, int n, int d) {
  std::vector<int> reps;
  for (int i = 0; i < n; ++i) {
    bool found = false;
    for (int r : reps) {
      double dot = 0;
      for (int c = 0; c < d; ++c)
        dot += double(x(c, i, 0, 0)) * x(c, r, 0, 0);
      if (dot > 0.999) {
        found = true;
        break;
      }
    }
    if (!found)
      reps.push_back(i);
  }
  return static_cast<int>(reps.size());
}

void histogram(const Buffer<float> &x, int n, int d, char *line) {
  int bins[10] = {0};
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) {
      double dot = 0;
      for (int c = 0; c < d; ++c)
        dot += double(x(c, i, 0, 0)) * x(c, j, 0, 0);
      bins[std::min(9, std::max(0, int((dot + 1) / 2 * 10)))]++;
    }
  int total = n * (n - 1) / 2, pos = 0;
  for (int b = 0; b < 10; ++b)
    pos += std::sprintf(line + pos, "%3d%%", 100 * bins[b] / total);
}

/// Runs the dynamics; false if the kernel fails or disagrees at step 0.
bool simulate(const char *name, Kernel kernel, bool softmax, double beta,
              int n, int d, int steps, double h) {
  Buffer<float> x(d, n, 1, 1), q(d, n, 1, 1), a(d, n, 1, 1);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0, 1);
  for (int i = 0; i < n; ++i) {
    double norm = 0;
    for (int c = 0; c < d; ++c) {
      x(c, i, 0, 0) = normal(rng);
      norm += double(x(c, i, 0, 0)) * x(c, i, 0, 0);
    }
    for (int c = 0; c < d; ++c)
      x(c, i, 0, 0) /= std::sqrt(norm);
  }
  std::printf("%s beta=%g:\n", name, beta);
  for (int step = 0; step <= steps; ++step) {
    q.for_each_element([&](int c, int i, int, int) {
      q(c, i, 0, 0) = float(beta * x(c, i, 0, 0));
    });
    if (int rc = kernel(q, x, a)) {
      std::printf("kernel failed (%d): %s\n", rc, attn_last_error());
      return false;
    }
    if (step == 0) {
      std::vector<double> want = reference(q, x, n, d, softmax);
      double err = 0, mag = 0;
      for (int i = 0; i < n; ++i)
        for (int c = 0; c < d; ++c) {
          err = std::max(err, std::fabs(a(c, i, 0, 0) - want[i * d + c]));
          mag = std::max(mag, std::fabs(want[i * d + c]));
        }
      std::printf("  kernel vs fp64 formula: rel error %.2e %s\n", err / mag,
                  err / mag <= 1e-5 ? "ok" : "FAIL");
      if (err / mag > 1e-5)
        return false;
    }
    if (step % (steps / 4 > 0 ? steps / 4 : 1) == 0) {
      char line[64];
      histogram(x, n, d, line);
      std::printf("  step %4d  clusters %3d  <x_i,x_j> in [-1,1], 10 bins:%s\n",
                  step, clusters(x, n, d), line);
    }
    for (int i = 0; i < n; ++i) {
      double norm = 0;
      for (int c = 0; c < d; ++c) {
        x(c, i, 0, 0) += float(h * a(c, i, 0, 0));
        norm += double(x(c, i, 0, 0)) * x(c, i, 0, 0);
      }
      for (int c = 0; c < d; ++c)
        x(c, i, 0, 0) /= std::sqrt(norm);
    }
  }
  return true;
}
} // namespace

int main(int argc, char **argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 128;
  int d = argc > 2 ? std::atoi(argv[2]) : 3;
  int steps = argc > 3 ? std::atoi(argv[3]) : 300;
  if (n < 2 || d < 1 || steps < 1) {
    std::fprintf(stderr, "usage: %s [n >= 2] [d >= 1] [steps >= 1]\n", argv[0]);
    return 2;
  }
  bool ok = true;
  for (double beta : {1.0, 4.0, 16.0})
    ok &= simulate("softmax", softmax_step, true, beta, n, d, steps, 0.1);
  ok &= simulate("linear elu+1", linear_step, false, 1.0, n, d, steps, 0.1);
  std::printf("%s\n", ok ? "all checks passed" : "CHECKS FAILED");
  return ok ? 0 : 1;
}
