//===- RandomGraphs.h - random attn functions for property tests -*- C++ -*-===//
//
// Generators of random valid attn functions, each a family a rewrite looks
// at (with the cases it must decline): (A B) C products, composite
// attentions, causal linear attention in its masked form, retention in its
// cumulative-sum form. Each returns the function's text (@f) and the size
// to give its dynamic dimension.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TEST_UNIT_RANDOMGRAPHS_H
#define ATTN_TEST_UNIT_RANDOMGRAPHS_H

#include "dialect/ShapeRules.h"

#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace attn::test {

struct Random {
  std::mt19937_64 rng;
  explicit Random(uint64_t seed) : rng(seed) {}
  int64_t pick(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  }
  bool coin(double p = 0.5) { return std::bernoulli_distribution(p)(rng); }
};

inline std::string type(llvm::ArrayRef<int64_t> shape, int64_t dynamicValue = -1) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += (d == dynamicValue ? std::string("?") : std::to_string(d)) + "x";
  return s + "f64>";
}

/// Writes a function text op by op, tracking each value's shape.
struct FunctionWriter {
  std::vector<std::string> argTypes, body;
  std::map<std::string, Shape> shapes;
  int64_t dynamic = -1; ///< a size printed as '?' wherever it appears
  int counter = 0;

  std::string arg(Shape shape) {
    std::string name = "%arg" + std::to_string(argTypes.size());
    argTypes.push_back(name + ": " + type(shape, dynamic));
    shapes[name] = shape;
    return name;
  }
  std::string op(const std::string &text, const std::string &operandTypes,
                 Shape result) {
    std::string name = "%v" + std::to_string(counter++);
    body.push_back(name + " = " + text + " : " + operandTypes);
    shapes[name] = result;
    return name;
  }
  std::string t(const std::string &v) { return type(shapes[v], dynamic); }
  std::string finish(const std::vector<std::string> &results) {
    std::ostringstream os;
    os << "func.func @f(";
    for (size_t i = 0; i < argTypes.size(); ++i)
      os << (i ? ", " : "") << argTypes[i];
    os << ") -> (";
    for (size_t i = 0; i < results.size(); ++i)
      os << (i ? ", " : "") << t(results[i]);
    os << ") {\n";
    for (const std::string &line : body)
      os << "  " << line << "\n";
    os << "  return ";
    for (size_t i = 0; i < results.size(); ++i)
      os << (i ? ", " : "") << results[i];
    os << " : ";
    for (size_t i = 0; i < results.size(); ++i)
      os << (i ? ", " : "") << t(results[i]);
    os << "\n}\n";
    return os.str();
  }
};

/// (A B) C graphs with everything attn-reassociate looks at and declines.
inline std::string reassociateCase(Random &r, int64_t &dynamicSize) {
  FunctionWriter w;
  size_t batchRank = r.pick(0, 2);
  auto batch = [&](Shape tail) {
    Shape s;
    for (size_t i = 0; i < batchRank; ++i)
      s.push_back(r.coin(0.3) ? 1 : 2);
    s.append(tail.begin(), tail.end());
    return s;
  };
  int64_t m = r.pick(1, 40), k1 = r.pick(1, 12), k2 = r.pick(1, 40);
  // Distinct sizes keep the '?' unambiguous; M is the dynamic one.
  if (r.coin(0.25)) {
    m = 41 + r.pick(0, 20);
    w.dynamic = m;
  }
  dynamicSize = m;
  bool ta = r.coin(), tb = r.coin();
  std::string a = w.arg(batch(ta ? Shape{k1, m} : Shape{m, k1}));
  std::string b = w.arg(batch(tb ? Shape{k2, k1} : Shape{k1, k2}));
  bool positive = r.coin(0.4);
  if (positive) { // exp features keep row sums away from 0
    a = w.op("attn.feature_map exp " + a, w.t(a) + " -> " + w.t(a), w.shapes[a]);
    b = w.op("attn.feature_map exp " + b, w.t(b) + " -> " + w.t(b), w.shapes[b]);
  }
  Shape sShape;
  for (size_t i = 0; i < batchRank; ++i)
    sShape.push_back(std::max(w.shapes[a][i], w.shapes[b][i]));
  sShape.append({m, k2});
  std::string s = w.op("attn.matmul " + a + ", " + b +
                           (ta ? " transpose_lhs" : "") +
                           (tb ? " transpose_rhs" : ""),
                       w.t(a) + ", " + w.t(b) + " -> " + type(sShape, w.dynamic),
                       sShape);
  std::string cur = s;
  std::vector<std::string> results;
  for (int64_t i = r.pick(0, 2); i > 0; --i) {
    if (positive && r.coin()) {
      Shape denShape = sShape;
      denShape.back() = 1;
      std::string den = w.op("attn.row_sum " + s, w.t(s) + " -> " +
                                                      type(denShape, w.dynamic),
                             denShape);
      cur = w.op("attn.normalize " + cur + ", " + den,
                 "(" + w.t(cur) + ", " + w.t(den) + ") -> " + w.t(cur), sShape);
    } else {
      cur = w.op("attn.scale " + cur + " by " + std::to_string(r.pick(1, 9) * 0.25),
                 w.t(cur), sShape);
    }
  }
  for (int64_t i = r.pick(1, 3); i > 0; --i) {
    int64_t kind = r.pick(0, 9);
    if (kind <= 5) { // matmul leaf
      int64_t n = r.pick(1, 12);
      bool tc = r.coin();
      std::string c = w.arg(batch(tc ? Shape{n, k2} : Shape{k2, n}));
      Shape out = sShape;
      out.back() = n;
      for (size_t j = 0; j < batchRank; ++j)
        out[j] = std::max(out[j], w.shapes[c][j]);
      results.push_back(w.op("attn.matmul " + cur + ", " + c +
                                 (tc ? " transpose_rhs" : ""),
                             w.t(cur) + ", " + w.t(c) + " -> " +
                                 type(out, w.dynamic),
                             out));
    } else if (kind <= 7) { // row_sum leaf
      Shape out = sShape;
      out.back() = 1;
      results.push_back(w.op("attn.row_sum " + cur, w.t(cur) + " -> " +
                                                        type(out, w.dynamic),
                             out));
    } else if (kind == 8) { // a nonlinear use: the site must be declined
      results.push_back(w.op("attn.softmax " + cur, w.t(cur), sShape));
    } else {
      results.push_back(cur);
    }
  }
  return w.finish(results);
}

/// Random composite attentions for attn-decompose.
inline std::string decomposeCase(Random &r, int64_t &dynamicSize) {
  FunctionWriter w;
  size_t batchRank = r.pick(0, 2);
  Shape batch;
  for (size_t i = 0; i < batchRank; ++i)
    batch.push_back(r.pick(1, 3));
  int64_t tq = r.pick(1, 24), tk = r.pick(1, 24), d = r.pick(1, 10),
          dv = r.pick(1, 10);
  const char *kernels[] = {"softmax", "elu_plus_one", "relu"};
  int kernel = r.pick(0, 2);
  bool causal = r.coin();
  if (r.coin(0.3)) { // dynamic sequence length, shared by queries and keys
    tq = tk = 25 + r.pick(0, 10);
    w.dynamic = tq;
  }
  dynamicSize = tq;
  auto shape = [&](int64_t rows, int64_t cols) {
    Shape s = batch;
    s.append({rows, cols});
    return s;
  };
  std::string attrs = causal ? " causal" : "";
  if (kernel == 0 && r.coin())
    attrs += " scale " + std::to_string(r.pick(1, 8) * 0.125);
  else if (kernel == 0 && w.dynamic < 0 && r.coin(0.3)) {
    // A dynamic head size without a scale: attn-decompose must decline.
    d = 37;
    w.dynamic = d;
    dynamicSize = d;
  }
  std::string q = w.arg(shape(tq, d)), k = w.arg(shape(tk, d)),
              v = w.arg(shape(tk, dv));
  std::string o = w.op(std::string("attn.attention ") + kernels[kernel] + " " +
                           q + ", " + k + ", " + v + attrs,
                       "(" + w.t(q) + ", " + w.t(k) + ", " + w.t(v) + ") -> " +
                           type(shape(tq, dv), w.dynamic),
                       shape(tq, dv));
  return w.finish({o});
}

/// Random causal linear attentions (and a softmax one to decline), written
/// in the masked quadratic form.
inline std::string causalCase(Random &r, int64_t &dynamicSize) {
  FunctionWriter w;
  size_t batchRank = r.pick(0, 2);
  Shape batch;
  for (size_t i = 0; i < batchRank; ++i)
    batch.push_back(r.pick(1, 3));
  int64_t t = r.pick(1, 30), d = r.pick(1, 9), e = r.pick(1, 9);
  if (r.coin(0.4)) {
    t = 31 + r.pick(0, 15);
    w.dynamic = t;
  }
  dynamicSize = t;
  auto shape = [&](int64_t cols) {
    Shape s = batch;
    s.append({t, cols});
    return s;
  };
  Shape sq = shape(t);
  const char *maps[] = {"elu_plus_one", "relu", "exp"};
  const char *map = maps[r.pick(0, 2)];
  std::string q = w.arg(shape(d)), k = w.arg(shape(d)), v = w.arg(shape(e));
  std::string fq = w.op(std::string("attn.feature_map ") + map + " " + q,
                        w.t(q) + " -> " + w.t(q), w.shapes[q]);
  std::string fk = w.op(std::string("attn.feature_map ") + map + " " + k,
                        w.t(k) + " -> " + w.t(k), w.shapes[k]);
  std::string s = w.op("attn.matmul " + fq + ", " + fk + " transpose_rhs",
                       w.t(fq) + ", " + w.t(fk) + " -> " + type(sq, w.dynamic),
                       sq);
  bool softmax = r.coin(0.1);
  std::string m = w.op("attn.causal_mask " + s +
                           (softmax ? " fill lowest" : " fill zero"),
                       w.t(s), sq);
  if (softmax) {
    std::string p = w.op("attn.softmax " + m, w.t(m), sq);
    return w.finish({w.op("attn.matmul " + p + ", " + v,
                          w.t(p) + ", " + w.t(v) + " -> " + type(shape(e), w.dynamic),
                          shape(e))});
  }
  Shape denShape = shape(1);
  std::string den = w.op("attn.row_sum " + m,
                         w.t(m) + " -> " + type(denShape, w.dynamic), denShape);
  std::string num = w.op("attn.matmul " + m + ", " + v,
                         w.t(m) + ", " + w.t(v) + " -> " + type(shape(e), w.dynamic),
                         shape(e));
  std::vector<std::string> results = {w.op(
      "attn.normalize " + num + ", " + den,
      "(" + w.t(num) + ", " + w.t(den) + ") -> " + w.t(num), shape(e))};
  if (r.coin(0.3)) // the row sums on their own too
    results.push_back(den);
  return w.finish(results);
}

/// Retention in its recurrent (cumulative-sum) form with a random decay,
/// for attn-chunk: o_t = q_t^T sum_{s<=t} g^(t-s) k_s v_s^T.
inline std::string retentionCase(Random &r, int64_t &dynamicSize) {
  FunctionWriter w;
  size_t batchRank = r.pick(0, 2);
  Shape batch;
  for (size_t i = 0; i < batchRank; ++i)
    batch.push_back(r.pick(1, 3));
  int64_t t = r.pick(1, 30), d = r.pick(1, 6), e = r.pick(1, 6);
  if (r.coin(0.4)) {
    t = 31 + r.pick(0, 15);
    w.dynamic = t;
  }
  dynamicSize = t;
  auto shape = [&](std::initializer_list<int64_t> tail) {
    Shape s = batch;
    s.append(tail);
    return s;
  };
  int64_t rank = batch.size() + 2;
  std::string q = w.arg(shape({t, d})), k = w.arg(shape({t, d})),
              v = w.arg(shape({t, e}));
  std::string kx = w.op("attn.expand_dims " + k + " {dim = " +
                            std::to_string(rank) + " : i64}",
                        w.t(k) + " -> " + type(shape({t, d, 1}), w.dynamic),
                        shape({t, d, 1}));
  std::string vx = w.op("attn.expand_dims " + v + " {dim = " +
                            std::to_string(rank - 1) + " : i64}",
                        w.t(v) + " -> " + type(shape({t, 1, e}), w.dynamic),
                        shape({t, 1, e}));
  std::string outer = w.op("attn.matmul " + kx + ", " + vx,
                           w.t(kx) + ", " + w.t(vx) + " -> " +
                               type(shape({t, d, e}), w.dynamic),
                           shape({t, d, e}));
  std::string decay =
      r.coin(0.2) ? ""
                  : ", decay = " +
                        std::to_string(0.5 + 0.5 * r.pick(0, 99) / 100.0) +
                        " : f64";
  if (batchRank >= 1 && r.coin(0.4)) { // one decay per index of dim 0
    decay = ", decays = array<f64: ";
    for (int64_t i = 0; i < batch[0]; ++i)
      decay += (i ? ", " : "") + std::to_string(0.5 + 0.5 * r.pick(0, 99) / 100.0);
    decay += ">, decays_dim = 0 : i64";
  }
  if (r.coin(0.1)) // an exclusive scan is not this form: declined
    decay += ", exclusive";
  std::string s = w.op("attn.cumsum " + outer + " {dim = " +
                           std::to_string(rank - 2) + " : i64" + decay + "}",
                       w.t(outer), shape({t, d, e}));
  std::string qx = w.op("attn.expand_dims " + q + " {dim = " +
                            std::to_string(rank - 1) + " : i64}",
                        w.t(q) + " -> " + type(shape({t, 1, d}), w.dynamic),
                        shape({t, 1, d}));
  std::string ox = w.op("attn.matmul " + qx + ", " + s,
                        w.t(qx) + ", " + w.t(s) + " -> " +
                            type(shape({t, 1, e}), w.dynamic),
                        shape({t, 1, e}));
  return w.finish({w.op("attn.squeeze " + ox + " {dim = " +
                            std::to_string(rank - 1) + " : i64}",
                        w.t(ox) + " -> " + type(shape({t, e}), w.dynamic),
                        shape({t, e}))});
}

} // namespace attn::test

#endif // ATTN_TEST_UNIT_RANDOMGRAPHS_H
