//===- PipelinePropertyTest.cpp - random pass pipelines on random graphs --===//
//
// Any order and repetition of the exact passes (decompose, reassociate,
// causal-to-cumsum, chunk, derive-decode, canonicalize, cse) must give a
// correct module or refuse with a diagnostic. For each random pipeline on a
// random graph, with attn-opt's size-relation instrumentation:
//  - if it fails, an error diagnostic says why;
//  - otherwise @f computes what it computed before (reference interpreter,
//    relative 1e-9 in double), refuses every length mismatch it refused
//    before, and where @f_prefill and @f_step were derived, a prefill of a
//    prompt followed by single-token steps equals @f on the whole sequence.
//
//===----------------------------------------------------------------------===//
#include "RandomGraphs.h"
#include "TestSupport.h"
#include "lib/Reference/Inputs.h"
#include "lib/Reference/Interpreter.h"
#include "lib/Transforms/Passes.h"
#include "lib/Transforms/SizeRelations.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <gtest/gtest.h>

#include <iostream>

using namespace attn;
using namespace attn::test;

namespace {
constexpr int kPipelines = 2000;

const char *const kPasses[] = {"decompose", "reassociate", "causal-to-cumsum",
                               "chunk",     "derive-decode", "canonicalize",
                               "cse"};

/// A random pipeline: 1 to 6 passes, repetitions allowed.
std::vector<std::string> randomPipeline(Random &r) {
  std::vector<std::string> names;
  for (int64_t i = r.pick(1, 6); i > 0; --i)
    names.push_back(kPasses[r.pick(0, std::size(kPasses) - 1)]);
  return names;
}

void addPass(mlir::PassManager &pm, const std::string &name, Random &r) {
  using mlir::func::FuncOp;
  if (name == "decompose")
    pm.addNestedPass<FuncOp>(createAttnDecompose());
  else if (name == "reassociate") {
    AttnReassociateOptions o;
    o.assumeSeqLen = r.coin() ? 64 : 0;
    pm.addNestedPass<FuncOp>(createAttnReassociate(o));
  } else if (name == "causal-to-cumsum")
    pm.addNestedPass<FuncOp>(createAttnCausalToCumsum());
  else if (name == "chunk") {
    AttnChunkOptions o;
    o.size = r.pick(1, 9);
    pm.addNestedPass<FuncOp>(createAttnChunk(o));
  } else if (name == "derive-decode")
    pm.addPass(createAttnDeriveDecode());
  else if (name == "canonicalize")
    pm.addPass(mlir::createCanonicalizerPass());
  else
    pm.addPass(mlir::createCSEPass());
}

/// Rows [lo, hi) of `t` along `dim`.
Tensor slice(const Tensor &t, int64_t dim, int64_t lo, int64_t hi) {
  Shape shape = t.shape;
  shape[dim] = hi - lo;
  Tensor out(shape, t.kind);
  int64_t inner = 1, outer = 1;
  for (int64_t d = dim + 1; d < t.rank(); ++d)
    inner *= t.shape[d];
  for (int64_t d = 0; d < dim; ++d)
    outer *= t.shape[d];
  int64_t flat = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = lo; i < hi; ++i)
      for (int64_t j = 0; j < inner; ++j)
        out.data[flat++] = t.data[(o * t.shape[dim] + i) * inner + j];
  return out;
}

/// `parts` concatenated along `dim`.
Tensor concat(const std::vector<Tensor> &parts, int64_t dim) {
  Shape shape = parts.front().shape;
  shape[dim] = 0;
  for (const Tensor &p : parts)
    shape[dim] += p.shape[dim];
  Tensor out(shape, parts.front().kind);
  int64_t inner = 1, outer = 1;
  for (int64_t d = dim + 1; d < out.rank(); ++d)
    inner *= shape[d];
  for (int64_t d = 0; d < dim; ++d)
    outer *= shape[d];
  int64_t flat = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor &p : parts)
      for (int64_t i = 0; i < p.shape[dim] * inner; ++i)
        out.data[flat++] = p.data[o * p.shape[dim] * inner + i];
  return out;
}

/// Whether argument type `t` has the dynamic sequence dimension (the
/// second-to-last, as attn-derive-decode reads it).
bool hasSequence(mlir::Type t) {
  auto tt = mlir::cast<mlir::RankedTensorType>(t);
  return tt.getRank() >= 2 && tt.isDynamicDim(tt.getRank() - 2);
}

/// Prefill of the first `prompt` positions, then one step per position,
/// against @f of `original` on the whole sequence: the largest relative
/// error over the results, or a message.
std::string checkDecode(mlir::ModuleOp after, mlir::func::FuncOp original,
                        llvm::ArrayRef<Tensor> inputs, int64_t t,
                        int64_t prompt, double &worst) {
  auto prefill = after.lookupSymbol<mlir::func::FuncOp>("f_prefill");
  auto step = after.lookupSymbol<mlir::func::FuncOp>("f_step");
  if (!prefill || !step)
    return "derive-decode made one of @f_prefill and @f_step only";
  auto whole = interpret(original, inputs);
  if (mlir::failed(whole))
    return "@f failed on the whole sequence";
  unsigned n = original.getNumArguments();
  auto part = [&](int64_t lo, int64_t hi) {
    std::vector<Tensor> args;
    for (unsigned i = 0; i < n; ++i)
      args.push_back(hasSequence(original.getArgumentTypes()[i])
                         ? slice(inputs[i], inputs[i].rank() - 2, lo, hi)
                         : inputs[i]);
    return args;
  };
  std::vector<Tensor> states;
  for (mlir::Type type : prefill.getArgumentTypes().drop_front(n))
    states.emplace_back(concreteShape(type, 1), elementKindOf(type));
  std::vector<std::vector<Tensor>> pieces(whole->size());
  auto run = [&](mlir::func::FuncOp fn, int64_t lo, int64_t hi) -> bool {
    std::vector<Tensor> args = part(lo, hi);
    args.insert(args.end(), states.begin(), states.end());
    auto out = interpret(fn, args);
    if (mlir::failed(out))
      return false;
    for (size_t i = 0; i < whole->size(); ++i)
      pieces[i].push_back((*out)[i]);
    states.assign(out->begin() + whole->size(), out->end());
    return true;
  };
  if (!run(prefill, 0, prompt))
    return "@f_prefill failed";
  for (int64_t s = prompt; s < t; ++s)
    if (!run(step, s, s + 1))
      return "@f_step failed";
  for (size_t i = 0; i < whole->size(); ++i) {
    const Tensor &expected = (*whole)[i];
    Tensor got = concat(pieces[i], expected.rank() - 2);
    if (got.shape != expected.shape)
      return "result " + std::to_string(i) + " has shape " +
             formatShape(got.shape) + " pieced together";
    worst = std::max(worst, compareTensors(got, expected).relError());
  }
  return "";
}

/// One of the generators, for pipelines of every pass.
std::string anyCase(Random &r, int64_t &dynamicSize) {
  switch (r.pick(0, 3)) {
  case 0:
    return reassociateCase(r, dynamicSize);
  case 1:
    return decomposeCase(r, dynamicSize);
  case 2:
    return causalCase(r, dynamicSize);
  default:
    return retentionCase(r, dynamicSize);
  }
}

TEST(PipelineProperty, AnyOrderOfExactPassesIsCorrectOrRefused) {
  Random r(20261207);
  int changed = 0, refused = 0, decoded = 0, mismatches = 0;
  std::map<std::string, int> used;
  for (int i = 0; i < kPipelines; ++i) {
    int64_t dynamicSize = 1;
    std::string text = anyCase(r, dynamicSize);
    std::vector<std::string> names = randomPipeline(r);
    std::string pipeline;
    for (const std::string &n : names)
      pipeline += (pipeline.empty() ? "" : ",") + n;
    test::Parsed before(text), after(text);
    ASSERT_TRUE(before.module && after.module) << text;

    mlir::PassManager pm(&after.ctx);
    keepSizeRelations(pm);
    for (const std::string &n : names) {
      addPass(pm, n, r);
      ++used[n];
    }
    std::string diagnostics;
    bool ok;
    {
      mlir::ScopedDiagnosticHandler capture(
          &after.ctx, [&](mlir::Diagnostic &d) {
            if (d.getSeverity() == mlir::DiagnosticSeverity::Error)
              diagnostics += d.str() + "\n";
            return mlir::success();
          });
      ok = mlir::succeeded(pm.run(*after.module));
    }
    if (!ok) {
      // Refused: it must say why.
      ASSERT_FALSE(diagnostics.empty())
          << "pipeline " << pipeline << " failed silently on\n" << text;
      ++refused;
      if (std::getenv("ATTN_SHOW_REFUSALS"))
        std::cout << pipeline << ": " << diagnostics;
      continue;
    }
    ASSERT_TRUE(mlir::succeeded(mlir::verify(*after.module))) << text;
    std::string printedBefore, printedAfter;
    llvm::raw_string_ostream(printedBefore) << *before.module;
    llvm::raw_string_ostream(printedAfter) << *after.module;
    changed += printedBefore != printedAfter;
    std::string context = "pipeline " + pipeline + "\n" + text + "\nafter:\n" +
                          printedAfter;

    // Same values.
    auto inputs = makeRandomInputs(before.func(), 5000 + i, dynamicSize);
    auto expected = interpret(before.func(), inputs);
    auto actual = interpret(after.func(), inputs);
    ASSERT_TRUE(mlir::succeeded(expected) && mlir::succeeded(actual))
        << context;
    ASSERT_EQ(expected->size(), actual->size()) << context;
    for (size_t j = 0; j < expected->size(); ++j) {
      ASSERT_EQ((*expected)[j].shape, (*actual)[j].shape) << context;
      ASSERT_LE(compareTensors((*actual)[j], (*expected)[j]).relError(), 1e-9)
          << "result " << j << " of " << context;
    }

    // Same refusals: each argument with a dynamic size given one more
    // position; what @f refused before, it still refuses.
    for (unsigned a = 0; a < before.func().getNumArguments(); ++a) {
      auto type =
          mlir::cast<mlir::RankedTensorType>(before.func().getArgumentTypes()[a]);
      for (int64_t d = 0; d < type.getRank(); ++d) {
        if (!type.isDynamicDim(d))
          continue;
        std::vector<Tensor> bad = inputs;
        Shape s = bad[a].shape;
        s[d] += 1;
        bad[a] = Tensor(s, bad[a].kind);
        mlir::ScopedDiagnosticHandler quiet(&before.ctx, [](mlir::Diagnostic &) {
          return mlir::success();
        });
        mlir::ScopedDiagnosticHandler quiet2(&after.ctx, [](mlir::Diagnostic &) {
          return mlir::success();
        });
        if (mlir::failed(interpret(before.func(), bad))) {
          ++mismatches;
          ASSERT_TRUE(mlir::failed(interpret(after.func(), bad)))
              << "argument " << a << " dimension " << d
              << " one longer: refused before, accepted after " << context;
        }
      }
    }

    // Decode functions agree with the whole sequence.
    if (after.module->lookupSymbol("f_prefill")) {
      int64_t t = dynamicSize;
      double worst = 0;
      std::string why = checkDecode(*after.module, before.func(), inputs, t,
                                    r.pick(0, t), worst);
      ASSERT_TRUE(why.empty()) << why << "\n" << context;
      ASSERT_LE(worst, 1e-9) << "prefill + steps vs whole: " << context;
      ++decoded;
    }
  }
  std::cout << "random pipelines: " << kPipelines << ", " << changed
            << " changed the module, " << refused << " refused, " << decoded
            << " derived decode functions checked, " << mismatches
            << " refused length mismatches still refused\n";
  for (const auto &[name, n] : used)
    std::cout << "  " << name << ": in " << n << " pipelines\n";
  EXPECT_GT(changed, kPipelines / 4);
  EXPECT_GT(decoded, 50);
  EXPECT_GT(mismatches, 500);
}
} // namespace
