//===- ShapeRules.cpp - result shapes of attn ops -------------------------===//
#include "dialect/ShapeRules.h"
#include "dialect/AttnDialect.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace attn;
using mlir::ShapedType;

namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;

std::string dimStr(int64_t d) {
  return d == kDyn ? std::string("?") : std::to_string(d);
}

bool sameDim(int64_t a, int64_t b) { return a == kDyn || b == kDyn || a == b; }

/// Broadcasts one leading dimension; a static 1 stretches to the other side.
bool broadcastDim(int64_t a, int64_t b, int64_t &out) {
  if (a == b) {
    out = a;
    return true;
  }
  if (a == 1) {
    out = b;
    return true;
  }
  if (b == 1) {
    out = a;
    return true;
  }
  if (a == kDyn || b == kDyn) {
    out = a == kDyn ? b : a;
    return true;
  }
  return false;
}

/// Accumulates one message; every rule below reads like a sentence.
struct Why {
  std::string &text;
  bool fail(const llvm::Twine &msg) {
    text = msg.str();
    return false;
  }
};

bool broadcastLeading(llvm::ArrayRef<int64_t> a, llvm::StringRef aName,
                      llvm::ArrayRef<int64_t> b, llvm::StringRef bName,
                      size_t count, Shape &out, Why why) {
  for (size_t i = 0; i < count; ++i) {
    int64_t d;
    if (!broadcastDim(a[i], b[i], d))
      return why.fail("batch dimension " + llvm::Twine(i) + " of " + bName +
                      " is " + dimStr(b[i]) + " but " + aName + " has " +
                      dimStr(a[i]) + "; expected " + dimStr(a[i]) +
                      " or 1 (" + bName + " shape " + formatShape(b) +
                      ", " + aName + " shape " + formatShape(a) + ")");
    out.push_back(d);
  }
  return true;
}

bool checkDim(int64_t dim, int64_t rank, llvm::StringRef attr, int64_t &norm,
              Why why) {
  norm = normalizeDim(dim, rank);
  if (norm < 0)
    return why.fail("'" + attr + "' = " + llvm::Twine(dim) +
                    " is out of range for rank " + llvm::Twine(rank) +
                    "; expected a value in [" + llvm::Twine(-rank) + ", " +
                    llvm::Twine(rank - 1) + "]");
  return true;
}

bool requireRank(llvm::ArrayRef<int64_t> s, int64_t minRank,
                 llvm::StringRef name, Why why) {
  if ((int64_t)s.size() < minRank)
    return why.fail("operand '" + name + "' has rank " +
                    llvm::Twine(s.size()) + " (shape " + formatShape(s) +
                    "); expected rank >= " + llvm::Twine(minRank));
  return true;
}

bool inferMatmul(MatmulOp op, llvm::ArrayRef<Shape> in, Shape &res, Why why) {
  const Shape &a = in[0], &b = in[1];
  if (!requireRank(a, 2, "lhs", why) || !requireRank(b, 2, "rhs", why))
    return false;
  if (a.size() != b.size())
    return why.fail("operands have different ranks: lhs " + formatShape(a) +
                    ", rhs " + formatShape(b) + "; expected equal ranks");
  size_t r = a.size();
  int64_t m = op.getTransposeLhs() ? a[r - 1] : a[r - 2];
  int64_t ka = op.getTransposeLhs() ? a[r - 2] : a[r - 1];
  int64_t kb = op.getTransposeRhs() ? b[r - 1] : b[r - 2];
  int64_t n = op.getTransposeRhs() ? b[r - 2] : b[r - 1];
  if (!sameDim(ka, kb)) {
    Shape expected(b.begin(), b.end());
    expected[op.getTransposeRhs() ? r - 1 : r - 2] = ka;
    return why.fail("contraction size mismatch: lhs has K = " + dimStr(ka) +
                    " but rhs has K = " + dimStr(kb) +
                    "; expected rhs of shape " + formatShape(expected));
  }
  if (!broadcastLeading(a, "lhs", b, "rhs", r - 2, res, why))
    return false;
  res.push_back(m);
  res.push_back(n);
  return true;
}

bool inferTranspose(TransposeOp op, llvm::ArrayRef<Shape> in, Shape &res,
                    Why why) {
  llvm::ArrayRef<int64_t> perm = op.getPermutation();
  const Shape &s = in[0];
  if (perm.size() != s.size())
    return why.fail("permutation has " + llvm::Twine(perm.size()) +
                    " entries; expected " + llvm::Twine(s.size()) +
                    " (the rank of input " + formatShape(s) + ")");
  llvm::SmallVector<bool> seen(s.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)s.size() || seen[p])
      return why.fail("permutation " + formatShape(perm) +
                      " is not a permutation of [0, " +
                      llvm::Twine(s.size()) + ")");
    seen[p] = true;
    res.push_back(s[p]);
  }
  return true;
}

bool inferExpandDims(ExpandDimsOp op, const Shape &x, Shape &res, Why why) {
  int64_t rank = x.size(), dim = op.getDim();
  if (dim < 0)
    dim += rank + 1;
  if (dim < 0 || dim > rank)
    return why.fail("'dim' = " + llvm::Twine(op.getDim()) +
                    " is out of range for a result of rank " +
                    llvm::Twine(rank + 1) + "; expected a value in [" +
                    llvm::Twine(-rank - 1) + ", " + llvm::Twine(rank) + "]");
  res.assign(x.begin(), x.end());
  res.insert(res.begin() + dim, 1);
  return true;
}

bool inferSqueeze(SqueezeOp op, const Shape &x, Shape &res, Why why) {
  int64_t d;
  if (!checkDim(op.getDim(), x.size(), "dim", d, why))
    return false;
  if (x[d] != 1)
    return why.fail("dimension " + llvm::Twine(d) + " of input " +
                    formatShape(x) + " has size " + dimStr(x[d]) +
                    "; expected a static 1");
  res.assign(x.begin(), x.end());
  res.erase(res.begin() + d);
  return true;
}

bool inferChunk(ChunkOp op, const Shape &x, Shape &res, Why why) {
  int64_t d;
  if (!checkDim(op.getDim(), x.size(), "dim", d, why))
    return false;
  int64_t size = op.getSize();
  if (size <= 0)
    return why.fail("'size' = " + llvm::Twine(size) +
                    " is not a chunk size; expected size > 0");
  res.assign(x.begin(), x.end());
  // ceil(T / size), written so that it cannot overflow.
  res[d] = x[d] == kDyn ? kDyn : x[d] / size + (x[d] % size != 0);
  res.insert(res.begin() + d + 1, size);
  return true;
}

bool inferUnchunk(UnchunkOp op, llvm::ArrayRef<Shape> in, Shape &res,
                  Why why) {
  const Shape &x = in[0], &like = in[1];
  int64_t d;
  if (!checkDim(op.getDim(), like.size(), "dim", d, why))
    return false;
  if (x.size() != like.size() + 1)
    return why.fail("operand 'input' has rank " + llvm::Twine(x.size()) +
                    "; expected " + llvm::Twine(like.size() + 1) +
                    " (one more than 'like', " + formatShape(like) + ")");
  int64_t n = x[d], c = x[d + 1], t = like[d];
  int64_t held;
  if (n != kDyn && c != kDyn && t != kDyn &&
      !__builtin_mul_overflow(n, c, &held) && held < t)
    return why.fail(llvm::Twine(n) + " chunks of " + llvm::Twine(c) +
                    " hold fewer than the " + llvm::Twine(t) +
                    " elements of 'like'; expected chunks * size >= " +
                    llvm::Twine(t));
  res.assign(x.begin(), x.end());
  res.erase(res.begin() + d + 1);
  res[d] = t;
  return true;
}

bool inferNormAffine(llvm::ArrayRef<Shape> in, Shape &res, Why why) {
  const Shape &x = in[0];
  if (!requireRank(x, 1, "input", why))
    return false;
  static const char *names[] = {"gamma", "beta"};
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i].size() != 1 || !sameDim(in[i][0], x.back()))
      return why.fail("operand '" + llvm::Twine(names[i - 1]) +
                      "' has shape " + formatShape(in[i]) +
                      "; expected [" + dimStr(x.back()) +
                      "] (the last dimension of input " + formatShape(x) +
                      ")");
  res.assign(x.begin(), x.end());
  return true;
}

bool inferNormalize(llvm::ArrayRef<Shape> in, Shape &res, Why why) {
  const Shape &num = in[0], &den = in[1];
  if (!requireRank(num, 1, "num", why))
    return false;
  Shape expected(num.begin(), num.end());
  expected.back() = 1;
  // den broadcasts where it has a static 1; the result has num's shape.
  bool ok = den.size() == num.size();
  for (size_t i = 0; ok && i + 1 < num.size(); ++i)
    ok = den[i] == 1 || sameDim(num[i], den[i]);
  if (ok)
    ok = den.back() == 1 || sameDim(den.back(), num.back());
  if (!ok)
    return why.fail("operand 'den' has shape " + formatShape(den) +
                    "; expected " + formatShape(expected) +
                    " (num's shape with the last dimension 1; dimensions of "
                    "size 1 broadcast)");
  res.assign(num.begin(), num.end());
  return true;
}

bool inferFeatureMap(FeatureMapOp op, llvm::ArrayRef<Shape> in, Shape &res,
                     Why why) {
  const Shape &x = in[0];
  bool favor = op.getKind() == FeatureMapKind::favor;
  if (!favor) {
    if (in.size() > 1)
      return why.fail("a projection operand is only allowed for kind favor");
    res.assign(x.begin(), x.end());
    return true;
  }
  if (in.size() < 2)
    return why.fail("kind favor needs a projection operand of shape [m, " +
                    dimStr(x.empty() ? kDyn : x.back()) + "]");
  if (!requireRank(x, 1, "input", why))
    return false;
  const Shape &w = in[1];
  if (w.size() != 2 || !sameDim(w[1], x.back()))
    return why.fail("operand 'projection' has shape " + formatShape(w) +
                    "; expected [m, " + dimStr(x.back()) + "]");
  res.assign(x.begin(), x.end());
  res.back() = w[0];
  return true;
}

bool inferBinary(llvm::ArrayRef<Shape> in, Shape &res, Why why) {
  const Shape &a = in[0], &b = in[1];
  if (a.size() != b.size())
    return why.fail("operand 'rhs' has rank " + llvm::Twine(b.size()) +
                    " (shape " + formatShape(b) + "); expected rank " +
                    llvm::Twine(a.size()) + " like lhs " + formatShape(a));
  for (size_t i = 0; i < a.size(); ++i) {
    int64_t d;
    if (!broadcastDim(a[i], b[i], d))
      return why.fail("operand 'rhs' has shape " + formatShape(b) +
                      " which does not broadcast with lhs " +
                      formatShape(a) + " in dimension " + llvm::Twine(i) +
                      "; expected " + dimStr(a[i]) + " or 1");
    res.push_back(d);
  }
  return true;
}

bool inferAttention(AttentionOp op, llvm::ArrayRef<Shape> in, Shape &res,
                    Why why) {
  const Shape &q = in[0], &k = in[1], &v = in[2];
  if (!requireRank(q, 2, "query", why))
    return false;
  if (k.size() != q.size() || v.size() != q.size())
    return why.fail("query, key and value must have the same rank; got " +
                    formatShape(q) + ", " + formatShape(k) + ", " +
                    formatShape(v));
  size_t r = q.size();
  if (!sameDim(q[r - 1], k[r - 1])) {
    Shape e(k.begin(), k.end());
    e[r - 1] = q[r - 1];
    return why.fail("operand 'key' has shape " + formatShape(k) +
                    "; expected " + formatShape(e) +
                    " (same feature size d as query)");
  }
  if (!sameDim(k[r - 2], v[r - 2])) {
    Shape e(v.begin(), v.end());
    e[r - 2] = k[r - 2];
    return why.fail("operand 'value' has shape " + formatShape(v) +
                    "; expected " + formatShape(e) +
                    " (one value row per key)");
  }
  if (op.getScale() && op.getKernel() != AttentionKernel::softmax)
    return why.fail("'scale' is only meaningful for the softmax kernel; a "
                    "normalised linear kernel cancels it");
  Shape qk;
  if (!broadcastLeading(q, "query", k, "key", r - 2, qk, why))
    return false;
  qk.append({0, 0});
  if (!broadcastLeading(qk, "query", v, "value", r - 2, res, why))
    return false;
  res.push_back(q[r - 2]);
  res.push_back(v[r - 1]);
  return true;
}
bool inferDepthwiseConv(llvm::ArrayRef<Shape> in, Shape &res, Why why) {
  const Shape &x = in[0], &k = in[1];
  if (x.size() < 3)
    return why.fail("operand 'input' has rank " + llvm::Twine(x.size()) +
                    "; expected [..., Y, X, C], rank >= 3");
  if (k.size() != x.size())
    return why.fail("operand 'kernel' has rank " + llvm::Twine(k.size()) +
                    "; expected " + llvm::Twine(x.size()) +
                    ", the input's rank ([..., KY, KX, C or 1])");
  size_t r = x.size();
  for (size_t i : {r - 3, r - 2})
    if (k[i] != kDyn && k[i] % 2 == 0)
      return why.fail("kernel " + formatShape(k) + " has an even size " +
                      llvm::Twine(k[i]) + " in dimension " + llvm::Twine(i) +
                      "; expected odd sizes, centred on each position");
  if (k[r - 1] != 1 && !sameDim(k[r - 1], x[r - 1]))
    return why.fail("kernel " + formatShape(k) + " has " + dimStr(k[r - 1]) +
                    " channels; expected " + dimStr(x[r - 1]) +
                    " like the input, or 1 (one kernel for all channels)");
  if (!broadcastLeading(x, "input", k, "kernel", r - 3, res, why))
    return false;
  res.append({x[r - 3], x[r - 2], x[r - 1]});
  return true;
}
} // namespace

std::string attn::formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + dimStr(shape[i]);
  return s + "]";
}

int64_t attn::normalizeDim(int64_t dim, int64_t rank) {
  int64_t d = dim < 0 ? dim + rank : dim;
  return d >= 0 && d < rank ? d : -1;
}

bool attn::shapesCompatible(llvm::ArrayRef<int64_t> a,
                            llvm::ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!sameDim(a[i], b[i]))
      return false;
  return true;
}

bool attn::inferResultShape(mlir::Operation *op,
                            llvm::ArrayRef<Shape> in, Shape &res,
                            std::string &whyText) {
  Why why{whyText};
  res.clear();
  int64_t d;
  return llvm::TypeSwitch<mlir::Operation *, bool>(op)
      .Case([&](MatmulOp o) { return inferMatmul(o, in, res, why); })
      .Case([&](TransposeOp o) { return inferTranspose(o, in, res, why); })
      .Case([&](ExpandDimsOp o) { return inferExpandDims(o, in[0], res, why); })
      .Case([&](SqueezeOp o) { return inferSqueeze(o, in[0], res, why); })
      .Case([&](ChunkOp o) { return inferChunk(o, in[0], res, why); })
      .Case([&](UnchunkOp o) { return inferUnchunk(o, in, res, why); })
      .Case([&](SoftmaxOp o) {
        res.assign(in[0].begin(), in[0].end());
        return checkDim(o.getDim(), in[0].size(), "dim", d, why);
      })
      .Case([&](CausalMaskOp) {
        res.assign(in[0].begin(), in[0].end());
        return requireRank(in[0], 2, "input", why);
      })
      .Case<LayerNormOp, RmsNormOp>(
          [&](auto) { return inferNormAffine(in, res, why); })
      .Case([&](NormalizeOp) { return inferNormalize(in, res, why); })
      .Case([&](FeatureMapOp o) { return inferFeatureMap(o, in, res, why); })
      .Case<RowSumOp, LastOp>([&](auto o) {
        // Reduced along dim, which keeps size 1.
        if (!checkDim(o.getDim(), in[0].size(), "dim", d, why))
          return false;
        res.assign(in[0].begin(), in[0].end());
        res[d] = 1;
        return true;
      })
      .Case([&](DivideBySizeOp o) {
        res.assign(in[0].begin(), in[0].end());
        return checkDim(o.getDim(), in[1].size(), "dim", d, why);
      })
      .Case([&](DepthwiseConv2dOp) { return inferDepthwiseConv(in, res, why); })
      .Case([&](CumsumOp o) {
        res.assign(in[0].begin(), in[0].end());
        if (!checkDim(o.getDim(), in[0].size(), "dim", d, why))
          return false;
        if (in.size() == 2) {
          // The carry: the input's shape with size 1 along dim.
          Shape expected = res;
          expected[d] = 1;
          if (!shapesCompatible(in[1], expected))
            return why.fail("init has shape " + formatShape(in[1]) +
                            "; expected " + formatShape(expected) +
                            " (the input's shape with size 1 along dim " +
                            llvm::Twine(d) + ")");
        }
        auto inRange = [&](double g) {
          return why.fail("decay " + llvm::Twine(std::to_string(g)) +
                          " is out of range; expected 0 <= decay <= 1");
        };
        if (auto decay = o.getDecay()) {
          double g = decay->convertToDouble();
          if (!(g >= 0.0 && g <= 1.0))
            return inRange(g);
          if (o.getDecays())
            return why.fail("give either 'decay' or 'decays', not both");
        }
        if (o.getDecays().has_value() != o.getDecaysDim().has_value())
          return why.fail("'decays' and 'decays_dim' go together");
        if (auto decays = o.getDecays()) {
          int64_t dd;
          if (!checkDim(*o.getDecaysDim(), in[0].size(), "decays_dim", dd, why))
            return false;
          int64_t n = in[0][dd];
          if (n != kDyn && n != (int64_t)decays->size())
            return why.fail("'decays' has " + llvm::Twine(decays->size()) +
                            " values; expected " + llvm::Twine(n) +
                            ", the size of dimension " + llvm::Twine(dd));
          for (double g : *decays)
            if (!(g >= 0.0 && g <= 1.0))
              return inRange(g);
        }
        return true;
      })
      .Case<AddOp, SubOp, MulOp, DivOp, MaxOp>(
          [&](auto) { return inferBinary(in, res, why); })
      .Case([&](AttentionOp o) { return inferAttention(o, in, res, why); })
      .Default([&](mlir::Operation *) {
        // Shape-preserving ops: scale and the unary elementwise ops.
        res.assign(in[0].begin(), in[0].end());
        return true;
      });
}
