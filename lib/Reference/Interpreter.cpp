//===- Interpreter.cpp - reference interpreter of attn functions ----------===//
#include "lib/Reference/Interpreter.h"
#include "lib/Reference/Kernels.h"

#include "dialect/ArgumentNames.h"
#include "dialect/AttnDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <array>
#include <cstdio>
#include <limits>

using namespace attn;
using namespace mlir;

ElementKind attn::elementKindOf(Type type) {
  return cast<ShapedType>(type).getElementType().isF64() ? ElementKind::f64
                                                         : ElementKind::f32;
}

namespace {

/// Checks a concrete shape against a (possibly dynamic) tensor type.
LogicalResult checkAgainstType(Location loc, const Shape &shape, Type type,
                               const llvm::Twine &what) {
  auto tt = dyn_cast<RankedTensorType>(type);
  if (!tt)
    return emitError(loc) << what << " has type " << type
                          << "; expected a ranked tensor";
  if (!shapesCompatible(shape, tt.getShape()) ||
      llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return emitError(loc) << what << " has shape " << formatShape(shape)
                          << "; expected " << formatShape(tt.getShape())
                          << " (type " << type << ")";
  return success();
}

/// The dimensions that broadcast against each other in `op`: (operand,
/// dimension) pairs, each side stretching only where its type has a static 1.
llvm::SmallVector<std::array<unsigned, 4>> broadcastPairs(Operation *op,
                                                          llvm::ArrayRef<Shape> in) {
  llvm::SmallVector<std::array<unsigned, 4>> pairs;
  auto leading = [&](unsigned a, unsigned b, size_t trailing) {
    if (in[a].size() != in[b].size() || in[a].size() < trailing)
      return;
    for (unsigned i = 0; i + trailing < in[a].size(); ++i)
      pairs.push_back({a, i, b, i});
  };
  llvm::TypeSwitch<Operation *>(op)
      .Case<AddOp, SubOp, MulOp, DivOp, MaxOp>([&](Operation *) { leading(0, 1, 0); })
      .Case([&](MatmulOp) { leading(0, 1, 2); })
      .Case([&](NormalizeOp) { leading(0, 1, 0); })
      .Case([&](AttentionOp) {
        leading(0, 1, 2);
        leading(0, 2, 2);
        leading(1, 2, 2);
      })
      .Case([&](DepthwiseConv2dOp) {
        leading(0, 1, 3);
        if (in[0].size() == in[1].size() && !in[0].empty())
          pairs.push_back({0, unsigned(in[0].size() - 1), 1,
                           unsigned(in[1].size() - 1)});
      });
  return pairs;
}

/// Generated code broadcasts where a type says 1, not where a dynamic size
/// happens to be 1 at run time; the reference does the same, so that the two
/// never disagree on which inputs they accept.
LogicalResult checkStaticBroadcasts(Operation *op, llvm::ArrayRef<Shape> in) {
  for (auto [a, da, b, db] : broadcastPairs(op, in)) {
    for (auto [x, dx, y, dy] : {std::array<unsigned, 4>{a, da, b, db},
                                std::array<unsigned, 4>{b, db, a, da}}) {
      auto type = cast<RankedTensorType>(op->getOperand(x).getType());
      if (in[x][dx] != 1 || in[y][dy] == 1 || !type.isDynamicDim(dx))
        continue;
      if (isa<NormalizeOp>(op) && x == 1 && dx + 1 == in[x].size())
        continue; // the denominator's last dimension is always broadcast
      return op->emitError("at run time: dimension ")
             << dx << " of operand #" << x << " (" << type
             << ") is 1, where operand #" << y << " has " << in[y][dy]
             << "; only a static size 1 broadcasts, so expected " << in[y][dy];
    }
  }
  return success();
}

/// attn.assert_size on the sizes of a run.
LogicalResult checkSizes(AssertSizeOp op, const Shape &lhs, const Shape *rhs) {
  int64_t a = lhs[op.getLhsDim()];
  int64_t b = rhs ? (*rhs)[*op.getRhsDim()] : *op.getSize();
  if (a == b)
    return success();
  auto diag = op.emitError("at run time: ")
              << describeValue(op.getLhs()) << " has size " << a
              << " in dimension " << op.getLhsDim() << " but ";
  if (rhs)
    diag << describeValue(op.getRhs()) << " has " << b << " in dimension "
         << *op.getRhsDim();
  else
    diag << "the function requires " << b;
  diag << "; expected equal sizes";
  return failure();
}

Tensor evaluate(Operation *op, ref::Args in, const Shape &shape,
                bool roundEachOp = false) {
  return llvm::TypeSwitch<Operation *, Tensor>(op)
      .Case([&](MatmulOp o) { return ref::matmul(o, in, shape); })
      .Case([&](TransposeOp o) { return ref::transpose(o, in, shape); })
      .Case([&](SoftmaxOp o) { return ref::softmax(o, in, shape); })
      .Case<ExpandDimsOp, SqueezeOp>(
          [&](Operation *) { return ref::reshapeOnly(in, shape); })
      .Case([&](ChunkOp o) { return ref::chunk(o, in, shape); })
      .Case([&](UnchunkOp o) { return ref::unchunk(o, in, shape); })
      .Case([&](CausalMaskOp o) { return ref::causalMask(o, in, shape); })
      .Case([&](LayerNormOp o) { return ref::layerNorm(o, in, shape); })
      .Case([&](RmsNormOp o) { return ref::rmsNorm(o, in, shape); })
      .Case([&](NormalizeOp o) { return ref::normalize(o, in, shape); })
      .Case([&](FeatureMapOp o) { return ref::featureMap(o, in, shape); })
      .Case([&](ScaleOp o) { return ref::scale(o, in, shape); })
      .Case([&](DivideBySizeOp o) { return ref::divideBySize(o, in, shape); })
      .Case([&](RowSumOp o) { return ref::rowSum(o, in, shape); })
      .Case([&](CumsumOp o) { return ref::cumsum(o, in, shape); })
      .Case([&](LastOp o) { return ref::last(o, in, shape); })
      .Case([&](DepthwiseConv2dOp o) {
        return ref::depthwiseConv2d(o, in, shape);
      })
      .Case<ExpOp, SigmoidOp, SiluOp, ReluOp, SquareOp, NegOp>(
          [&](Operation *o) { return ref::unary(o, in, shape); })
      .Case<AddOp, SubOp, MulOp, DivOp, MaxOp>(
          [&](Operation *o) { return ref::binary(o, in, shape); })
      .Case([&](AttentionOp o) {
        return ref::attention(o, in, shape,
                              roundEachOp && in[0]->kind == ElementKind::f32);
      });
}

Tensor constantTensor(arith::ConstantOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  auto dense = cast<DenseElementsAttr>(op.getValue());
  Tensor t(Shape(type.getShape()), elementKindOf(type));
  int64_t i = 0;
  for (APFloat v : dense.getValues<APFloat>())
    t.data[i++] = v.convertToDouble();
  if (dense.isSplat())
    std::fill(t.data.begin(), t.data.end(), t.data[0]);
  return t;
}

/// Whether a tensor of `shape` is small enough to hold in doubles here.
bool fitsInMemory(const Shape &shape) {
  double n = 1;
  for (int64_t d : shape)
    n *= static_cast<double>(d);
  return n <= double(int64_t(1) << 31);
}

/// Walks `func` once, checking shapes; `eval` makes each op's value.
template <typename V>
FailureOr<std::vector<V>>
walkFunction(func::FuncOp func, llvm::ArrayRef<V> args,
             llvm::function_ref<const Shape &(const V &)> shapeOf,
             llvm::function_ref<V(Operation *, llvm::ArrayRef<const V *>,
                                        const Shape &)>
                 eval,
             llvm::function_ref<V(arith::ConstantOp)> constant,
             bool forHalide) {
  if (func.isExternal())
    return emitError(func.getLoc())
           << "function @" << func.getSymName() << " has no body";
  auto argTypes = func.getArgumentTypes();
  if (args.size() != argTypes.size())
    return emitError(func.getLoc())
           << "function @" << func.getSymName() << " takes " << argTypes.size()
           << " arguments; " << args.size() << " were given";
  llvm::DenseMap<mlir::Value, V> env;
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    if (failed(checkAgainstType(func.getLoc(), shapeOf(args[i]),
                                arg.getType(), "argument #" + llvm::Twine(i))))
      return failure();
    env[arg] = args[i];
  }
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<V> results;
      for (mlir::Value v : ret.getOperands())
        results.push_back(env.lookup(v));
      return results;
    }
    if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
      if (!isa<DenseElementsAttr>(cst.getValue()) ||
          !isa<RankedTensorType>(cst.getType()) ||
          !isa<FloatType>(getElementTypeOrSelf(cst.getType())))
        return op.emitError("only dense floating-point tensor constants are "
                            "supported");
      env[cst.getResult()] = constant(cst);
      continue;
    }
    if (auto check = dyn_cast<AssertSizeOp>(op)) {
      if (failed(checkSizes(check, shapeOf(env[check.getLhs()]),
                            check.getRhs() ? &shapeOf(env[check.getRhs()])
                                           : nullptr)))
        return failure();
      continue;
    }
    if (!isa<AttnDialect>(op.getDialect()) || op.getNumResults() != 1)
      return op.emitError(forHalide ? "cannot compile '" : "the reference "
                                          "interpreter does not support '")
             << op.getName() << "'; expected attn ops, arith.constant and "
             << "func.return";
    llvm::SmallVector<Shape> shapes;
    llvm::SmallVector<const V *> operands;
    for (mlir::Value v : op.getOperands()) {
      operands.push_back(&env[v]);
      shapes.push_back(shapeOf(env[v]));
    }
    // The last element of an inclusive scan that has no elements is the
    // scan's carry: ref::last gets it as a second operand.
    if (auto l = dyn_cast<LastOp>(op))
      if (auto scan = l.getInput().getDefiningOp<CumsumOp>();
          scan && scan.getInit() && !scan.getExclusive() &&
          normalizeDim(scan.getDim(), shapes[0].size()) ==
              normalizeDim(l.getDim(), shapes[0].size()))
        operands.push_back(&env[scan.getInit()]);
    Shape shape;
    std::string why;
    if (!inferResultShape(&op, shapes, shape, why))
      return op.emitError("at run time: ") << why;
    if (failed(checkStaticBroadcasts(&op, shapes)))
      return failure();
    if (failed(checkAgainstType(op.getLoc(), shape, op.getResult(0).getType(),
                                "at run time: the result")))
      return failure();
    if (forHalide) {
      // Halide indexes buffers with 32-bit integers, and a buffer holds
      // fewer than 2^31 bytes (its target has no large_buffers).
      double bytes = elementKindOf(op.getResult(0).getType()) ==
                             ElementKind::f64
                         ? 8
                         : 4;
      for (int64_t d : shape)
        bytes *= static_cast<double>(d);
      if (bytes >= double(std::numeric_limits<int32_t>::max())) {
        char text[32];
        std::snprintf(text, sizeof(text), "%.3g", bytes);
        return op.emitError("at run time: the result has shape ")
               << formatShape(shape) << " (" << text
               << " bytes); a buffer of generated code holds less than 2^31 "
               << "bytes; use smaller sizes";
      }
    } else if (!fitsInMemory(shape)) {
      return op.emitError("at run time: the result has shape ")
             << formatShape(shape) << ", more than the reference interpreter "
             << "holds (2^31 elements); use smaller sizes";
    }
    env[op.getResult(0)] = eval(&op, operands, shape);
  }
  return emitError(func.getLoc()) << "function has no func.return";
}

} // namespace

FailureOr<std::vector<Tensor>> attn::interpret(func::FuncOp func,
                                               llvm::ArrayRef<Tensor> args,
                                               bool roundEachOp) {
  return walkFunction<Tensor>(
      func, args, [](const Tensor &t) -> const Shape & { return t.shape; },
      [&](Operation *op, llvm::ArrayRef<const Tensor *> in, const Shape &s) {
        Tensor t = evaluate(op, in, s, roundEachOp);
        if (roundEachOp && t.kind == ElementKind::f32)
          for (double &v : t.data)
            v = static_cast<float>(v);
        return t;
      },
      constantTensor, /*forHalide=*/false);
}

FailureOr<std::vector<Shape>>
attn::inferFunctionShapes(func::FuncOp func, llvm::ArrayRef<Shape> argShapes) {
  return walkFunction<Shape>(
      func, argShapes, [](const Shape &s) -> const Shape & { return s; },
      [](Operation *, llvm::ArrayRef<const Shape *>, const Shape &s) {
        return s;
      },
      [](arith::ConstantOp op) {
        return Shape(cast<RankedTensorType>(op.getType()).getShape());
      },
      /*forHalide=*/true);
}
