//===- Jit.cpp - run an attn function through Halide's JIT ----------------===//
#include "lib/Halide/Jit.h"

#include "llvm/Support/Format.h"

#include "lib/Halide/Lowering.h"
#include "lib/Halide/Schedule.h"
#include "lib/Halide/Target.h"
#include "lib/Reference/Interpreter.h"
#include <algorithm>
#include <chrono>
#include <cstdlib>

#include <cstdlib>

using namespace attn;

namespace {
Halide::Type halideTypeOf(ElementKind k) {
  return k == ElementKind::f64 ? Halide::Float(64) : Halide::Float(32);
}

/// A buffer with no elements is left without a host pointer, which Halide
/// takes for a bounds query (it would fill in shapes, compute nothing): an
/// empty tensor gets its (empty) allocation like any other.
void allocateEmpty(Halide::Buffer<> &b) {
  if (!b.data())
    b.allocate();
}

Halide::Buffer<> toBuffer(const Tensor &t) {
  // Row-major [d0, .., dn] is Halide's dense layout with sizes reversed.
  std::vector<int> sizes(t.shape.rbegin(), t.shape.rend());
  Halide::Buffer<> b(halideTypeOf(t.kind), sizes);
  allocateEmpty(b);
  for (int64_t i = 0; i < t.size(); ++i) {
    if (t.kind == ElementKind::f64)
      static_cast<double *>(b.data())[i] = t.data[i];
    else
      static_cast<float *>(b.data())[i] = static_cast<float>(t.data[i]);
  }
  return b;
}

Tensor fromBuffer(const Halide::Buffer<> &b, const Shape &shape,
                  ElementKind kind) {
  Tensor t(shape, kind);
  for (int64_t i = 0; i < t.size(); ++i)
    t.data[i] = kind == ElementKind::f64
                    ? static_cast<const double *>(b.data())[i]
                    : static_cast<const float *>(b.data())[i];
  return t;
}
} // namespace

mlir::FailureOr<std::vector<Tensor>>
attn::runWithHalide(mlir::func::FuncOp func, llvm::ArrayRef<Tensor> args,
                    const std::string &targetName, bool gpuAlgorithm) {
  Halide::Target target;
  std::string error;
  if (!hl::resolveTarget(targetName, target, error))
    return func.emitError(error);
  if (auto missing = hl::missingHostFeatures(target); !missing.empty()) {
    std::string names;
    for (const std::string &m : missing)
      names += (names.empty() ? "" : ", ") + m;
    return func.emitError("--target=")
           << targetName << " needs CPU features this machine lacks (" << names
           << "); code run here would die of an illegal instruction: choose "
              "--target=cpu, which picks what the host has";
  }
  std::vector<Shape> argShapes;
  for (const Tensor &t : args)
    argShapes.push_back(t.shape);
  // The reference's shape rules size the outputs and reject bad inputs with
  // a located message before the kernel runs; the kernel checks again.
  auto resultShapes = inferFunctionShapes(func, argShapes);
  if (mlir::failed(resultShapes))
    return mlir::failure();
  try {
    if (gpuAlgorithm && target.has_gpu_feature())
      return func.emitError("the GPU algorithm runs on a CPU target");
    auto lowered =
        hl::lowerToHalide(func, gpuAlgorithm || target.has_gpu_feature());
    if (mlir::failed(lowered))
      return mlir::failure();
    // An empty extent runs with every stage computed whole, as generated
    // kernels do (the tiled schedules' bounds need a row to exist).
    bool empty = llvm::any_of(argShapes, [](const Shape &s) {
      return llvm::is_contained(s, 0);
    }) || llvm::any_of(*resultShapes, [](const Shape &s) {
      return llvm::is_contained(s, 0);
    });
    if (gpuAlgorithm || empty)
      hl::applyRootSchedule(*lowered);
    else
      hl::applyDefaultSchedule(*lowered, target);
    for (size_t i = 0; i < args.size(); ++i) {
      Halide::Buffer<> b = toBuffer(args[i]);
      b.set_host_dirty(); // a GPU pipeline copies it to the device
      lowered->params[i].set(b);
    }
    std::vector<Halide::Buffer<>> outs;
    auto resultTypes = func.getResultTypes();
    for (size_t i = 0; i < resultShapes->size(); ++i) {
      const Shape &s = (*resultShapes)[i];
      outs.emplace_back(halideTypeOf(elementKindOf(resultTypes[i])),
                        std::vector<int>(s.rbegin(), s.rend()));
      allocateEmpty(outs.back());
    }
    Halide::Realization realization(outs);
    Halide::Pipeline pipeline = lowered->pipeline(target);
    // For studying schedules: the loop nest Halide generates, as text.
    if (const char *path = std::getenv("ATTN_HALIDE_STMT"))
      pipeline.compile_to_lowered_stmt(path, lowered->arguments(),
                                       Halide::StmtOutputFormat::Text, target);
    pipeline.realize(realization, target);
    // For studying schedules: N more runs (compiled, pages warm), median.
    if (const char *repeat = std::getenv("ATTN_HALIDE_REPEAT")) {
      std::vector<double> ms;
      for (int i = 0; i < std::atoi(repeat); ++i) {
        auto t0 = std::chrono::steady_clock::now();
        pipeline.realize(realization, target);
        ms.push_back(std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - t0)
                         .count());
      }
      std::sort(ms.begin(), ms.end());
      if (!ms.empty())
        llvm::errs() << func.getSymName() << ": median of " << ms.size()
                     << " more runs " << llvm::format("%.3f", ms[ms.size() / 2])
                     << " ms\n";
    }
    for (Halide::Buffer<> &out : outs)
      out.copy_to_host(); // GPU results; nothing to do for CPU ones
    std::vector<Tensor> results;
    for (size_t i = 0; i < outs.size(); ++i)
      results.push_back(fromBuffer(outs[i], (*resultShapes)[i],
                                   elementKindOf(resultTypes[i])));
    return results;
  } catch (const Halide::Error &e) {
    return func.emitError("Halide: ") << hl::describeHalideError(e);
  }
}
