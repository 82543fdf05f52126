//===- Lowering.cpp - attn function -> Halide pipeline --------------------===//
//
// Every value is a Halide Func over MLIR-ordered indices; Halide's own
// argument order is the reverse (its dimension 0 is the innermost, the last
// MLIR dimension), so `at()` reverses when it calls a Func. Reductions and
// scans are explicit update definitions so that Schedule.cpp can order,
// vectorise and parallelise their loops. Pointwise Funcs are inlined unless
// a reduction reads each element many times (products, norms, softmax: then
// they are materialised once); plain sums inline them.
//
//===----------------------------------------------------------------------===//
#include "lib/Halide/Lowering.h"
#include "lib/Halide/DeviceCode.h"
#include "lib/Halide/Schedule.h"

#include "dialect/ArgumentNames.h"
#include "dialect/AttnDialect.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <limits>
#include <map>
#include <set>
#include <optional>

using namespace attn;
using namespace attn::hl;
using Halide::Expr;
using Halide::Func;
using Halide::RDom;
using Halide::Var;
using mlir::Operation;

namespace {
constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

struct Value {
  Func f;
  std::vector<Expr> ext; ///< extents, MLIR order
  Shape shape;           ///< static extents or kDyn, MLIR order
  size_t rank() const { return ext.size(); }
};

using Index = std::vector<Expr>;

Index vars(size_t rank) {
  Index x;
  for (size_t i = 0; i < rank; ++i)
    x.push_back(Var("d" + std::to_string(i)));
  return x;
}

std::vector<Var> asVars(const Index &x) {
  std::vector<Var> v;
  for (auto it = x.rbegin(); it != x.rend(); ++it)
    v.push_back(Var(it->as<Halide::Internal::Variable>()->name));
  return v;
}

/// `f` at an MLIR-ordered index (Halide's arguments are the reverse).
Halide::FuncRef at(const Func &f, const Index &idx) {
  return Func(f)(std::vector<Expr>(idx.rbegin(), idx.rend()));
}

Expr at(const Value &v, const Index &idx) { return at(v.f, idx); }

Index withDim(Index idx, size_t dim, Expr e) {
  idx[dim] = std::move(e);
  return idx;
}

template <typename List> List without(List list, size_t dim) {
  list.erase(list.begin() + dim);
  return list;
}

Index withInserted(Index idx, size_t dim, Expr e) {
  idx.insert(idx.begin() + dim, std::move(e));
  return idx;
}

Expr lowestOf(Halide::Type t) {
  return t.bits() == 64 ? Expr(std::numeric_limits<double>::lowest())
                        : Expr(std::numeric_limits<float>::lowest());
}

Halide::Type halideType(mlir::Type t) {
  return mlir::getElementTypeOrSelf(t).isF64() ? Halide::Float(64)
                                               : Halide::Float(32);
}

std::string locationOf(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto loc = mlir::dyn_cast<mlir::FileLineColLoc>(op->getLoc()))
    os << loc.getFilename().getValue() << ":" << loc.getLine() << ":"
       << loc.getColumn() << ": ";
  os << "'" << op->getName() << "': ";
  return s;
}

/// Extents and static shape of `a` reduced along `dim` (kept with size 1).
std::pair<std::vector<Expr>, Shape> reducedAlong(const Value &a, size_t dim) {
  Shape shape = a.shape;
  shape[dim] = 1;
  return {withDim(a.ext, dim, Expr(1)), shape};
}

/// What an attn.cumsum computes, in the Builder's terms.
struct ScanSpec {
  size_t dim;
  bool exclusive;
  double decay;
  std::optional<llvm::ArrayRef<double>> decays;
  size_t decaysDim;
  const Value *init; ///< the carry before the first element; null: 0
};

ScanSpec scanSpec(CumsumOp o, const Value *init) {
  int64_t rank = mlir::cast<mlir::RankedTensorType>(o.getType()).getRank();
  return ScanSpec{
      (size_t)normalizeDim(o.getDim(), rank),
      o.getExclusive(),
      o.getDecay() ? o.getDecay()->convertToDouble() : 1.0,
      o.getDecays(),
      o.getDecaysDim() ? (size_t)normalizeDim(*o.getDecaysDim(), rank) : 0,
      init};
}

/// attn.last of an inclusive attn.cumsum along the same dimension.
bool isLastOfScan(LastOp l) {
  auto scan = l.getInput().getDefiningOp<CumsumOp>();
  int64_t rank = mlir::cast<mlir::RankedTensorType>(l.getType()).getRank();
  return scan && !scan.getExclusive() &&
         normalizeDim(scan.getDim(), rank) == normalizeDim(l.getDim(), rank);
}

class Builder {
public:
  Builder(LoweredFunction &lf, Halide::Type type, bool forGpu)
      : lf(lf), type(type), forGpu(forGpu) {}

  /// Where messages of run-time checks say the check came from.
  std::string where;

  // --- building blocks -----------------------------------------------------

  Value pointwise(const std::string &name, std::vector<Expr> ext, Shape shape,
                  const std::function<Expr(const Index &)> &body,
                  bool exactName = false) {
    Value v{Func(exactName ? name : unique(name)), std::move(ext),
            std::move(shape)};
    Index x = vars(v.rank());
    Expr e = body(x);
    int depth = 1 + depthOfCalls(e); // of the chained ones too
    v.f(asVars(x)) = Halide::cast(type, fuseChained(e));
    candidates[v.f.name()] = Stage{v.f, StageKind::Pointwise, v.shape};
    depths[v.f.name()] = depth;
    return v;
  }

  /// How many pointwise definitions deep `v` is once Halide inlines the
  /// ones it calls (0 for a stored value). Halide's compile time grows
  /// faster than linearly with it (value bounds of nested expressions).
  int inlineDepth(const Value &v) const {
    auto it = depths.find(v.f.name());
    return it != depths.end() && candidates.count(v.f.name()) ? it->second : 0;
  }
  int depthOfCalls(const Expr &e) const {
    class Deepest : public Halide::Internal::IRVisitor {
    public:
      explicit Deepest(const Builder &b) : b(b) {}
      using IRVisitor::visit;
      void visit(const Halide::Internal::Call *call) override {
        auto it = b.depths.find(call->name);
        if (it != b.depths.end() && b.candidates.count(call->name))
          depth = std::max(depth, it->second);
        IRVisitor::visit(call);
      }
      const Builder &b;
      int depth = 0;
    } deepest(*this);
    e.accept(&deepest);
    return deepest.depth;
  }

  /// Marks the pointwise value `v` as read by one op only (the next one to
  /// be lowered): a pointwise op reading it takes its definition into its
  /// own instead of calling it. A chain of n pointwise ops then reaches
  /// Halide as one Func, not n: Halide's inlining and bounds inference grow
  /// quadratically with chained Funcs (800 elementwise ops took 14 s to
  /// JIT-compile).
  void readOnceBy(const Value &v) {
    std::string name = v.f.name();
    if (candidates.count(name) && !viewSources.count(name))
      chained.insert(name);
  }
  void forgetReadOnce() { chained.clear(); }

  /// The reduction variable of a sum or product over `extent` positions of
  /// its operand's dimension `dim`, named after the dimension: reductions
  /// along the same one have loops of the same name, which Halide's
  /// compute_with needs to run them as one loop on the CPU (findSiblingSums,
  /// sumSharesProductLoop: AFT's two sums, K^T V and the sum of phi(K)).
  RDom summing(Expr extent, size_t dim) {
    return RDom(0, std::move(extent), "sum_along_" + std::to_string(dim));
  }

  /// A reduction: f = 0 (or `init`), then f op= body(x, r) over r.
  Value reduction(const std::string &name, std::vector<Expr> ext, Shape shape,
                  Expr init, int64_t reductionSize,
                  const std::function<Expr(const Index &, Expr)> &update,
                  StageKind kind = StageKind::Reduction) {
    Value v{Func(unique(name)), std::move(ext), std::move(shape)};
    Index x = vars(v.rank());
    std::vector<Var> args = asVars(x);
    v.f(args) = Halide::cast(type, init);
    v.f(args) = update(x, v.f(args));
    lf.stages.push_back(Stage{v.f, kind, v.shape, reductionSize});
    return v;
  }

  /// A reduction reads its inputs many times: compute them once. A view
  /// (a reshape of another value) is not copied: its source is computed
  /// once and the view stays an index mapping inlined into its readers.
  void materialize(const Value &v) {
    if (auto view = viewSources.find(v.f.name()); view != viewSources.end())
      return materialize(view->second);
    chained.erase(v.f.name());
    auto it = candidates.find(v.f.name());
    if (it == candidates.end())
      return;
    lf.stages.push_back(it->second);
    candidates.erase(it);
  }

  /// Adds a run-time check `a == b` unless it holds by construction; the
  /// generated code reports "<location> '<op>': <what> (got A vs B)".
  void requireEqual(Expr a, Expr b, const std::string &what) {
    if (Halide::Internal::can_prove(a == b))
      return;
    using Halide::Internal::StringImm;
    lf.requirements.push_back(
        {a == b,
         {StringImm::make("attn: " + lf.name + ": " + where + what + " (got "),
          a, StringImm::make(" vs "), b, StringImm::make(")")}});
  }

  /// Extent of a broadcast dimension: a static 1 stretches to the other.
  Expr broadcastExtent(const Value &a, const Value &b, size_t i,
                       const std::string &what) {
    if (a.shape[i] == 1 && b.shape[i] != 1)
      return b.ext[i];
    if (b.shape[i] == 1)
      return a.ext[i];
    requireEqual(a.ext[i], b.ext[i], what + " dimension " + std::to_string(i));
    return a.ext[i];
  }

  static int64_t broadcastStatic(int64_t a, int64_t b) {
    if (a == 1)
      return b;
    if (b == 1)
      return a;
    return a == kDyn ? b : a;
  }

  /// Index into `v` for a result index `x`, broadcasting static-1 dims.
  static Index broadcastIndex(const Value &v, const Index &x) {
    Index idx;
    size_t lead = x.size() - v.rank();
    for (size_t i = 0; i < v.rank(); ++i)
      idx.push_back(v.shape[i] == 1 ? Expr(0) : x[lead + i]);
    return idx;
  }

  // --- ops -------------------------------------------------------------------

  Value matmul(const Value &a, const Value &bIn, bool ta, bool tbIn) {
    size_t r = a.rank();
    // The schedule vectorises along the rows of rhs; a transposed rhs would
    // make those loads strided gathers, so it is transposed once, in O(size)
    // (unless the result is a single column, which is not vectorised).
    Value b = bIn;
    bool tb = tbIn;
    if (tb && bIn.shape[r - 2] != 1) {
      b = transposeLast(bIn);
      tb = false;
    }
    Expr k = ta ? a.ext[r - 2] : a.ext[r - 1];
    requireEqual(k, tb ? b.ext[r - 1] : b.ext[r - 2],
                 "contraction size K of lhs and rhs");
    std::vector<Expr> ext;
    Shape shape;
    for (size_t i = 0; i + 2 < r; ++i) {
      ext.push_back(broadcastExtent(a, b, i, "batch"));
      shape.push_back(broadcastStatic(a.shape[i], b.shape[i]));
    }
    ext.push_back(ta ? a.ext[r - 1] : a.ext[r - 2]);
    ext.push_back(tb ? b.ext[r - 2] : b.ext[r - 1]);
    shape.push_back(ta ? a.shape[r - 1] : a.shape[r - 2]);
    shape.push_back(tb ? b.shape[r - 2] : b.shape[r - 1]);
    int64_t kStatic = ta ? a.shape[r - 2] : a.shape[r - 1];
    // The operands as the product reads them (clamped below).
    Value la = a, lb = b;
    auto element = [&](const Index &x, Expr kk) {
      Index ia = broadcastIndex(la, x), ib = broadcastIndex(lb, x);
      ia[r - 2] = ta ? kk : x[r - 2];
      ia[r - 1] = ta ? x[r - 2] : kk;
      ib[r - 2] = tb ? x[r - 1] : kk;
      ib[r - 1] = tb ? kk : x[r - 1];
      return at(la, ia) * at(lb, ib);
    };
    // An outer product (K = 1) is elementwise: left for its consumer to
    // inline, e.g. a scan that needs one row of it at a time.
    if (kStatic == 1)
      return pointwise("outer", ext, shape,
                       [&](const Index &x) { return element(x, Expr(0)); });
    materialize(a);
    materialize(b);
    RDom rk = summing(k, ta ? r - 2 : r - 1);
    // A long dynamic reduction onto a static result (K^T V over the
    // sequence) is split into chunks by the schedules, the last one ragged:
    // its operands are read through views clamped along K (the same values:
    // rk stays below k), so that a schedule may load a whole step of the
    // last chunk ahead, past the end, without reading out of bounds. Only
    // for results of whole 64 x 64 tiles, the ones the GPU schedule stages
    // so (the CPU's ran 5% slower with the clamp).
    int64_t rows = shape[r - 2], cols = shape[r - 1];
    if (forGpu && kStatic == kDyn && rows != kDyn && rows % 64 == 0 &&
        cols != kDyn && cols % 64 == 0 &&
        llvm::none_of(shape, [](int64_t e) { return e == kDyn; })) {
      la = clampedAlong(a, ta ? r - 2 : r - 1);
      lb = clampedAlong(b, tb ? r - 1 : r - 2);
    }
    Value acc = reduction(
        "matmul_acc", ext, shape, 0, kStatic,
        [&](const Index &x, Expr sum) { return sum + element(x, rk.x); },
        StageKind::Matmul);
    Value v{Func(unique("matmul")), acc.ext, acc.shape};
    Index x = vars(v.rank());
    v.f(asVars(x)) = at(acc, x);
    Stage &stage = lf.stages.back();
    stage.product = acc.f;
    stage.func = v.f;
    stage.extents = acc.ext;
    stage.lhs = la.f;
    if (!tb) // a one-column product keeps its rhs transposed
      stage.rhs = lb.f;
    stage.lhsTransposed = ta;
    stage.rhsIsTranspose = tb != tbIn;
    return v;
  }

  Value transpose(const Value &a, llvm::ArrayRef<int64_t> perm) {
    std::vector<Expr> ext;
    Shape shape;
    for (int64_t p : perm) {
      ext.push_back(a.ext[p]);
      shape.push_back(a.shape[p]);
    }
    return pointwise("transpose", ext, shape, [&](const Index &x) {
      Index idx(x.size());
      for (size_t i = 0; i < perm.size(); ++i)
        idx[perm[i]] = x[i];
      return at(a, idx);
    });
  }

  /// `a` with its two innermost dimensions swapped.
  Value transposeLast(const Value &a) {
    llvm::SmallVector<int64_t> perm;
    for (size_t i = 0; i < a.rank(); ++i)
      perm.push_back(i);
    std::swap(perm[a.rank() - 1], perm[a.rank() - 2]);
    return transpose(a, perm);
  }

  Value expandDims(const Value &a, size_t dim) {
    std::vector<Expr> ext = a.ext;
    ext.insert(ext.begin() + dim, 1);
    Shape shape = a.shape;
    shape.insert(shape.begin() + dim, 1);
    return view(a, pointwise("expand_dims", ext, shape, [&](const Index &x) {
                  return at(a, without(x, dim));
                }));
  }

  /// Marks `v` as a reshape of `source`, or a cheap selection of its
  /// elements (see materialize).
  Value view(const Value &source, Value v) {
    viewSources.emplace(v.f.name(), source);
    return v;
  }

  /// `a` read with its index along `dim` clamped into range: the same
  /// values in range, the edge beyond it.
  Value clampedAlong(const Value &a, size_t dim) {
    return view(a, clampedCopy(a, dim, "clamped"));
  }

  /// `a` with its positions along `dim` clamped to its extent, as a Func of
  /// its own: materialised, a copy a schedule may compute past the end.
  Value clampedCopy(const Value &a, size_t dim, const std::string &name) {
    return pointwise(name, a.ext, a.shape, [&](const Index &x) {
      Expr last = a.ext[dim] - 1;
      return at(a, withDim(x, dim, Halide::min(x[dim], last)));
    });
  }

  Value squeeze(const Value &a, size_t dim) {
    return view(a, pointwise("squeeze", without(a.ext, dim),
                             without(a.shape, dim), [&](const Index &x) {
                               return at(a, withInserted(x, dim, 0));
                             }));
  }

  /// [.., T, ..] -> [.., ceil(T/C), C, ..], zeros past the end.
  Value chunk(const Value &a, size_t dim, int64_t size) {
    Expr t = a.ext[dim];
    std::vector<Expr> ext = a.ext;
    ext[dim] = (t + (int)size - 1) / (int)size;
    ext.insert(ext.begin() + dim + 1, (int)size);
    Shape shape = a.shape;
    shape[dim] = shape[dim] == kDyn ? kDyn : (shape[dim] + size - 1) / size;
    shape.insert(shape.begin() + dim + 1, size);
    return view(a, pointwise("chunk", ext, shape, [&](const Index &x) {
                  Expr pos = x[dim] * (int)size + x[dim + 1];
                  Index src = without(x, dim + 1);
                  // Clamped, and promised to be in [0, t): bounds inference
                  // takes clamp(.., 0, t - 1) of an empty range for one
                  // element, which an empty `a` (T = 0) does not have.
                  src[dim] = Halide::unsafe_promise_clamped(
                      Halide::clamp(Halide::likely(pos), 0, t - 1), 0, t - 1);
                  return Halide::select(Halide::likely(pos < t), at(a, src),
                                        constant(0));
                }));
  }

  /// [.., N, C, ..] -> [.., T, ..] with T from `like`.
  Value unchunk(const Value &a, const Value &like, size_t dim) {
    Expr size = a.ext[dim + 1];
    requireEqual(Halide::min(a.ext[dim] * size, like.ext[dim]), like.ext[dim],
                 "chunks * chunk size against the length of 'like'");
    std::vector<Expr> ext = without(a.ext, dim + 1);
    ext[dim] = like.ext[dim];
    Shape shape = without(a.shape, dim + 1);
    shape[dim] = like.shape[dim];
    return view(a, pointwise("unchunk", ext, shape, [&](const Index &x) {
                  Index src = withInserted(x, dim + 1, x[dim] % size);
                  src[dim] = x[dim] / size;
                  return at(a, src);
                }));
  }

  /// sum_r body(y, r) along `dim` of `a`, as a Func of the other indices.
  Value sumAlong(const std::string &name, const Value &a, size_t dim,
                 const std::function<Expr(const Index &y, Expr r)> &term) {
    RDom r(0, a.ext[dim], unique("r"));
    Value v = reduction(
        name, without(a.ext, dim), without(a.shape, dim), 0, a.shape[dim],
        [&](const Index &y, Expr acc) { return acc + term(y, r.x); });
    lf.stages.back().alongInnermost = dim + 1 == a.rank();
    return v;
  }

  Value softmax(const Value &a, size_t dim) {
    materialize(a);
    RDom r(0, a.ext[dim], unique("r"));
    Value mx =
        reduction("row_max", without(a.ext, dim), without(a.shape, dim),
                  lowestOf(type), a.shape[dim], [&](const Index &y, Expr acc) {
                    return Halide::max(acc, at(a, withInserted(y, dim, r.x)));
                  });
    Value sum = sumAlong("row_expsum", a, dim, [&](const Index &y, Expr rx) {
      return Halide::exp(at(a, withInserted(y, dim, rx)) - at(mx, y));
    });
    return pointwise("softmax", a.ext, a.shape, [&](const Index &x) {
      Index y = without(x, dim);
      return Halide::exp(at(a, x) - at(mx, y)) / at(sum, y);
    });
  }

  Value causalMask(const Value &a, MaskFill fill) {
    size_t r = a.rank();
    Expr value = fill == MaskFill::zero ? Expr(0.0f) : lowestOf(type);
    // On the CPU, a chunk's C x C scores are stored masked, multiplied by 0
    // or 1 (the same values for finite scores; a consumer that selects is
    // not given a product's tiles, see Fusion): the product is tiled inside
    // the mask, and the product that reads the scores runs whole register
    // tiles (read through the select, it ran a triangular loop with a
    // select per element at a third of the speed).
    if (!forGpu && fill == MaskFill::zero && isStaticSquareProduct(a))
      return pointwise("causal_mask", a.ext, a.shape, [&](const Index &x) {
        return at(a, x) * constant(x[r - 1] <= x[r - 2]);
      });
    // Elsewhere a select per read is cheaper than a stored copy (T x T): a
    // view.
    return view(
        a, pointwise("causal_mask", a.ext, a.shape, [&](const Index &x) {
          return Halide::select(x[r - 1] > x[r - 2], constant(value), at(a, x));
        }));
  }

  /// Whether `a` is a product with a static square result (a chunk's
  /// scores).
  bool isStaticSquareProduct(const Value &a) const {
    size_t r = a.rank();
    if (r < 2 || a.shape[r - 1] == kDyn || a.shape[r - 1] != a.shape[r - 2])
      return false;
    return llvm::any_of(lf.stages, [&](const Stage &s) {
      return s.product.defined() && s.func.name() == a.f.name();
    });
  }

  Value layerNorm(const Value &a, const Value *gamma, const Value *beta,
                  double eps) {
    materialize(a);
    size_t last = a.rank() - 1;
    Expr n = Halide::cast(type, a.ext[last]);
    if (gamma)
      requireEqual(gamma->ext[0], a.ext[last], "size of gamma and input");
    if (beta)
      requireEqual(beta->ext[0], a.ext[last], "size of beta and input");
    Value sum = sumAlong("ln_sum", a, last, [&](const Index &y, Expr r) {
      return at(a, withInserted(y, last, r));
    });
    Value sq = sumAlong("ln_sqdev", a, last, [&](const Index &y, Expr r) {
      Expr dev = at(a, withInserted(y, last, r)) - at(sum, y) / n;
      return dev * dev;
    });
    return pointwise("layer_norm", a.ext, a.shape, [&](const Index &x) {
      Index y = without(x, last);
      Expr v = (at(a, x) - at(sum, y) / n) /
               Halide::sqrt(at(sq, y) / n + constant(eps));
      if (gamma)
        v = v * at(*gamma, {x[last]}) + at(*beta, {x[last]});
      return v;
    });
  }

  Value rmsNorm(const Value &a, const Value *gamma, double eps) {
    materialize(a);
    size_t last = a.rank() - 1;
    Expr n = Halide::cast(type, a.ext[last]);
    if (gamma)
      requireEqual(gamma->ext[0], a.ext[last], "size of gamma and input");
    Value sq = sumAlong("rms_sq", a, last, [&](const Index &y, Expr r) {
      Expr v = at(a, withInserted(y, last, r));
      return v * v;
    });
    return pointwise("rms_norm", a.ext, a.shape, [&](const Index &x) {
      Expr v =
          at(a, x) / Halide::sqrt(at(sq, without(x, last)) / n + constant(eps));
      return gamma ? v * at(*gamma, {x[last]}) : v;
    });
  }

  Value normalize(const Value &num, const Value &den, double eps) {
    size_t last = num.rank() - 1;
    for (size_t i = 0; i < last; ++i)
      if (den.shape[i] != 1)
        requireEqual(num.ext[i], den.ext[i],
                     "dimension " + std::to_string(i) + " of num and den");
    // One division per row (den is broadcast along it), then products.
    return pointwise("normalize", num.ext, num.shape, [&](const Index &x) {
      return at(num, x) *
             (constant(1) / (at(den, broadcastIndex(den, x)) + constant(eps)));
    });
  }

  Value featureMap(FeatureMapKind kind, const Value &a, const Value *w) {
    if (kind == FeatureMapKind::favor)
      return favor(a, *w);
    return pointwise("feature_map", a.ext, a.shape, [&](const Index &x) {
      Expr v = at(a, x);
      switch (kind) {
      case FeatureMapKind::relu:
        return Halide::max(v, constant(0));
      case FeatureMapKind::elu_plus_one:
        return Halide::select(v > 0, v + constant(1), Halide::exp(v));
      case FeatureMapKind::exp:
        return Halide::exp(v);
      default:
        return v;
      }
    });
  }

  /// phi(x)_i = m^{-1/2} exp(w_i . x - |x|^2 / 2).
  Value favor(const Value &a, const Value &w) {
    size_t last = a.rank() - 1;
    requireEqual(w.ext[1], a.ext[last], "projection columns and input size d");
    materialize(a);
    materialize(w);
    Value sq = sumAlong("favor_sq", a, last, [&](const Index &y, Expr r) {
      Expr v = at(a, withInserted(y, last, r));
      return v * v;
    });
    std::vector<Expr> ext = a.ext;
    ext[last] = w.ext[0];
    Shape shape = a.shape;
    shape[last] = w.shape[0];
    RDom r(0, a.ext[last], unique("r"));
    Value dot = reduction(
        "favor_dot", ext, shape, 0, a.shape[last],
        [&](const Index &x, Expr acc) {
          return acc + at(w, {x[last], r.x}) * at(a, withDim(x, last, r.x));
        });
    return pointwise("favor", ext, shape, [&](const Index &x) {
      return Halide::exp(at(dot, x) - at(sq, without(x, last)) / 2) /
             Halide::sqrt(Halide::cast(type, w.ext[0]));
    });
  }

  Value scale(const Value &a, Expr factor) {
    return pointwise("scale", a.ext, a.shape, [&](const Index &x) {
      return at(a, x) * constant(factor);
    });
  }

  /// Centred, zero-padded, same-size depthwise convolution over the two
  /// dimensions before the last.
  Value depthwiseConv2d(const Value &x, const Value &k) {
    size_t r = x.rank();
    std::vector<Expr> ext;
    Shape shape;
    for (size_t i = 0; i + 3 < r; ++i) {
      ext.push_back(broadcastExtent(x, k, i, "batch"));
      shape.push_back(broadcastStatic(x.shape[i], k.shape[i]));
    }
    for (size_t i = r - 3; i < r; ++i) {
      ext.push_back(x.ext[i]);
      shape.push_back(x.shape[i]);
    }
    if (k.shape[r - 1] != 1)
      requireEqual(k.ext[r - 1], x.ext[r - 1],
                   "kernel channels and input channels");
    for (size_t i : {r - 3, r - 2})
      requireEqual(k.ext[i] % 2, Expr(1),
                   "kernel size " + std::to_string(i) + " is odd");
    Expr ky = k.ext[r - 3], kx = k.ext[r - 2];
    // x with KY/2 and KX/2 zeros around the image, stored once: the taps
    // then read it without bounds tests in the inner loop.
    std::vector<Expr> padExt = x.ext;
    padExt[r - 3] = x.ext[r - 3] + ky - 1;
    padExt[r - 2] = x.ext[r - 2] + kx - 1;
    Shape padShape = x.shape;
    for (size_t i : {r - 3, r - 2})
      padShape[i] = x.shape[i] == kDyn || k.shape[i] == kDyn
                        ? kDyn
                        : x.shape[i] + k.shape[i] - 1;
    Value padded = pointwise("padded", padExt, padShape, [&](const Index &p) {
      Expr i = p[r - 3] - ky / 2, j = p[r - 2] - kx / 2;
      Expr inside = i >= 0 && i < x.ext[r - 3] && j >= 0 && j < x.ext[r - 2];
      Index xi = p;
      xi[r - 3] = Halide::clamp(i, 0, x.ext[r - 3] - 1);
      xi[r - 2] = Halide::clamp(j, 0, x.ext[r - 2] - 1);
      return Halide::select(inside, at(x, xi), constant(0));
    });
    materialize(padded);
    materialize(k);
    RDom rk(0, kx, 0, ky, unique("tap"));
    int64_t taps = k.shape[r - 3] == kDyn || k.shape[r - 2] == kDyn
                       ? kDyn
                       : k.shape[r - 3] * k.shape[r - 2];
    return reduction(
        "depthwise_conv2d", ext, shape, 0, taps,
        [&](const Index &o, Expr acc) {
          Index pi = broadcastIndex(padded, o), ki = broadcastIndex(k, o);
          pi[r - 3] = o[r - 3] + rk.y;
          pi[r - 2] = o[r - 2] + rk.x;
          ki[r - 3] = rk.y;
          ki[r - 2] = rk.x;
          return acc + at(k, ki) * at(padded, pi);
        },
        StageKind::Stencil);
  }

  /// A sum reads each element of `a` once: a pointwise `a` is inlined into
  /// it, not stored (AFT's exp(K) and exp(K) * V were two T x d buffers,
  /// written and read back).
  Value rowSum(const Value &a, size_t dim) {
    auto [ext, shape] = reducedAlong(a, dim);
    RDom r = summing(a.ext[dim], dim);
    Value v = reduction("row_sum", ext, shape, 0, a.shape[dim],
                        [&](const Index &x, Expr acc) {
                          return acc + at(a, withDim(x, dim, r.x));
                        });
    lf.stages.back().alongInnermost = dim + 1 == a.rank();
    return v;
  }

  /// The decay of the line through index `x`: a constant, or one value per
  /// index along `spec.decaysDim` from a constant table.
  Expr decayAt(const ScanSpec &spec, const Index &x) {
    if (!spec.decays)
      return constant(spec.decay);
    Halide::Buffer<> table(type, {(int)spec.decays->size()}, unique("decays"));
    for (size_t i = 0; i < spec.decays->size(); ++i) {
      if (type.bits() == 64)
        static_cast<double *>(table.data())[i] = (*spec.decays)[i];
      else
        static_cast<float *>(table.data())[i] = (float)(*spec.decays)[i];
    }
    return table(x[spec.decaysDim]);
  }

  /// The carry before the first element of the line through `x`.
  Expr carryAt(const ScanSpec &spec, const Value &a, const Index &x) {
    if (!spec.init)
      return constant(0);
    const Value &init = *spec.init;
    for (size_t i = 0; i < a.rank(); ++i)
      requireEqual(init.ext[i], i == spec.dim ? Expr(1) : a.ext[i],
                   "init dimension " + std::to_string(i));
    return at(init, withDim(x, spec.dim, 0));
  }

  Value cumsum(const Value &a, const ScanSpec &spec) {
    size_t dim = spec.dim;
    Value v{Func(unique("cumsum")), a.ext, a.shape};
    Index x = vars(a.rank());
    Expr t = x[dim], carry = carryAt(spec, a, x);
    Expr g = decayAt(spec, x);
    if (spec.exclusive)
      v.f(asVars(x)) = Halide::select(
          t == 0, carry, at(a, withDim(x, dim, Halide::max(t - 1, 0))));
    else if (spec.init)
      v.f(asVars(x)) =
          at(a, x) + Halide::select(t == 0, g * carry, constant(0));
    else
      v.f(asVars(x)) = at(a, x);
    // y_t += decay * y_{t-1}, t = 1 .. n-1, serially.
    RDom r(1, a.ext[dim] - 1, unique("t"));
    Index lhs = withDim(x, dim, r.x), prev = withDim(x, dim, r.x - 1);
    Expr carried = at(v, prev);
    if (spec.decays || spec.decay != 1.0)
      carried = carried * decayAt(spec, lhs);
    v.f(std::vector<Expr>(lhs.rbegin(), lhs.rend())) = at(v, lhs) + carried;
    lf.stages.push_back(Stage{v.f, StageKind::Scan, v.shape, a.shape[dim]});
    return v;
  }

  /// The last element of an inclusive scan of `a`, without storing the
  /// others: y = g^n carry + sum_s g^(n-1-s) a_s, accumulated in order.
  Value scanLast(const Value &a, const ScanSpec &spec) {
    size_t dim = spec.dim;
    auto [ext, shape] = reducedAlong(a, dim);
    Value v{Func(unique("scan_last")), ext, shape};
    Index x = vars(a.rank());
    std::vector<Var> args = asVars(x);
    v.f(args) = Halide::cast(type, carryAt(spec, a, x));
    RDom r(0, a.ext[dim], unique("t"));
    Expr next = at(a, withDim(x, dim, r.x));
    if (spec.decays || spec.decay != 1.0)
      v.f(args) = v.f(args) * decayAt(spec, x) + next;
    else
      v.f(args) = v.f(args) + next;
    lf.stages.push_back(
        Stage{v.f, StageKind::Reduction, v.shape, a.shape[dim]});
    return v;
  }

  /// The last element along `dim`; 0 where the dimension is empty (the
  /// index is promised in [0, n), an empty range then, so bounds inference
  /// asks nothing of an empty `a`).
  Value last(const Value &a, size_t dim) {
    auto [ext, shape] = reducedAlong(a, dim);
    Expr n = a.ext[dim];
    return pointwise("last", ext, shape, [&](const Index &x) {
      Expr i = Halide::unsafe_promise_clamped(Halide::max(n - 1, 0), 0, n - 1);
      return Halide::select(n > 0, at(a, withDim(x, dim, i)), constant(0));
    });
  }

  Value unary(Operation *op, const Value &a) {
    return pointwise(
        op->getName().stripDialect().str(), a.ext, a.shape,
        [&](const Index &x) -> Expr {
          Expr v = at(a, x);
          Expr one = constant(1);
          return llvm::TypeSwitch<Operation *, Expr>(op)
              .Case([&](ExpOp) { return Halide::exp(v); })
              .Case([&](SigmoidOp) { return one / (one + Halide::exp(-v)); })
              .Case([&](SiluOp) { return v / (one + Halide::exp(-v)); })
              .Case([&](ReluOp) { return Halide::max(v, constant(0)); })
              .Case([&](SquareOp) { return v * v; })
              .Case([&](NegOp) { return -v; })
              .Default([&](Operation *) { return v; });
        });
  }

  Value binary(Operation *op, const Value &a, const Value &b) {
    std::vector<Expr> ext;
    Shape shape;
    for (size_t i = 0; i < a.rank(); ++i) {
      ext.push_back(broadcastExtent(a, b, i, "broadcast"));
      shape.push_back(broadcastStatic(a.shape[i], b.shape[i]));
    }
    return pointwise(op->getName().stripDialect().str(), ext, shape,
                     [&](const Index &x) -> Expr {
                       Expr l = at(a, broadcastIndex(a, x));
                       Expr r = at(b, broadcastIndex(b, x));
                       return llvm::TypeSwitch<Operation *, Expr>(op)
                           .Case([&](AddOp) { return l + r; })
                           .Case([&](SubOp) { return l - r; })
                           .Case([&](MulOp) { return l * r; })
                           .Case([&](DivOp) { return l / r; })
                           .Case([&](MaxOp) { return Halide::max(l, r); })
                           .Default([&](Operation *) { return l; });
                     });
  }

  /// softmax(scale q k^T [causal]) v without a T x T buffer: two passes over
  /// the keys of a block of query rows (row max, then exp-sums and the
  /// weighted values). Causal rows only visit keys up to their index.
  /// Run-time checks of an attention's operands (named for the user).
  void requireAttentionShapes(const Value &q, const Value &k, const Value &v) {
    size_t r = q.rank();
    requireEqual(k.ext[r - 2], v.ext[r - 2],
                 "sequence lengths of key and value");
    requireEqual(q.ext[r - 1], k.ext[r - 1], "feature sizes of query and key");
  }

  /// Extents and static shape of attention(q, k, v): [.., Tq, e], the
  /// leading dimensions broadcast.
  std::pair<std::vector<Expr>, Shape>
  attentionExtents(const Value &q, const Value &k, const Value &v) {
    size_t r = q.rank();
    std::vector<Expr> ext;
    Shape shape;
    for (size_t i = 0; i + 2 < r; ++i) {
      Expr e = broadcastExtent(q, k, i, "batch");
      Value qk{q.f, q.ext, q.shape};
      qk.ext[i] = e;
      qk.shape[i] = broadcastStatic(q.shape[i], k.shape[i]);
      ext.push_back(broadcastExtent(qk, v, i, "batch"));
      shape.push_back(broadcastStatic(qk.shape[i], v.shape[i]));
    }
    ext.push_back(q.ext[r - 2]);
    shape.push_back(q.shape[r - 2]);
    ext.push_back(v.ext[r - 1]);
    shape.push_back(v.shape[r - 1]);
    return {ext, shape};
  }

  /// What both forms of softmax attention share: its shape and sizes, the
  /// operands as it reads them (`qf`, `kt`, `v`) and its output Func.
  FusedAttention attentionParts(const Shape &shape, const Value &q,
                                const Value &k, Func qf, Func kt, Func v) {
    size_t r = q.rank();
    FusedAttention g;
    g.shape = shape;
    g.rows = q.ext[r - 2];
    g.keys = k.ext[r - 2];
    g.depth = q.shape[r - 1];
    g.q = qf;
    g.kt = kt;
    g.v = v;
    g.out = Func(unique("attention"));
    return g;
  }

  Value fusedSoftmaxAttention(const Value &q, const Value &k, const Value &v,
                              Expr factor, bool causal) {
    size_t r = q.rank();
    if (forGpu)
      if (std::optional<int> rows =
              gpuOnlineAttentionRows(v.shape[r - 1], q.shape[r - 1]))
        return onlineSoftmaxAttention(q, k, v, factor, causal, *rows);
    auto [ext, shape] = attentionExtents(q, k, v);
    std::vector<Expr> rowsExt(ext.begin(), ext.end() - 1);
    Shape rowsShape(shape.begin(), shape.end() - 1);
    std::vector<Expr> scoresExt = rowsExt;
    Shape scoresShape = rowsShape;
    scoresExt.push_back(k.ext[r - 2]);
    scoresShape.push_back(k.shape[r - 2]);

    Value kt = transposeLast(k); // [.., d, Tk]: key rows contiguous
    materialize(kt);
    materialize(q);
    materialize(v);

    FusedAttention g = attentionParts(shape, q, k, q.f, kt.f, v.f);
    g.scores = Func(unique("attention_scores"));
    g.rowMax = Func(unique("attention_row_max"));
    g.rowSum = Func(unique("attention_row_sum"));
    g.weighted = Func(unique("attention_weighted"));
    Index xs = vars(r), xr = vars(r - 1), xo = vars(r);
    // scores(.., i, j) = scale * sum_c q(.., i, c) kt(.., c, j)
    RDom rc(0, q.ext[r - 1], unique("c"));
    g.scores(asVars(xs)) = constant(0);
    {
      Index iq = broadcastIndex(q, xs), ik = broadcastIndex(kt, xs);
      iq[r - 1] = rc.x;
      ik[r - 2] = rc.x;
      g.scores(asVars(xs)) += at(q, iq) * at(kt, ik);
    }
    Value scores{g.scores, scoresExt, scoresShape};
    Expr scale = Halide::cast(type, factor);
    auto keys = [&](const Index &rows) {
      RDom rj(0, k.ext[r - 2], unique("j"));
      if (causal)
        rj.where(rj.x <= rows[r - 2]);
      return rj;
    };
    RDom rj = keys(xr);
    Expr s = at(scores, withInserted(xr, r - 1, rj.x)) * scale;
    g.rowMax(asVars(xr)) = lowestOf(type);
    g.rowMax(asVars(xr)) = Halide::max(g.rowMax(asVars(xr)), s);
    Value rowMax{g.rowMax, rowsExt, rowsShape};
    // exp(s - max) once per score of the block, read by the sum and the
    // weighted values.
    g.probs = Func(unique("attention_probs"));
    g.probs(asVars(xs)) =
        Halide::exp(at(scores, xs) * scale - at(rowMax, without(xs, r - 1)));
    Value probs{g.probs, scoresExt, scoresShape};
    RDom rj2 = keys(xr);
    g.rowSum(asVars(xr)) = constant(0);
    g.rowSum(asVars(xr)) += at(probs, withInserted(xr, r - 1, rj2.x));
    Value rowSumV{g.rowSum, rowsExt, rowsShape};
    Index xw = without(xo, r - 1);
    RDom rj3 = keys(xw);
    g.weighted(asVars(xo)) = constant(0);
    {
      Index iv = broadcastIndex(v, xo);
      iv[r - 2] = rj3.x;
      g.weighted(asVars(xo)) +=
          at(probs, withInserted(xw, r - 1, rj3.x)) * at(v, iv);
    }
    Value weighted{g.weighted, ext, shape};
    g.out(asVars(xo)) = at(weighted, xo) / at(rowSumV, without(xo, r - 1));
    lf.attentions.push_back(g);
    lf.stages.push_back(
        Stage{g.out, StageKind::FusedAttentionOutput, shape, k.shape[r - 2]});
    return Value{g.out, ext, shape};
  }

  /// softmax(scale q k^T [causal]) v in FlashAttention's online form (see
  /// FusedAttention::online): each block of keys contributes its
  /// exp(s - block max)-weighted values and sums, which the state adds
  /// after rescaling both to the larger of its running max and the block's.
  /// The blocks depend only on the keys they hold, so that a schedule can
  /// compute one at a time in fast memory; masked keys (past the end, or
  /// after the row when causal) weigh 0. Causal rows go in tiles of
  /// `kRowsPerBlock`, the GPU schedule's (gpuOnlineAttentionRows).
  Value onlineSoftmaxAttention(const Value &q, const Value &k, const Value &v,
                               Expr factor, bool causal, int kRowsPerBlock) {
    size_t r = q.rank();
    const int kKeysPerBlock = 64;
    auto [ext, shape] = attentionExtents(q, k, v);
    Expr keys = k.ext[r - 2];
    Expr blocks = (keys + kKeysPerBlock - 1) / kKeysPerBlock;
    // q, k^T and v read through copies clamped along the sequence, which a
    // schedule may compute in whole tiles of rows and blocks of keys (the
    // last row or key repeated; masked keys below).
    Value kt = transposeLast(clampedAlong(k, r - 2));
    Value vp = clampedCopy(v, r - 2, "attention_values");
    Value qc = clampedCopy(q, r - 2, "attention_queries");
    for (const Value &copy : {kt, vp, qc})
      materialize(copy);

    FusedAttention g = attentionParts(shape, q, k, qc.f, kt.f, vp.f);
    g.online = true;
    g.keysPerBlock = kKeysPerBlock;
    g.rowsPerBlock = kRowsPerBlock;
    g.causal = causal;
    g.scores = Func(unique("attention_block_scores"));
    g.blockMax = Func(unique("attention_block_max"));
    g.probs = Func(unique("attention_block_probs"));
    g.blockSum = Func(unique("attention_block_sum"));
    g.blockWeighted = Func(unique("attention_block_weighted"));
    g.state = Func(unique("attention_state"));
    // The rows: one dimension, or (causal) two, tiles of kRowsPerBlock and
    // the row in a tile, so that a tile skips the blocks of keys after its
    // last row as a whole. Indices, MLIR order, after the leading
    // dimensions: scores, probs [block, rows.., key in block]; block max,
    // sum [block, rows..]; block weighted values [block, rows.., e]; state
    // [rows.., e].
    size_t n = r - 2, nr = causal ? 2 : 1; // leading, row dimensions
    Index xs = vars(n + nr + 2), xb = vars(n + nr + 1), xw = vars(n + nr + 2),
          xo = vars(n + nr + 1);
    auto lead = [&](const Index &x) { return Index(x.begin(), x.begin() + n); };
    auto rowsOf = [&](const Index &x, size_t at) {
      return Index(x.begin() + at, x.begin() + at + nr);
    };
    auto rowOf = [&](const Index &x, size_t at) {
      return causal ? x[at] * kRowsPerBlock + x[at + 1] : x[at];
    };
    auto join = [](std::initializer_list<Index> parts) {
      Index x;
      for (const Index &p : parts)
        x.insert(x.end(), p.begin(), p.end());
      return x;
    };
    auto key = [&](Expr block, Expr j) { return block * kKeysPerBlock + j; };
    Expr scale = Halide::cast(type, factor), lowest = lowestOf(type);
    // Masked keys (past the end; after the row when causal) add the lowest
    // value to their score: a max ignores them and exp gives 0. (A select
    // would let Halide narrow the keys a block computes to the unmasked
    // ones, a ragged region.)
    auto mask = [&](Expr kk, Expr row) {
      Expr ok = kk < keys;
      if (causal)
        ok = ok && kk <= row;
      return Halide::select(ok, constant(0), lowest);
    };
    RDom rc(0, q.ext[r - 1], unique("c"));
    g.scores(asVars(xs)) = constant(0);
    g.scores(asVars(xs)) +=
        at(qc, broadcastIndex(qc, join({lead(xs), {rowOf(xs, n + 1), rc.x}}))) *
        at(kt,
           broadcastIndex(kt, join({lead(xs), {rc.x, key(xs[n], xs.back())}})));
    RDom rj(0, kKeysPerBlock, unique("j"));
    g.blockMax(asVars(xb)) = lowest;
    g.blockMax(asVars(xb)) = Halide::max(
        g.blockMax(asVars(xb)), at(g.scores, join({xb, {rj.x}})) * scale +
                                    mask(key(xb[n], rj.x), rowOf(xb, n + 1)));
    Index xsb(xs.begin(), xs.end() - 1); // [.., block, rows..]
    // (Every row of a block computed has an unmasked key: its max is finite.)
    g.probs(asVars(xs)) =
        Halide::exp(g.scores(asVars(xs)) * scale - at(g.blockMax, xsb) +
                    mask(key(xs[n], xs.back()), rowOf(xs, n + 1)));
    g.blockSum(asVars(xb)) = constant(0);
    g.blockSum(asVars(xb)) += at(g.probs, join({xb, {rj.x}}));
    g.blockWeighted(asVars(xw)) = constant(0);
    g.blockWeighted(asVars(xw)) +=
        at(g.probs, join({Index(xw.begin(), xw.end() - 1), {rj.x}})) *
        at(vp,
           broadcastIndex(vp, join({lead(xw), {key(xw[n], rj.x), xw.back()}})));
    RDom rb(0, blocks, unique("block"));
    // A causal tile skips the blocks wholly after its last row (Halide then
    // skips computing them: no use remains).
    if (causal)
      rb.where(rb.x * kKeysPerBlock <=
               xo[n] * kRowsPerBlock + (kRowsPerBlock - 1));
    // The state of a row: its max m and sum l once per group of
    // `features` value features (the ones a GPU lane holds), the group's
    // weighted values o_0 .. o_{features-1}, value feature
    // group * features + f. (A Tuple's elements share one shape: over
    // every feature, m and l took a register per feature and row.)
    const int features = (int)(v.shape[r - 1] / kGpuLanes);
    {
      std::vector<Var> args = asVars(xo);
      std::vector<Expr> init = {lowest, constant(0)};
      init.resize(2 + features, constant(0));
      g.state(args) = Halide::Tuple(init);
      Index xbo = join({lead(xo), {rb.x}, rowsOf(xo, n)});
      Expr m = g.state(args)[0], l = g.state(args)[1];
      Expr bm = at(g.blockMax, xbo);
      // One of the two rescalings is exp(0): one exp, not two.
      Expr t = Halide::exp(-Halide::abs(m - bm));
      Expr keep = m >= bm;
      Expr one = constant(1);
      Expr a = Halide::select(keep, one, t), b = Halide::select(keep, t, one);
      std::vector<Expr> next = {Halide::max(m, bm),
                                l * a + b * at(g.blockSum, xbo)};
      for (int f = 0; f < features; ++f)
        next.push_back(
            g.state(args)[2 + f] * a +
            b * at(g.blockWeighted, join({xbo, {xo.back() * features + f}})));
      g.state(args) = Halide::Tuple(next);
    }
    {
      Index x = vars(r);
      Index rows = causal ? Index{x[n] / kRowsPerBlock, x[n] % kRowsPerBlock}
                          : Index{x[n]};
      Expr e = x[n + 1], f = e % features;
      Index xt = join({lead(x), rows, {e / features}});
      Expr o = at(g.state, xt)[2];
      for (int i = 1; i < features; ++i)
        o = Halide::select(f == i, at(g.state, xt)[2 + i], o);
      g.out(asVars(x)) = o / at(g.state, xt)[1];
    }
    lf.attentions.push_back(g);
    lf.stages.push_back(
        Stage{g.out, StageKind::FusedAttentionOutput, shape, k.shape[r - 2]});
    return Value{g.out, ext, shape};
  }

  /// The composite op, built from the primitives above. Non-causal linear
  /// kernels use the linear-time association phi(Q) (phi(K)^T V); causal
  /// ones and softmax form the T x T scores (the fused and chunked forms
  /// come from the rewrites).
  Value attention(AttentionOp op, const Value &q, const Value &k,
                  const Value &v) {
    size_t r = q.rank();
    requireAttentionShapes(q, k, v);
    if (op.getKernel() == AttentionKernel::softmax) {
      Expr factor =
          op.getScale()
              ? Expr(op.getScale()->convertToDouble())
              : 1 / Halide::sqrt(Halide::cast(Halide::Float(64), q.ext[r - 1]));
      return fusedSoftmaxAttention(q, k, v, factor, op.getCausal());
    }
    FeatureMapKind kind = op.getKernel() == AttentionKernel::relu
                              ? FeatureMapKind::relu
                              : FeatureMapKind::elu_plus_one;
    Value fq = featureMap(kind, q, nullptr), fk = featureMap(kind, k, nullptr);
    if (op.getCausal()) {
      Value scores = causalMask(matmul(fq, fk, false, true), MaskFill::zero);
      return normalize(matmul(scores, v, false, false), rowSum(scores, r - 1),
                       1e-6);
    }
    Value kv = matmul(fk, v, true, false);    // [.., d, dv]
    Value z = rowSum(fk, r - 2);              // [.., 1, d]
    Value num = matmul(fq, kv, false, false); // [.., T, dv]
    Value den = matmul(fq, z, false, true);   // [.., T, 1]
    return normalize(num, den, 1e-6);
  }

  /// A constant of the pipeline's element type.
  Expr constant(double v) const {
    return Halide::Internal::make_const(type, v);
  }
  Expr constant(Expr v) const { return Halide::cast(type, v); }

  std::string unique(const std::string &base) {
    return base + "_" + std::to_string(counter++);
  }

private:
  LoweredFunction &lf;
  Halide::Type type;
  bool forGpu; ///< see lowerToHalide
  std::map<std::string, Stage> candidates;
  std::map<std::string, Value> viewSources; ///< view name -> its source
  /// Pointwise Funcs the op being lowered reads once (readOnceBy).
  std::set<std::string> chained;
  /// Pointwise Func -> how deep it nests once inlined (inlineDepth).
  std::map<std::string, int> depths;
  int counter = 0;

  /// `e` with each call of a chained pointwise Func replaced by that Func's
  /// definition at the call's arguments. The definitions were fused the
  /// same way when they were made, so one level suffices.
  Expr fuseChained(Expr e) {
    if (chained.empty())
      return e;
    class Fuse : public Halide::Internal::IRMutator {
    public:
      Fuse(const std::set<std::string> &names,
           const std::map<std::string, Stage> &candidates)
          : names(names), candidates(candidates) {}
      using IRMutator::visit;
      Expr visit(const Halide::Internal::Call *call) override {
        auto it = candidates.find(call->name);
        if (call->call_type != Halide::Internal::Call::Halide ||
            !names.count(call->name) || it == candidates.end())
          return IRMutator::visit(call);
        Func f(it->second.func);
        std::map<std::string, Expr> args;
        std::vector<Var> vars = f.args();
        for (size_t i = 0; i < vars.size(); ++i)
          args[vars[i].name()] = mutate(call->args[i]);
        return Halide::Internal::substitute(args, f.value());
      }

    private:
      const std::set<std::string> &names;
      const std::map<std::string, Stage> &candidates;
    };
    return Fuse(chained, candidates).mutate(e);
  }
};

Value inputValue(Halide::ImageParam p, mlir::RankedTensorType t) {
  Value v{Func(p), {}, Shape(t.getShape())};
  int r = t.getRank();
  for (int i = 0; i < r; ++i) {
    // MLIR dimension i is Halide dimension r-1-i.
    Halide::Internal::Dimension d = p.dim(r - 1 - i);
    d.set_min(0);
    if (!t.isDynamicDim(i))
      d.set_extent((int)t.getDimSize(i));
    v.ext.push_back(t.isDynamicDim(i) ? d.extent()
                                      : Expr((int)t.getDimSize(i)));
  }
  return v;
}

Value constantValue(mlir::arith::ConstantOp op, int id) {
  auto t = mlir::cast<mlir::RankedTensorType>(op.getType());
  auto dense = mlir::cast<mlir::DenseElementsAttr>(op.getValue());
  std::vector<int> sizes(t.getShape().rbegin(), t.getShape().rend());
  Halide::Buffer<> buf(halideType(t), sizes, "const" + std::to_string(id));
  int64_t n = t.getNumElements(), i = 0;
  std::vector<double> values(n);
  for (llvm::APFloat v : dense.getValues<llvm::APFloat>())
    values[i++] = v.convertToDouble();
  if (dense.isSplat())
    std::fill(values.begin(), values.end(), values[0]);
  for (int64_t j = 0; j < n; ++j) {
    if (t.getElementType().isF64())
      static_cast<double *>(buf.data())[j] = values[j];
    else
      static_cast<float *>(buf.data())[j] = static_cast<float>(values[j]);
  }
  Value v{Func("const_" + std::to_string(id)), {}, Shape(t.getShape())};
  Index x = vars(t.getRank());
  v.f(asVars(x)) = buf(std::vector<Expr>(x.rbegin(), x.rend()));
  for (int64_t d : t.getShape())
    v.ext.push_back(Expr((int)d));
  return v;
}

/// Overwrites the computed extents with the declared static ones, checking
/// at run time those that the computation could not prove.
void adoptResultType(Builder &b, Value &v, mlir::RankedTensorType t) {
  for (int64_t i = 0; i < t.getRank(); ++i) {
    if (t.isDynamicDim(i))
      continue;
    Expr declared((int)t.getDimSize(i));
    b.requireEqual(v.ext[i], declared,
                   "result dimension " + std::to_string(i) +
                       " and its declared static size");
    v.ext[i] = declared;
    v.shape[i] = t.getDimSize(i);
  }
}

size_t dimIndex(int64_t dim, size_t rank) {
  return (size_t)normalizeDim(dim, (int64_t)rank);
}

mlir::FailureOr<Value> lowerOp(Builder &b, Operation *op,
                               llvm::ArrayRef<Value> in) {
  auto opt = [&](mlir::Value v, size_t idx) -> const Value * {
    return v ? &in[idx] : nullptr;
  };
  return llvm::TypeSwitch<Operation *, mlir::FailureOr<Value>>(op)
      .Case([&](MatmulOp o) {
        return b.matmul(in[0], in[1], o.getTransposeLhs(), o.getTransposeRhs());
      })
      .Case(
          [&](TransposeOp o) { return b.transpose(in[0], o.getPermutation()); })
      .Case([&](ExpandDimsOp o) {
        int64_t d = o.getDim();
        return b.expandDims(in[0], d < 0 ? d + in[0].rank() + 1 : d);
      })
      .Case([&](SqueezeOp o) {
        return b.squeeze(in[0], dimIndex(o.getDim(), in[0].rank()));
      })
      .Case([&](ChunkOp o) {
        return b.chunk(in[0], dimIndex(o.getDim(), in[0].rank()), o.getSize());
      })
      .Case([&](UnchunkOp o) {
        return b.unchunk(in[0], in[1], dimIndex(o.getDim(), in[1].rank()));
      })
      .Case([&](SoftmaxOp o) {
        return b.softmax(in[0], dimIndex(o.getDim(), in[0].rank()));
      })
      .Case([&](CausalMaskOp o) { return b.causalMask(in[0], o.getFill()); })
      .Case([&](LayerNormOp o) {
        return b.layerNorm(in[0], opt(o.getGamma(), 1), opt(o.getBeta(), 2),
                           o.getEps().convertToDouble());
      })
      .Case([&](RmsNormOp o) {
        return b.rmsNorm(in[0], opt(o.getGamma(), 1),
                         o.getEps().convertToDouble());
      })
      .Case([&](NormalizeOp o) {
        return b.normalize(in[0], in[1], o.getEps().convertToDouble());
      })
      .Case([&](FeatureMapOp o) {
        return b.featureMap(o.getKind(), in[0], opt(o.getProjection(), 1));
      })
      .Case([&](DivideBySizeOp o) {
        Expr n = in[1].ext[dimIndex(o.getDim(), in[1].rank())];
        return b.scale(in[0],
                       Halide::Expr(1.0f) / Halide::cast(Halide::Float(32), n));
      })
      .Case([&](ScaleOp o) {
        return b.scale(in[0], Expr(o.getFactor().convertToDouble()));
      })
      .Case([&](RowSumOp o) {
        return b.rowSum(in[0], dimIndex(o.getDim(), in[0].rank()));
      })
      .Case([&](CumsumOp o) {
        return b.cumsum(in[0], scanSpec(o, opt(o.getInit(), 1)));
      })
      .Case([&](DepthwiseConv2dOp) { return b.depthwiseConv2d(in[0], in[1]); })
      .Case([&](LastOp o) {
        return b.last(in[0], dimIndex(o.getDim(), in[0].rank()));
      })
      .Case<ExpOp, SigmoidOp, SiluOp, ReluOp, SquareOp, NegOp>(
          [&](Operation *o) { return b.unary(o, in[0]); })
      .Case<AddOp, SubOp, MulOp, DivOp, MaxOp>(
          [&](Operation *o) { return b.binary(o, in[0], in[1]); })
      .Case([&](AttentionOp o) { return b.attention(o, in[0], in[1], in[2]); })
      .Default([&](Operation *o) -> mlir::FailureOr<Value> {
        o->emitError("cannot lower '")
            << o->getName() << "' to Halide; expected an attn op, "
            << "arith.constant or func.return";
        return mlir::failure();
      });
}

/// softmax(scale [causal] q k^T) v written with primitive ops, each
/// intermediate used once: lowered like the composite op, fused.
struct SoftmaxAttentionChain {
  mlir::Value q, k, v;
  double scale = 1.0;
  bool causal = false;
  llvm::SmallVector<Operation *> absorbed; ///< ops not lowered on their own
};

std::optional<SoftmaxAttentionChain> matchSoftmaxAttention(MatmulOp pv) {
  if (pv.getTransposeLhs() || pv.getTransposeRhs())
    return std::nullopt;
  SoftmaxAttentionChain c;
  c.v = pv.getRhs();
  auto softmax = pv.getLhs().getDefiningOp<SoftmaxOp>();
  int64_t rank = mlir::cast<mlir::RankedTensorType>(pv.getType()).getRank();
  if (!softmax || !softmax->hasOneUse() ||
      normalizeDim(softmax.getDim(), rank) != rank - 1)
    return std::nullopt;
  c.absorbed.push_back(softmax);
  mlir::Value x = softmax.getInput();
  while (true) {
    Operation *def = x.getDefiningOp();
    if (!def || !def->hasOneUse())
      return std::nullopt;
    c.absorbed.push_back(def);
    if (auto sc = mlir::dyn_cast<ScaleOp>(def)) {
      c.scale *= sc.getFactor().convertToDouble();
      x = sc.getInput();
    } else if (auto mask = mlir::dyn_cast<CausalMaskOp>(def)) {
      if (mask.getFill() != MaskFill::lowest)
        return std::nullopt;
      c.causal = true;
      x = mask.getInput();
    } else if (auto qk = mlir::dyn_cast<MatmulOp>(def)) {
      if (qk.getTransposeLhs() || !qk.getTransposeRhs())
        return std::nullopt;
      c.q = qk.getLhs();
      c.k = qk.getRhs();
      return c;
    } else {
      return std::nullopt;
    }
  }
}

/// An op computing each element from the same element of its operands.
bool isElementwise(Operation *op) {
  if (auto map = mlir::dyn_cast_or_null<FeatureMapOp>(op))
    return map.getKind() != FeatureMapKind::favor;
  return mlir::isa_and_nonnull<ExpOp, SigmoidOp, SiluOp, ReluOp, SquareOp,
                               NegOp, AddOp, SubOp, MulOp, DivOp, MaxOp,
                               ScaleOp>(op);
}

mlir::LogicalResult checkTypes(mlir::func::FuncOp func) {
  mlir::Type elem;
  auto walk = func.walk([&](Operation *op) {
    llvm::SmallVector<mlir::Type> types(op->getOperandTypes());
    llvm::append_range(types, op->getResultTypes());
    for (mlir::Type t : types) {
      auto tt = mlir::dyn_cast<mlir::RankedTensorType>(t);
      if (!tt ||
          !(tt.getElementType().isF32() || tt.getElementType().isF64())) {
        op->emitError("cannot lower type ")
            << t << "; expected a ranked tensor of f32 or f64";
        return mlir::WalkResult::interrupt();
      }
      for (int64_t d = 0; d < tt.getRank(); ++d)
        if (!tt.isDynamicDim(d) &&
            tt.getDimSize(d) > std::numeric_limits<int32_t>::max()) {
          op->emitError("dimension ")
              << d << " of " << t << " has size " << tt.getDimSize(d)
              << "; generated kernels index with 32-bit integers, so sizes "
              << "are at most 2147483647";
          return mlir::WalkResult::interrupt();
        }
      if (!elem)
        elem = tt.getElementType();
      if (tt.getElementType() != elem) {
        op->emitError("mixes element types ")
            << elem << " and " << tt.getElementType()
            << "; one pipeline computes in one type";
        return mlir::WalkResult::interrupt();
      }
    }
    // Halide assumes finite values: a NaN or infinity in a constant would
    // compute something other than the reference does.
    if (auto cst = mlir::dyn_cast<mlir::arith::ConstantOp>(op))
      if (auto dense = mlir::dyn_cast<mlir::DenseElementsAttr>(cst.getValue()))
        if (mlir::isa<mlir::FloatType>(dense.getElementType()))
          for (llvm::APFloat v : dense.getValues<llvm::APFloat>())
            if (!v.isFinite()) {
              op->emitError("the constant holds a non-finite value; "
                            "generated kernels assume finite values");
              return mlir::WalkResult::interrupt();
            }
    return mlir::WalkResult::advance();
  });
  return mlir::failure(walk.wasInterrupted());
}
} // namespace

bool LoweredFunction::isOutput(const Halide::Func &f) const {
  return llvm::any_of(
      outputs, [&](const Halide::Func &o) { return o.name() == f.name(); });
}

Halide::Pipeline LoweredFunction::pipeline(const Halide::Target &target) const {
  Halide::Pipeline p(outputs);
  for (const Requirement &r : requirements) {
    std::vector<Expr> message = r.message;
    p.add_requirement(r.condition, message);
  }
  addDeviceCodePasses(p, target);
  return p;
}

std::vector<Halide::Argument> LoweredFunction::arguments() const {
  std::vector<Halide::Argument> args;
  for (const Halide::ImageParam &p : params)
    args.push_back(p);
  return args;
}

std::string attn::hl::describeHalideError(const Halide::Error &e) {
  llvm::StringRef msg(e.what());
  msg = msg.trim();
  msg.consume_front("Error:");
  return msg.trim().str();
}

mlir::FailureOr<LoweredFunction>
attn::hl::lowerToHalide(mlir::func::FuncOp func, bool forGpu) {
  if (func.isExternal())
    return func.emitError("cannot compile @")
           << func.getSymName() << ": it has no body";
  if (func.getNumResults() == 0)
    return func.emitError("cannot compile @")
           << func.getSymName()
           << ": it returns nothing; expected at least one tensor result";
  if (mlir::failed(checkTypes(func)))
    return mlir::failure();
  LoweredFunction lf;
  lf.name = func.getSymName().str();
  Halide::Type type = Halide::Float(32);
  for (mlir::Type t : func.getArgumentTypes())
    type = halideType(t);
  for (mlir::Type t : func.getResultTypes())
    type = halideType(t);
  Builder b(lf, type, forGpu);
  llvm::DenseMap<mlir::Value, Value> env;
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    auto t = mlir::cast<mlir::RankedTensorType>(arg.getType());
    std::string name = "arg" + std::to_string(i);
    if (auto n = func.getArgAttrOfType<mlir::StringAttr>(i, "attn.name"))
      name = n.getValue().str();
    Halide::ImageParam p(halideType(t), t.getRank(), name);
    lf.params.push_back(p);
    lf.paramShapes.emplace_back(t.getShape());
    env[arg] = inputValue(p, t);
    // Checked first, so that a caller's wrong buffer is named as such.
    b.where = "";
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (!t.isDynamicDim(d))
        b.requireEqual(p.dim(t.getRank() - 1 - d).extent(),
                       Expr((int)t.getDimSize(d)),
                       "argument '" + name + "' dimension " +
                           std::to_string(d) + " against its static size");
  }
  // Primitive softmax attentions are fused like the composite op.
  llvm::DenseMap<Operation *, SoftmaxAttentionChain> fused;
  llvm::SmallPtrSet<Operation *, 16> absorbed;
  func.walk([&](MatmulOp pv) {
    if (auto chain = matchSoftmaxAttention(pv)) {
      absorbed.insert(chain->absorbed.begin(), chain->absorbed.end());
      fused[pv] = *chain;
    }
  });
  int constants = 0;
  for (Operation &op : func.getBody().front()) {
    b.where = locationOf(&op);
    if (absorbed.contains(&op))
      continue;
    if (auto it = fused.find(&op); it != fused.end()) {
      const SoftmaxAttentionChain &c = it->second;
      b.requireAttentionShapes(env[c.q], env[c.k], env[c.v]);
      Value result = b.fusedSoftmaxAttention(env[c.q], env[c.k], env[c.v],
                                             Expr(c.scale), c.causal);
      adoptResultType(
          b, result,
          mlir::cast<mlir::RankedTensorType>(op.getResult(0).getType()));
      env[op.getResult(0)] = result;
      continue;
    }
    if (auto ret = mlir::dyn_cast<mlir::func::ReturnOp>(op)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        const Value &val = env[v];
        // A fresh Func per result: outputs must be distinct, even when a
        // function returns its argument or one value twice.
        // Named after the function: Halide keeps Func names unique per
        // process, and the header shows them as parameter names.
        std::string name = lf.name + "_result" + std::to_string(i);
        Value out = b.pointwise(
            name, val.ext, val.shape,
            [&](const Index &x) { return at(val, x); },
            /*exactName=*/true);
        b.materialize(out);
        int r = val.rank();
        b.where = "";
        for (int d = 0; d < r; ++d) {
          Halide::Internal::Dimension dim =
              out.f.output_buffer().dim(r - 1 - d);
          b.requireEqual(dim.extent(), val.ext[d],
                         "output buffer " + std::to_string(i) + " dimension " +
                             std::to_string(d) + " against the result size");
          dim.set_min(0).set_extent(val.ext[d]);
        }
        lf.outputs.push_back(out.f);
      }
      return lf;
    }
    if (auto cst = mlir::dyn_cast<mlir::arith::ConstantOp>(op)) {
      if (!mlir::isa<mlir::DenseElementsAttr>(cst.getValue()))
        return op.emitError("only dense tensor constants can be lowered");
      env[cst.getResult()] = constantValue(cst, constants++);
      continue;
    }
    // A scan read only at its end is summed, never stored whole.
    if (auto scan = mlir::dyn_cast<CumsumOp>(op);
        scan && llvm::all_of(scan->getUsers(), [](Operation *user) {
          auto l = mlir::dyn_cast<LastOp>(user);
          return l && isLastOfScan(l);
        }))
      continue;
    if (auto l = mlir::dyn_cast<LastOp>(op); l && isLastOfScan(l)) {
      auto scan = l.getInput().getDefiningOp<CumsumOp>();
      const Value *init = scan.getInit() ? &env[scan.getInit()] : nullptr;
      Value result = b.scanLast(env[scan.getInput()], scanSpec(scan, init));
      adoptResultType(b, result,
                      mlir::cast<mlir::RankedTensorType>(l.getType()));
      env[l.getResult()] = result;
      continue;
    }
    if (auto check = mlir::dyn_cast<AssertSizeOp>(op)) {
      const Value &lhs = env[check.getLhs()];
      Expr rhs = check.getRhs() ? env[check.getRhs()].ext[*check.getRhsDim()]
                                : Expr((int)*check.getSize());
      b.requireEqual(lhs.ext[check.getLhsDim()], rhs,
                     "the sizes of " + describeValue(check.getLhs()) +
                         " (dimension " + std::to_string(check.getLhsDim()) +
                         ") and " +
                         (check.getRhs()
                              ? describeValue(check.getRhs()) + " (dimension " +
                                    std::to_string(*check.getRhsDim()) + ")"
                              : std::string("the required constant")));
      continue;
    }
    llvm::SmallVector<Value> in;
    for (mlir::Value v : op.getOperands()) {
      in.push_back(env[v]);
      // Chains of elementwise ops only, past the first op after a
      // product: the patterns the schedules fuse (feature maps per chunk, a
      // product computed per tile in its pointwise consumer) keep their
      // Funcs.
      if (v.hasOneUse() && isElementwise(&op) &&
          isElementwise(v.getDefiningOp()) &&
          llvm::all_of(v.getDefiningOp()->getOperands(), [](mlir::Value x) {
            Operation *def = x.getDefiningOp();
            return !def || mlir::isa<mlir::arith::ConstantOp>(def) ||
                   isElementwise(def);
          }))
        b.readOnceBy(env[v]);
    }
    auto result = lowerOp(b, &op, in);
    b.forgetReadOnce();
    // A value many inlined definitions deep is stored, so that no
    // expression Halide compiles nests more than kMaxInlineDepth ops (5,000
    // chained elementwise ops: 7 s to JIT-compile with 64, 5.4 s with 128).
    constexpr int kMaxInlineDepth = 128;
    if (mlir::succeeded(result) && b.inlineDepth(*result) >= kMaxInlineDepth)
      b.materialize(*result);
    if (mlir::failed(result))
      return mlir::failure();
    adoptResultType(
        b, *result,
        mlir::cast<mlir::RankedTensorType>(op.getResult(0).getType()));
    env[op.getResult(0)] = *result;
  }
  return func.emitError("function has no func.return");
}
