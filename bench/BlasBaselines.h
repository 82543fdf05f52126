//===- BlasBaselines.h - the bench's kernels as a C++ user writes them ----===//
//
// Each kernel of bench/models.mlir written with OpenBLAS sgemm for the
// products and plain loops (OpenMP over heads) for the rest: the baseline a
// C++ programmer without attn would have. Tensors are [H, T, d] row-major.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_BENCH_BLASBASELINES_H
#define ATTN_BENCH_BLASBASELINES_H

#include <string>

namespace blas {

struct Shape {
  int heads, t, d;
};

/// Runs `kernel` ("softmax", "linear", "linear_causal", "galerkin",
/// "aft_simple") on q, k, v into o; false for an unknown name.
bool run(const std::string &kernel, Shape s, const float *q, const float *k,
         const float *v, float *o);

/// Frees the scratch buffers that run keeps between calls (before another
/// kernel's peak memory is measured).
void releaseScratch();

} // namespace blas

#endif // ATTN_BENCH_BLASBASELINES_H
