//===- OptFuzzer.cpp - libFuzzer harness of parse, verify, rewrite --------===//
//
// The input's first byte chooses a pipeline of attn's passes (any order,
// with canonicalize and cse); the rest is IR text. Bad IR and refused
// rewrites are fine: they must give diagnostics. What fails the run: a
// crash or sanitizer report, a diagnostic that says "internal" (a pass built
// an invalid op), a module that no longer verifies after a successful
// pipeline, or a pass that fails without an error.
//
//===----------------------------------------------------------------------===//
#include "dialect/AttnDialect.h"
#include "dialect/ModelFile.h"
#include "dialect/SymbolicShapes.h"
#include "lib/Reference/Inputs.h"
#include "lib/Reference/Interpreter.h"
#include "lib/Transforms/Passes.h"
#include "lib/Transforms/SizeRelations.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mlir;

namespace {
void addPass(PassManager &pm, unsigned which) {
  switch (which % 8) {
  case 0:
    pm.addNestedPass<func::FuncOp>(attn::createAttnDecompose());
    break;
  case 1: {
    attn::AttnReassociateOptions o;
    o.assumeSeqLen = 64;
    pm.addNestedPass<func::FuncOp>(attn::createAttnReassociate(o));
    break;
  }
  case 2:
    pm.addNestedPass<func::FuncOp>(attn::createAttnCausalToCumsum());
    break;
  case 3: {
    attn::AttnChunkOptions o;
    o.size = 3;
    pm.addNestedPass<func::FuncOp>(attn::createAttnChunk(o));
    break;
  }
  case 4:
    pm.addPass(attn::createAttnDeriveDecode());
    break;
  case 5: {
    attn::AttnRemoveSoftmaxOptions o;
    o.kernel = "elu_plus_one";
    pm.addNestedPass<func::FuncOp>(attn::createAttnRemoveSoftmax(o));
    break;
  }
  case 6:
    pm.addPass(createCanonicalizerPass());
    break;
  default:
    pm.addPass(createCSEPass());
  }
}

[[noreturn]] void bug(const char *what, const std::string &detail,
                      const std::string &input) {
  std::fprintf(stderr, "attn-opt-fuzzer: %s\n%s\n--- input ---\n%s\n", what,
               detail.c_str(), input.c_str());
  std::abort();
}

/// Runs the reference interpreter on small random inputs, where the sizes
/// stay small (every dynamic size 3).
void interpretSmall(ModuleOp module) {
  for (auto f : module.getOps<func::FuncOp>()) {
    if (f.isExternal() ||
        !llvm::all_of(f.getArgumentTypes(),
                      [](Type t) { return isa<RankedTensorType>(t); }))
      continue;
    std::vector<attn::Shape> shapes;
    for (Type t : f.getArgumentTypes())
      shapes.push_back(attn::concreteShape(t, 3));
    auto results = attn::inferFunctionShapes(f, shapes);
    if (failed(results) || attn::randomInputValues(f, 3) > 1e5)
      continue;
    bool small = true;
    for (const attn::Shape &s : *results)
      small &= attn::Tensor::countElements(s).value_or(INT64_MAX) <= 100000;
    if (small)
      (void)attn::interpret(f, attn::makeRandomInputs(f, 0, 3));
  }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    r->insert<attn::AttnDialect, func::FuncDialect, arith::ArithDialect>();
    return r;
  }();
  MLIRContext ctx(*registry, MLIRContext::Threading::DISABLED);
  attn::prepareContext(ctx);
  std::string input(reinterpret_cast<const char *>(data) + 1, size - 1);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error)
      diagnostics += d.str() + "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(input, &ctx);
  if (!module || failed(verify(*module)))
    return 0;
  // The analysis every pass runs (it must hold for any valid function).
  for (auto f : module->getOps<func::FuncOp>())
    (void)attn::SymbolicShapes(f).argumentRelations();

  PassManager pm(&ctx);
  attn::keepSizeRelations(pm);
  unsigned choice = data[0];
  for (int i = 0; i < 1 + int(choice % 4); ++i)
    addPass(pm, choice / 4 + 3 * i);
  diagnostics.clear();
  bool ok = succeeded(pm.run(*module));
  if (diagnostics.find("internal") != std::string::npos)
    bug("a pass reported an internal error", diagnostics, input);
  if (!ok) {
    if (diagnostics.empty())
      bug("a pass failed without an error", "", input);
    return 0;
  }
  if (failed(verify(*module)))
    bug("the module no longer verifies", diagnostics, input);
  interpretSmall(*module);
  return 0;
}
