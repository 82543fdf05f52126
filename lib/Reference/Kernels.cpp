//===- Kernels.cpp - plain-loop reference kernels of the attn ops ---------===//
#include "lib/Reference/Kernels.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>
#include <optional>

using namespace attn;
using namespace attn::ref;

namespace {

/// Calls fn(multiIndex, flatIndex) for every element of `shape`, row-major.
template <typename Fn> void forEachIndex(const Shape &shape, Fn fn) {
  int64_t n = Tensor::numElements(shape);
  Shape idx(shape.size(), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    fn(idx, flat);
    for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
}

/// Flat offset in `t` of a result index, with size-1 dimensions of `t`
/// broadcast (their index is 0). Only the trailing t.rank() indices are used.
int64_t broadcastOffset(const Tensor &t, const Shape &strides,
                        llvm::ArrayRef<int64_t> idx) {
  int64_t off = 0, lead = (int64_t)idx.size() - t.rank();
  for (int64_t d = 0; d < t.rank(); ++d)
    off += (t.shape[d] == 1 ? 0 : idx[lead + d]) * strides[d];
  return off;
}

/// Calls fn(offset, stride) for every 1-D line of `shape` along `dim`.
template <typename Fn>
void forEachLine(const Shape &shape, int64_t dim, Fn fn) {
  Shape outer(shape.begin(), shape.end());
  outer[dim] = 1;
  Tensor probe(shape, ElementKind::f64);
  Shape strides = probe.strides();
  forEachIndex(outer, [&](const Shape &idx, int64_t) {
    int64_t off = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      off += idx[d] * strides[d];
    fn(off, strides[dim]);
  });
}

double lowestOf(ElementKind k) {
  return k == ElementKind::f32 ? (double)std::numeric_limits<float>::lowest()
                               : std::numeric_limits<double>::lowest();
}

/// Matrix element (i, j) of the trailing two dimensions at batch offset.
struct MatrixView {
  const Tensor &t;
  bool transposed;
  int64_t rowStride, colStride;
  MatrixView(const Tensor &t, bool transposed) : t(t), transposed(transposed) {
    Shape s = t.strides();
    rowStride = s[t.rank() - 2];
    colStride = s[t.rank() - 1];
    if (transposed)
      std::swap(rowStride, colStride);
  }
  double at(int64_t base, int64_t i, int64_t j) const {
    return t.data[base + i * rowStride + j * colStride];
  }
};

/// Flat offset of the batch (leading) part of `idx` in `t`, broadcasting.
int64_t batchOffset(const Tensor &t, const Shape &strides,
                    llvm::ArrayRef<int64_t> batchIdx) {
  int64_t off = 0;
  for (size_t d = 0; d < batchIdx.size(); ++d)
    off += (t.shape[d] == 1 ? 0 : batchIdx[d]) * strides[d];
  return off;
}

/// Reduces each line of `x` along `dim` to one value, fn(offset, stride,
/// length), into a result of `shape` (size 1 along `dim`).
template <typename Fn>
Tensor reduceLines(const Tensor &x, int64_t dim, const Shape &shape, Fn fn) {
  Tensor out(shape, x.kind);
  int64_t n = x.shape[dim], flat = 0;
  // Lines of x along `dim` come in row-major order of the result.
  forEachLine(x.shape, dim, [&](int64_t off, int64_t st) {
    out.data[flat++] = fn(off, st, n);
  });
  return out;
}

} // namespace

Tensor ref::matmul(MatmulOp op, Args in, const Shape &shape) {
  const Tensor &a = *in[0], &b = *in[1];
  Tensor out(shape, a.kind);
  int64_t r = shape.size(), m = shape[r - 2], n = shape[r - 1];
  int64_t k = op.getTransposeLhs() ? a.shape[r - 2] : a.shape[r - 1];
  MatrixView va(a, op.getTransposeLhs()), vb(b, op.getTransposeRhs());
  Shape sa = a.strides(), sb = b.strides();
  Shape batch(shape.begin(), shape.end() - 2);
  int64_t flat = 0;
  forEachIndex(batch, [&](const Shape &bi, int64_t) {
    int64_t oa = batchOffset(a, sa, bi), ob = batchOffset(b, sb, bi);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < k; ++p)
          acc += va.at(oa, i, p) * vb.at(ob, p, j);
        out.data[flat++] = acc;
      }
  });
  return out;
}

Tensor ref::transpose(TransposeOp op, Args in, const Shape &shape) {
  const Tensor &x = *in[0];
  Tensor out(shape, x.kind);
  Shape sx = x.strides();
  llvm::ArrayRef<int64_t> perm = op.getPermutation();
  forEachIndex(shape, [&](const Shape &idx, int64_t flat) {
    int64_t off = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      off += idx[d] * sx[perm[d]];
    out.data[flat] = x.data[off];
  });
  return out;
}

Tensor ref::reshapeOnly(Args in, const Shape &shape) {
  Tensor out = *in[0];
  out.shape = shape;
  return out;
}

Tensor ref::chunk(ChunkOp op, Args in, const Shape &shape) {
  const Tensor &x = *in[0];
  Tensor out(shape, x.kind);
  int64_t d = normalizeDim(op.getDim(), x.rank()), size = op.getSize();
  Shape sx = x.strides();
  forEachIndex(shape, [&](const Shape &idx, int64_t flat) {
    int64_t t = idx[d] * size + idx[d + 1];
    if (t >= x.shape[d])
      return; // padding
    int64_t off = 0;
    for (int64_t i = 0, j = 0; i < (int64_t)idx.size(); ++i) {
      if (i == d + 1)
        continue;
      off += (i == d ? t : idx[i]) * sx[j++];
    }
    out.data[flat] = x.data[off];
  });
  return out;
}

Tensor ref::unchunk(UnchunkOp op, Args in, const Shape &shape) {
  const Tensor &x = *in[0];
  Tensor out(shape, x.kind);
  int64_t d = normalizeDim(op.getDim(), in[1]->rank()), size = x.shape[d + 1];
  Shape sx = x.strides();
  forEachIndex(shape, [&](const Shape &idx, int64_t flat) {
    int64_t off = 0;
    for (int64_t i = 0; i < (int64_t)idx.size(); ++i) {
      if (i < d)
        off += idx[i] * sx[i];
      else if (i == d)
        off += (idx[d] / size) * sx[d] + (idx[d] % size) * sx[d + 1];
      else
        off += idx[i] * sx[i + 1];
    }
    out.data[flat] = x.data[off];
  });
  return out;
}

Tensor ref::softmax(SoftmaxOp op, Args in, const Shape &shape) {
  const Tensor &x = *in[0];
  Tensor out(shape, x.kind);
  int64_t dim = normalizeDim(op.getDim(), x.rank()), n = shape[dim];
  forEachLine(shape, dim, [&](int64_t off, int64_t st) {
    double mx = -std::numeric_limits<double>::infinity(), sum = 0;
    for (int64_t t = 0; t < n; ++t)
      mx = std::max(mx, x.data[off + t * st]);
    for (int64_t t = 0; t < n; ++t)
      sum += std::exp(x.data[off + t * st] - mx);
    for (int64_t t = 0; t < n; ++t)
      out.data[off + t * st] = std::exp(x.data[off + t * st] - mx) / sum;
  });
  return out;
}

Tensor ref::causalMask(CausalMaskOp op, Args in, const Shape &shape) {
  const Tensor &x = *in[0];
  Tensor out = x;
  double fill = op.getFill() == MaskFill::zero ? 0.0 : lowestOf(x.kind);
  int64_t r = shape.size();
  forEachIndex(shape, [&](const Shape &idx, int64_t flat) {
    if (idx[r - 1] > idx[r - 2])
      out.data[flat] = fill;
  });
  return out;
}

Tensor ref::layerNorm(LayerNormOp op, Args in, const Shape &shape) {
  const Tensor &x = *in[0];
  Tensor out(shape, x.kind);
  int64_t n = shape.back();
  double eps = op.getEps().convertToDouble();
  forEachLine(shape, x.rank() - 1, [&](int64_t off, int64_t) {
    double mean = 0, var = 0;
    for (int64_t t = 0; t < n; ++t)
      mean += x.data[off + t];
    mean /= n;
    for (int64_t t = 0; t < n; ++t)
      var += (x.data[off + t] - mean) * (x.data[off + t] - mean);
    var /= n;
    double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t t = 0; t < n; ++t) {
      double y = (x.data[off + t] - mean) * inv;
      if (in.size() == 3)
        y = y * in[1]->data[t] + in[2]->data[t];
      out.data[off + t] = y;
    }
  });
  return out;
}

Tensor ref::rmsNorm(RmsNormOp op, Args in, const Shape &shape) {
  const Tensor &x = *in[0];
  Tensor out(shape, x.kind);
  int64_t n = shape.back();
  double eps = op.getEps().convertToDouble();
  forEachLine(shape, x.rank() - 1, [&](int64_t off, int64_t) {
    double ms = 0;
    for (int64_t t = 0; t < n; ++t)
      ms += x.data[off + t] * x.data[off + t];
    double inv = 1.0 / std::sqrt(ms / n + eps);
    for (int64_t t = 0; t < n; ++t)
      out.data[off + t] =
          x.data[off + t] * inv * (in.size() == 2 ? in[1]->data[t] : 1.0);
  });
  return out;
}

Tensor ref::normalize(NormalizeOp op, Args in, const Shape &shape) {
  const Tensor &num = *in[0], &den = *in[1];
  Tensor out(shape, num.kind);
  double eps = op.getEps().convertToDouble();
  Shape sd = den.strides();
  forEachIndex(shape, [&](const Shape &idx, int64_t flat) {
    out.data[flat] =
        num.data[flat] / (den.data[broadcastOffset(den, sd, idx)] + eps);
  });
  return out;
}

Tensor ref::featureMap(FeatureMapOp op, Args in, const Shape &shape) {
  const Tensor &x = *in[0];
  Tensor out(shape, x.kind);
  if (op.getKind() == FeatureMapKind::favor) {
    // phi(x)_i = m^{-1/2} exp(w_i . x - |x|^2 / 2), Choromanski et al. 2021.
    const Tensor &w = *in[1];
    int64_t m = w.shape[0], d = w.shape[1];
    int64_t rows = x.size() / d;
    for (int64_t row = 0; row < rows; ++row) {
      const double *xr = &x.data[row * d];
      double sq = 0;
      for (int64_t j = 0; j < d; ++j)
        sq += xr[j] * xr[j];
      for (int64_t i = 0; i < m; ++i) {
        double dot = 0;
        for (int64_t j = 0; j < d; ++j)
          dot += w.data[i * d + j] * xr[j];
        out.data[row * m + i] = std::exp(dot - sq / 2) / std::sqrt((double)m);
      }
    }
    return out;
  }
  for (int64_t i = 0; i < x.size(); ++i) {
    double v = x.data[i];
    switch (op.getKind()) {
    case FeatureMapKind::identity:
      break;
    case FeatureMapKind::relu:
      v = std::max(v, 0.0);
      break;
    case FeatureMapKind::elu_plus_one:
      v = eluPlusOne(v);
      break;
    case FeatureMapKind::exp:
      v = std::exp(v);
      break;
    case FeatureMapKind::favor:
      break;
    }
    out.data[i] = v;
  }
  return out;
}

Tensor ref::scale(ScaleOp op, Args in, const Shape &shape) {
  Tensor out = *in[0];
  double f = op.getFactor().convertToDouble();
  for (double &v : out.data)
    v *= f;
  return out;
}

Tensor ref::divideBySize(DivideBySizeOp op, Args in, const Shape &shape) {
  Tensor out = *in[0];
  int64_t n = in[1]->shape[normalizeDim(op.getDim(), in[1]->rank())];
  for (double &v : out.data)
    v /= static_cast<double>(n);
  return out;
}

Tensor ref::rowSum(RowSumOp op, Args in, const Shape &shape) {
  const Tensor &x = *in[0];
  return reduceLines(x, normalizeDim(op.getDim(), x.rank()), shape,
                     [&](int64_t off, int64_t st, int64_t n) {
                       double acc = 0;
                       for (int64_t t = 0; t < n; ++t)
                         acc += x.data[off + t * st];
                       return acc;
                     });
}

Tensor ref::cumsum(CumsumOp op, Args in, const Shape &shape) {
  const Tensor &x = *in[0];
  Tensor out(shape, x.kind);
  int64_t dim = normalizeDim(op.getDim(), x.rank()), n = shape[dim];
  double scalar = op.getDecay() ? op.getDecay()->convertToDouble() : 1.0;
  std::optional<llvm::ArrayRef<double>> decays = op.getDecays();
  int64_t decaysDim = decays ? normalizeDim(*op.getDecaysDim(), x.rank()) : 0;
  Shape strides = x.strides();
  bool exclusive = op.getExclusive();
  const Tensor *init = in.size() > 1 ? in[1] : nullptr;
  if (n == 0)
    return out; // an empty scan
  forEachLine(shape, dim, [&](int64_t off, int64_t st) {
    double g = decays ? (*decays)[(off / strides[decaysDim]) % shape[decaysDim]]
                      : scalar;
    // The carry's element: this line's offset with the scanned index gone.
    double acc = init ? init->data[off / (n * st) * st + off % st] : 0.0;
    for (int64_t t = 0; t < n; ++t) {
      double xt = x.data[off + t * st];
      if (exclusive) {
        out.data[off + t * st] = acc;
        acc = g * acc + xt;
      } else {
        acc = g * acc + xt;
        out.data[off + t * st] = acc;
      }
    }
  });
  return out;
}

Tensor ref::last(LastOp op, Args in, const Shape &shape) {
  const Tensor &x = *in[0];
  int64_t dim = normalizeDim(op.getDim(), x.rank());
  // Of an empty dimension: the carry of the scan it reads (in[1], the state
  // before the first element), else 0.
  if (x.shape[dim] == 0)
    return in.size() > 1 ? *in[1] : Tensor(shape, x.kind);
  return reduceLines(x, dim, shape, [&](int64_t off, int64_t st, int64_t n) {
    return x.data[off + (n - 1) * st];
  });
}

Tensor ref::depthwiseConv2d(DepthwiseConv2dOp, Args in, const Shape &shape) {
  const Tensor &x = *in[0], &k = *in[1];
  Tensor out(shape, x.kind);
  Shape sx = x.strides(), sk = k.strides();
  int64_t r = x.rank(), ny = x.shape[r - 3], nx = x.shape[r - 2];
  int64_t ky = k.shape[r - 3], kx = k.shape[r - 2];
  forEachIndex(shape, [&](const Shape &idx, int64_t flat) {
    Shape xi = idx, ki = idx;
    double acc = 0;
    for (int64_t a = 0; a < ky; ++a)
      for (int64_t b = 0; b < kx; ++b) {
        int64_t i = idx[r - 3] + a - ky / 2, j = idx[r - 2] + b - kx / 2;
        if (i < 0 || i >= ny || j < 0 || j >= nx)
          continue; // zeros outside the image
        xi[r - 3] = i;
        xi[r - 2] = j;
        ki[r - 3] = a;
        ki[r - 2] = b;
        acc += k.data[broadcastOffset(k, sk, ki)] *
               x.data[broadcastOffset(x, sx, xi)];
      }
    out.data[flat] = acc;
  });
  return out;
}

Tensor ref::unary(mlir::Operation *op, Args in, const Shape &shape) {
  Tensor out = *in[0];
  auto fn =
      llvm::TypeSwitch<mlir::Operation *, double (*)(double)>(op)
          .Case([](ExpOp) { return [](double v) { return std::exp(v); }; })
          .Case([](SigmoidOp) {
            return [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
          })
          .Case([](SiluOp) {
            return [](double v) { return v / (1.0 + std::exp(-v)); };
          })
          .Case(
              [](ReluOp) { return [](double v) { return std::max(v, 0.0); }; })
          .Case([](SquareOp) { return [](double v) { return v * v; }; })
          .Case([](NegOp) { return [](double v) { return -v; }; })
          .Default([](mlir::Operation *) { return nullptr; });
  for (double &v : out.data)
    v = fn(v);
  return out;
}

Tensor ref::binary(mlir::Operation *op, Args in, const Shape &shape) {
  const Tensor &a = *in[0], &b = *in[1];
  Tensor out(shape, a.kind);
  Shape sa = a.strides(), sb = b.strides();
  auto fn =
      llvm::TypeSwitch<mlir::Operation *, double (*)(double, double)>(op)
          .Case([](AddOp) { return [](double x, double y) { return x + y; }; })
          .Case([](SubOp) { return [](double x, double y) { return x - y; }; })
          .Case([](MulOp) { return [](double x, double y) { return x * y; }; })
          .Case([](DivOp) { return [](double x, double y) { return x / y; }; })
          .Case([](MaxOp) {
            return [](double x, double y) { return std::max(x, y); };
          })
          .Default([](mlir::Operation *) { return nullptr; });
  forEachIndex(shape, [&](const Shape &idx, int64_t flat) {
    out.data[flat] = fn(a.data[broadcastOffset(a, sa, idx)],
                        b.data[broadcastOffset(b, sb, idx)]);
  });
  return out;
}

Tensor ref::attention(AttentionOp op, Args in, const Shape &shape,
                      bool f32Scores) {
  // Written from the definition, independently of --attn-decompose: for
  // each query row, the weights over keys, then the weighted sum of values.
  const Tensor &q = *in[0], &k = *in[1], &v = *in[2];
  Tensor out(shape, q.kind);
  int64_t r = shape.size(), tq = q.shape[r - 2], d = q.shape[r - 1];
  int64_t tk = k.shape[r - 2], dv = v.shape[r - 1];
  bool softmaxKernel = op.getKernel() == AttentionKernel::softmax;
  double scale = op.getScale() ? op.getScale()->convertToDouble()
                               : 1.0 / std::sqrt((double)d);
  auto phi = [&](double x) {
    return op.getKernel() == AttentionKernel::relu ? std::max(x, 0.0)
                                                   : eluPlusOne(x);
  };
  Shape sq = q.strides(), sk = k.strides(), sv = v.strides();
  Shape batch(shape.begin(), shape.end() - 2);
  std::vector<double> w(tk);
  int64_t flat = 0;
  forEachIndex(batch, [&](const Shape &bi, int64_t) {
    int64_t oq = batchOffset(q, sq, bi), ok = batchOffset(k, sk, bi),
            ov = batchOffset(v, sv, bi);
    for (int64_t i = 0; i < tq; ++i) {
      int64_t keys = op.getCausal() ? std::min(i + 1, tk) : tk;
      double mx = -std::numeric_limits<double>::infinity(), sum = 0;
      for (int64_t j = 0; j < keys; ++j) {
        double s = 0;
        for (int64_t c = 0; c < d; ++c) {
          double qa = q.data[oq + i * d + c], ka = k.data[ok + j * d + c];
          s += softmaxKernel ? qa * ka : phi(qa) * phi(ka);
        }
        w[j] = softmaxKernel ? s * scale : s;
        if (f32Scores)
          w[j] = static_cast<float>(w[j]);
        mx = std::max(mx, w[j]);
      }
      for (int64_t j = 0; j < keys; ++j) {
        if (softmaxKernel)
          w[j] = std::exp(w[j] - mx);
        sum += w[j];
      }
      double denom = softmaxKernel ? sum : sum + 1e-6;
      for (int64_t c = 0; c < dv; ++c) {
        double acc = 0;
        for (int64_t j = 0; j < keys; ++j)
          acc += w[j] * v.data[ov + j * dv + c];
        out.data[flat++] = acc / denom;
      }
    }
  });
  return out;
}
