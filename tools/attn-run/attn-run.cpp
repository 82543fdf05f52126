//===- attn-run.cpp - run an attn function on the reference or Halide -----===//
//
// attn-run model.mlir --entry f [--backend=reference|halide]
//          [--input a.npy ...] [--seed N] [--dynamic-size N]
//          [--compare other.mlir [--compare-entry g] [--compare-backend=...]]
//          [--rtol 1e-5] [--print-values] [--output-dir DIR]
//
//===----------------------------------------------------------------------===//
#include "dialect/AttnDialect.h"
#include "dialect/ModelFile.h"
#include "lib/Halide/Jit.h"
#include "lib/Reference/Inputs.h"
#include "lib/Reference/Interpreter.h"
#include "lib/Reference/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace attn;
namespace cl = llvm::cl;

namespace {
enum class Backend { reference, halide, halideGpuAlgorithm };

cl::OptionCategory cat("attn-run options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                               cl::Required, cl::cat(cat));
cl::opt<std::string> entry("entry",
                           cl::desc("function to run (default: the only one)"),
                           cl::cat(cat));
cl::ValuesClass backends() {
  return cl::values(
      clEnumValN(Backend::reference, "reference",
                 "plain-loop interpreter, double accumulation"),
      clEnumValN(Backend::halide, "halide", "the Halide lowering, JIT-compiled"),
      clEnumValN(Backend::halideGpuAlgorithm, "halide-gpu-algorithm",
                 "the algorithm the CUDA target compiles, each stage "
                 "computed whole on the CPU (checks it without a GPU)"));
}
cl::opt<Backend> backend("backend", cl::desc("how to run it"),
                         cl::init(Backend::reference), backends(),
                         cl::cat(cat));
cl::opt<std::string> target("target",
                            cl::desc("Halide target for --backend=halide: "
                                     "cpu, x86-64-avx512, x86-64-avx2, x86-64"),
                            cl::init("cpu"), cl::cat(cat));
cl::list<std::string> inputs("input",
                             cl::desc("argument .npy files, in order "
                                      "(default: seeded random in [-1, 1))"),
                             cl::cat(cat));
cl::opt<bool> convertInputs(
    "convert-inputs",
    cl::desc("accept an --input file whose dtype differs from its argument's "
             "element type (float64 values are rounded for f32 arguments); "
             "without it such a file is refused"),
    cl::cat(cat));
cl::opt<bool> roundEachOp(
    "round-each-op",
    cl::desc("reference: round every op's result to its element type (f32 "
             "results to float, overflow to inf), as generated code stores "
             "them, so that a check sees the infinities and NaNs an f32 "
             "kernel will produce where the double reference stays finite"),
    cl::cat(cat));
cl::opt<uint64_t> seed("seed", cl::desc("seed of the random inputs"),
                       cl::init(0), cl::cat(cat));
cl::opt<int64_t> dynamicSize("dynamic-size",
                             cl::desc("size given to every dynamic (?) "
                                      "dimension of a random input"),
                             cl::init(32), cl::cat(cat));
cl::opt<std::string> compareFile(
    "compare", cl::desc("run this file's function on the same inputs and "
                        "report the error of ours against it"),
    cl::cat(cat));
cl::opt<std::string> compareEntry("compare-entry",
                                  cl::desc("function of --compare (default: "
                                           "--entry, or the only one)"),
                                  cl::cat(cat));
cl::opt<Backend> compareBackend("compare-backend",
                                cl::desc("backend of the --compare run"),
                                cl::init(Backend::reference), backends(),
                                cl::cat(cat));
cl::opt<double> rtol("rtol",
                     cl::desc("fail when max|ours - theirs| / max|theirs| "
                              "exceeds this (default 1e-5)"),
                     cl::init(1e-5), cl::cat(cat));
cl::opt<bool> printValues("print-values",
                          cl::desc("print every value of every result"),
                          cl::cat(cat));
cl::opt<std::string> outputDir("output-dir",
                               cl::desc("write result<i>.npy into this "
                                        "directory"),
                               cl::cat(cat));

/// Parses `path` and finds `name` (or the only function).
mlir::func::FuncOp loadFunction(mlir::MLIRContext &ctx, llvm::SourceMgr &sm,
                                const std::string &path,
                                const std::string &name,
                                mlir::OwningOpRef<mlir::ModuleOp> &module) {
  std::string err;
  module = parseModelFile(path, sm, ctx, err);
  if (!err.empty())
    llvm::errs() << "attn-run: error: " << err << "\n";
  if (!module)
    return nullptr;
  llvm::SmallVector<mlir::func::FuncOp> funcs(
      module->getOps<mlir::func::FuncOp>());
  if (name.empty()) {
    if (funcs.size() == 1)
      return funcs.front();
    llvm::errs() << "attn-run: error: " << path << " has " << funcs.size()
                 << " functions; choose one with --entry\n";
    return nullptr;
  }
  if (auto f = module->lookupSymbol<mlir::func::FuncOp>(name))
    return f;
  llvm::errs() << "attn-run: error: " << path << " has no function @" << name
               << "\n";
  return nullptr;
}

mlir::FailureOr<std::vector<Tensor>> runOn(Backend b, mlir::func::FuncOp f,
                                           llvm::ArrayRef<Tensor> args,
                                           double &ms) {
  auto start = std::chrono::steady_clock::now();
  auto result =
      b == Backend::reference
          ? interpret(f, args, roundEachOp)
          : runWithHalide(f, args, target, b == Backend::halideGpuAlgorithm);
  ms = std::chrono::duration<double, std::milli>(
           std::chrono::steady_clock::now() - start)
           .count();
  return result;
}

const char *name(Backend b) {
  switch (b) {
  case Backend::reference:
    return "reference";
  case Backend::halide:
    return "halide";
  case Backend::halideGpuAlgorithm:
    return "halide-gpu-algorithm";
  }
  return "";
}

void summarise(const std::vector<Tensor> &results) {
  for (auto [i, t] : llvm::enumerate(results)) {
    double sum = 0, absMax = 0;
    for (double v : t.data) {
      sum += v;
      absMax = std::max(absMax, std::fabs(v));
    }
    llvm::outs() << "result " << i << ": " << formatShape(t.shape) << " "
                 << (t.kind == ElementKind::f32 ? "f32" : "f64")
                 << llvm::format(" sum=%.9g absmax=%.9g", sum, absMax) << "\n";
    if (printValues) {
      llvm::outs() << "  values:";
      for (double v : t.data)
        llvm::outs() << llvm::format(" %.6g", v);
      llvm::outs() << "\n";
    }
  }
}

/// Reports the agreement of `ours` with `theirs`; false when it fails.
bool compareResults(const std::vector<Tensor> &ours,
                    const std::vector<Tensor> &theirs) {
  if (ours.size() != theirs.size()) {
    llvm::errs() << "attn-run: error: " << ours.size() << " results against "
                 << theirs.size() << " to compare with\n";
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < ours.size(); ++i) {
    if (ours[i].shape != theirs[i].shape) {
      llvm::errs() << "attn-run: error: result " << i << " has shape "
                   << formatShape(ours[i].shape) << " but the other has "
                   << formatShape(theirs[i].shape) << "\n";
      ok = false;
      continue;
    }
    Agreement a = compareTensors(ours[i], theirs[i]);
    bool pass = !a.nonFinite && a.relError() <= rtol;
    std::string notes;
    if (a.nonFinite)
      notes += ", non-finite values where the other has finite ones";
    if (a.sameNonFinite)
      notes += ", " + std::to_string(a.sameNonFinite) +
               " non-finite values on both sides";
    llvm::outs() << "compare result " << i
                 << llvm::format(": max abs error %.3e, rel error %.3e "
                                 "(rtol %.1e)",
                                 a.maxAbsError, a.relError(), rtol.getValue())
                 << notes << ": " << (pass ? "ok" : "FAIL") << "\n";
    ok &= pass;
  }
  return ok;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(cat);
  cl::ParseCommandLineOptions(argc, argv,
                              "attn-run: execute an attn function\n");
  mlir::MLIRContext ctx;
  prepareContext(ctx);
  llvm::SourceMgr sm;
  mlir::SourceMgrDiagnosticHandler diag(sm, &ctx);
  mlir::OwningOpRef<mlir::ModuleOp> module, otherModule;
  mlir::func::FuncOp f = loadFunction(ctx, sm, inputFile, entry, module);
  if (!f)
    return 1;
  if (dynamicSize < 0) {
    llvm::errs() << "attn-run: error: --dynamic-size must be >= 0 (0: empty "
                    "sequences)\n";
    return 1;
  }

  std::vector<Tensor> args;
  std::string err;
  if (!inputs.empty()) {
    std::vector<std::string> paths(inputs.begin(), inputs.end());
    if (!readInputs(f, paths, args, err, convertInputs)) {
      llvm::errs() << "attn-run: error: " << err << "\n";
      return 1;
    }
  } else if (double total = randomInputValues(f, dynamicSize);
             total > double(int64_t(1) << 31)) {
    // Say what to change: the dynamic size, or the types themselves.
    bool staticTooBig = randomInputValues(f, 1) > double(int64_t(1) << 31);
    llvm::errs() << "attn-run: error: the random inputs would hold "
                 << llvm::format("%.3g", total) << " values, more than the "
                 << "reference interpreter holds (2^31); "
                 << (staticTooBig ? "the static sizes of the arguments alone "
                                    "are too large"
                                  : "lower --dynamic-size")
                 << "\n";
    return 1;
  } else {
    args = makeRandomInputs(f, seed, dynamicSize);
  }

  double ms = 0;
  auto results = runOn(backend, f, args, ms);
  if (mlir::failed(results))
    return 1;
  llvm::outs() << "@" << f.getSymName() << " on " << name(backend) << ": "
               << results->size() << " result(s)"
               << llvm::format(" in %.3f ms", ms) << "\n";
  summarise(*results);

  if (!outputDir.empty()) {
    llvm::sys::fs::create_directories(outputDir);
    for (auto [i, t] : llvm::enumerate(*results)) {
      if (!writeNpy(outputDir + "/result" + std::to_string(i) + ".npy", t,
                    err)) {
        llvm::errs() << "attn-run: error: " << err << "\n";
        return 1;
      }
    }
  }

  if (compareFile.empty())
    return 0;
  std::string otherEntry = compareEntry.empty() ? entry : compareEntry;
  // Its own SourceMgr: the parser reads a SourceMgr's first buffer.
  llvm::SourceMgr otherSm;
  mlir::SourceMgrDiagnosticHandler otherDiag(otherSm, &ctx);
  mlir::func::FuncOp g =
      loadFunction(ctx, otherSm, compareFile, otherEntry, otherModule);
  if (!g)
    return 1;
  double otherMs = 0;
  auto expected = runOn(compareBackend, g, args, otherMs);
  if (mlir::failed(expected))
    return 1;
  llvm::outs() << "against @" << g.getSymName() << " of " << compareFile
               << " on " << name(compareBackend)
               << llvm::format(" (%.3f ms)", otherMs) << "\n";
  return compareResults(*results, *expected) ? 0 : 1;
}
