//===- BlasBaselines.cpp - OpenBLAS + loops versions of the bench kernels -===//
#include "BlasBaselines.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {
using blas::Shape;

/// Scratch buffers, kept across calls as a user tuning this code would:
/// fresh pages cost a page fault each, which in this VM costs more than the
/// arithmetic of these kernels.
std::vector<float> buffers[4];

/// Scratch buffer `slot` of at least `n` floats.
float *scratch(int slot, size_t n) {
  if (buffers[slot].size() < n)
    buffers[slot].resize(n);
  return buffers[slot].data();
}

void sgemm(bool ta, bool tb, int m, int n, int k, const float *a, int lda,
           const float *b, int ldb, float beta, float *c, int ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
              tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb,
              beta, c, ldc);
}

float elu1(float x) { return x > 0 ? x + 1 : std::exp(x); }

/// Query blocks of 256 rows: scores (sgemm), row softmax (loops), P V
/// (sgemm); a T x T matrix would not fit at T = 64k.
void softmax(Shape s, const float *q, const float *k, const float *v,
             float *o) {
  const int block = 256, t = s.t, d = s.d;
  float *p = scratch(0, (size_t)block * t);
  float scale = 1.0f / std::sqrt(float(d));
  for (int h = 0; h < s.heads; ++h) {
    size_t off = (size_t)h * t * d;
    for (int i0 = 0; i0 < t; i0 += block) {
      int rows = std::min(block, t - i0);
      sgemm(false, true, rows, t, d, q + off + (size_t)i0 * d, d, k + off, d,
            0.0f, p, t);
#pragma omp parallel for
      for (int i = 0; i < rows; ++i) {
        float *row = p + (size_t)i * t;
        float m = *std::max_element(row, row + t), sum = 0;
        for (int j = 0; j < t; ++j)
          sum += row[j] = std::exp((row[j] - m) * scale);
        for (int j = 0; j < t; ++j)
          row[j] /= sum;
      }
      sgemm(false, false, rows, d, t, p, t, v + off, d, 0.0f,
            o + off + (size_t)i0 * d, d);
    }
  }
}

void linear(Shape s, const float *q, const float *k, const float *v,
            float *o) {
  const int t = s.t, d = s.d;
  size_t n = (size_t)s.heads * t * d;
  float *fq = scratch(0, n), *fk = scratch(1, n), *kv = scratch(2, (size_t)d * d);
  std::vector<float> z(d);
#pragma omp parallel for
  for (size_t i = 0; i < n; ++i) {
    fq[i] = elu1(q[i]);
    fk[i] = elu1(k[i]);
  }
  for (int h = 0; h < s.heads; ++h) {
    size_t off = (size_t)h * t * d;
    sgemm(true, false, d, d, t, fk + off, d, v + off, d, 0.0f,
          kv, d);
    std::fill(z.begin(), z.end(), 0.0f);
    for (int j = 0; j < t; ++j)
      for (int c = 0; c < d; ++c)
        z[c] += fk[off + (size_t)j * d + c];
    sgemm(false, false, t, d, d, fq + off, d, kv, d, 0.0f,
          o + off, d);
#pragma omp parallel for
    for (int i = 0; i < t; ++i) {
      const float *qi = fq + off + (size_t)i * d;
      float den = 1e-6f;
      for (int c = 0; c < d; ++c)
        den += qi[c] * z[c];
      for (int c = 0; c < d; ++c)
        o[off + (size_t)i * d + c] /= den;
    }
  }
}

/// Chunks of 64: masked C x C scores with loops, the running state S
/// (d x d) and z through sgemm.
void linearCausal(Shape s, const float *q, const float *k, const float *v,
                  float *o) {
  const int t = s.t, d = s.d, c = 64;
  size_t n = (size_t)s.heads * t * d;
  float *fq = scratch(0, n), *fk = scratch(1, n);
#pragma omp parallel for
  for (size_t i = 0; i < n; ++i) {
    fq[i] = elu1(q[i]);
    fk[i] = elu1(k[i]);
  }
#pragma omp parallel for
  for (int h = 0; h < s.heads; ++h) {
    std::vector<float> state((size_t)d * d, 0.0f), z(d, 0.0f), a((size_t)c * c);
    size_t off = (size_t)h * t * d;
    for (int i0 = 0; i0 < t; i0 += c) {
      int rows = std::min(c, t - i0);
      const float *qc = fq + off + (size_t)i0 * d,
                  *kc = fk + off + (size_t)i0 * d,
                  *vc = v + off + (size_t)i0 * d;
      float *oc = o + off + (size_t)i0 * d;
      sgemm(false, true, rows, rows, d, qc, d, kc, d, 0.0f, a.data(), rows);
      for (int i = 0; i < rows; ++i)
        for (int j = i + 1; j < rows; ++j)
          a[(size_t)i * rows + j] = 0.0f;
      // o = A V + Q S; den = rowsum(A) + Q z.
      sgemm(false, false, rows, d, rows, a.data(), rows, vc, d, 0.0f, oc, d);
      sgemm(false, false, rows, d, d, qc, d, state.data(), d, 1.0f, oc, d);
      for (int i = 0; i < rows; ++i) {
        float den = 1e-6f;
        for (int j = 0; j <= i; ++j)
          den += a[(size_t)i * rows + j];
        for (int e = 0; e < d; ++e)
          den += qc[(size_t)i * d + e] * z[e];
        for (int e = 0; e < d; ++e)
          oc[(size_t)i * d + e] /= den;
      }
      sgemm(true, false, d, d, rows, kc, d, vc, d, 1.0f, state.data(), d);
      for (int j = 0; j < rows; ++j)
        for (int e = 0; e < d; ++e)
          z[e] += kc[(size_t)j * d + e];
    }
  }
}

void layerNorm(const float *x, float *y, size_t rows, int d) {
#pragma omp parallel for
  for (size_t r = 0; r < rows; ++r) {
    const float *xr = x + r * d;
    float mean = 0, var = 0;
    for (int c = 0; c < d; ++c)
      mean += xr[c];
    mean /= d;
    for (int c = 0; c < d; ++c)
      var += (xr[c] - mean) * (xr[c] - mean);
    float inv = 1.0f / std::sqrt(var / d + 1e-5f);
    for (int c = 0; c < d; ++c)
      y[r * d + c] = (xr[c] - mean) * inv;
  }
}

void galerkin(Shape s, const float *q, const float *k, const float *v,
              float *o) {
  const int t = s.t, d = s.d;
  size_t n = (size_t)s.heads * t * d;
  float *lk = scratch(0, n), *lv = scratch(1, n), *kv = scratch(2, (size_t)d * d);
  layerNorm(k, lk, (size_t)s.heads * t, d);
  layerNorm(v, lv, (size_t)s.heads * t, d);
  for (int h = 0; h < s.heads; ++h) {
    size_t off = (size_t)h * t * d;
    sgemm(true, false, d, d, t, lk + off, d, lv + off, d, 0.0f,
          kv, d);
    for (int i = 0; i < d * d; ++i)
      kv[i] /= t;
    sgemm(false, false, t, d, d, q + off, d, kv, d, 0.0f, o + off, d);
  }
}

void aftSimple(Shape s, const float *q, const float *k, const float *v,
               float *o) {
  const int t = s.t, d = s.d;
#pragma omp parallel for
  for (int h = 0; h < s.heads; ++h) {
    size_t off = (size_t)h * t * d;
    std::vector<float> num(d, 0.0f), den(d, 0.0f);
    for (int j = 0; j < t; ++j)
      for (int c = 0; c < d; ++c) {
        float e = std::exp(k[off + (size_t)j * d + c]);
        num[c] += e * v[off + (size_t)j * d + c];
        den[c] += e;
      }
    for (int i = 0; i < t; ++i)
      for (int c = 0; c < d; ++c) {
        float x = q[off + (size_t)i * d + c];
        o[off + (size_t)i * d + c] = num[c] / den[c] / (1.0f + std::exp(-x));
      }
  }
}
} // namespace

bool blas::run(const std::string &kernel, Shape s, const float *q,
               const float *k, const float *v, float *o) {
  if (kernel == "softmax")
    softmax(s, q, k, v, o);
  else if (kernel == "linear")
    linear(s, q, k, v, o);
  else if (kernel == "linear_causal")
    linearCausal(s, q, k, v, o);
  else if (kernel == "galerkin")
    galerkin(s, q, k, v, o);
  else if (kernel == "aft_simple")
    aftSimple(s, q, k, v, o);
  else
    return false;
  return true;
}

void blas::releaseScratch() {
  for (std::vector<float> &b : buffers)
    std::vector<float>().swap(b);
}
