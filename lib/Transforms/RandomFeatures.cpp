//===- RandomFeatures.cpp - FAVOR+ orthogonal random projections ----------===//
#include "lib/Transforms/RandomFeatures.h"

#include <cmath>
#include <random>

using namespace attn;

namespace {
struct Gaussian {
  std::mt19937_64 rng;
  explicit Gaussian(uint64_t seed) : rng(seed) {}
  double uniform() { return ((rng() >> 11) + 0.5) * 0x1.0p-53; } // (0, 1)
  double next() {
    return std::sqrt(-2.0 * std::log(uniform())) *
           std::cos(2.0 * M_PI * uniform());
  }
};
} // namespace

std::vector<double> attn::orthogonalRandomFeatures(int64_t m, int64_t d,
                                                   uint64_t seed) {
  Gaussian g(seed);
  std::vector<double> w(m * d);
  for (int64_t block = 0; block < m; block += d) {
    int64_t rows = std::min(d, m - block);
    // Gram-Schmidt on d Gaussian rows; keep the first `rows`.
    std::vector<double> q(d * d);
    for (int64_t i = 0; i < d; ++i) {
      double *row = &q[i * d];
      do {
        for (int64_t j = 0; j < d; ++j)
          row[j] = g.next();
        for (int64_t p = 0; p < i; ++p) {
          double dot = 0;
          for (int64_t j = 0; j < d; ++j)
            dot += row[j] * q[p * d + j];
          for (int64_t j = 0; j < d; ++j)
            row[j] -= dot * q[p * d + j];
        }
        double norm = 0;
        for (int64_t j = 0; j < d; ++j)
          norm += row[j] * row[j];
        norm = std::sqrt(norm);
        if (norm < 1e-6)
          continue; // degenerate draw: try again
        for (int64_t j = 0; j < d; ++j)
          row[j] /= norm;
        break;
      } while (true);
    }
    for (int64_t i = 0; i < rows; ++i) {
      double length = 0;
      for (int64_t j = 0; j < d; ++j) {
        double x = g.next();
        length += x * x;
      }
      length = std::sqrt(length);
      for (int64_t j = 0; j < d; ++j)
        w[(block + i) * d + j] = q[i * d + j] * length;
    }
  }
  return w;
}
