//===- RewritePropertyTest.cpp - random graphs through the exact rewrites -===//
//
// Builds many random valid graphs per pass (shapes, transposes, broadcast
// batches, row scalings, several uses, declines), runs the pass, and checks
// with the reference interpreter that the function computes the same values
// before and after (relative 1e-10 in double). Prints how many cases ran and
// how many rewrites fired.
//
//===----------------------------------------------------------------------===//
#include "RandomGraphs.h"
#include "TestSupport.h"
#include "lib/Reference/Inputs.h"
#include "lib/Reference/Interpreter.h"
#include "lib/Transforms/Passes.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <random>
#include <sstream>

using namespace attn;
using namespace attn::test;

namespace {
constexpr int kCases = 1000;

/// Runs `pipeline` on random graphs from `generate`; checks agreement.
void checkProperty(
    const char *name,
    const std::function<std::string(Random &, int64_t &)> &generate,
    const std::function<void(mlir::PassManager &, Random &)> &pipeline) {
  Random r(20261125);
  int fired = 0;
  for (int i = 0; i < kCases; ++i) {
    int64_t dynamicSize = 1;
    std::string text = generate(r, dynamicSize);
    test::Parsed before(text), after(text);
    ASSERT_TRUE(before.module && after.module) << text;
    mlir::PassManager pm(&after.ctx);
    pipeline(pm, r);
    ASSERT_TRUE(mlir::succeeded(pm.run(*after.module))) << text;
    ASSERT_TRUE(mlir::succeeded(mlir::verify(*after.module))) << text;
    std::string printedBefore, printedAfter;
    llvm::raw_string_ostream(printedBefore) << *before.module;
    llvm::raw_string_ostream(printedAfter) << *after.module;
    fired += printedBefore != printedAfter;

    auto inputs = makeRandomInputs(before.func(), 1000 + i, dynamicSize);
    auto expected = interpret(before.func(), inputs);
    auto actual = interpret(after.func(), inputs);
    ASSERT_TRUE(mlir::succeeded(expected) && mlir::succeeded(actual)) << text;
    ASSERT_EQ(expected->size(), actual->size());
    for (size_t j = 0; j < expected->size(); ++j) {
      ASSERT_EQ((*expected)[j].shape, (*actual)[j].shape) << text;
      Agreement a = compareTensors((*actual)[j], (*expected)[j]);
      ASSERT_LE(a.relError(), 1e-10)
          << "case " << i << " result " << j << "\n"
          << text << "\nafter:\n"
          << printedAfter;
    }
  }
  std::cout << name << ": " << kCases << " random graphs, " << fired
            << " rewrites fired\n";
  EXPECT_GT(fired, kCases / 5) << "the generator rarely exercises the pass";
  EXPECT_LT(fired, kCases) << "the generator never exercises a decline";
}

TEST(RewriteProperty, Reassociate) {
  checkProperty("attn-reassociate", reassociateCase, [](mlir::PassManager &pm, Random &) {
    AttnReassociateOptions options;
    options.assumeSeqLen = 64;
    pm.addNestedPass<mlir::func::FuncOp>(createAttnReassociate(options));
  });
}

TEST(RewriteProperty, CausalToCumsum) {
  checkProperty("attn-causal-to-cumsum", causalCase,
                [](mlir::PassManager &pm, Random &) {
                  pm.addNestedPass<mlir::func::FuncOp>(
                      createAttnCausalToCumsum());
                });
}

TEST(RewriteProperty, CausalToCumsumThenChunk) {
  checkProperty("attn-causal-to-cumsum,attn-chunk", causalCase,
                [](mlir::PassManager &pm, Random &r) {
                  pm.addNestedPass<mlir::func::FuncOp>(
                      createAttnCausalToCumsum());
                  AttnChunkOptions options;
                  options.size = r.pick(1, 12);
                  pm.addNestedPass<mlir::func::FuncOp>(createAttnChunk(options));
                });
}

TEST(RewriteProperty, ChunkDecayedScans) {
  checkProperty("attn-chunk (retention)", retentionCase,
                [](mlir::PassManager &pm, Random &r) {
                  AttnChunkOptions options;
                  options.size = r.pick(1, 12);
                  pm.addNestedPass<mlir::func::FuncOp>(createAttnChunk(options));
                });
}

TEST(RewriteProperty, Decompose) {
  checkProperty("attn-decompose", decomposeCase, [](mlir::PassManager &pm, Random &) {
    pm.addNestedPass<mlir::func::FuncOp>(createAttnDecompose());
  });
}

TEST(RewriteProperty, DecomposeThenReassociate) {
  checkProperty("attn-decompose,attn-reassociate", decomposeCase,
                [](mlir::PassManager &pm, Random &) {
                  pm.addNestedPass<mlir::func::FuncOp>(createAttnDecompose());
                  AttnReassociateOptions options;
                  options.assumeSeqLen = 4096;
                  pm.addNestedPass<mlir::func::FuncOp>(
                      createAttnReassociate(options));
                });
}
} // namespace
