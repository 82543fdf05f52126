//===- Pipelines.cpp - named pipelines of the exact rewrites --------------===//
#include "lib/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
struct LinearizeOptions : public PassPipelineOptions<LinearizeOptions> {
  Option<int64_t> assumeSeqLen{
      *this, "assume-seq-len",
      llvm::cl::desc("size assumed for dynamic dimensions by "
                     "attn-reassociate (default 0: decline, never guess)"),
      llvm::cl::init(0)};
  Option<int64_t> chunkSize{
      *this, "chunk-size",
      llvm::cl::desc("chunk length of attn-chunk (default 64)"),
      llvm::cl::init(64)};
  Option<bool> explain{
      *this, "explain",
      llvm::cl::desc("each pass emits a remark at every site it looks at"),
      llvm::cl::init(false)};
};
} // namespace

void attn::buildLinearizePipeline(OpPassManager &pm, int64_t assumeSeqLen,
                                  int64_t chunkSize, bool explain) {
  AttnDecomposeOptions decompose;
  decompose.explain = explain;
  pm.addNestedPass<func::FuncOp>(createAttnDecompose(decompose));
  AttnReassociateOptions reassociate;
  reassociate.assumeSeqLen = assumeSeqLen;
  reassociate.explain = explain;
  pm.addNestedPass<func::FuncOp>(createAttnReassociate(reassociate));
  AttnCausalToCumsumOptions cumsum;
  cumsum.explain = explain;
  pm.addNestedPass<func::FuncOp>(createAttnCausalToCumsum(cumsum));
  AttnChunkOptions chunk;
  chunk.size = chunkSize;
  chunk.explain = explain;
  pm.addNestedPass<func::FuncOp>(createAttnChunk(chunk));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void attn::registerAttnPipelines() {
  PassPipelineRegistration<LinearizeOptions>(
      "attn-linearize",
      "The exact rewrites in order: attn-decompose, attn-reassociate, "
      "attn-causal-to-cumsum, attn-chunk, canonicalize, cse (the model is "
      "unchanged; attn-remove-softmax is separate because it is not exact)",
      [](OpPassManager &pm, const LinearizeOptions &options) {
        buildLinearizePipeline(pm, options.assumeSeqLen, options.chunkSize,
                               options.explain);
      });
}
