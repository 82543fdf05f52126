//===- Inputs.cpp - seeded inputs and agreement metrics -------------------===//
#include "lib/Reference/Inputs.h"
#include "lib/Reference/Interpreter.h"

#include <cmath>
#include <random>

using namespace attn;

Shape attn::concreteShape(mlir::Type type, int64_t dynamicSize) {
  Shape s;
  for (int64_t d : mlir::cast<mlir::RankedTensorType>(type).getShape())
    s.push_back(mlir::ShapedType::isDynamic(d) ? dynamicSize : d);
  return s;
}

std::vector<Tensor> attn::makeRandomInputs(mlir::func::FuncOp func,
                                           uint64_t seed,
                                           int64_t dynamicSize) {
  std::mt19937_64 rng(seed);
  std::vector<Tensor> inputs;
  for (mlir::Type type : func.getArgumentTypes()) {
    Tensor t(concreteShape(type, dynamicSize), elementKindOf(type));
    for (double &v : t.data) {
      // 53 random bits -> [0, 1), independent of the standard library's
      // distribution implementations.
      double u = (rng() >> 11) * 0x1.0p-53;
      v = 2.0 * u - 1.0;
      if (t.kind == ElementKind::f32)
        v = static_cast<float>(v);
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

Agreement attn::compareTensors(const Tensor &actual, const Tensor &expected) {
  Agreement a;
  for (int64_t i = 0; i < expected.size(); ++i) {
    double x = actual.data[i], y = expected.data[i];
    if (!std::isfinite(x) || !std::isfinite(y)) {
      a.nonFinite = true;
      continue;
    }
    a.maxAbsError = std::max(a.maxAbsError, std::fabs(x - y));
    a.maxAbsExpected = std::max(a.maxAbsExpected, std::fabs(y));
  }
  return a;
}
