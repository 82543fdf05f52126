//===- attn-compile.cpp - attn functions to a linkable library ------------===//
//
// attn-compile model.mlir -o libmodel.a [--header model.h] [--target=cpu]
//              [--entry f ...]
// attn-compile --emit-runtime -o runtime.o|.a [--target=...]
//
//===----------------------------------------------------------------------===//
#include "dialect/ModelFile.h"
#include "lib/Halide/Aot.h"
#include "lib/Halide/Target.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace attn;
namespace cl = llvm::cl;

namespace {
cl::OptionCategory cat("attn-compile options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                               cl::cat(cat));
cl::opt<std::string> output("o", cl::desc("static library (.a) to write"),
                            cl::value_desc("file"), cl::cat(cat));
cl::opt<std::string> header("header",
                            cl::desc("C header to write (default: "
                                     "libmodel.a -> model.h)"),
                            cl::cat(cat));
cl::opt<std::string> target("target", cl::desc(hl::kTargetHelp),
                            cl::init("cpu"), cl::cat(cat));
cl::list<std::string> entries("entry",
                              cl::desc("function to compile (repeatable; "
                                       "default: every function)"),
                              cl::cat(cat));
cl::opt<std::string> prefix("prefix",
                            cl::desc("prepended to every exported function "
                                     "name"),
                            cl::cat(cat));
cl::opt<std::string> schedule(
    "schedule",
    cl::desc("hand: attn's schedules per pattern (default); adams2019: "
             "Halide's Adams2019 autoscheduler, for comparison"),
    cl::init("hand"), cl::cat(cat));
cl::opt<int64_t> estimate(
    "estimate",
    cl::desc("with --schedule=adams2019: the size it assumes for every "
             "dynamic (?) dimension (default 4096)"),
    cl::init(4096), cl::cat(cat));
cl::opt<bool> emitRuntime("emit-runtime",
                          cl::desc("write the Halide runtime (.o or .a) "
                                   "instead of compiling a model"),
                          cl::cat(cat));

int fail(const llvm::Twine &msg) {
  llvm::errs() << "attn-compile: error: " << msg << "\n";
  return 1;
}

/// An absolute path without "." or "..", to compare paths that may not
/// exist yet.
std::string normalized(llvm::StringRef path) {
  llvm::SmallString<256> p(path);
  llvm::sys::fs::make_absolute(p);
  llvm::sys::path::remove_dots(p, /*remove_dot_dot=*/true);
  return std::string(p);
}

bool samePath(llvm::StringRef a, llvm::StringRef b) {
  bool same = false;
  if (!llvm::sys::fs::equivalent(a, b, same) && same)
    return true;
  return normalized(a) == normalized(b);
}

/// Why `path` cannot be written (checked before compiling, which takes a
/// while), or "".
std::string unwritable(llvm::StringRef path) {
  if (llvm::sys::fs::is_directory(path))
    return "it is a directory";
  int fd = -1;
  if (llvm::sys::fs::exists(path)) {
    // Opened for appending: tried without changing it.
    if (std::error_code ec = llvm::sys::fs::openFileForWrite(
            path, fd, llvm::sys::fs::CD_OpenExisting, llvm::sys::fs::OF_Append))
      return ec.message();
    llvm::sys::fs::closeFile(fd);
    return "";
  }
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(normalized(path)));
  if (!llvm::sys::fs::is_directory(dir))
    return "its directory " + std::string(dir) + " does not exist";
  // A file is made and removed there: permissions alone do not tell (root,
  // read-only or special file systems).
  llvm::SmallString<256> probe(dir), made;
  llvm::sys::path::append(probe, ".attn-compile-probe-%%%%%%");
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(probe, fd, made))
    return "cannot create files in " + std::string(dir) + " (" +
           ec.message() + ")";
  llvm::sys::fs::closeFile(fd);
  llvm::sys::fs::remove(made);
  return "";
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(cat);
  cl::ParseCommandLineOptions(argc, argv,
                              "attn-compile: attn functions to object code\n");
  if (output.empty())
    return fail("no output file; expected -o <file>");
  if (emitRuntime) {
    std::string error;
    return compileRuntime(output, target, error) ? 0 : fail(error);
  }
  if (inputFile.empty())
    return fail("no input file; expected attn-compile <model.mlir> -o <lib.a>");
  auto scheduler =
      llvm::StringSwitch<std::optional<AotOptions::Scheduler>>(schedule)
          .Case("hand", AotOptions::Scheduler::Hand)
          .Case("adams2019", AotOptions::Scheduler::Adams2019)
          .Default(std::nullopt);
  if (!scheduler)
    return fail("--schedule=" + schedule + " is not a scheduler; expected "
                "hand or adams2019");
  if (estimate <= 0 || estimate > (1 << 30))
    return fail("--estimate=" + llvm::Twine(estimate.getValue()) +
                " is not a size; expected 1 to 2^30");
  if (!llvm::StringRef(output).ends_with(".a"))
    return fail("output '" + output + "' must be a static library (.a)");

  mlir::MLIRContext ctx;
  prepareContext(ctx);
  llvm::SourceMgr sm;
  mlir::SourceMgrDiagnosticHandler diag(sm, &ctx);
  std::string err;
  auto module = parseModelFile(inputFile, sm, ctx, err);
  if (!module)
    return err.empty() ? 1 : fail(err);

  AotOptions options;
  options.target = target;
  options.library = output;
  options.header = header;
  if (options.header.empty()) {
    // libmodel.a -> model.h beside it (lib.a -> lib.h).
    llvm::StringRef stem = llvm::sys::path::stem(output);
    if (stem.size() > 3)
      stem.consume_front("lib");
    llvm::SmallString<256> h(llvm::sys::path::parent_path(output));
    llvm::sys::path::append(h, stem + ".h");
    options.header = std::string(h);
  }
  if (samePath(options.header, inputFile))
    return fail("--header " + options.header + " is the input model; "
                "writing it would overwrite the model");
  if (samePath(options.header, output))
    return fail("--header " + options.header + " is the library (-o); "
                "expected two different files");
  for (const std::string &path : {output.getValue(), options.header})
    if (std::string why = unwritable(path); !why.empty())
      return fail("cannot write " + path + ": " + why);
  options.entries.assign(entries.begin(), entries.end());
  options.prefix = prefix;
  options.scheduler = *scheduler;
  options.dynamicEstimate = estimate;
  if (mlir::failed(compileToLibrary(*module, options)))
    return 1;
  return 0;
}
