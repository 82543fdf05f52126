//===- Inputs.cpp - seeded inputs and agreement metrics -------------------===//
#include "lib/Reference/Inputs.h"
#include "lib/Reference/Interpreter.h"
#include "lib/Reference/Npy.h"

#include "llvm/Support/raw_ostream.h"

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

double attn::randomInputValues(mlir::func::FuncOp func, int64_t dynamicSize) {
  double total = 0;
  for (mlir::Type t : func.getArgumentTypes()) {
    double n = 1;
    for (int64_t d : concreteShape(t, dynamicSize))
      n *= static_cast<double>(d);
    total += n;
  }
  return total;
}

static const char *kindName(ElementKind k) {
  return k == ElementKind::f32 ? "float32" : "float64";
}

bool attn::readInputs(mlir::func::FuncOp func,
                      llvm::ArrayRef<std::string> paths,
                      std::vector<Tensor> &inputs, std::string &error,
                      bool convert) {
  for (const std::string &path : paths) {
    Tensor t;
    if (!readNpy(path, t, error))
      return false;
    if (inputs.size() < func.getNumArguments()) {
      mlir::Type argType = func.getArgumentTypes()[inputs.size()];
      ElementKind want = elementKindOf(argType);
      if (t.kind != want && !convert) {
        std::string type;
        llvm::raw_string_ostream(type) << argType;
        error = path + " holds " + kindName(t.kind) + " values but argument #" +
                std::to_string(inputs.size()) + " is " + type +
                "; save it as " + kindName(want) +
                ", or pass --convert-inputs to convert (rounding to " +
                "float32 loses precision)";
        return false;
      }
      t.kind = want;
      if (t.kind == ElementKind::f32)
        for (double &v : t.data)
          v = static_cast<float>(v);
    }
    inputs.push_back(std::move(t));
  }
  return true;
}

Agreement attn::compareTensors(const Tensor &actual, const Tensor &expected) {
  Agreement a;
  for (int64_t i = 0; i < expected.size(); ++i) {
    double x = actual.data[i], y = expected.data[i];
    if (!std::isfinite(x) || !std::isfinite(y)) {
      if ((std::isnan(x) && std::isnan(y)) || (std::isinf(x) && x == y))
        ++a.sameNonFinite;
      else
        a.nonFinite = true;
      continue;
    }
    a.maxAbsError = std::max(a.maxAbsError, std::fabs(x - y));
    a.maxAbsExpected = std::max(a.maxAbsExpected, std::fabs(y));
  }
  return a;
}
