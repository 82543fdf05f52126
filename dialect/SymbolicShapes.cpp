//===- SymbolicShapes.cpp - sizes of a function in terms of its arguments -===//
#include "dialect/SymbolicShapes.h"
#include "dialect/AttnDialect.h"
#include "dialect/ShapeRules.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace attn;
using namespace mlir;

namespace {
RankedTensorType tensorType(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}
/// Whether dimension `i` of `v` is a static 1 (the only size that
/// broadcasts; a dynamic size that happens to be 1 does not).
bool staticOne(Value v, size_t i) {
  auto t = tensorType(v);
  return t && t.getDimSize(i) == 1;
}
} // namespace

SymbolicShapes::TermId SymbolicShapes::intern(Term::Kind kind, int64_t a,
                                              int64_t b) {
  auto key = std::make_tuple(int(kind), a, b);
  auto [it, inserted] = interned.try_emplace(key, terms.size());
  if (inserted) {
    terms.push_back(Term{kind, a, b});
    parent.push_back(it->second);
    origin.push_back(nullptr);
  }
  return it->second;
}

SymbolicShapes::TermId SymbolicShapes::opaque() {
  return intern(Term::Opaque, opaqueCount++, 0);
}

SymbolicShapes::TermId SymbolicShapes::ceilDiv(TermId n, int64_t d) {
  if (d == 1)
    return n;
  if (auto c = constantOf(n))
    return constant(*c / d + (*c % d != 0));
  return intern(Term::CeilDiv, find(n), d);
}

SymbolicShapes::TermId SymbolicShapes::find(TermId t) const {
  while (parent[t] != t) {
    parent[t] = parent[parent[t]];
    t = parent[t];
  }
  return t;
}

void SymbolicShapes::unify(TermId a, TermId b, Operation *op) {
  for (TermId t : {a, b})
    if (!origin[t])
      origin[t] = op;
  TermId ra = find(a), rb = find(b);
  if (ra == rb)
    return;
  // The root of a class is its constant, else its earliest argument size,
  // so that relations read "later argument == earlier one".
  auto rank = [&](TermId t) {
    const Term &x = terms[t];
    if (x.kind == Term::Constant)
      return std::make_tuple(0, int64_t(0), int64_t(0));
    if (x.kind == Term::ArgDim)
      return std::make_tuple(1, x.a, x.b);
    return std::make_tuple(2, int64_t(t), int64_t(0));
  };
  if (rank(rb) < rank(ra))
    std::swap(ra, rb);
  // Two different constants: the verifiers report it; nothing to record.
  if (terms[ra].kind == Term::Constant && terms[rb].kind == Term::Constant)
    return;
  parent[rb] = ra;
}

bool SymbolicShapes::equal(TermId a, TermId b) const {
  if (find(a) == find(b))
    return true;
  const Term &x = terms[a], &y = terms[b];
  // ceil(n / d) == ceil(m / d) when n == m (the classes are not closed
  // under congruence as they grow).
  return x.kind == Term::CeilDiv && y.kind == Term::CeilDiv && x.b == y.b &&
         equal(TermId(x.a), TermId(y.a));
}

std::optional<int64_t> SymbolicShapes::constantOf(TermId t) const {
  const Term &root = terms[find(t)];
  if (root.kind == Term::Constant)
    return root.a;
  return std::nullopt;
}

llvm::ArrayRef<SymbolicShapes::TermId>
SymbolicShapes::sizesOf(Value v) const {
  auto it = sizes.find(v);
  return it == sizes.end() ? llvm::ArrayRef<TermId>() : it->second;
}

SymbolicShapes::TermId SymbolicShapes::argSize(unsigned arg,
                                               unsigned dim) const {
  return sizesOf(func.getArgument(arg))[dim];
}

SymbolicShapes::TermId SymbolicShapes::broadcast(Value a, Value b, size_t ia,
                                                 size_t ib, Operation *op) {
  TermId x = sizesOf(a)[ia], y = sizesOf(b)[ib];
  if (staticOne(a, ia))
    return y;
  if (staticOne(b, ib))
    return x;
  unify(x, y, op);
  return x;
}

SymbolicShapes::SymbolicShapes(func::FuncOp f) : func(f) {
  for (auto [i, arg] : llvm::enumerate(f.getArguments())) {
    auto t = tensorType(arg);
    if (!t)
      continue;
    auto &s = sizes[arg];
    for (int64_t d = 0; d < t.getRank(); ++d)
      s.push_back(t.isDynamicDim(d) ? intern(Term::ArgDim, i, d)
                                    : constant(t.getDimSize(d)));
  }
  if (f.isExternal())
    return;
  for (Operation &op : f.getBody().front())
    analyse(&op);
}

void SymbolicShapes::analyse(Operation *op) {
  auto operandsKnown = llvm::all_of(op->getOperands(), [&](Value v) {
    return sizes.count(v) && tensorType(v);
  });
  // The sizes its shape rules compute (empty: from the result type only).
  llvm::SmallVector<TermId, 4> res;
  auto in = [&](unsigned i) { return llvm::ArrayRef<TermId>(sizes[op->getOperand(i)]); };
  auto rankOf = [&](unsigned i) { return in(i).size(); };
  if (operandsKnown && isa<AttnDialect>(op->getDialect())) {
    llvm::TypeSwitch<Operation *>(op)
        .Case([&](MatmulOp o) {
          size_t r = rankOf(0);
          if (rankOf(1) != r || r < 2)
            return;
          bool ta = o.getTransposeLhs(), tb = o.getTransposeRhs();
          unify(in(0)[ta ? r - 2 : r - 1], in(1)[tb ? r - 1 : r - 2], op);
          for (size_t i = 0; i + 2 < r; ++i)
            res.push_back(broadcast(o.getLhs(), o.getRhs(), i, i, op));
          res.push_back(in(0)[ta ? r - 1 : r - 2]);
          res.push_back(in(1)[tb ? r - 2 : r - 1]);
        })
        .Case([&](TransposeOp o) {
          for (int64_t p : o.getPermutation())
            if (p >= 0 && size_t(p) < rankOf(0))
              res.push_back(in(0)[p]);
        })
        .Case([&](ExpandDimsOp o) {
          res.assign(in(0).begin(), in(0).end());
          int64_t d = o.getDim() < 0 ? o.getDim() + rankOf(0) + 1 : o.getDim();
          if (d >= 0 && size_t(d) <= res.size())
            res.insert(res.begin() + d, constant(1));
        })
        .Case([&](SqueezeOp o) {
          res.assign(in(0).begin(), in(0).end());
          int64_t d = normalizeDim(o.getDim(), rankOf(0));
          if (d >= 0)
            res.erase(res.begin() + d);
        })
        .Case([&](ChunkOp o) {
          res.assign(in(0).begin(), in(0).end());
          int64_t d = normalizeDim(o.getDim(), rankOf(0));
          if (d < 0 || o.getSize() <= 0)
            return res.clear();
          res[d] = ceilDiv(in(0)[d], o.getSize());
          res.insert(res.begin() + d + 1, constant(o.getSize()));
        })
        .Case([&](UnchunkOp o) {
          int64_t d = normalizeDim(o.getDim(), rankOf(1));
          if (d < 0 || rankOf(0) != rankOf(1) + 1)
            return;
          res.assign(in(0).begin(), in(0).end());
          res.erase(res.begin() + d + 1);
          res[d] = in(1)[d];
        })
        .Case<LayerNormOp, RmsNormOp>([&](Operation *) {
          res.assign(in(0).begin(), in(0).end());
          for (unsigned i = 1; i < op->getNumOperands(); ++i)
            if (rankOf(i) == 1 && !res.empty())
              unify(in(i)[0], res.back(), op);
        })
        .Case([&](NormalizeOp o) {
          size_t r = rankOf(0);
          res.assign(in(0).begin(), in(0).end());
          if (rankOf(1) != r)
            return;
          for (size_t i = 0; i < r; ++i)
            if (!staticOne(o.getDen(), i))
              unify(in(0)[i], in(1)[i], op);
        })
        .Case([&](FeatureMapOp o) {
          res.assign(in(0).begin(), in(0).end());
          if (o.getProjection() && rankOf(1) == 2 && !res.empty()) {
            unify(in(1)[1], res.back(), op);
            res.back() = in(1)[0];
          }
        })
        .Case<RowSumOp, LastOp>([&](auto o) {
          res.assign(in(0).begin(), in(0).end());
          int64_t d = normalizeDim(o.getDim(), rankOf(0));
          if (d >= 0)
            res[d] = constant(1);
        })
        .Case([&](CumsumOp o) {
          res.assign(in(0).begin(), in(0).end());
          int64_t d = normalizeDim(o.getDim(), rankOf(0));
          if (o.getInit() && rankOf(1) == res.size())
            for (size_t i = 0; i < res.size(); ++i)
              if (int64_t(i) != d)
                unify(in(1)[i], res[i], op);
        })
        .Case([&](DepthwiseConv2dOp o) {
          size_t r = rankOf(0);
          if (rankOf(1) != r || r < 3)
            return;
          for (size_t i = 0; i + 3 < r; ++i)
            res.push_back(broadcast(o.getInput(), o.getKernel(), i, i, op));
          res.append({in(0)[r - 3], in(0)[r - 2], in(0)[r - 1]});
          if (!staticOne(o.getKernel(), r - 1))
            unify(in(1)[r - 1], in(0)[r - 1], op);
        })
        .Case<AddOp, SubOp, MulOp, DivOp, MaxOp>([&](Operation *) {
          if (rankOf(1) != rankOf(0))
            return;
          for (size_t i = 0; i < rankOf(0); ++i)
            res.push_back(broadcast(op->getOperand(0), op->getOperand(1), i,
                                    i, op));
        })
        .Case([&](AttentionOp o) {
          size_t r = rankOf(0);
          if (rankOf(1) != r || rankOf(2) != r || r < 2)
            return;
          unify(in(0)[r - 1], in(1)[r - 1], op);
          unify(in(1)[r - 2], in(2)[r - 2], op);
          for (size_t i = 0; i + 2 < r; ++i) {
            TermId qk = broadcast(o.getQuery(), o.getKey(), i, i, op);
            // v broadcasts against the broadcast of q and k.
            bool qkOne = staticOne(o.getQuery(), i) && staticOne(o.getKey(), i);
            if (staticOne(o.getValue(), i))
              res.push_back(qk);
            else if (qkOne)
              res.push_back(in(2)[i]);
            else {
              unify(qk, in(2)[i], op);
              res.push_back(qk);
            }
          }
          res.push_back(in(0)[r - 2]);
          res.push_back(in(2)[r - 1]);
        })
        .Case([&](AssertSizeOp o) {
          if (o.getLhsDim() < 0 || size_t(o.getLhsDim()) >= rankOf(0))
            return;
          TermId lhs = in(0)[o.getLhsDim()];
          if (o.getRhs()) {
            if (*o.getRhsDim() >= 0 && size_t(*o.getRhsDim()) < rankOf(1))
              unify(lhs, in(1)[*o.getRhsDim()], op);
          } else if (o.getSize()) {
            unify(lhs, constant(*o.getSize()), op);
          }
        })
        .Default([&](Operation *) {
          // Shape-preserving: softmax, causal_mask, scale, divide_by_size,
          // the unary elementwise ops.
          if (op->getNumOperands() > 0)
            res.assign(in(0).begin(), in(0).end());
        });
  }
  for (Value result : op->getResults()) {
    auto t = tensorType(result);
    if (!t)
      continue;
    auto &s = sizes[result];
    bool computed = result == op->getResult(0) &&
                    res.size() == size_t(t.getRank());
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (!t.isDynamicDim(d)) {
        // A declared static size: the computed one must equal it.
        TermId c = constant(t.getDimSize(d));
        if (computed)
          unify(res[d], c, op);
        s.push_back(c);
      } else {
        s.push_back(computed ? res[d] : opaque());
      }
    }
  }
}

std::vector<SymbolicShapes::Relation>
SymbolicShapes::argumentRelations() const {
  std::vector<Relation> out;
  llvm::DenseMap<TermId, std::pair<unsigned, unsigned>> firstArg;
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    auto t = tensorType(arg);
    if (!t)
      continue;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (!t.isDynamicDim(d))
        continue;
      TermId self = argSize(i, d), root = find(self);
      Relation r{unsigned(i), unsigned(d)};
      r.origin = origin[self];
      if (terms[root].kind == Term::Constant) {
        r.constant = terms[root].a;
        out.push_back(r);
        continue;
      }
      auto [it, first] = firstArg.try_emplace(root, i, d);
      if (first)
        continue;
      r.otherArg = it->second.first;
      r.otherDim = it->second.second;
      out.push_back(r);
    }
  }
  return out;
}

bool SymbolicShapes::implies(const Relation &r) const {
  auto hasDim = [&](int64_t arg, int64_t dim) {
    return arg >= 0 && arg < int64_t(func.getNumArguments()) &&
           dim >= 0 && size_t(dim) < sizesOf(func.getArgument(arg)).size();
  };
  if (!hasDim(r.arg, r.dim))
    return false;
  TermId self = argSize(r.arg, r.dim);
  if (r.otherArg < 0)
    return constantOf(self) == r.constant;
  if (!hasDim(r.otherArg, r.otherDim))
    return false;
  return equal(self, argSize(r.otherArg, r.otherDim));
}

std::string SymbolicShapes::describe(TermId t) const {
  const Term &root = terms[find(t)];
  const Term &self = terms[t];
  // Prefer what the class is (a constant, an argument size) over how this
  // member was computed.
  const Term &x = root.kind == Term::Constant || root.kind == Term::ArgDim
                      ? root
                      : self;
  switch (x.kind) {
  case Term::Constant:
    return std::to_string(x.a);
  case Term::ArgDim:
    return "a" + std::to_string(x.a) + "." + std::to_string(x.b);
  case Term::CeilDiv: {
    std::string n = describe(TermId(x.a));
    return n.empty() ? n
                     : "ceil(" + n + "/" + std::to_string(x.b) + ")";
  }
  case Term::Opaque:
    return "";
  }
  return "";
}
