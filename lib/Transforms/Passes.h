//===- Passes.h - attn rewrites ----------------------------------*- C++ -*-===//
#ifndef ATTN_TRANSFORMS_PASSES_H
#define ATTN_TRANSFORMS_PASSES_H

#include "dialect/AttnDialect.h"

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/IR/PatternMatch.h"

namespace attn {

#define GEN_PASS_DECL
#include "lib/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lib/Transforms/Passes.h.inc"

/// Replaces a composite attn.attention by primitive ops (what
/// attn-decompose does at each site); fails, changing nothing, for a softmax
/// attention with a dynamic head size and no scale. With `remark`, says
/// what it built.
mlir::LogicalResult expandAttention(AttentionOp op, mlir::RewriterBase &rewriter,
                                    bool remark = false);

/// attn-linearize: the exact rewrites in order (decompose, reassociate,
/// causal-to-cumsum, chunk), then canonicalize and cse; with `explain`,
/// each pass remarks on every site it looks at.
void buildLinearizePipeline(mlir::OpPassManager &pm, int64_t assumeSeqLen,
                            int64_t chunkSize, bool explain = false);

/// Registers the named pipelines (attn-linearize) for attn-opt.
void registerAttnPipelines();

} // namespace attn

#endif // ATTN_TRANSFORMS_PASSES_H
