//===- Passes.h - attn rewrites ----------------------------------*- C++ -*-===//
//
// The rewrites (decompose, reassociate, remove-softmax, causal-to-cumsum,
// chunk) land here, one file per pass, registered through
// registerAttnPasses(). None is registered before it exists.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TRANSFORMS_PASSES_H
#define ATTN_TRANSFORMS_PASSES_H

namespace attn {
/// Registers every attn pass with the global pass registry (for attn-opt).
void registerAttnPasses();
} // namespace attn

#endif // ATTN_TRANSFORMS_PASSES_H
