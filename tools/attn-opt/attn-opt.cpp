//===- attn-opt.cpp - mlir-opt for the attn dialect -----------------------===//
//
// MlirOptMain with the attn dialect and passes, plus two things of attn's:
// every pass runs under SizeRelationsInstrumentation (no pass may drop a
// relation among a function's argument sizes), and the options of
// `--attn-*` passes are checked before anything runs, so that a bad option
// is an error that names the pass and lists the options it takes.
//
//===----------------------------------------------------------------------===//
#include "dialect/AttnDialect.h"
#include "lib/Transforms/Passes.h"
#include "lib/Transforms/SizeRelations.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

namespace {
/// Checks the options of each `--attn-<pass>=<options>` argument; prints an
/// error naming the pass and its options (with defaults) for a bad one.
bool checkAttnPassOptions(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    if (!arg.consume_front("--") && !arg.consume_front("-"))
      continue;
    auto [name, options] = arg.split('=');
    if (!name.starts_with("attn-") || !arg.contains('='))
      continue;
    const PassRegistryEntry *entry = PassInfo::lookup(name);
    if (!entry)
      entry = PassPipelineInfo::lookup(name);
    if (!entry)
      continue; // MlirOptMain reports unknown flags
    std::string message;
    auto keep = [&](const llvm::Twine &msg) {
      message = msg.str();
      return failure();
    };
    // Implicit nesting: function passes go into a nested pass manager.
    OpPassManager scratch("builtin.module", OpPassManager::Nesting::Implicit);
    if (succeeded(entry->addToPipeline(scratch, options, keep)))
      continue;
    llvm::StringRef why = llvm::StringRef(message).trim();
    why.consume_front("<Pass-Options-Parser>:");
    why = why.trim();
    llvm::errs() << "attn-opt: error: --" << name << "=" << options << ": "
                 << (why.empty() ? llvm::StringRef("invalid options") : why);
    // A pass lists its options with their defaults (a pipeline's expand to
    // several passes; --help lists them).
    OpPassManager fresh("builtin.module", OpPassManager::Nesting::Implicit);
    if (PassInfo::lookup(name) && succeeded(entry->addToPipeline(fresh, "", keep))) {
      std::string defaults;
      llvm::raw_string_ostream os(defaults);
      fresh.printAsTextualPipeline(os);
      // "builtin.module(func.func(attn-chunk{explain=false size=64}))" ->
      // "attn-chunk{explain=false size=64}".
      llvm::StringRef pass = llvm::StringRef(defaults).drop_front(
          std::min(defaults.size(), defaults.find(name.str())));
      pass = pass.take_front(pass.find('}') + 1);
      llvm::errs() << "; expected options of " << pass;
    } else {
      llvm::errs() << "; attn-opt --help lists its options";
    }
    llvm::errs() << "\n";
    return false;
  }
  return true;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerCanonicalizerPass();
  registerCSEPass();
  registerInlinerPass();
  registerSymbolDCEPass();
  attn::registerAttnPasses();
  attn::registerAttnPipelines();

  DialectRegistry registry;
  registry.insert<attn::AttnDialect, func::FuncDialect, arith::ArithDialect>();
  // A diagnostic shows its source line; the op's generic form after it (a
  // whole function, for a function's error) is opt-in.
  std::vector<char *> args(argv, argv + argc);
  static char quiet[] = "--mlir-print-op-on-diagnostic=false";
  if (llvm::none_of(args, [](const char *a) {
        return llvm::StringRef(a).contains("mlir-print-op-on-diagnostic");
      }))
    args.push_back(quiet);
  argc = static_cast<int>(args.size());
  args.push_back(nullptr);
  argv = args.data();
  auto [inputFile, outputFile] = registerAndParseCLIOptions(
      argc, argv, "attn optimizer: rewrites attention graphs\n", registry);
  if (!checkAttnPassOptions(argc, argv))
    return 1;
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects()) {
    for (llvm::StringRef name : registry.getDialectNames())
      llvm::outs() << name << "\n";
    return 0;
  }
  MlirOptMainConfig parsed = config;
  config.setPassPipelineSetupFn([parsed](PassManager &pm) {
    attn::keepSizeRelations(pm);
    return parsed.setupPassPipeline(pm);
  });

  std::string error;
  auto file = openInputFile(inputFile, &error);
  if (!file) {
    llvm::errs() << "attn-opt: error: " << error << "\n";
    return 1;
  }
  auto output = openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << "attn-opt: error: " << error << "\n";
    return 1;
  }
  if (failed(MlirOptMain(output->os(), std::move(file), registry, config)))
    return 1;
  output->keep();
  return 0;
}
